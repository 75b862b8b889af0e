"""The hostile input corpus against the running system, in one test.

Every case of tests/fixtures/hostile/manifest.toml (broken and malicious feeds, article pages
and push requests) goes into one running system (the four services as processes) while good
articles are pushed in between. The test then checks each case's expected outcome, that the
services stayed healthy, and that every good article reached a brief served by the API.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import orjson
import pytest

from newsbrief.codec import decode
from newsbrief.ids import article_id
from newsbrief.infra import free_ports
from newsbrief.pipeline_bench import API_KEY, SystemUnderTest, sample_docs, served_state, stream
from newsbrief.topics import ARTICLES, REJECTED, topic_name
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.normalise import canonical_url

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
LIMIT = 5_000_000  # ingest's default NEWSBRIEF_INGEST_MAX_BODY_BYTES
MB = 1_000_000
SETTLE_S = 150
TYPES = {".xml": "application/rss+xml", ".json": "application/feed+json", ".html": "text/html"}


def load_cases() -> list[dict]:
    return tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["case"]


# -- generated inputs (too large to commit) --------------------------------------------------
def gzip_bomb(size: int = 64 * MB) -> bytes:
    """size bytes of zeros, gzipped (about 0.1% of size on the wire)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def rss_with_title(title: str) -> bytes:
    item = f"<item><title>{title}</title><link>https://good.example/huge</link></item>"
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'.encode()


def push_body(name: str) -> bytes:
    """The generated push bodies the manifest names."""
    one = {"url": "https://good.example/gen/1", "text": "The council voted on the budget."}
    if name == "invalid-utf8":
        return b'[{"url": "https://good.example/gen/2", "title": "bad \xff\xfe bytes"}]'
    if name == "oversized-body":
        return orjson.dumps([{**one, "text": "x" * (LIMIT + 10)}])
    if name == "over-batch":
        return orjson.dumps([{**one, "url": f"https://good.example/gen/b{i}"} for i in range(101)])
    if name == "title-10mb":
        return orjson.dumps([{**one, "title": "T" * 10 * MB}])
    if name == "title-950kb":
        return orjson.dumps([{**one, "title": "budget " * 135_000}])
    raise KeyError(name)


class CorpusServer:
    """Serves the corpus and the generated hostile responses over loopback HTTP."""

    def __init__(self, teasers: bytes) -> None:
        self.port = free_ports(1)[0]
        self.base = f"http://127.0.0.1:{self.port}/"
        bomb = gzip_bomb()
        big = rss_with_title("B" * (LIMIT + MB))
        xml = {"Content-Type": TYPES[".xml"]}
        metadata = {"Location": "http://169.254.169.254/latest/"}
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/feeds/teasers.xml": (200, xml, teasers),
            "/gen/gzip-bomb.xml": (200, _gz(TYPES[".xml"]), bomb),
            "/pages/gzip-bomb.html": (200, _gz("text/html"), bomb),
            "/gen/oversized.xml": (200, xml, big),
            "/pages/oversized.html": (200, {"Content-Type": "text/html"}, b"<p>" + big),
            "/gen/huge-title.xml": (200, xml, rss_with_title("T" * 10 * MB)),
            "/gen/redirect-metadata.xml": (302, metadata, b""),
            "/pages/redirect-metadata.html": (302, {"Location": "http://10.1.2.3/admin"}, b""),
            "/gen/loop.xml": (302, {"Location": "/gen/loop.xml"}, b""),
        }
        self.streamed = {"/gen/oversized-stream.xml": big}
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                path = self.path.split("?", 1)[0]
                if path in server.streamed:
                    return self._stream(server.streamed[path])
                status, headers, body = server.routes.get(path) or server.from_corpus(path)
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, body: bytes) -> None:
                # No Content-Length: the body ends when the connection closes.
                self.send_response(200)
                self.send_header("Content-Type", TYPES[".xml"])
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for start in range(0, len(body), 64 * 1024):
                    self.wfile.write(body[start : start + 64 * 1024])

            def log_message(self, *args: object) -> None:
                pass

            def handle(self) -> None:
                # Ingest hangs up on oversized bodies mid-write, as it should: not an error here.
                with contextlib.suppress(ConnectionError):
                    super().handle()

        return Handler

    def from_corpus(self, path: str) -> tuple[int, dict[str, str], bytes]:
        file = (CORPUS / path.lstrip("/")).resolve()
        if CORPUS not in file.parents or not file.is_file():
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return 200, {"Content-Type": TYPES.get(file.suffix, "text/plain")}, file.read_bytes()

    def feed_url(self, case: dict) -> str:
        if case["kind"] == "feed_url":
            return case["url"]
        if "generate" in case:
            return f"{self.base}gen/{case['generate']}"
        return self.base + case["input"]

    def __enter__(self) -> CorpusServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _gz(content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, "Content-Encoding": "gzip"}


def feed_list(path: Path, urls: list[str]) -> Path:
    lines = []
    for url in urls:
        lines += ["[[feeds]]", f"url = {orjson.dumps(url).decode()}", 'language = "en"']
        lines += ['outlet = "Hostile Herald"', "poll_interval = 3600"]
    path.write_text("\n".join(lines) + "\n")
    return path


# -- reading what came out -------------------------------------------------------------------
class Topics:
    """Everything on the articles and rejected topics so far."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(
            topic_name(prefix, ARTICLES),
            topic_name(prefix, REJECTED),
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            max_partition_fetch_bytes=2 * MB,
        )
        self.articles: dict[str, pb.Article] = {}
        self.rejected: list[pb.RejectedInput] = []
        self.rejected_topic = topic_name(prefix, REJECTED)

    def poll(self) -> None:
        for tp, records in self.consumer.poll(timeout_ms=500).items():
            for record in records:
                if tp.topic == self.rejected_topic:
                    self.rejected.append(decode(pb.RejectedInput, record.value))
                else:
                    article = decode(pb.Article, record.value)
                    self.articles[article.article_id] = article

    def reasons(self, source: str) -> Counter:
        return Counter(r.reason for r in self.rejected if r.source == source)


def link_id(link: str) -> str:
    return article_id(canonical_url(link))


# -- the run ---------------------------------------------------------------------------------
@pytest.fixture
def corpus_system(tmp_path, kafka_bootstrap, redis_url, topic_prefix) -> Iterator[tuple]:
    cases = load_cases()
    probe = CorpusServer(b"")
    teasers = (CORPUS / "feeds" / "teasers.xml.tmpl").read_text().replace("{base}", probe.base)
    probe.routes["/feeds/teasers.xml"] = (200, {"Content-Type": TYPES[".xml"]}, teasers.encode())
    feed_cases = [c for c in cases if c["kind"] in ("feed", "feed_url")]
    urls = [probe.feed_url(c) for c in feed_cases] + [f"{probe.base}feeds/teasers.xml"]
    system = SystemUnderTest(
        tmp_path,
        bootstrap=kafka_bootstrap,
        redis_url=redis_url,
        prefix=topic_prefix,
        feeds_file=str(feed_list(tmp_path / "feeds.toml", urls)),
        extra_env={
            "NEWSBRIEF_COMPOSE_DEBOUNCE_SECONDS": "0.5",
            "NEWSBRIEF_INGEST_HOST_MIN_INTERVAL_S": "0.05",
            "NEWSBRIEF_INGEST_FETCH_RETRIES": "0",
            "NEWSBRIEF_INGEST_FETCH_TIMEOUT_S": "3",
        },
    )
    with probe:
        try:
            system.start()
            yield system, probe, cases
        finally:
            system.stop()


def test_hostile_corpus_is_refused_and_nothing_else_is_lost(corpus_system) -> None:
    system, server, cases = corpus_system
    assert len(cases) >= 40
    topics = Topics(system.bootstrap, system.prefix)
    good = iter(stream(sample_docs(), 200, datetime.now(UTC)))
    good_ids: set[str] = set()
    answers: dict[str, dict] = {}
    keys = {"ok": API_KEY, "wrong": "not-" + API_KEY, "none": ""}
    with httpx.Client(base_url=system.ingest_url, timeout=60) as client:
        for case in [c for c in cases if c["kind"] == "push"]:
            good_ids |= _push_good(client, next(good))
            body = case["body"].encode() if "body" in case else push_body(case["generate"])
            key = keys[case.get("api_key", "ok")]
            response = client.post(
                "/v1/articles",
                content=body,
                headers={"X-API-Key": key, "Content-Type": "application/json"},
            )
            answers[case["id"]] = {"status": response.status_code, "body": _json(response)}
        good_ids |= _push_good(client, next(good))

    expected_ids = good_ids | {link_id(link) for c in cases for link in _links(c, server)}
    deadline = time.monotonic() + SETTLE_S
    failures: list[str] = ["not checked"]
    while time.monotonic() < deadline:
        assert system.problem() is None, system.problem()
        topics.poll()
        failures = check_cases(cases, server, topics, answers)
        served = _served_ids(system.api_url)
        if not failures and expected_ids <= served:
            break
        time.sleep(1)
    missing = expected_ids - _served_ids(system.api_url)
    assert failures == [], "\n".join(failures)
    assert not missing, f"{len(missing)} good articles never reached a brief: {sorted(missing)[:5]}"
    for base in (system.ingest_url, system.api_url):
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"{system.ingest_url}/readyz", timeout=5).json()["status"] == "ready"
    _assert_briefs_clean(system.api_url)


def _push_good(client: httpx.Client, doc: dict) -> set[str]:
    response = client.post("/v1/articles", json=[doc], headers={"X-API-Key": API_KEY})
    assert response.status_code == 202, response.text
    return {r["article_id"] for r in response.json()["results"] if r["status"] == "accepted"}


def _json(response: httpx.Response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {}


def _links(case: dict, server: CorpusServer) -> list[str]:
    return [link.replace("{base}", server.base) for link in case.get("accepted", [])]


def check_cases(cases: list[dict], server, topics: Topics, answers: dict) -> list[str]:
    """Each case whose outcome differs from the manifest, with what was seen instead."""
    failures = []
    for case in cases:
        problem = _check_case(case, server, topics, answers.get(case["id"], {}))
        # A case with `known_bug` is a strict expected failure: it must still fail, so a fix
        # is noticed and the marker removed.
        if problem and not case.get("known_bug"):
            failures.append(f"{case['id']}: {problem}")
        elif not problem and case.get("known_bug"):
            failures.append(f"{case['id']}: passes now; remove known_bug ({case['known_bug']})")
    return failures


def _check_case(case: dict, server, topics: Topics, answer: dict) -> str | None:
    if case["kind"] == "push":
        if answer.get("status") != case["status"]:
            return f"HTTP {answer.get('status')} instead of {case['status']}: {answer}"
        results = answer.get("body", {}).get("results", [])
        if case.get("rejected"):
            reasons = Counter(r.get("reason") for r in results if r["status"] == "rejected")
            if reasons != Counter(case["rejected"]):
                return f"push rejected {dict(reasons)} instead of {case['rejected']}"
            on_topic = topics.reasons("push")
            if any(on_topic[r] < n for r, n in Counter(case["rejected"]).items()):
                return f"rejections not on the rejected topic ({dict(on_topic)})"
        dupes = sum(r["status"] == "duplicate" for r in results)
        if dupes != case.get("duplicates", 0):
            return f"{dupes} duplicates instead of {case.get('duplicates', 0)}"
    elif case["kind"] in ("feed", "feed_url"):
        seen = topics.reasons(server.feed_url(case))
        if seen != Counter(case.get("rejected", [])):
            return f"rejected {dict(seen)} instead of {case.get('rejected', [])}"
    return _check_articles(case, server, topics)


def _check_articles(case: dict, server, topics: Topics) -> str | None:
    for link in _links(case, server):
        article = topics.articles.get(link_id(link))
        if article is None:
            return f"{link} not published"
        wanted = case.get("flags", {}).get(link.replace(server.base, "{base}"), [])
        if not set(wanted) <= set(article.flags):
            return f"{link} has flags {list(article.flags)}, expected {wanted}"
        for bad in case.get("text_excludes", []):
            if bad in article.title or bad in article.text or bad in article.summary:
                return f"{link} still contains {bad!r}"
    return None


def _served_ids(api_url: str) -> set[str]:
    try:
        stories, _, _ = served_state(api_url)
    except (httpx.HTTPError, RuntimeError):
        return set()
    return {aid for members in stories.values() for aid in members}


def _assert_briefs_clean(api_url: str) -> None:
    """No served brief carries markup or script from the hostile inputs."""
    with httpx.Client(base_url=api_url, timeout=10) as client:
        stories, _, _ = served_state(api_url)
        for sid in stories:
            text = client.get(f"/v1/stories/{sid}").text
            for bad in ("<script", "onerror=", "javascript:", "alert("):
                assert bad not in text, f"story {sid} serves {bad!r}"
