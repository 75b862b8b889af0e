"""The hub keeper: question hubs and the entity index, kept in ONE place.

Hubs and the entity index read across stories, and stories are spread over partitions (and
workers). So every built brief is sent to the keeper through a compose-internal topic with a
single partition: one worker owns all hub and index state, and no two workers ever hold
diverging copies of a hub. The keeper answers with the hubs a story belongs to ("Go deeper"),
which the story's own partition puts into its next brief. With one worker and no topic (tests,
``Composer`` given hub tables) the same keeper runs inline.

An entity anchors a story's hub only when the story leads with it (its headline, "What's
happened" or an article's title names it, ``hubs.leading_entities``), and an entity hub opens
when two stories in the window do: the other cards of a story (a source it cites, a place an
article names in passing) open no hub.

The keeper also splits hubs (rules in ``hubs``): a split keeps the parent's id for its larger
half and publishes the other half as a new hub, so both go out with the changed hubs, and every
story that moved hears of its new hub through ``others``. A retired split-off hub is published
like any retired hub (its document says so and it leaves the hub index); nothing redirects.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field

from newsbrief.codec import decode, encode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import hubs as H
from services.compose.config import ComposeSettings

MAX_ENTITY_STORIES = 20


@dataclass
class HubOutputs:
    """What the keeper publishes for one brief: changed hubs, entity cards, the story's hubs."""

    hubs: list[pb.Hub] = field(default_factory=list)
    cards: list[pb.EntityCard] = field(default_factory=list)
    refs: list[pb.HubRef] = field(default_factory=list)
    # Other stories whose hubs changed (they joined a hub that just opened): story -> hubs.
    others: dict[str, list[pb.HubRef]] = field(default_factory=dict)


def story_time(brief: pb.Brief) -> float:
    """When a story last moved: its newest article's publication time."""
    return float(max((a.published_at.seconds for a in brief.articles), default=0))


class HubKeeper:
    """Places stories in hubs, retires empty hubs and keeps entity -> stories, from briefs."""

    def __init__(
        self,
        settings: ComposeSettings,
        hubs: MutableMapping[str, bytes],
        entity_stories: MutableMapping[str, list],
        stories: MutableMapping[str, dict],
    ):
        self.settings = settings
        self.hubs, self.entity_stories, self.stories = hubs, entity_stories, stories

    def on_brief(self, brief: pb.Brief, now: float) -> HubOutputs:
        """Take in a story's latest brief (or its merge tombstone) and update hubs and index."""
        sid = brief.story_id
        if brief.merged_into or not brief.articles:
            return self._forget(sid, now)
        at = story_time(brief)
        # The headline counts twice: it is the story's most topical line ("... as talks
        # resume"), while "What's happened" may tell the day's event without a theme word.
        head = brief.headline.text
        text = " ".join([head, head, *(s.text for s in brief.whats_happened)])
        anchors = _anchors(brief, text)
        # Splits compare stories by what they lead with too: a source every quake story cites
        # names no group of them.
        leading = [c.entity_id for c in brief.topics if anchors is None or c.entity_id in anchors]
        before = self.stories.get(sid) or {}
        self.stories[sid] = {
            "at": at,
            "headline": [brief.headline.text, list(brief.headline.article_ids)],
            "text": text,
            "entities": [[c.entity_id, c.name, c.kind] for c in brief.topics],
            # What hub splits compare, worked out once per brief rather than once per split.
            "features": sorted(H.story_features(text, leading)),
            "anchors": None if anchors is None else sorted(anchors),
        }
        self._unindex_entities(sid, before.get("entities", []), brief.topics)
        self._index_entities(sid, brief.topics, at)
        out = HubOutputs(hubs=self._place(sid, brief, at, now))
        out.refs = [H.hub_ref(h) for h in self.hubs_of(sid)]
        joined = {s for h in out.hubs for s in h.story_ids if s != sid}
        out.others = {s: [H.hub_ref(h) for h in self.hubs_of(s)] for s in sorted(joined)}
        out.cards = [self._card(c, now) for c in brief.topics]
        return out

    def hubs_of(self, sid: str) -> list[pb.Hub]:
        """The live hubs a story belongs to (at most three), by id."""
        hubs = [decode(pb.Hub, v) for v in self.hubs.values()]
        live = (h for h in hubs if sid in h.story_ids and not h.retired)
        return sorted(live, key=lambda h: h.hub_id)[: H.MAX_HUBS_PER_STORY]

    def _forget(self, sid: str, now: float) -> HubOutputs:
        # A merged-away story leaves every hub and the entity index; its survivor joins anew.
        if sid in self.stories:
            del self.stories[sid]
        for entity_id, entries in list(self.entity_stories.items()):
            kept = [e for e in entries if e[0] != sid]
            if kept != entries:
                self.entity_stories[entity_id] = kept
        changed = []
        for hub_id, data in list(self.hubs.items()):
            hub = decode(pb.Hub, data)
            if sid in hub.story_ids:
                members = [s for s in hub.story_ids if s != sid]
                H.refresh(hub, members, *self._lookups(), now, self._window())
                self.hubs[hub_id] = encode(hub)
                changed.append(hub)
        return HubOutputs(hubs=changed)

    def _window(self) -> float:
        return self.settings.hub_window_days * 86400

    def _lookups(self) -> tuple[dict[str, float], dict[str, pb.Sentence]]:
        times = {k: float(v.get("at", 0)) for k, v in self.stories.items()}
        heads = {
            k: pb.Sentence(text=v["headline"][0], article_ids=v["headline"][1])
            for k, v in self.stories.items()
            if v.get("headline")
        }
        return times, heads

    def _index_entities(self, sid: str, topics, at: float) -> None:
        for card in topics:
            entries = [e for e in self.entity_stories.get(card.entity_id, []) if e[0] != sid]
            entries = sorted([*entries, [sid, at]], key=lambda e: -e[1])[:MAX_ENTITY_STORIES]
            self.entity_stories[card.entity_id] = entries

    def _unindex_entities(self, sid: str, before: list, topics) -> None:
        """Take a story out of the index of the entities its new brief no longer carries: a
        story that has grown past a passing mention no longer keeps that entity's hub open."""
        now_named = {c.entity_id for c in topics}
        for entity_id, *_ in before:
            if entity_id in now_named or entity_id not in self.entity_stories:
                continue
            self.entity_stories[entity_id] = [
                e for e in self.entity_stories[entity_id] if e[0] != sid
            ]

    def _place(self, sid: str, brief: pb.Brief, at: float, now: float) -> list[pb.Hub]:
        window = self._window()
        info = self.stories[sid]
        counts = self._counts([c.entity_id for c in brief.topics], now)
        signal = H.StorySignal(
            sid, at, brief.headline, info["text"], brief.topics, _stored_anchors(info)
        )
        current = {k: decode(pb.Hub, v) for k, v in self.hubs.items()}
        times, heads = self._lookups()
        changed = H.place_story(signal, current, counts, times, heads, now, window)
        for hub in changed:
            if hub.hub_id not in current and hub.entity_ids:
                # An entity hub opens with its second story: the earlier ones join it too.
                earlier = [s for s, _ in self.entity_stories.get(hub.entity_ids[0], [])]
                members = [
                    *hub.story_ids,
                    *(s for s in earlier if self._wants(s, hub, current, now)),
                ]
                H.refresh(hub, members, times, heads, now, window)
        placed = {c.hub_id for c in changed}
        changed += [
            h for h in H.expire(current, times, heads, now, window) if h.hub_id not in placed
        ]
        changed = self._split(changed, times, heads, now)
        for hub in changed:
            self.hubs[hub.hub_id] = encode(hub)
        return changed

    def _split(self, changed: list[pb.Hub], times, heads, now: float) -> list[pb.Hub]:
        """Split every changed hub whose stories fell into two unrelated groups."""
        out: dict[str, pb.Hub] = {h.hub_id: h for h in changed}
        existing = {k: decode(pb.Hub, v) for k, v in self.hubs.items()} | out
        for hub in changed:
            parent = existing.get(H.parent_id(hub.hub_id))
            for half in H.dissolve(hub, parent, times, heads, now, self._window()):
                out[half.hub_id] = existing[half.hub_id] = half
        pending = [h for h in out.values() if not h.retired]
        while pending:
            hub = pending.pop(0)
            members = list(hub.story_ids)
            halves = H.split(
                hub,
                self._features(members),
                self._entity_names(members),
                times,
                heads,
                now,
                self._window(),
                existing,
            )
            for half in halves:
                out[half.hub_id] = existing[half.hub_id] = half
            pending += halves[:1]  # the parent may hold a further group
        return sorted(out.values(), key=lambda h: h.hub_id)

    def _features(self, sids: list[str]) -> dict[str, frozenset[str]]:
        out = {}
        for sid in sids:
            info = self.stories.get(sid)
            if not info:
                continue
            feats = info.get("features")
            if feats is None:  # a story recorded before splits existed
                feats = H.story_features(info["text"], [e[0] for e in info["entities"]])
            out[sid] = frozenset(feats)
        return out

    def _entity_names(self, sids: list[str]) -> dict[str, tuple[str, str]]:
        return {
            e: (name, kind)
            for sid in sids
            for e, name, kind in self.stories.get(sid, {}).get("entities", [])
        }

    def _counts(self, entity_ids: list[str], now: float) -> dict[str, int]:
        """Stories in the window leading with each entity: a hub on it needs two of them."""
        window = self._window()
        return {
            e: sum(
                1
                for s, t in self.entity_stories.get(e, [])
                if now - t <= window and self._leads_with(s, e)
            )
            for e in entity_ids
        }

    def _leads_with(self, sid: str, entity_id: str) -> bool:
        anchors = (self.stories.get(sid) or {}).get("anchors")  # None: recorded before anchors
        return anchors is None or entity_id in anchors

    def _wants(self, sid: str, hub: pb.Hub, current: dict[str, pb.Hub], now: float) -> bool:
        """True when an earlier story would choose this hub now, as its own placement would."""
        info = self.stories.get(sid)
        if not info:
            return False
        cards = [pb.EntityCard(entity_id=e, name=n, kind=k) for e, n, k in info["entities"]]
        signal = H.StorySignal(
            sid, info["at"], pb.Sentence(), info["text"], cards, _stored_anchors(info)
        )
        counts = self._counts([c.entity_id for c in cards], now)
        wanted = H.route(H.candidate_hubs(signal, counts), current, H.signal_features(signal))
        return hub.hub_id in dict(wanted)

    def _card(self, card: pb.EntityCard, now: float) -> pb.EntityCard:
        full = pb.EntityCard()
        full.CopyFrom(card)
        full.story_ids.extend(e[0] for e in self.entity_stories.get(card.entity_id, []))
        full.updated_at.FromSeconds(int(now))
        return full


def _anchors(brief: pb.Brief, text: str) -> frozenset[str] | None:
    """The brief's entities that may anchor its hubs: those its headline, "What's happened" or
    an article's title names (``hubs.leading_entities``), a country only when the story is
    about it (``hubs.main_subject``). A brief listing no article titles
    (every ingested article has one) cannot tell, and lets every card anchor."""
    titles = [a.title for a in brief.articles if a.title]
    if not titles:
        return None
    led = H.leading_entities(brief.topics, "\n".join([text, *titles]))
    heads = [brief.headline.text, *titles]
    # A country anchors a hub only on a story about it (``hubs.main_subject``).
    return frozenset(
        c.entity_id for c in brief.topics if c.entity_id in led and H.main_subject(c, heads)
    )


def _stored_anchors(info: dict) -> frozenset[str] | None:
    # A story recorded before anchors were kept lets every card anchor, as it did then.
    anchors = info.get("anchors")
    return None if anchors is None else frozenset(anchors)
