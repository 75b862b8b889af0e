"""Helpers of the ingest integration tests: a loopback HTTP server and a topic reader."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kafka import KafkaConsumer

from newsbrief.codec import decode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"

TYPES = {".xml": "application/rss+xml", ".json": "application/feed+json", ".html": "text/html"}


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
            status, body = 304, b""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class FixtureServer:
    """Serves fixture files and hostile routes on 127.0.0.1 in a thread."""

    def __init__(self) -> None:
        handler = type("Handler", (_Handler,), {"routes": {}})
        self.routes = handler.routes
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def add_file(self, path: str, file: Path, content_type: str | None = None) -> str:
        ctype = content_type or TYPES.get(file.suffix, "application/octet-stream")
        self.routes[path] = (200, {"Content-Type": ctype}, file.read_bytes())
        return self.base + path

    def add(self, path: str, status: int, body: bytes = b"", **headers: str) -> str:
        self.routes[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)
        return self.base + path

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def read_topic(bootstrap: str, topic: str, message_type, expected: int, timeout: float = 30.0):
    """Read messages from the start of topic until `expected` arrived (then 2 s more) or timeout."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    out = []
    deadline = time.monotonic() + timeout
    try:
        settle = None
        while time.monotonic() < deadline:
            for record in consumer:
                out.append(
                    (record.key.decode() if record.key else "", decode(message_type, record.value))
                )
            if len(out) >= expected:
                settle = settle or time.monotonic() + 2.0  # catch any unexpected extras
                if time.monotonic() >= settle:
                    break
    finally:
        consumer.close()
    return out
