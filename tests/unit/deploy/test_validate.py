"""The deploy files pass CI validation: compose config, kubernetes-validate, hadolint."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .deployfiles import ROOT

SCRIPT = ROOT / "scripts" / "validate-deploy.sh"


@pytest.mark.skipif(
    shutil.which("go") is None, reason="Go is absent: kustomize installs with `go install`"
)
def test_validate_deploy_script_passes():
    """scripts/validate-deploy.sh exits 0 (first run installs its tools: a few minutes)."""
    proc = subprocess.run(
        ["bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=1200,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    assert "deploy files valid" in proc.stdout
