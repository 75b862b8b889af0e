"""Question hubs ("Go deeper"): related stories grouped by theme or shared entity.

A hub's id derives from what anchors it (a theme, or an entity), so it is stable across
rebuilds. Hubs grow as stories join, lose stories that fall out of the window, and retire
when none are left.

Hubs do not split. A split needs, for each half, an anchor as stable as the parent's (so that
a rebuilt story finds its half again) and a rule for which half a new story joins. The finer
anchor we have is the entity, and entity hubs already exist beside theme hubs: when a theme
hub ("disasters") holds two unrelated groups (a Turkish earthquake, a Scottish storm), each
group is also an entity hub ("Turkey", "Scotland") as soon as two of its stories name the
entity, and the "Go deeper" links show both. Splitting the theme hub would duplicate those
hubs under new ids, and a group that goes quiet leaves the theme hub by the window anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import text as T

MAX_HUBS_PER_STORY = 3
MIN_THEME_HITS = 2

THEMES: dict[str, tuple[str, frozenset[str]]] = {
    name: (question, frozenset(T.norm_word(w) for w in cues.split()))
    for name, question, cues in (
        (
            "disasters",
            "What's the latest on earthquakes and natural disasters?",
            "earthquake quake tsunami aftershock magnitude flood hurricane wildfire volcano",
        ),
        (
            "energy-prices",
            "What's behind the rise in energy prices?",
            "oil gas energy opec fuel petrol electricity pipeline barrel",
        ),
        (
            "conflict-diplomacy",
            "What's the latest on international conflicts and diplomatic tensions?",
            "ceasefire talks troops military sanctions war missile negotiators peace prisoners",
        ),
        (
            "elections",
            "What's happening in elections around the world?",
            "election vote ballot polls candidate campaign voters",
        ),
        (
            "economy",
            "What's going on with prices, rates and the economy?",
            "inflation interest rates gdp recession economy tariff tariffs",
        ),
        (
            "labour",
            "What's behind the wave of strikes and pay disputes?",
            "strike strikes union pay wages walkout dispute",
        ),
        (
            "climate",
            "What's the latest on climate change?",
            "climate emissions carbon warming heatwave drought",
        ),
        (
            "technology",
            "What's happening in technology and AI?",
            "ai chip chips semiconductor software tech",
        ),
        (
            "health",
            "What's the latest on public health?",
            "virus outbreak vaccine disease epidemic pandemic",
        ),
    )
}


@dataclass(frozen=True)
class StorySignal:
    """What hubs need to know about one story."""

    story_id: str
    at: float
    headline: pb.Sentence
    text: str  # headline and "What's happened", for theme cues
    entities: Sequence[pb.EntityCard]


def themes(text: str) -> list[str]:
    """Themes whose cue words a story's text uses at least twice, strongest first."""
    terms = [T.norm_word(w) for w in T.words(text)]
    hits = {name: sum(t in cues for t in terms) for name, (_, cues) in THEMES.items()}
    return sorted((n for n, h in hits.items() if h >= MIN_THEME_HITS), key=lambda n: -hits[n])


def candidate_hubs(
    signal: StorySignal, entity_story_counts: Mapping[str, int]
) -> list[tuple[str, str]]:
    """(hub_id, question) of the hubs a story belongs to: themes, then shared entities."""
    out = [(f"h-{name}", THEMES[name][0]) for name in themes(signal.text)]
    for card in signal.entities:
        # An entity anchors a hub once at least two stories in the window name it.
        if (
            card.kind in ("place", "organisation", "person")
            and entity_story_counts.get(card.entity_id, 0) >= 2
        ):
            out.append((f"h-e-{card.entity_id}", f"What's the latest on {card.name}?"))
    return out[:MAX_HUBS_PER_STORY]


def place_story(
    signal: StorySignal,
    hubs: Mapping[str, pb.Hub],
    entity_story_counts: Mapping[str, int],
    story_times: Mapping[str, float],
    headlines: Mapping[str, pb.Sentence],
    now: float,
    window: float,
) -> list[pb.Hub]:
    """Add a story to its hubs and take it out of the others; return every hub that changed."""
    wanted = dict(candidate_hubs(signal, entity_story_counts))
    times = dict(story_times)
    times[signal.story_id] = signal.at
    heads = dict(headlines)
    heads[signal.story_id] = signal.headline
    changed = []
    for hub_id in set(wanted) | {h for h, hub in hubs.items() if signal.story_id in hub.story_ids}:
        hub = pb.Hub()
        if hub_id in hubs:
            hub.CopyFrom(hubs[hub_id])
        else:
            hub.hub_id, hub.question = hub_id, wanted[hub_id]
            hub.entity_ids.extend([hub_id[4:]] if hub_id.startswith("h-e-") else [])
            hub.terms.extend(sorted(THEMES[hub_id[2:]][1]) if hub_id[2:] in THEMES else [])
        members = [s for s in hub.story_ids if s != signal.story_id]
        if hub_id in wanted:
            members.append(signal.story_id)
        refresh(hub, members, times, heads, now, window)
        changed.append(hub)
    return sorted(changed, key=lambda h: h.hub_id)


def expire(
    hubs: Mapping[str, pb.Hub], story_times, headlines, now: float, window: float
) -> list[pb.Hub]:
    """Hubs that lost stories to the window (retired when none remain)."""
    changed = []
    for hub in hubs.values():
        if hub.retired:
            continue
        fresh = pb.Hub()
        fresh.CopyFrom(hub)
        refresh(fresh, list(hub.story_ids), story_times, headlines, now, window)
        if list(fresh.story_ids) != list(hub.story_ids) or fresh.retired:
            changed.append(fresh)
    return changed


def refresh(hub: pb.Hub, members, times, heads, now: float, window: float) -> None:
    """Set a hub's live members (newest first), summary and retired flag."""
    live = [s for s in dict.fromkeys(members) if now - times.get(s, now) <= window]
    live.sort(key=lambda s: (-times.get(s, 0.0), s))
    hub.ClearField("story_ids")
    hub.story_ids.extend(live)
    hub.retired = not live
    hub.summary.CopyFrom(summary(live, heads))
    hub.updated_at.FromSeconds(int(now))


def summary(story_ids: Sequence[str], headlines: Mapping[str, pb.Sentence]) -> pb.Sentence:
    """A short line linking the hub's newest stories: "Latest: A. Also: B; C."."""
    heads = [headlines[s] for s in story_ids[:3] if s in headlines and headlines[s].text]
    if not heads:
        return pb.Sentence()
    text = f"Latest: {heads[0].text.rstrip('.')}."
    if len(heads) > 1:
        text += " Also: " + "; ".join(h.text.rstrip(".") for h in heads[1:]) + "."
    ids = [i for h in heads for i in h.article_ids]
    return pb.Sentence(text=text, article_ids=list(dict.fromkeys(ids)))


def hub_ref(hub: pb.Hub) -> pb.HubRef:
    """The "Go deeper" link to a hub."""
    return pb.HubRef(hub_id=hub.hub_id, question=hub.question, summary=hub.summary.text)
