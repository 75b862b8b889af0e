"""The sample corpus (`examples/`) as engine input rows, for quality checks and benchmarks."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def html_text(markup: str) -> str:
    """Plain text of an HTML fragment, one paragraph per line."""
    import lxml.html

    if not markup or not markup.strip():
        return ""
    root = lxml.html.fromstring(f"<div>{markup}</div>")
    blocks = [el.text_content().strip() for el in root.iter("p", "h1", "h2", "h3", "li")]
    blocks = [b for b in blocks if b]
    return "\n".join(blocks) if blocks else root.text_content().strip()


def _published(entry) -> str | None:
    """ISO-8601 UTC time of a feed entry, None when the feed gives none."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime(*parsed[:6], tzinfo=UTC).isoformat()


def _body(entry) -> str:
    """The entry's full body (content:encoded / atom content), else its summary."""
    for content in entry.get("content") or []:
        if content.get("value"):
            return html_text(content["value"])
    return html_text(entry.get("summary") or "")


def load_sample(examples: Path = EXAMPLES_DIR) -> list[dict]:
    """Every feed item as an engine row (id = link), sorted by published time then link."""
    import feedparser

    feeds = tomllib.loads((examples / "feeds.toml").read_text(encoding="utf-8"))["feeds"]
    rows = []
    for feed in feeds:
        parsed = feedparser.parse((examples / feed["url"]).read_bytes())
        for entry in parsed.entries:
            rows.append(
                {
                    "id": entry.link,
                    "title": entry.get("title", ""),
                    "text": _body(entry),
                    "outlet": feed["outlet"],
                    "url": entry.link,
                    "published": _published(entry),
                    "lang": feed.get("language", "en"),
                }
            )
    rows.sort(key=lambda r: (r["published"] or "", r["id"]))
    return rows


def load_gold(examples: Path = EXAMPLES_DIR) -> dict[str, str]:
    """Gold story key of each article link (examples/stories.tsv)."""
    lines = (examples / "stories.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {cols[0]: cols[1] for cols in (line.split("\t") for line in lines if line.strip())}


def load_wire_copies(examples: Path = EXAMPLES_DIR) -> list[tuple[str, str]]:
    """(copy link, original link) pairs of wire republications."""
    lines = (examples / "wire_copies.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(line.split("\t")[:2]) for line in lines if line.strip()]
