"""A small stand-in clustering engine with the real engine's interface (see engine/).

TF-IDF term vectors of title and text, compared by cosine with the centroids of recent stories
found through an inverted index on each article's strongest terms. Good enough to exercise the
service end to end; the tuned engine in ``engine/`` replaces it (NEWSBRIEF_CLUSTER_ENGINE=engine).
All state lives in the mappings passed in, as JSON-serialisable values.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import MutableMapping
from datetime import datetime

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP_WORDS = (
    "the and for that with this from have has had was were are been will would said says its "
    "their they them than then there what when which who whom into over after before about more "
    "also but not you your our his her she him one two new der die das und den dem des ein eine "
    "einer mit von für auf ist sich nicht auch als bei nach wie noch aus zum zur sind wird wurde "
    "hat haben oder les des une pour dans est qui que sur par pas"
)
_STOP = frozenset(_STOP_WORDS.split())
DOCS = "__docs__"
CLOCK = "clock"
SEQ = "seq"


def story_id_for(article_id: str) -> str:
    """Deterministic story id derived from the id of the story's first article."""
    return "st_" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:16]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of 3+ letters without stop words."""
    return [w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _STOP]


def parse_published(value: str | None) -> float | None:
    """Epoch seconds of an ISO-8601 time, or None when missing or unparseable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(k, 0.0) for k, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def top(vec: dict[str, float], n: int) -> dict[str, float]:
    """The n heaviest entries (ties broken by key, for determinism)."""
    return dict(sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


class StoryClusterer:
    """Online single-pass clustering: join the most similar recent story or open a new one."""

    def __init__(
        self,
        stories: MutableMapping | None = None,
        postings: MutableMapping | None = None,
        articles: MutableMapping | None = None,
        df: MutableMapping | None = None,
        meta: MutableMapping | None = None,
        *,
        threshold: float = 0.3,
        idle_seconds: float = 7 * 24 * 3600.0,
        query_terms: int = 12,
        max_postings: int = 30,
        story_terms: int = 80,
    ) -> None:
        self.stories = {} if stories is None else stories
        self.postings = {} if postings is None else postings
        self.articles = {} if articles is None else articles
        self.df = {} if df is None else df
        self.meta = {} if meta is None else meta
        self.threshold = threshold
        self.idle_seconds = idle_seconds
        self.query_terms = query_terms
        self.max_postings = max_postings
        self.story_terms = story_terms

    def add(self, article: dict) -> list[dict]:
        """Cluster one article; return created/added event dicts (replays return [])."""
        aid = str(article["id"])
        if aid in self.articles:
            return []
        dup = article.get("duplicate_of")
        if dup and dup in self.articles:
            return [self._join(self.articles[dup], aid, None, {}, duplicate=True)]
        vec = self._vector(article)
        now = self._tick(parse_published(article.get("published")))
        best, score = self._best(vec, now)
        if best is not None and score >= self.threshold:
            return [self._join(best, aid, now, vec, score=score)]
        return [self._create(aid, now, vec)]

    def _vector(self, article: dict) -> dict[str, float]:
        """Unit TF-IDF vector of the article; the title counts twice."""
        tf = Counter(tokens(article.get("title") or "") * 2)
        tf.update(tokens(article.get("text") or ""))
        docs = int(self.df.get(DOCS, 0)) + 1
        self.df[DOCS] = docs
        vec = {}
        for term, count in tf.items():
            seen = int(self.df.get(term, 0)) + 1
            self.df[term] = seen
            vec[term] = (1 + math.log(count)) * math.log(1 + docs / seen)
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return top({k: w / norm for k, w in vec.items()}, self.story_terms)

    def _tick(self, ts: float | None) -> float | None:
        """Advance the event-time clock (never backwards); missing times mean 'now'."""
        clock = self.meta.get(CLOCK)
        if ts is not None and (clock is None or ts > clock):
            self.meta[CLOCK] = clock = ts
        return ts if ts is not None else clock

    def _best(self, vec: dict[str, float], now: float | None) -> tuple[str | None, float]:
        """Most similar active story among those sharing a strong term with the article."""
        seen: set[str] = set()
        best, best_score = None, 0.0
        for term in top(vec, self.query_terms):
            for sid in self.postings.get(term, ()):
                if sid in seen:
                    continue
                seen.add(sid)
                story = self.stories[sid]
                last = story["last_ts"]
                if now is not None and last is not None and now - last > self.idle_seconds:
                    continue
                score = cosine(vec, story["terms"])
                if score > best_score or (score == best_score and best and sid < best):
                    best, best_score = sid, score
        return best, best_score

    def _create(self, aid: str, now: float | None, vec: dict[str, float]) -> dict:
        sid = story_id_for(aid)
        seq = int(self.meta.get(SEQ, 0)) + 1
        self.meta[SEQ] = seq
        self.stories[sid] = {"id": sid, "seq": seq, "terms": {}, "articles": [], "last_ts": None}
        self._join(sid, aid, now, vec)
        return {"type": "created", "story_id": sid, "article_id": aid}

    def _join(self, sid, aid, now, vec, *, duplicate=False, score=None) -> dict:
        story = dict(self.stories[sid])
        terms = dict(story["terms"])
        for term, weight in vec.items():
            terms[term] = terms.get(term, 0.0) + weight
        story["terms"] = top(terms, self.story_terms)
        story["articles"] = [*story["articles"], aid]
        if now is not None:
            story["last_ts"] = max(now, story["last_ts"] or now)
        self.stories[sid] = story
        self.articles[aid] = sid
        for term in top(vec, self.query_terms):
            plist = [s for s in self.postings.get(term, ()) if s != sid] + [sid]
            self.postings[term] = plist[-self.max_postings :]
        event = {"type": "added", "story_id": sid, "article_id": aid}
        if duplicate:
            event["duplicate"] = True
        if score is not None:
            event["score"] = round(score, 4)
        return event
