"""Online story clustering: one pass, arrival order, state kept in caller-supplied mappings."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from .decision import DecisionModel
from .features import ArticleFeatures, FeatureConfig, IdfModel, extract
from .index import PostingIndex
from .similarity import FEATURE_NAMES, pair_features, vec_norms
from .split import pack_member, split_story_id, two_groups, unpack_member
from .story_signals import split_extra_features, story_pair_features

META_CLOCK = "clock"  # latest published time seen (epoch s), drives idle expiry
META_SEQ = "seq"  # articles processed, gives stories a creation order
META_SWEPT = "swept"  # last idle bucket (day number) already swept
IDLE_BUCKET = "idle:"  # + day number -> stories whose latest article fell on that day
BUCKET_SECONDS = 86400.0
_CLASH_IDX = [
    FEATURE_NAMES.index(n)
    for n in ("year_conflict", "year_est_clash", "when_clash", "lead_num_clash")
]


@dataclass
class EngineConfig:
    """Tunable knobs of the engine (not learned; learned parts live in DecisionModel)."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    idle_seconds: float = 7 * 24 * 3600.0  # story leaves the active set after this idle time
    query_terms: int = 10  # top article terms used to look up / index stories
    query_ents: int = 6  # top article entities used likewise
    max_postings: int = 40  # per-key posting cap (bounds lookup cost)
    max_candidates: int = 12  # stories fully scored per article
    merge_candidates: int = 5  # stories checked as merge partners after each placement
    centroid_terms: int = 300  # per-story vector caps keep state and scoring bounded
    centroid_ents: int = 120
    centroid_nums: int = 60
    max_outlets: int = 50
    # CV: the veto cost recall (0.862 with it); kept as a switch for the ablation table.
    merge_guard: bool = False  # no merge across a year / calendar / headline-count clash
    when_x_sim: bool = True  # calendar agreement counts only times content similarity
    lead_cap: int = 40  # salient numbers / names kept per story (vote counts)
    merge: bool = True
    # A merge may only fold a small story (at most this many articles) into another. In CV
    # nearly half of all merges joined the two sibling events of a topic, and merges of two
    # grown stories did the most damage; the good merges are late joins of young stories.
    merge_max_size: int = 3
    # ...and only between stories whose term centroids are this close. The merge model is fit
    # on ECB+, where every nearby story is about the same kind of event; on a live stream
    # (sample corpus) it merged an EU gas deal into the OPEC cut story at cosine 0.26.
    merge_min_cos: float = 0.3
    idf_prior_docs: float = 200.0  # stream size at which online IDF outweighs the background
    idf_background: bool = True
    idf_online: bool = False  # CV: stream-learned IDF cost 0.013 BCubed F1 on ECB+
    # A story is looked at again for two events when it reaches one of these sizes (a few
    # looks, so the cost per article stays flat); members' features are kept until the last.
    split_sizes: tuple[int, ...] = (4, 6, 8, 11, 15, 20)
    split_min_side: int = 2  # each side of a split holds at least this many articles
    # A merge between a split-off story and the story it left could fold back what the split
    # has just cut, and the story would flip at each look: "never" refuses such merges,
    # "coherent" lets a merge through only if it passes the split test too (both models'
    # mean P >= split threshold), "free" treats them as any other pair.
    merge_after_split: str = "never"
    # Append the story-level signals (story_signals.py) to merge and split inputs even when
    # the model has no coefficients for them yet (the tuner fitting a merge model with them).
    story_signals: bool = False
    # Fit a dedicated split model on sampled looks (tuner only: the engine uses the model's
    # split coefficients whenever the model file has them). Seventh session, three topic
    # partitions: BCubed F1 +0.009 / -0.002 / +0.003, precision +0.018 / +0.006 / +0.012.
    split_model: bool = True

    @property
    def last_look(self) -> int:
        """Size past which a story is never looked at again for a split (0: no looks)."""
        return max(self.split_sizes, default=0)


def _top(vec: dict[str, float], k: int) -> dict[str, float]:
    """The k heaviest entries of a sparse vector."""
    if len(vec) <= k:
        return vec
    return dict(sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:k])


def _copies_of(originals: set[str], dups: dict[str, str]) -> list[str]:
    """Duplicates (dups: copy -> its original) of the given articles, copies of copies too."""
    found: list[str] = []
    grew = True
    while grew:
        grew = False
        for copy, original in dups.items():
            if copy not in found and (original in originals or original in found):
                found.append(copy)
                grew = True
    return found


def story_features(st: dict) -> ArticleFeatures:
    """View a story's centroid as an article, to compare two stories with pair_features."""
    v = st["vec"]
    pub = v.get("pubyears") or {}
    year_est = int(max(pub, key=lambda y: (pub[y], y))) if pub else None
    lnums, lents = v.get("lnums") or {}, v.get("lents") or {}
    return ArticleFeatures(
        terms=_top(v["terms"], 100),  # truncated: story-vs-story scoring stays cheap
        ents=_top(v["ents"], 30),
        nums=v["nums"],
        years=sorted(int(y) for y in v["years"]),
        lead_nums=heapq.nlargest(6, lnums, key=lnums.__getitem__),
        lead_ents=heapq.nlargest(6, lents, key=lents.__getitem__),
        when=heapq.nlargest(4, v.get("when") or {}, key=(v.get("when") or {}).__getitem__),
        year_est=year_est,
        ts=st.get("last_ts"),
    )


def story_id_for(article_id: str) -> str:
    """Deterministic story id derived from the id of its first article."""
    return "st_" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:16]


def _unit(vec: dict[str, float]) -> dict[str, float]:
    """Scale a sparse vector to unit length so every article counts once in a centroid."""
    n = sum(v * v for v in vec.values()) ** 0.5
    return {k: v / n for k, v in vec.items()} if n else {}


def _accumulate(acc: dict, vec: dict, cap: int) -> dict:
    """acc + vec (weights or vote counts), pruned to the cap largest values."""
    out = dict(acc)
    for k, v in vec.items():
        out[k] = out.get(k, 0) + v  # int 0: vote counts stay ints
    if len(out) > cap:
        out = dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:cap])
    return out


def _counts(acc: dict[str, int], add: dict[str, int], keep: dict) -> dict[str, int]:
    """Per-term article counts acc + add, restricted to the terms the centroid kept."""
    return {t: acc.get(t, 0) + add.get(t, 0) for t in keep if t in acc or t in add}


def _core(terms: dict[str, float], tdf: dict[str, int]) -> dict[str, float]:
    """Centroid restricted to terms seen in at least two articles (empty for a singleton)."""
    return {t: w for t, w in terms.items() if tdf.get(t, 0) >= 2}


class StoryClusterer:
    """Assigns each article to an existing story or opens a new one; may merge stories.

    State (all values JSON-serialisable):
      stories:  story_id -> story dict (see _new_story)
      postings: index key -> recent story ids
      articles: article_id -> story_id (idempotency, duplicate_of)
      df:       key -> document frequency (online IDF), plus a document counter
      meta:     clock and sequence counters
      members:  article_id -> packed features, while its story is young enough to split
    """

    def __init__(
        self,
        stories: MutableMapping | None = None,
        postings: MutableMapping | None = None,
        articles: MutableMapping | None = None,
        df: MutableMapping | None = None,
        meta: MutableMapping | None = None,
        model: DecisionModel | None = None,
        config: EngineConfig | None = None,
        members: MutableMapping | None = None,
    ):
        self.stories = {} if stories is None else stories
        self.members = {} if members is None else members
        self.articles = {} if articles is None else articles
        self.meta = {} if meta is None else meta
        self.config = config or EngineConfig()
        self.index = PostingIndex({} if postings is None else postings, self.config.max_postings)
        cfg = self.config
        self.idf = IdfModel(
            {} if df is None else df, cfg.idf_prior_docs, cfg.idf_background, cfg.idf_online
        )
        self.model = model or DecisionModel.load()

    # ---- public API -------------------------------------------------------------------

    def add(self, article: dict) -> list[dict]:
        """Cluster one article; return StoryEvent dicts (created / added / merged / split)."""
        aid = str(article["id"])
        if aid in self.articles:
            return []  # at-least-once delivery: a replay changes nothing
        seq = int(self.meta.get(META_SEQ, 0)) + 1
        self.meta[META_SEQ] = seq
        dup = article.get("duplicate_of")
        if dup and str(dup) in self.articles:
            return [self._join_duplicate(aid, str(dup))]
        feats = extract(article, self.idf, self.config.features)
        return self.place(aid, feats, seq)

    def place(self, aid: str, feats: ArticleFeatures, seq: int) -> list[dict]:
        """Assign already-extracted features (the tuner reuses extraction across runs)."""
        now = self._tick(feats.ts)
        scored = self.score_candidates(feats, now)
        return self._assign(aid, feats, scored, seq, now)

    def story_of(self, article_id: str) -> str | None:
        """Current story id of an article (following merges), or None if unseen."""
        sid = self.articles.get(str(article_id))
        return self.resolve(sid) if sid else None

    def resolve(self, story_id: str) -> str:
        """Follow merged_into redirects to the surviving story id."""
        seen = 0
        while True:
            st = self.stories.get(story_id)
            if not st or not st.get("merged_into") or seen > 100:
                return story_id
            story_id, seen = st["merged_into"], seen + 1

    def score_candidates(
        self, feats: ArticleFeatures, now: float | None
    ) -> list[tuple[float, str, list[float]]]:
        """(probability, story_id, features) for retrieved active stories, best first."""
        scored = []
        for sid in self.candidates(feats, now):
            x = pair_features(feats, self.stories[sid], self.config.when_x_sim)
            scored.append((self.model.prob(x), sid, x))
        scored.sort(key=lambda t: (-t[0], self.stories[t[1]]["seq"]))
        return scored

    def candidates(self, feats: ArticleFeatures, now: float | None) -> list[str]:
        """Active stories sharing rare keys with the article (bounded count, no scan)."""
        hits: dict[str, float] = {}
        for sid, w in self.index.lookup(self.query_keys(feats)).items():
            sid = self.resolve(sid)
            hits[sid] = hits.get(sid, 0.0) + w
        # Ties break by creation order, never by id content (ids may encode labels).
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], self._seq(kv[0])))
        out = []
        for sid, _ in ranked:
            if self._is_active(sid, now):
                out.append(sid)
                if len(out) >= self.config.max_candidates:
                    break
        return out

    def query_keys(self, feats: ArticleFeatures) -> dict[str, float]:
        """The article's most informative index keys with their weights."""
        cfg = self.config
        terms = sorted(feats.terms.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg.query_terms]
        ents = sorted(feats.ents.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg.query_ents]
        keys = {"t:" + k: v for k, v in terms}
        keys.update({"e:" + k: v for k, v in ents})
        return keys

    # ---- internals ----------------------------------------------------------------------

    def _seq(self, sid: str) -> int:
        """Creation order of a story (unknown ids last)."""
        st = self.stories.get(sid)
        return st["seq"] if st else 1 << 62

    def _tick(self, ts: float | None) -> float | None:
        """Advance the stream clock (never backwards) and return 'now'."""
        clock = self.meta.get(META_CLOCK)
        if ts is not None and (clock is None or ts > clock):
            self.meta[META_CLOCK] = clock = ts
            self._sweep(clock)
        return ts if ts is not None else clock

    def _sweep(self, clock: float) -> None:
        """Retire stories idle past the window, one day bucket at a time (no scan of stories)."""
        # A day's bucket is swept once the whole day is idle: a story whose last article came
        # late in the day would otherwise be found not yet idle, and its bucket is gone.
        cut = int((clock - self.config.idle_seconds) // BUCKET_SECONDS) - 1
        done = self.meta.get(META_SWEPT)
        if done is not None:
            for day in range(done + 1, cut + 1):
                for sid in self.meta.pop(f"{IDLE_BUCKET}{day}", ()):
                    self._retire(sid, clock)
        if done is None or cut > done:
            self.meta[META_SWEPT] = cut

    def _retire(self, sid: str, clock: float) -> None:
        """Drop an idle story's vectors and postings; it stays addressable by id."""
        st = self.stories.get(sid)
        if not st or st.get("merged_into") or not st.get("vec"):
            return
        last = st.get("last_ts")
        if last is not None and clock - last <= self.config.idle_seconds:
            return  # it got a newer article: its later bucket will come round
        self.index.remove(st["keys"], sid)
        self.stories[sid] = dict(st, active=False, vec={}, norms={}, keys=[])
        if not st.get("settled"):
            self._drop_members(st["articles"])

    def _bucket(self, sid: str, last_ts: float | None) -> None:
        """File the story under the day of its latest article, for the idle sweep."""
        if last_ts is None:
            return
        # A day already swept never comes round again (a late article may carry an old date):
        # such a story waits in the next bucket to be swept, and _retire still checks it is
        # really idle.
        day = int(last_ts // BUCKET_SECONDS)
        swept = self.meta.get(META_SWEPT)
        if swept is not None and day <= swept:
            day = swept + 1
        key = f"{IDLE_BUCKET}{day}"
        members = self.meta.get(key) or []
        if sid not in members:
            self.meta[key] = members + [sid]

    def _is_active(self, sid: str, now: float | None) -> bool:
        """Active unless idle longer than the window; expiry is recorded lazily."""
        st = self.stories.get(sid)
        if not st or not st["active"]:
            return False
        last = st.get("last_ts")
        if now is not None and last is not None and now - last > self.config.idle_seconds:
            st = dict(st, active=False)
            self.stories[sid] = st
            return False
        return True

    def _assign(self, aid: str, feats: ArticleFeatures, scored, seq: int, now) -> list[dict]:
        """Join the best story if the model says so, else open one; then maybe merge."""
        m = self.model
        if scored and scored[0][0] >= m.join_threshold:
            prob, sid, _ = scored[0]
            self._add_to_story(sid, aid, feats, now)
            events = [
                {"type": "added", "story_id": sid, "article_id": aid, "score": round(prob, 4)}
            ]
        else:
            sid = story_id_for(aid)
            self.stories[sid] = self._new_story(sid, seq)
            self._add_to_story(sid, aid, feats, now)
            events = [{"type": "created", "story_id": sid, "article_id": aid}]
        if self.config.merge and m.merge_coef is not None:
            best = self.best_merge(sid, now)
            if best and best[0] >= m.merge_threshold:
                events.append(self._merge(sid, best[1], aid))
        split = self._maybe_split(self.resolve(sid), aid, seq)
        if split:
            events.append(split)
        return events

    # ---- splits (split.py) --------------------------------------------------------------

    def split_score(self, sid: str) -> tuple[float, list[str], list[str], dict] | None:
        """(P that the two least alike groups of story sid report one event, first group,
        second group, members' features by id), or None when the story cannot split (too few
        kept members)."""
        st = self.stories[sid]
        ids = [a for a in st["articles"] if a in self.members]
        if len(ids) < 2 * self.config.split_min_side:
            return None
        feats = {a: unpack_member(self.members[a]) for a in ids}
        first, second = two_groups(ids, {a: f.terms for a, f in feats.items()})
        if min(len(first), len(second)) < self.config.split_min_side:
            return None
        a, b = (self._scratch_story([feats[x] for x in g]) for g in (first, second))
        return self._one_event_prob(a, b), first, second, feats

    def _one_event_prob(self, a: dict, b: dict) -> float:
        """P that two stories report one event, as a split look judges it: the split model's
        if the model has one, else the mean of both learned views of the smaller one in the
        article's place (story-vs-story merge, article-vs-story join)."""
        if self.model.split_coef is not None:
            return self.model.split_prob(self.split_features(a, b))
        small, big = sorted((a, b), key=lambda g: g["n"])
        x = self.merge_features(small, big)
        return (self.model.merge_prob(x) + self.model.prob(x[: len(FEATURE_NAMES)])) / 2

    def split_features(self, a: dict, b: dict) -> list[float]:
        """Split-model input (decision.SPLIT_FEATURE_NAMES) of a look's two groups."""
        small, big = sorted((a, b), key=lambda g: g["n"])
        x = pair_features(story_features(small), big, self.config.when_x_sim)
        return x + story_pair_features(small, big) + split_extra_features(small, big)

    def _maybe_split(self, sid: str, aid: str, seq: int) -> dict | None:
        """Split story sid in two when it just reached a look size and holds two events."""
        st = self.stories[sid]
        if st["n"] > self.config.last_look:
            if not st.get("settled"):  # past the last look: no members, no copies to move
                self._drop_members(st["articles"])
                self.stories[sid] = {**st, "settled": True, "dups": {}}
            return None
        if self.model.split_threshold <= 0 or st["n"] not in self.config.split_sizes:
            return None
        scored = self.split_score(sid)
        if scored is None or scored[0] >= self.model.split_threshold:
            return None
        _, keep, move, feats = scored
        return self._split(sid, (keep, move), feats, aid, seq)

    def _drop_members(self, article_ids: list[str]) -> None:
        for a in article_ids:
            self.members.pop(a, None)

    def _scratch_story(self, feats: list[ArticleFeatures]) -> dict:
        """A story state built from member features, outside the stored state."""
        st = self._new_story("", 0)
        for f in feats:
            st = self._fold(st, f)
        return st

    def _split(self, sid: str, groups, feats: dict, aid: str, seq: int) -> dict:
        """Rebuild story sid from the kept members and open a story of the moved ones."""
        keep, move = groups
        st = self.stories[sid]
        dups = st.get("dups", {})
        copies = _copies_of(set(move), dups)  # duplicates leave with their originals
        moved = set(move) | set(copies)
        stay = [a for a in st["articles"] if a not in moved]
        self.index.remove(st["keys"], sid)
        nid = split_story_id(sid, move[0], aid)
        for story, members in ((sid, keep), (nid, move)):
            fresh = self._new_story(story, st["seq"] if story == sid else seq)
            self.stories[story] = fresh
            for a in members:
                self._add_to_story(story, a, feats[a], None)
        for copy in copies:
            self._join_duplicate(copy, dups[copy])
        kept = {a: o for a, o in dups.items() if a not in moved}
        self.stories[sid] = dict(self.stories[sid], articles=stay, n=len(stay), dups=kept)
        self.stories[nid] = dict(self.stories[nid], split_from=sid)
        return {
            "type": "split",
            "story_id": sid,
            "new_story_id": nid,
            "article_ids": [*move, *copies],
            "article_id": aid,
        }

    def _clash(self, x: list[float]) -> bool:
        """Hard evidence of two events: other year, other calendar days, other headline count.

        A wrong merge mixes two whole stories, a missed one leaves a split that later
        articles can still bridge, so merging is vetoed on any such clash (split-averse).
        """
        if not self.config.merge_guard:
            return False
        return any(x[i] > 0 for i in _CLASH_IDX)

    def merge_candidates(self, sid: str, now) -> list[tuple[list[float], str]]:
        """(features, other story id) for active stories near story sid (bounded lookup)."""
        cfg = self.config
        st = self.stories[sid]
        sf = story_features(st)
        out = []
        for other in self.candidates(sf, now)[: self.config.merge_candidates + 1]:
            if other == sid:
                continue
            if min(st["n"], self.stories[other]["n"]) > cfg.merge_max_size:
                continue
            x = pair_features(sf, self.stories[other], cfg.when_x_sim)
            if x[0] >= cfg.merge_min_cos:  # x[0] is cos_terms
                out.append((x + self._story_signals(st, self.stories[other]), other))
        return out

    def merge_features(self, young: dict, other: dict) -> list[float]:
        """Merge-model input: pair features (young story as the article), story signals."""
        x = pair_features(story_features(young), other, self.config.when_x_sim)
        return x + self._story_signals(young, other)

    def _story_signals(self, a: dict, b: dict) -> list[float]:
        if not (self.config.story_signals or self.model.story_signals):
            return []
        return story_pair_features(a, b)

    def best_merge(self, sid: str, now) -> tuple[float, str] | None:
        """Most probable merge partner of story sid, if any candidate exists."""
        scored = [
            (self.model.merge_prob(x), o)
            for x, o in self.merge_candidates(sid, now)
            if not self._clash(x)
        ]
        if not scored:
            return None
        best = max(scored, key=lambda t: (t[0], -self.stories[t[1]]["seq"]))
        return best if self._may_merge(sid, best[1]) else None

    def _may_merge(self, sid: str, other: str) -> bool:
        """Whether a merge of the two stories is allowed after the splits between them."""
        mode = self.config.merge_after_split
        if mode == "coherent":
            return self._coherent(sid, other)
        if mode == "never":
            a, b = self.stories[sid], self.stories[other]
            return a.get("split_from") != other and b.get("split_from") != sid
        return True

    def _coherent(self, sid: str, other: str) -> bool:
        """Would the merged story survive a split look of exactly these two parts?"""
        threshold = self.model.split_threshold
        if not (self.config.split_sizes and threshold):
            return True
        return self._one_event_prob(self.stories[sid], self.stories[other]) >= threshold

    @staticmethod
    def _new_story(sid: str, seq: int) -> dict:
        """Empty story state."""
        return {
            "id": sid,
            "seq": seq,
            "n": 0,
            "articles": [],
            "active": True,
            "merged_into": None,
            "first_ts": None,
            "last_ts": None,
            "outlets": [],
            "keys": [],
            "vec": {
                "terms": {},
                "tdf": {},
                "ents": {},
                "nums": {},
                "years": {},
                "pubyears": {},
                "lnums": {},
                "lents": {},
                "when": {},
            },
        }

    def _add_to_story(self, sid: str, aid: str, feats: ArticleFeatures, now) -> None:
        """Fold the article into the story's centroids, bookkeeping and the index."""
        cfg = self.config
        st = self._fold(self.stories[sid], feats)
        st["articles"] = st["articles"] + [aid]
        ts = feats.ts if feats.ts is not None else now
        if ts is not None:
            st["first_ts"] = ts if st["first_ts"] is None else min(st["first_ts"], ts)
            st["last_ts"] = ts if st["last_ts"] is None else max(st["last_ts"], ts)
        if (
            feats.outlet
            and feats.outlet not in st["outlets"]
            and len(st["outlets"]) < cfg.max_outlets
        ):
            st["outlets"] = st["outlets"] + [feats.outlet]
        keys = list(self.query_keys(feats))
        st["keys"] = list(dict.fromkeys(st["keys"] + keys))[-200:]
        self.stories[sid] = st
        self._bucket(sid, st["last_ts"])
        self.articles[aid] = sid
        self.index.add(keys, sid)
        if st["n"] <= cfg.last_look and aid not in self.members:  # kept while it may split
            self.members[aid] = pack_member(feats)

    def _fold(self, story: dict, feats: ArticleFeatures) -> dict:
        """The story with the article folded into its centroids and size (a new dict)."""
        cfg = self.config
        st = dict(story)
        v = st["vec"]
        years = dict(v["years"])
        for y in feats.years:
            years[str(y)] = years.get(str(y), 0) + 1
        pubyears = dict(v["pubyears"])
        if feats.year_est is not None:
            pubyears[str(feats.year_est)] = pubyears.get(str(feats.year_est), 0) + 1
        terms = _accumulate(v["terms"], _unit(feats.terms), cfg.centroid_terms)
        tdf = _counts(v.get("tdf", {}), dict.fromkeys(feats.terms, 1), terms)
        st["vec"] = {
            "terms": terms,
            "tdf": tdf,
            "core": _core(terms, tdf),
            "ents": _accumulate(v["ents"], _unit(feats.ents), cfg.centroid_ents),
            "nums": _accumulate(v["nums"], feats.nums, cfg.centroid_nums),
            "years": years,
            "pubyears": pubyears,
            "lnums": _accumulate(
                v.get("lnums") or {}, dict.fromkeys(feats.lead_nums, 1), cfg.lead_cap
            ),
            "lents": _accumulate(
                v.get("lents") or {}, dict.fromkeys(feats.lead_ents, 1), cfg.lead_cap
            ),
            "when": _accumulate(v.get("when") or {}, dict.fromkeys(feats.when, 1), cfg.lead_cap),
        }
        st["norms"] = vec_norms(st["vec"])
        st["n"] = st["n"] + 1
        return st

    def _join_duplicate(self, aid: str, original: str) -> dict:
        """A known near-duplicate joins its original's story without moving its centroid
        (and remembers its original, so a split moves the copy with it)."""
        sid = self.resolve(self.articles[original])
        st = dict(self.stories[sid])
        st["n"] = st["n"] + 1
        st["articles"] = st["articles"] + [aid]
        if not st.get("settled"):  # a settled story never splits again
            st["dups"] = {**st.get("dups", {}), aid: original}
        self.stories[sid] = st
        self.articles[aid] = sid
        return {"type": "added", "story_id": sid, "article_id": aid, "duplicate": True}

    def _merge(self, a: str, b: str, aid: str) -> dict:
        """Fold the younger of two stories into the older; the absorbed id redirects."""
        old, young = sorted((a, b), key=lambda s: self.stories[s]["seq"])
        so, sy = dict(self.stories[old]), dict(self.stories[young])
        cfg = self.config
        vo, vy = so["vec"], sy["vec"]
        years = dict(vo["years"])
        for y, c in vy["years"].items():
            years[y] = years.get(y, 0) + c
        pubyears = dict(vo["pubyears"])
        for y, c in vy["pubyears"].items():
            pubyears[y] = pubyears.get(y, 0) + c
        terms = _accumulate(vo["terms"], vy["terms"], cfg.centroid_terms)
        tdf = _counts(vo.get("tdf", {}), vy.get("tdf", {}), terms)
        so["vec"] = {
            "terms": terms,
            "tdf": tdf,
            "core": _core(terms, tdf),
            "ents": _accumulate(vo["ents"], vy["ents"], cfg.centroid_ents),
            "nums": _accumulate(vo["nums"], vy["nums"], cfg.centroid_nums),
            "years": years,
            "pubyears": pubyears,
            "lnums": _accumulate(vo.get("lnums") or {}, vy.get("lnums") or {}, cfg.lead_cap),
            "lents": _accumulate(vo.get("lents") or {}, vy.get("lents") or {}, cfg.lead_cap),
            "when": _accumulate(vo.get("when") or {}, vy.get("when") or {}, cfg.lead_cap),
        }
        so["norms"] = vec_norms(so["vec"])
        so["n"] += sy["n"]
        so["articles"] = so["articles"] + sy["articles"]
        if sy.get("dups") and not so.get("settled"):
            so["dups"] = {**so.get("dups", {}), **sy["dups"]}
        for key in ("first_ts", "last_ts"):
            vals = [t for t in (so[key], sy[key]) if t is not None]
            so[key] = (min if key == "first_ts" else max)(vals) if vals else None
        so["outlets"] = list(dict.fromkeys(so["outlets"] + sy["outlets"]))[: cfg.max_outlets]
        so["keys"] = list(dict.fromkeys(so["keys"] + sy["keys"]))[-200:]
        if so.get("settled") or so["n"] > cfg.last_look:
            self._drop_members(sy["articles"])  # the survivor no longer splits
        self.stories[old] = so
        self.stories[young] = dict(sy, active=False, merged_into=old, vec={}, keys=[])
        self._bucket(old, so["last_ts"])
        for art in sy["articles"]:
            self.articles[art] = old
        self.index.add(sy["keys"], old)
        self.index.remove(sy["keys"], young)
        return {"type": "merged", "story_id": old, "absorbed_story_id": young, "article_id": aid}
