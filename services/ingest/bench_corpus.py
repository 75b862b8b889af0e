"""A realistic replicated corpus for `newsbrief bench ingest`: every copy of the sample is new text.

Replicating the sample feeds verbatim makes every copy a near duplicate of the first pass, so
the benchmark would measure only the "hit" path of duplicate detection. Each replica instead
rewrites the words of every text node through its own word substitution (about a third of the
words of four letters or more become another word of the corpus vocabulary, names included).
One replica applies the same substitution to all feeds, so a wire story and its syndicated
copies stay near duplicates of each other inside the replica (LSH hits, as in a real stream),
while different replicas share few 4-word shingles (LSH misses, as for unrelated stories).
"""

from __future__ import annotations

import re
from zlib import crc32

# Words of 4+ letters, not part of an entity or character reference (``&quot;``, ``&#8217;``).
_WORD = re.compile(r"(?<![&#\w])[^\W\d_]{4,}(?![\w;])")
# Text between two tags; CDATA payloads are text too (their inner HTML tags are skipped alike).
_TEXT_NODE = re.compile(r">([^<]+)<")
_LINK = re.compile(
    r"""((?:<link>|<loc>|<guid[^>]*>|<id>|href=["']|"url":\s*")\s*https?://[^/<>"'\s]+)/"""
)
_TITLE = re.compile(r"(<(?:news:)?title[^>]*>)")
_JSON_TITLE = re.compile(r'("title":\s*")')
_SHARE = 30  # percent of the eligible words a replica rewrites


def vocabulary(bodies: list[bytes]) -> list[str]:
    """Sorted distinct lower-case words (4+ letters) of the text nodes of the sample bodies."""
    words: set[str] = set()
    for body in bodies:
        for node in _TEXT_NODE.findall(body.decode("utf-8", "replace")):
            if not _is_link(node):
                words.update(w.lower() for w in _WORD.findall(node))
    return sorted(words)


def substitute(word: str, replica: int, vocab: list[str]) -> str:
    """The word a replica writes for word: the same one, or (about 30%) another of vocab."""
    if not vocab:
        return word
    mark = crc32(f"{replica}:{word.lower()}".encode())
    if mark % 100 >= _SHARE:
        return word
    other = vocab[(mark // 100) % len(vocab)]
    if word.isupper():
        return other.upper()
    return other.capitalize() if word[0].isupper() else other


def vary_text(text: str, replica: int, vocab: list[str]) -> str:
    """Rewrite the words of one text node for a replica (links are left alone)."""
    if _is_link(text):
        return text
    return _WORD.sub(lambda m: substitute(m.group(0), replica, vocab), text)


def replicate(body: bytes, replica: int, vocab: list[str]) -> bytes:
    """A copy of a feed with fresh item URLs and titles and replica-specific text."""
    text = body.decode("utf-8")
    if replica:
        text = _TEXT_NODE.sub(lambda m: f">{vary_text(m.group(1), replica, vocab)}<", text)
    # Item links get a replica path segment so no copy shares a canonical URL with another.
    text = _LINK.sub(lambda m: f"{m.group(1)}/r{replica}/", text)
    text = _TITLE.sub(lambda m: f"{m.group(1)}R{replica} ", text)
    return _JSON_TITLE.sub(lambda m: f"{m.group(1)}R{replica} ", text).encode("utf-8")


def _is_link(text: str) -> bool:
    return "://" in text or text.lstrip().startswith(("http", "www."))
