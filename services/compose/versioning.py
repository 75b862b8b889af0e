"""Brief versions: a content hash over the content fields; the version moves only on change."""

from __future__ import annotations

import hashlib

from newsbrief.codec import encode
from newsbrief.v1 import newsbrief_pb2 as pb

# The fields a reader sees as the brief's content; bookkeeping fields are left out.
CONTENT_FIELDS = (
    "headline",
    "whats_happened",
    "behind_the_headline",
    "what_the_papers_say",
    "how_we_got_here",
    "timeline",
    "go_deeper",
    "topics",
    "articles",
    "merged_into",
    "merged_from",
    "follows_story_id",
    "split_from",
    "split_into",
)

# Fields added to the content after briefs were already stored: hashed only when set, so a
# brief without them keeps the hash it was stored with and an upgrade bumps no version.
HASHED_WHEN_SET = frozenset({"split_from", "split_into"})


def _field_bytes(brief: pb.Brief, name: str) -> bytes:
    value = getattr(brief, name)
    if isinstance(value, str):
        return value.encode()
    if hasattr(value, "SerializeToString"):
        return encode(value)
    return b"\x1e".join(
        encode(v) if hasattr(v, "SerializeToString") else str(v).encode() for v in value
    )


def content_hash(brief: pb.Brief) -> str:
    """Hash of the brief's content fields."""
    h = hashlib.sha256()
    for name in CONTENT_FIELDS:
        if name in HASHED_WHEN_SET and not getattr(brief, name):
            continue
        h.update(name.encode() + b"\x1f" + _field_bytes(brief, name) + b"\x1d")
    return h.hexdigest()[:32]


def changed_sections(new: pb.Brief, old: pb.Brief) -> list[str]:
    """Content fields whose value differs between two briefs."""
    return [n for n in CONTENT_FIELDS if _field_bytes(new, n) != _field_bytes(old, n)]


def next_version(
    new: pb.Brief, previous: pb.Brief | None, max_changes: int = 50
) -> pb.Brief | None:
    """The new brief with version, hash and history set; None when its content did not change."""
    new.content_hash = content_hash(new)
    if previous is not None and previous.content_hash == new.content_hash:
        return None
    new.version = (previous.version if previous is not None else 0) + 1
    old = previous if previous is not None else pb.Brief()
    new.ClearField("changes")
    history = list(old.changes)
    known = {a.article_id for a in old.articles}
    kept = {a.article_id for a in new.articles}
    # Articles leave a brief only when a split moves them to another story (split_into).
    change = pb.VersionChange(
        version=new.version,
        sections=changed_sections(new, old),
        added_article_ids=[a.article_id for a in new.articles if a.article_id not in known],
        removed_article_ids=[a.article_id for a in old.articles if a.article_id not in kept],
    )
    change.at.CopyFrom(new.updated_at)
    history.append(change)
    new.changes.extend(history[-max_changes:])
    return new
