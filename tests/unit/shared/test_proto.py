"""The committed generated protobuf code must match a fresh generation from proto/."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROTO = ROOT / "proto"
GENERATED = ROOT / "newsbrief" / "v1"


def test_generated_code_matches_proto_files(tmp_path: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    assert protos, "no .proto files found"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTO}",
            f"--python_out={tmp_path}",
            f"--pyi_out={tmp_path}",
            *protos,
        ],
        check=True,
    )
    fresh = sorted(p for p in (tmp_path / "newsbrief" / "v1").iterdir())
    assert fresh
    for path in fresh:
        committed = GENERATED / path.name
        assert committed.exists(), f"{committed} is missing: run `make proto`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} differs from a fresh generation: did you forget to run `make proto`?"
        )
