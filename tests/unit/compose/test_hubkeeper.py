"""Hubs and the entity index with several compose workers: one hub keeper sees every story."""

from __future__ import annotations

from compose_corpus import fixture_stories

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.composer import Composer, Outputs
from services.compose.config import DEFAULT_KB, ComposeSettings
from services.compose.entities import Linker
from services.compose.hubkeeper import HubKeeper
from services.compose.kb import load_kb

LINKER = Linker(load_kb(DEFAULT_KB))
STORIES = fixture_stories()
SETTINGS = ComposeSettings(debounce_seconds=0, hub_window_days=60)


class Cluster:
    """Two story workers with disjoint tables (their partitions) and one hub keeper, wired as
    the app wires them through the hub-signals and hub-refs topics."""

    def __init__(self):
        self.workers = [Composer(SETTINGS, LINKER, {}, {}, {}) for _ in range(2)]
        self.keeper = HubKeeper(SETTINGS, {}, {}, {})
        self.hubs: dict[str, pb.Hub] = {}
        self.cards: dict[str, pb.EntityCard] = {}
        self.owner: dict[str, int] = {}  # story -> the worker whose partition holds it

    def send(self, worker: int, event: pb.StoryEvent, now: float) -> None:
        self.owner[event.story_id] = worker
        self._deliver(worker, self.workers[worker].on_event(event, now), now)

    def _deliver(self, worker: int, out: Outputs, now: float) -> None:
        for brief in out.signals:  # -> hub-signals (one partition) -> the keeper
            answer = self.keeper.on_brief(brief, now)
            self.hubs.update({h.hub_id: h for h in answer.hubs})
            self.cards.update({c.entity_id: c for c in answer.cards})
            replies = dict(answer.others)
            if not brief.merged_into:
                replies[brief.story_id] = answer.refs
            for sid, refs in replies.items():  # -> hub-refs, keyed by story -> its worker
                owner = self.owner[sid]
                self._deliver(owner, self.workers[owner].on_hub_refs(sid, refs, now), now)


def _event(story_id: str, article: pb.Article) -> pb.StoryEvent:
    return pb.StoryEvent(story_id=story_id, kind=pb.StoryEvent.CREATED, article=article)


def test_stories_on_different_workers_share_one_hub_newest_first():
    cluster = Cluster()
    now = STORIES["quake-peru"][0].published_at.seconds + 3600
    cluster.send(0, _event("taiwan", STORIES["quake-taiwan"][0]), now)
    cluster.send(1, _event("peru", STORIES["quake-peru"][0]), now)
    hub = cluster.hubs["h-disasters"]
    assert list(hub.story_ids) == ["peru", "taiwan"] and not hub.retired
    peru = decode(pb.Brief, cluster.workers[1].briefs["peru"])
    taiwan = decode(pb.Brief, cluster.workers[0].briefs["taiwan"])
    for brief in (peru, taiwan):
        [ref] = [ref for ref in brief.go_deeper if ref.hub_id == "h-disasters"]
        # The hub's summary leads with the newest story, on whichever worker it lives.
        assert ref.summary.startswith(f"Latest: {peru.headline.text}")
    assert peru.version == 2  # the keeper's answer added "Go deeper" once


def test_entity_cards_list_stories_from_every_worker():
    cluster = Cluster()
    first, second = STORIES["talks"]
    cluster.send(0, _event("s1", first), 1000)
    cluster.send(1, _event("s2", second), 1000)
    shared = [c for c in cluster.cards.values() if set(c.story_ids) == {"s1", "s2"}]
    assert shared, {c.name: list(c.story_ids) for c in cluster.cards.values()}
    # A second story naming the same entity opens that entity's hub, and the first story (on
    # the other worker) joins it too, within its limit of three hubs.
    shared_hubs = {
        h.hub_id
        for h in cluster.hubs.values()
        if h.hub_id.startswith("h-e-") and set(h.story_ids) == {"s1", "s2"}
    }
    assert shared_hubs
    for worker, sid in ((0, "s1"), (1, "s2")):
        brief = decode(pb.Brief, cluster.workers[worker].briefs[sid])
        assert shared_hubs & {ref.hub_id for ref in brief.go_deeper}
        assert len([h for h in cluster.hubs.values() if sid in h.story_ids]) <= 3


def test_split_workers_build_the_same_hubs_as_one_inline_worker():
    inline = Composer(SETTINGS, LINKER, {}, {}, {}, {}, {})
    cluster = Cluster()
    now = STORIES["quake-peru"][0].published_at.seconds + 3600
    for worker, (sid, key) in enumerate((("taiwan", "quake-taiwan"), ("peru", "quake-peru"))):
        inline.on_event(_event(sid, STORIES[key][0]), now)
        cluster.send(worker, _event(sid, STORIES[key][0]), now)
    inline_hubs = {k: list(decode(pb.Hub, v).story_ids) for k, v in inline.keeper.hubs.items()}
    assert inline_hubs == {k: list(h.story_ids) for k, h in cluster.hubs.items()}


def test_merged_story_leaves_its_hubs():
    cluster = Cluster()
    now = STORIES["quake-peru"][0].published_at.seconds + 3600
    peru = STORIES["quake-peru"]
    cluster.send(0, _event("p1", peru[0]), now)
    cluster.send(0, _event("p2", peru[1]), now)
    assert set(cluster.hubs["h-disasters"].story_ids) == {"p1", "p2"}
    merge = pb.StoryEvent(story_id="p1", kind=pb.StoryEvent.MERGED, absorbed_story_ids=["p2"])
    cluster.send(0, merge, now + 10)
    assert list(cluster.hubs["h-disasters"].story_ids) == ["p1"]
    assert all("p2" not in c.story_ids for c in cluster.cards.values() if c.story_ids)
