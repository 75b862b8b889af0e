"""Ranking for ``/v1/search``: a small BM25 over story texts, headlines weighted up."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from newsbrief.store import HEADLINE_WEIGHT, tokens

PHRASE_BONUS = 2.0
_K1 = 1.2
_B = 0.75


__all__ = ["match_names", "rank", "tokens"]


def _fields(text: str) -> tuple[Counter[str], int]:
    """Weighted term counts of a search text (its first line is the headline) and its length."""
    headline, _, body = text.partition("\n")
    counts: Counter[str] = Counter()
    for term in tokens(headline):
        counts[term] += HEADLINE_WEIGHT
    body_terms = tokens(body)
    counts.update(body_terms)
    return counts, len(body_terms) + len(tokens(headline))


def rank(
    query: str,
    docs: Mapping[str, str],
    limit: int,
    corpus: tuple[int, Mapping[str, int]] | None = None,
) -> list[tuple[str, float]]:
    """Ids of the docs matching the query, best first, with their scores.

    ``corpus`` is (number of stories, stories per term) when ``docs`` are only the candidates
    drawn from an index; without it the docs are the whole corpus. Average length is always
    the candidates' (close enough, and it needs no corpus-wide counter).
    """
    terms = list(dict.fromkeys(tokens(query)))
    if not terms or not docs:
        return []
    fields = {ident: _fields(text) for ident, text in docs.items()}
    avg_len = sum(length for _, length in fields.values()) / len(fields) or 1.0
    if corpus is None:
        total = len(fields)
        df = {t: sum(1 for counts, _ in fields.values() if t in counts) for t in terms}
    else:
        total = max(corpus[0], len(fields))
        df = {t: max(1, min(total, corpus[1].get(t, 0))) for t in terms}
    phrase = " ".join(terms)
    scored = []
    for ident, (counts, length) in fields.items():
        score = 0.0
        for term in terms:
            tf = counts.get(term, 0.0)
            if not tf:
                continue
            idf = math.log(1 + (total - df[term] + 0.5) / (df[term] + 0.5))
            score += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / avg_len))
        if score and len(terms) > 1 and phrase in " ".join(tokens(docs[ident])):
            score += PHRASE_BONUS
        if score:
            scored.append((ident, round(score, 4)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def match_names(query: str, names: Iterable[tuple[str, str]], limit: int) -> list[str]:
    """Entity ids whose name or alias matches the query: exact, then prefix, then all words."""
    wanted = query.strip().lower()
    words = tokens(wanted)
    if not words:
        return []
    tiers: dict[str, int] = {}
    for name, entity_id in names:
        if name == wanted:
            tier = 0
        elif name.startswith(wanted):
            tier = 1
        elif all(w in tokens(name) for w in words):
            tier = 2
        else:
            continue
        tiers[entity_id] = min(tier, tiers.get(entity_id, tier))
    return [eid for eid, _ in sorted(tiers.items(), key=lambda kv: (kv[1], kv[0]))][:limit]
