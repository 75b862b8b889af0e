"""Turn raw items into clean `Article` messages: canonical URL, id, language, time, text."""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from google.protobuf.timestamp_pb2 import Timestamp

from newsbrief.flags import (
    LANGUAGE_DETECTED,
    PUBLISHED_FUTURE,
    PUBLISHED_IMPLAUSIBLE,
    PUBLISHED_MISSING,
    PUBLISHED_UNPARSEABLE,
    TITLE_FROM_TEXT,
    TITLE_MARKUP,
)
from newsbrief.ids import article_id, content_hash
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.feeds import RawItem, parse_date
from services.ingest.safety import Rejected

# Feeds write year 1 or 1900 when they do not know the date; no article we serve predates this.
EARLIEST_PLAUSIBLE = datetime(1900, 1, 2, tzinfo=UTC)

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
        "igshid", "_ga", "_gl", "ocid", "cmpid", "ns_mchannel", "ns_source", "ns_campaign",
        "ns_linkname", "ns_fee", "at_medium", "at_campaign", "ito", "ref", "ref_src", "referrer",
        "src", "smid", "share", "s_cid", "cid", "mbid", "rss", "feed", "spm", "xtor",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "__s")
KIND_WORDS = {
    "opinion": "opinion",
    "comment": "opinion",
    "commentisfree": "opinion",
    "editorial": "opinion",
    "column": "opinion",
    # A magazine's essays are signed argument, as its columns are (the sample's Lantern Review).
    "essay": "opinion",
    "essays": "opinion",
    "analysis": "analysis",
    "explainer": "analysis",
}

_DROP_BLOCKS = re.compile(
    r"<(script|style|noscript|iframe|template|svg|object|form)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_COMMENTS = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>", re.DOTALL)
_BREAKS = re.compile(
    r"<\s*(?:br|/?p|/?div|/?h[1-6]|/?li|/?ul|/?ol|/?blockquote|/?section|/?article|/?tr|/?table"
    r"|/?figure|/?figcaption|/?pre|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]*>")
_ACTIVE = re.compile(
    r"<\s*(?:script|iframe|object|embed)\b|\bon[a-z]+\s*=|javascript:", re.IGNORECASE
)
_ZERO_WIDTH = "\u200b"
_PARA_MARK = "\n\n"


def canonical_url(url: str, base: str = "") -> str:
    """Canonical form of a link: lower-case scheme and host, no fragment, default port,
    tracking parameters or empty query; remaining parameters sorted."""
    url = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Rejected("link_invalid", f"not an absolute http(s) URL: {url[:200]}")
    host = parts.hostname.lower().rstrip(".")
    # Exotic hosts that IDNA refuses stay as given; they still hash stably.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    port = parts.port if parts.port not in (None, 80 if scheme == "http" else 443) else None
    netloc = f"{host}:{port}" if port else host
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def html_to_paragraphs(markup: str) -> list[str]:
    """Plain-text paragraphs of an HTML or text fragment (scripts, styles and tags removed)."""
    if not markup:
        return []
    text = markup
    # Each pass runs only when its trigger character is present: most fields are plain text,
    # and these substitutions dominate the cost of normalising an article.
    if "<" in text or "]]>" in text:
        text = _COMMENTS.sub("", text)
    if "<" in text:
        text = _DROP_BLOCKS.sub(" ", text)
        text = _BREAKS.sub(_PARA_MARK, text)
        text = _TAGS.sub("", text)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text and ">" in text:
            # Escaped markup (``&lt;script&gt;``) becomes markup once unescaped: strip it again.
            text = _TAGS.sub("", _DROP_BLOCKS.sub(" ", text))
    paragraphs = (_collapse(line) for line in text.split("\n") if line)
    return [p for p in paragraphs if p]


# C0 controls other than tab/newline/CR, and DEL: never text, and unsafe in logs and terminals.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _collapse(line: str) -> str:
    """One paragraph with its runs of whitespace (zero-width spaces included) made one space."""
    if _CONTROLS.search(line):
        line = _CONTROLS.sub(" ", line)
    if _ZERO_WIDTH in line:
        line = line.replace(_ZERO_WIDTH, " ")
    # str.split() without arguments is the fastest whitespace collapse CPython has.
    return " ".join(line.split())


def clean_inline(markup: str) -> str:
    """One line of plain text from a title-like fragment."""
    if "<" not in markup and "&" not in markup and "]]>" not in markup:
        return _collapse(markup)
    return " ".join(html_to_paragraphs(markup))


def language_code(value: str) -> str:
    """ISO 639-1 code of a language tag (``en-GB`` -> ``en``), or empty when it is not one."""
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if len(code) == 2 and code.isalpha() else ""


def detect_language(text: str) -> str:
    """Detected ISO 639-1 language of text (offline, py3langid)."""
    import py3langid  # imported lazily: loading its model takes about a second

    code, _score = py3langid.classify(text[:2000])
    return code


def classify_kind(categories: list[str], section: str) -> str:
    """'opinion' or 'analysis' when the source labels the item so, else empty."""
    for label in [section, *categories]:
        for word in re.split(r"[^a-z]+", label.lower()):
            if word in KIND_WORDS:
                return KIND_WORDS[word]
    return ""


def to_timestamp(moment: datetime) -> Timestamp:
    """Protobuf timestamp of an aware datetime."""
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


@dataclass(frozen=True)
class Context:
    """Where items come from and the defaults that apply to them."""

    source: str
    outlet: str = ""
    parent_outlet: str = ""
    language: str = ""
    future_tolerance: timedelta = timedelta(minutes=10)


def publish_time(raw: RawItem, now: datetime, tolerance: timedelta) -> tuple[datetime, list[str]]:
    """UTC publish time and flags: missing, unparseable, future or implausible dates become now."""
    published = raw.published or (parse_date(raw.published_raw) if raw.published_raw else None)
    if published is None:
        flag = PUBLISHED_UNPARSEABLE if raw.published_raw else PUBLISHED_MISSING
        return now, [flag]
    published = published.astimezone(UTC)
    if published > now + tolerance:
        return now, [PUBLISHED_FUTURE]
    if published < EARLIEST_PLAUSIBLE:
        return now, [PUBLISHED_IMPLAUSIBLE]
    return published, []


def normalise(raw: RawItem, ctx: Context, now: datetime | None = None) -> pb.Article:
    """Build a clean Article from a raw item; raise Rejected when the item is unusable."""
    now = now or datetime.now(UTC)
    if not raw.link.strip():
        raise Rejected("item_without_link", "item has no link")
    url = raw.link.strip()
    canonical = canonical_url(url)
    if raw.canonical_url:
        canonical = _honour_canonical(raw.canonical_url, canonical)
    title, flags = _title(raw.title)
    paragraphs = html_to_paragraphs(raw.content or raw.summary)
    summary = " ".join(html_to_paragraphs(raw.summary)) if raw.content else ""
    if not title and not paragraphs:
        raise Rejected("item_empty", "item has neither title nor text")
    if not title:
        title = paragraphs[0][:120]
        flags.append(TITLE_FROM_TEXT)
    text = _PARA_MARK.join(paragraphs)
    published, time_flags = publish_time(raw, now, ctx.future_tolerance)
    flags += time_flags
    language = language_code(raw.language) or language_code(ctx.language)
    if not language:
        language = detect_language(f"{title}\n{text}")
        flags.append(LANGUAGE_DETECTED)
    article = pb.Article(
        article_id=article_id(canonical),
        canonical_url=canonical,
        url=url,
        outlet=clean_inline(raw.outlet) or ctx.outlet or urlsplit(canonical).hostname or "",
        parent_outlet=ctx.parent_outlet,
        language=language,
        title=title,
        summary=summary or (paragraphs[0] if paragraphs else ""),
        text=text,
        author=clean_inline(raw.author),
        section=clean_inline(raw.section),
        image_url=_safe_link(raw.image_url, url),
        flags=flags,
        content_hash=content_hash(f"{title}\n{text}"),
        source=ctx.source,
        kind=raw.kind or classify_kind(raw.categories, raw.section),
    )
    article.published_at.CopyFrom(to_timestamp(published))
    article.ingested_at.CopyFrom(to_timestamp(now))
    return article


def _honour_canonical(declared: str, fallback: str) -> str:
    """rel=canonical of the page, unless it points to another site (which could hijack ids)."""
    try:
        candidate = canonical_url(declared, base=fallback)
    except Rejected:
        return fallback
    if _site(candidate) != _site(fallback):
        return fallback
    return candidate


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _title(markup: str) -> tuple[str, list[str]]:
    """Plain title and flags; a title carrying script is hostile and refused outright."""
    decoded = html.unescape(markup)
    if _ACTIVE.search(decoded):
        raise Rejected("title_script", f"script in title: {markup[:200]}")
    title = clean_inline(markup)
    return title, ([TITLE_MARKUP] if "<" in decoded and title != decoded.strip() else [])


def _safe_link(link: str, base: str) -> str:
    if not link.strip():
        return ""
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


PUSH_FIELDS = {
    "url": "link",
    "link": "link",
    "title": "title",
    "summary": "summary",
    "text": "content",
    "html": "content",
    "content": "content",
    "author": "author",
    "section": "section",
    "image_url": "image_url",
    "language": "language",
    "outlet": "outlet",
    "canonical_url": "canonical_url",
    "kind": "kind",
    "published_at": "published_raw",
    "guid": "guid",
    "id": "guid",
}


def raw_from_mapping(doc: object) -> RawItem:
    """A raw item from a pushed or JSONL article (``url``, ``title``, ``text``...)."""
    if not isinstance(doc, dict):
        raise Rejected("item_not_object", f"expected a JSON object, got {type(doc).__name__}")
    raw = RawItem()
    for key, attr in PUSH_FIELDS.items():
        value = doc.get(key)
        if value is None or getattr(raw, attr):
            continue
        if not isinstance(value, str | int | float):
            raise Rejected("field_invalid", f"field {key!r} must be a string")
        setattr(raw, attr, str(value))
    if raw.kind not in ("", "news", "analysis", "opinion"):
        raw.kind = ""
    if raw.published_raw:
        raw.published = parse_date(raw.published_raw)
    tags = doc.get("categories") or doc.get("tags") or []
    if isinstance(tags, list):
        raw.categories = [str(t) for t in tags if isinstance(t, str | int)]
    return raw
