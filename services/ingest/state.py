"""Ingest's durable memory: feed positions and delivered articles, in one small sqlite file.

Only what the broker acknowledged is written, so a restart neither re-publishes what was
delivered (ids, content hashes and near-duplicate signatures reload into the deduplicator) nor
skips what was not (a feed's ETag/Last-Modified advance only with its acks).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from newsbrief.v1 import newsbrief_pb2 as pb

FILE_NAME = "ingest-state.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_position (
    url TEXT PRIMARY KEY, etag TEXT NOT NULL, last_modified TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivered (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    signature BLOB
);
"""
# Prune in steps, not on every write: deleting the oldest rows is a range scan.
_PRUNE_SLACK = 0.1


class IngestState:
    """Feed positions and delivered (article_id, content_hash) pairs, bounded to capacity."""

    def __init__(self, path: str | Path, capacity: int = 200_000) -> None:
        path = Path(path)
        if path.is_dir() or not path.suffix:
            path.mkdir(parents=True, exist_ok=True)
            path = path / FILE_NAME
        self.path = path
        self._capacity = capacity
        self._lock = threading.Lock()  # push handlers and the poller may write from threads
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL + NORMAL: a commit costs no fsync of the main file; a power cut can lose the last
        # commits, which only means re-sending already delivered articles (consumers dedupe).
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._add_signature_column()
        self._signature_of: Callable[[str], bytes | None] = lambda _aid: None
        self._rows = self._db.execute("SELECT count(*) FROM delivered").fetchone()[0]

    def _add_signature_column(self) -> None:
        # State files written before signatures were kept lack the column.
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(delivered)")}
        if "signature" not in columns:
            self._db.execute("ALTER TABLE delivered ADD COLUMN signature BLOB")

    def keep_signatures(self, signature_of: Callable[[str], bytes | None]) -> None:
        """Store each delivered article's near-duplicate signature, looked up by article id."""
        self._signature_of = signature_of

    def positions(self) -> dict[str, tuple[str, str]]:
        """Saved (etag, last_modified) per feed URL."""
        with self._lock:
            rows = self._db.execute("SELECT url, etag, last_modified FROM feed_position")
            return {url: (etag, modified) for url, etag, modified in rows}

    def save_position(self, url: str, etag: str, last_modified: str) -> None:
        """Record a feed's position once everything it yielded was acknowledged."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO feed_position VALUES (?, ?, ?)", (url, etag, last_modified)
            )

    def record_delivered(self, articles: list[pb.Article]) -> None:
        """Remember acknowledged articles (one transaction per batch)."""
        if not articles:
            return
        rows = [(a.article_id, a.content_hash, self._signature_of(a.article_id)) for a in articles]
        with self._lock:
            with self._db:  # BEGIN ... COMMIT around the whole batch
                self._db.execute("BEGIN")
                cursor = self._db.executemany(
                    "INSERT OR IGNORE INTO delivered (article_id, content_hash, signature)"
                    " VALUES (?, ?, ?)",
                    rows,
                )
            self._rows += max(cursor.rowcount, 0)
            if self._rows > self._capacity * (1 + _PRUNE_SLACK):
                self._prune()

    def delivered(self) -> list[tuple[str, str, bytes | None]]:
        """The remembered (article_id, content_hash, signature) rows, oldest first."""
        with self._lock:
            query = (
                "SELECT article_id, content_hash, signature FROM delivered"
                " ORDER BY seq DESC LIMIT ?"
            )
            rows = self._db.execute(query, (self._capacity,)).fetchall()
        return rows[::-1]

    def _prune(self) -> None:
        self._db.execute(
            "DELETE FROM delivered WHERE seq < "
            "(SELECT seq FROM delivered ORDER BY seq DESC LIMIT 1 OFFSET ?)",
            (self._capacity - 1,),
        )
        self._rows = self._db.execute("SELECT count(*) FROM delivered").fetchone()[0]

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
