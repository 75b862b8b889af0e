"""Question hubs over hand-made stories: they grow, split into halves that new stories find,
and retire when their stories leave the window."""

from __future__ import annotations

from newsbrief.codec import decode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import hubs as H
from services.compose.config import ComposeSettings
from services.compose.hubkeeper import HubKeeper

DAY = 86400
SETTINGS = ComposeSettings(debounce_seconds=0, hub_window_days=60)
RUSSIA = ("russia", "Russia", "place")
UKRAINE = ("ukraine", "Ukraine", "place")
OPEC = ("opec", "OPEC", "organisation")
TALKS = "Ceasefire talks resume as negotiators meet for peace talks"
OIL = "Oil prices climb as gas pipeline exports fall and fuel costs rise"
ENERGY_CHILD = "h-e-russia~t-energy-prices"


def _brief(sid: str, day: float, headline: str, *entities: tuple[str, str, str]) -> pb.Brief:
    brief = pb.Brief(story_id=sid)
    brief.headline.text = f"{headline} ({sid})"
    brief.headline.article_ids.append(f"a-{sid}")
    brief.whats_happened.add(text=f"{headline}.", article_ids=[f"a-{sid}"])
    for entity_id, name, kind in entities:
        brief.topics.add(entity_id=entity_id, name=name, kind=kind)
    source = brief.articles.add(article_id=f"a-{sid}")
    source.published_at.FromSeconds(int(day * DAY))
    return brief


def _talks(sid: str, day: float) -> pb.Brief:
    return _brief(sid, day, TALKS, RUSSIA, UKRAINE)


def _oil(sid: str, day: float) -> pb.Brief:
    return _brief(sid, day, OIL, RUSSIA, OPEC)


class Keeper:
    """A hub keeper on dict tables; each brief arrives an hour after its story moved."""

    def __init__(self):
        self.keeper = HubKeeper(SETTINGS, {}, {}, {})
        self.answers = []

    def send(self, brief: pb.Brief) -> None:
        now = brief.articles[0].published_at.seconds + 3600
        self.answers.append(self.keeper.on_brief(brief, now))

    def hub(self, hub_id: str) -> pb.Hub:
        return decode(pb.Hub, self.keeper.hubs[hub_id])

    def live(self) -> dict[str, list[str]]:
        hubs = (decode(pb.Hub, v) for v in self.keeper.hubs.values())
        return {h.hub_id: list(h.story_ids) for h in hubs if not h.retired}

    def hubs_of(self, sid: str) -> list[str]:
        return sorted(h for h, stories in self.live().items() if sid in stories)


def _gulf_oil(sid: str, day: float) -> pb.Brief:
    return _brief(sid, day, OIL, OPEC, ("saudi-arabia", "Saudi Arabia", "place"))


def _split_keeper() -> Keeper:
    """Three talks stories and two oil stories name Russia: the oil pair splits off (the energy
    and OPEC hubs hold other oil stories too, so the pair is a group no hub yet covers)."""
    k = Keeper()
    k.send(_gulf_oil("g1", 0.5))
    for brief in (_talks("t1", 1), _talks("t2", 2), _talks("t3", 3), _oil("o1", 4)):
        k.send(brief)
    k.send(_oil("o2", 5))
    return k


def test_an_entity_hub_opens_with_its_second_story_and_grows():
    k = Keeper()
    k.send(_talks("t1", 1))
    assert "h-e-russia" not in k.live()  # one story naming Russia is no hub yet
    k.send(_talks("t2", 2))
    assert k.live()["h-e-russia"] == ["t2", "t1"]
    k.send(_oil("o1", 3))
    hub = k.hub("h-e-russia")
    assert list(hub.story_ids) == ["o1", "t2", "t1"]
    assert hub.question == "What's the latest on Russia?"
    assert hub.summary.text.startswith(f"Latest: {OIL} (o1).")


def test_a_hub_splits_when_its_stories_fall_into_two_unrelated_groups():
    k = Keeper()
    k.send(_gulf_oil("g1", 0.5))
    for brief in (_talks("t1", 1), _talks("t2", 2), _talks("t3", 3), _oil("o1", 4)):
        k.send(brief)
    assert ENERGY_CHILD not in k.live()  # one oil story is no group of its own
    k.send(_oil("o2", 5))
    parent, child = k.hub("h-e-russia"), k.hub(ENERGY_CHILD)
    # The larger group keeps the id and the question; the smaller moves to a named child.
    assert list(parent.story_ids) == ["t3", "t2", "t1"]
    assert parent.question == "What's the latest on Russia?"
    assert parent.summary.text.startswith(f"Latest: {TALKS} (t3).")
    assert list(child.story_ids) == ["o2", "o1"]
    assert child.question == "What's the latest on Russia and energy prices?"
    assert child.summary.text == f"Latest: {OIL} (o2). Also: {OIL} (o1)."
    assert list(child.entity_ids) == ["russia"] and not child.retired
    # Both halves went out, and the moved story's worker hears of its new hub.
    published = {h.hub_id for h in k.answers[-1].hubs}
    assert {"h-e-russia", ENERGY_CHILD} <= published
    assert ENERGY_CHILD in [ref.hub_id for ref in k.answers[-1].others["o1"]]
    for sid in ("g1", "t1", "t2", "t3", "o1", "o2"):
        assert 1 <= len(k.hubs_of(sid)) <= H.MAX_HUBS_PER_STORY
    assert "g1" not in k.live()[ENERGY_CHILD]


def test_new_stories_find_their_half_of_a_split_hub():
    k = _split_keeper()
    k.send(_oil("o3", 6))
    k.send(_talks("t4", 7))
    assert k.live()[ENERGY_CHILD] == ["o3", "o2", "o1"]
    assert k.live()["h-e-russia"] == ["t4", "t3", "t2", "t1"]
    assert ENERGY_CHILD in [ref.hub_id for ref in k.answers[-2].refs]


def test_split_ids_and_questions_are_the_same_on_a_replay():
    first, second = _split_keeper(), _split_keeper()
    assert first.keeper.hubs.keys() == second.keeper.hubs.keys()
    for hub_id in first.keeper.hubs:
        a, b = first.hub(hub_id), second.hub(hub_id)
        assert (a.question, list(a.story_ids)) == (b.question, list(b.story_ids))


def test_a_split_hub_retires_when_its_stories_leave_the_window_and_the_parent_takes_over():
    k = _split_keeper()
    k.send(_talks("t4", 40))
    k.send(_talks("t5", 66))  # the window is 60 days: days 1 to 5 have left it
    child = k.hub(ENERGY_CHILD)
    assert child.retired and not child.story_ids
    assert k.live()["h-e-russia"] == ["t5", "t4"]
    k.send(_oil("o9", 67))  # with no live child, Russia's oil stories join the parent again
    assert k.live()["h-e-russia"] == ["o9", "t5", "t4"]


def test_a_hub_whose_stories_all_share_a_theme_does_not_split():
    k = Keeper()
    for i in range(5):
        k.send(_talks(f"t{i}", i + 1))
    assert sorted(h for h in k.live() if H.CHILD in h) == []
    assert len(k.live()["h-e-russia"]) == 5


def test_a_theme_hub_splits_by_place_with_a_question_naming_it():
    turkey, chile = ("turkey", "Turkey", "place"), ("chile", "Chile", "place")
    quake = "Earthquake of magnitude 7 shakes the region as aftershock follows quake"
    k = Keeper()
    k.send(_brief("v1", 0.5, "Election campaign: voters head to the polls", turkey))
    for sid, day, place in (("c1", 1, chile), ("c2", 2, chile), ("c3", 3, chile)):
        k.send(_brief(sid, day, quake, place))
    for sid, day in (("k1", 4), ("k2", 5)):
        k.send(_brief(sid, day, quake, turkey))
    child = k.hub("h-disasters~e-turkey")
    assert list(child.story_ids) == ["k2", "k1"]
    assert child.question == "What's the latest on natural disasters and severe weather in Turkey?"
    assert k.live()["h-disasters"] == ["c3", "c2", "c1"]


def test_a_split_off_hub_down_to_one_story_gives_it_back_to_the_parent():
    k = _split_keeper()
    k.send(_brief("o1", 6, TALKS, RUSSIA, UKRAINE))  # o1 turns out to be about the talks
    child = k.hub(ENERGY_CHILD)
    assert child.retired and not child.story_ids
    assert k.live()["h-e-russia"] == ["o1", "o2", "t3", "t2", "t1"]


def test_a_group_that_is_exactly_another_hub_does_not_split_off():
    k = Keeper()
    for brief in (_talks("t1", 1), _talks("t2", 2), _talks("t3", 3), _oil("o1", 4)):
        k.send(brief)
    k.send(_oil("o2", 5))  # the energy and OPEC hubs hold just o1 and o2 already
    assert [h for h in k.live() if H.CHILD in h] == []
    assert k.live()["h-energy-prices"] == ["o2", "o1"]


def test_linked_groups_and_their_anchor():
    features = {
        "a": frozenset({"e:ukraine", "t:conflict-diplomacy"}),
        "b": frozenset({"e:ukraine", "e:kremlin", "t:conflict-diplomacy"}),
        "c": frozenset({"e:opec", "t:energy-prices"}),
        "d": frozenset({"e:opec", "e:saudi-arabia", "t:energy-prices"}),
        "e": frozenset({"e:ukraine"}),
    }
    groups = H.linked_groups(["e", "d", "c", "b", "a"], features)
    assert groups == [["e", "b", "a"], ["d", "c"]]
    others = [features[s] for s in groups[0]]
    anchors = H.group_anchors([features[s] for s in groups[1]], others)
    assert anchors == ["t:energy-prices", "e:opec"]
    assert H.anchors(ENERGY_CHILD) == ["e:russia", "t:energy-prices"]
    assert H.child_id("h-e-russia", "t:energy-prices") == ENERGY_CHILD
