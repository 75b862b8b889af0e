"""Full text and metadata from an article page (trafilatura), merged into a teaser item."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass, replace
from datetime import datetime

from services.ingest.feeds import RawItem, parse_date
from services.ingest.normalise import html_to_paragraphs

_DATE_PARAMS = {
    "extensive_search": True,
    "original_date": True,  # the first publication, not the last edit
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


@dataclass(frozen=True)
class PageInfo:
    """What an article page adds to a feed item."""

    text: str = ""  # paragraphs joined by "\n\n"
    title: str = ""
    author: str = ""
    published: datetime | None = None
    image_url: str = ""
    canonical_url: str = ""
    section: str = ""


def is_teaser(raw: RawItem, min_chars: int) -> bool:
    """Whether an item's own text is too short to stand for the article."""
    text = " ".join(html_to_paragraphs(raw.content or raw.summary))
    return len(text) < min_chars


def extract_page(page_html: str, url: str) -> PageInfo:
    """Main text and metadata of an article page; empty PageInfo when nothing is found."""
    import trafilatura  # heavy import, only needed when pages are fetched

    doc = trafilatura.bare_extraction(
        page_html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if doc is None:
        return PageInfo()
    title = html_lib.unescape(doc.title or "").strip()
    lines = [line.strip() for line in (doc.text or "").split("\n") if line.strip()]
    if lines and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    categories = doc.categories or []
    return PageInfo(
        text="\n\n".join(lines),
        title=title,
        author=doc.author or "",
        published=parse_date(doc.date or ""),
        image_url=doc.image or "",
        canonical_url=doc.url or "",
        section=categories[0] if categories else "",
    )


def enrich(raw: RawItem, page: PageInfo) -> RawItem:
    """The item with the page's text and the metadata the feed lacked."""
    feed_text = raw.content or raw.summary
    longer = len(page.text) > len(" ".join(html_to_paragraphs(feed_text)))
    return replace(
        raw,
        content=_as_html(page.text) if longer else raw.content,
        summary=raw.summary or (feed_text if longer else ""),
        title=raw.title or page.title,
        author=raw.author or page.author,
        published=raw.published or page.published,
        image_url=raw.image_url or page.image_url,
        canonical_url=raw.canonical_url or page.canonical_url,
        section=raw.section or page.section,
    )


def _as_html(text: str) -> str:
    # Keep paragraph breaks through html_to_paragraphs while escaping anything markup-like.
    return "".join(f"<p>{html_lib.escape(p)}</p>" for p in text.split("\n\n"))
