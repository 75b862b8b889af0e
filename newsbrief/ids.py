"""Stable identifiers."""

import hashlib


def article_id(canonical_url: str) -> str:
    """Stable article id: a short hash of the canonical URL."""
    return "a_" + hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]


def content_hash(text: str) -> str:
    """Hash of normalised text, for exact-duplicate detection."""
    normalised = " ".join(text.lower().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]
