"""Parse feeds (RSS 2.0, RSS 1.0/RDF, Atom, JSON Feed, Google News sitemaps) into raw items."""

from __future__ import annotations

import calendar
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

import feedparser
import orjson

from services.ingest.safety import Rejected, check_xml, decode_text, media_type

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
IMAGE_NS = "{http://www.google.com/schemas/sitemap-image/1.1}"
JSON_FEED_PREFIX = "https://jsonfeed.org/version/"

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class RawItem:
    """One item as a source offers it, before normalisation."""

    link: str = ""
    guid: str = ""
    title: str = ""
    summary: str = ""  # HTML or text
    content: str = ""  # HTML or text; empty when the source gives only a summary
    author: str = ""
    section: str = ""
    categories: list[str] = field(default_factory=list)
    image_url: str = ""
    published: datetime | None = None
    published_raw: str = ""  # the date as given, kept to flag dates we could not parse
    language: str = ""
    outlet: str = ""
    canonical_url: str = ""  # rel=canonical of the article page, when known
    kind: str = ""

    def ref(self) -> str:
        """Best reference of the item for rejection reports."""
        return self.link or self.guid or self.title[:80]


@dataclass
class ParsedFeed:
    """A parsed feed: its items and the feed-level metadata."""

    format: str
    title: str = ""
    language: str = ""
    items: list[RawItem] = field(default_factory=list)


def parse_feed(body: bytes, content_type: str | None = None) -> ParsedFeed:
    """Parse any supported feed format; raise Rejected when the body is not a usable feed."""
    if not body.strip():
        raise Rejected("feed_empty", "empty body")
    _, charset = media_type(content_type)
    text = decode_text(body, charset)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return parse_json_feed(stripped)
    if not stripped.startswith("<"):
        raise Rejected("feed_unrecognised", "neither XML nor JSON", body[:256])
    # Parsers below read bytes and trust the XML declaration, so hand them UTF-8 that says so.
    xml = _XML_DECL.sub("", stripped, count=1).encode("utf-8")
    try:
        root = check_xml(xml)
    except Rejected as exc:
        exc.payload_head = body[:256]  # report the bytes as received, not our re-encoding
        raise
    if root.tag == f"{SITEMAP_NS}urlset":
        return parse_news_sitemap(root)
    # The common formats are read straight from the safe tree (fast); anything else goes to
    # feedparser, which knows every historical variant.
    return parse_tree(root) or _parse_with_feedparser(xml)


def _parse_with_feedparser(xml: bytes) -> ParsedFeed:
    parsed = feedparser.parse(
        io.BytesIO(xml),
        sanitize_html=False,  # we strip all markup ourselves
        resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    if not parsed.version:
        raise Rejected("feed_unrecognised", "XML is not RSS, Atom or a news sitemap", xml[:256])
    meta = parsed.get("feed", {})
    feed = ParsedFeed(
        format=parsed.version, title=meta.get("title", ""), language=meta.get("language", "")
    )
    feed.items = [_from_entry(entry, feed.language) for entry in parsed.entries]
    return feed


def _from_entry(entry: dict, language: str) -> RawItem:
    content = entry.get("content") or []
    tags = [t.get("term", "") for t in entry.get("tags", []) if t.get("term")]
    raw_date = entry.get("published") or entry.get("updated") or ""
    parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
    return RawItem(
        link=entry.get("link", "") or _guid_link(entry),
        guid=entry.get("id", ""),
        title=entry.get("title", ""),
        summary=entry.get("summary", ""),
        content="\n".join(c.get("value", "") for c in content),
        author=entry.get("author", ""),
        section=tags[0] if tags else "",
        categories=tags,
        image_url=_entry_image(entry),
        published=_from_struct(parsed_date),
        published_raw=raw_date,
        language=entry.get("language") or language,
    )


def _from_struct(value) -> datetime | None:
    # feedparser normalises parsed dates to UTC struct_time.
    return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None


def _guid_link(entry: dict) -> str:
    guid = entry.get("id", "")
    return guid if guid.startswith(("http://", "https://")) else ""


def _entry_image(entry: dict) -> str:
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url") and media.get("medium", "image") == "image":
            return media["url"]
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and link.get("type", "").startswith("image/"):
            return link.get("href", "")
    return entry.get("image", {}).get("href", "") if isinstance(entry.get("image"), dict) else ""


def parse_date(value: str) -> datetime | None:
    """Parse an ISO 8601 or RFC 822 date into an aware datetime (naive means UTC)."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = _written_year(value, parsedate_to_datetime(value))
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_RFC822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,9}\s+(\d{4})\b")


def _written_year(value: str, parsed: datetime) -> datetime:
    """Undo the email parser's two-digit-year expansion when four digits were written.

    `parsedate_to_datetime` reads "0001" as 2001; a feed that writes year one means "unknown",
    and the caller must see that rather than a plausible wrong date.
    """
    match = _RFC822_YEAR.search(value)
    if match and int(match.group(1)) != parsed.year:
        return parsed.replace(year=max(1, int(match.group(1))))
    return parsed


def parse_json_feed(text: str) -> ParsedFeed:
    """Parse a JSON Feed (version 1 or 1.1)."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise Rejected("json_malformed", str(exc), text[:256].encode()) from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(JSON_FEED_PREFIX):
        head = text[:256].encode()
        raise Rejected("feed_unrecognised", "JSON without a jsonfeed.org version", head)
    feed = ParsedFeed(format="jsonfeed", title=str(doc.get("title", "")))
    feed.language = str(doc.get("language", ""))
    items = doc.get("items") if isinstance(doc.get("items"), list) else []
    feed.items = [_from_json_item(i, feed.language) for i in items if isinstance(i, dict)]
    return feed


def _from_json_item(item: dict, language: str) -> RawItem:
    authors = item.get("authors") or [item.get("author")]
    authors = authors if isinstance(authors, list) else []
    tags = [str(t) for t in item.get("tags", []) if t]
    raw_date = str(item.get("date_published") or item.get("date_modified") or "")
    return RawItem(
        link=str(item.get("url") or item.get("external_url") or ""),
        guid=str(item.get("id", "")),
        title=str(item.get("title", "")),
        summary=str(item.get("summary", "")),
        content=str(item.get("content_html") or item.get("content_text") or ""),
        author=", ".join(str(a.get("name", "")) for a in authors if isinstance(a, dict)),
        section=tags[0] if tags else "",
        categories=tags,
        image_url=str(item.get("image") or item.get("banner_image") or ""),
        published=parse_date(raw_date),
        published_raw=raw_date,
        language=str(item.get("language") or language),
    )


def parse_news_sitemap(root) -> ParsedFeed:
    """Items of a Google News sitemap (``news:publication_date``, ``news:title``...)."""
    feed = ParsedFeed(format="news-sitemap")
    for url in root.iter(f"{SITEMAP_NS}url"):
        news = url.find(f"{NEWS_NS}news")
        raw_date = _text(news, f"{NEWS_NS}publication_date")
        keywords = [k.strip() for k in _text(news, f"{NEWS_NS}keywords").split(",") if k.strip()]
        feed.items.append(
            RawItem(
                link=_text(url, f"{SITEMAP_NS}loc"),
                title=_text(news, f"{NEWS_NS}title"),
                outlet=_text(news, f"{NEWS_NS}publication/{NEWS_NS}name"),
                language=_text(news, f"{NEWS_NS}publication/{NEWS_NS}language"),
                published=parse_date(raw_date),
                published_raw=raw_date,
                categories=keywords,
                image_url=_text(url, f"{IMAGE_NS}image/{IMAGE_NS}loc"),
            )
        )
    return feed


def _text(element, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_tree(root: Element) -> ParsedFeed | None:
    """RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom from a parsed tree; None for other roots."""
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            return None
        version = root.get("version", "2.0").replace(".", "")
        return _rss(channel, channel.findall("item"), "", f"rss{version}")
    if root.tag == f"{RDF}RDF":
        channel = root.find(f"{RSS1}channel")
        return _rss(channel, root.findall(f"{RSS1}item"), RSS1, "rss10")
    if root.tag == f"{ATOM}feed":
        return _atom(root)
    return None


def _rss(channel: Element | None, items: list[Element], ns: str, fmt: str) -> ParsedFeed:
    feed = ParsedFeed(format=fmt)
    if channel is not None:
        feed.title = _text(channel, f"{ns}title")
        feed.language = _text(channel, "language") or _text(channel, f"{DC}language")
    for item in items:
        guid = _text(item, "guid") or item.get(f"{RDF}about", "")
        tags = [t for t in (_all(item, "category") + _all(item, f"{DC}subject")) if t]
        raw_date = _text(item, "pubDate") or _text(item, f"{DC}date")
        link = _text(item, f"{ns}link")
        if not link and guid.startswith(("http://", "https://")):
            link = guid
        feed.items.append(
            RawItem(
                link=link,
                guid=guid,
                title=_text(item, f"{ns}title"),
                summary=_text(item, f"{ns}description"),
                content=_text(item, f"{CONTENT}encoded"),
                author=_text(item, f"{DC}creator") or _text(item, "author"),
                section=tags[0] if tags else "",
                categories=tags,
                image_url=_rss_image(item),
                published=parse_date(raw_date),
                published_raw=raw_date,
                language=feed.language,
            )
        )
    return feed


def _rss_image(item: Element) -> str:
    for media in item.iter(f"{MEDIA}content"):
        if media.get("url") and media.get("medium", "image") == "image":
            return media.get("url", "")
    thumb = item.find(f"{MEDIA}thumbnail")
    if thumb is not None and thumb.get("url"):
        return thumb.get("url", "")
    enclosure = item.find("enclosure")
    if enclosure is not None and enclosure.get("type", "").startswith("image/"):
        return enclosure.get("url", "")
    return ""


def _atom(root: Element) -> ParsedFeed:
    feed = ParsedFeed(format="atom10", title=_atom_text(root.find(f"{ATOM}title")))
    feed.language = root.get(XML_LANG, "")
    for entry in root.findall(f"{ATOM}entry"):
        links = entry.findall(f"{ATOM}link")
        tags = [c.get("term", "") for c in entry.findall(f"{ATOM}category") if c.get("term")]
        raw_date = _text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated")
        feed.items.append(
            RawItem(
                link=next(
                    (x.get("href", "") for x in links if x.get("rel", "alternate") == "alternate"),
                    "",
                ),
                guid=_text(entry, f"{ATOM}id"),
                title=_atom_text(entry.find(f"{ATOM}title")),
                summary=_atom_text(entry.find(f"{ATOM}summary")),
                content=_atom_text(entry.find(f"{ATOM}content")),
                author=_text(entry, f"{ATOM}author/{ATOM}name"),
                section=tags[0] if tags else "",
                categories=tags,
                image_url=next(
                    (
                        x.get("href", "")
                        for x in links
                        if x.get("rel") == "enclosure" and x.get("type", "").startswith("image/")
                    ),
                    "",
                ),  # fmt: skip
                published=parse_date(raw_date),
                published_raw=raw_date,
                language=entry.get(XML_LANG, "") or feed.language,
            )
        )
    return feed


def _atom_text(element: Element | None) -> str:
    if element is None:
        return ""
    if element.get("type") == "xhtml":
        # Inline XHTML: keep paragraph breaks, drop the markup.
        return "\n\n".join(t.strip() for t in element.itertext() if t.strip())
    return (element.text or "").strip()


def _all(element: Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in element.findall(path)]
