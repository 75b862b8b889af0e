"""Question hubs ("Go deeper"): related stories grouped by theme or shared entity.

A hub's id derives from what anchors it (a theme, or an entity), so it is stable across
rebuilds. Hubs grow as stories join, lose stories that fall out of the window, retire when
none are left, and split when their stories fall into two groups that share nothing but the
hub's own anchor.

Splits. Each story has features: the entities of its cards and the themes of its text. Two
stories of a hub are linked when, leaving out the hub's own anchor, they share enough of them;
the hub's stories then fall into linked groups. When a second group of at least two stories
shares nothing with the largest one and has a feature most of its stories carry (its anchor:
an entity or a theme), that group moves to a child hub:

- The larger group keeps the parent's id and question, so nothing that links to the hub
  breaks and no redirect is needed; the parent stays the catch-all for its anchor.
- The child's id is the parent's id, "~", and the anchor ("h-e-russia~t-energy-prices"): a
  pure function of what the group is about, so a replay or another keeper builds the same id.
  Its question names both anchors ("What's the latest on Russia and energy prices?").
- A story that would join the parent and carries a live child's anchor joins the child instead
  (repeatedly, for a child's children), so later stories find their half; a story therefore
  still belongs to at most three hubs. A child retires, like any hub, when its stories leave
  the window, and when it is down to one story that story goes back to the parent.
- A group that is exactly the stories of its anchor's own hub ("h-e-england" inside the UK's
  hub) does not split off: that hub already asks its question.
"""

from __future__ import annotations

import re
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
            "What's the latest on natural disasters and severe weather?",
            "earthquake quake tsunami aftershock magnitude flood hurricane wildfire volcano storm",
        ),
        (
            "energy-prices",
            "What's behind the rise in energy prices?",
            "oil gas energy opec fuel petrol electricity pipeline barrel",
        ),
        (
            "conflict-diplomacy",
            "What's the latest on international conflicts and diplomatic tensions?",
            "ceasefire truce talks troops military sanctions war missile negotiators peace "
            "prisoners",
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


# What each theme is about, for the questions of hubs split out of or into a theme.
TOPICS = {
    # Storms are filed here too: "earthquakes and natural disasters" read oddly over one.
    "disasters": "natural disasters and severe weather",
    "energy-prices": "energy prices",
    "conflict-diplomacy": "international conflicts and diplomatic tensions",
    "elections": "elections",
    "economy": "prices, rates and the economy",
    "labour": "strikes and pay disputes",
    "climate": "climate change",
    "technology": "technology and AI",
    "health": "public health",
}

# Splits: two stories are linked when they share at least this share of their features (the
# hub's own anchors left out); a group needs this many stories to leave, and its anchor must be
# carried by at least half of them.
LINK_MIN = 0.2
MIN_SPLIT_GROUP = 2
CHILD = "~"


@dataclass(frozen=True)
class StorySignal:
    """What hubs need to know about one story."""

    story_id: str
    at: float
    headline: pb.Sentence
    text: str  # headline and "What's happened", for theme cues
    entities: Sequence[pb.EntityCard]
    # The entities the story leads with (``leading_entities``): only these anchor its entity
    # hubs. None when that cannot be told: every card then counts.
    anchors: frozenset[str] | None = None


def themes(text: str) -> list[str]:
    """Themes whose cue words a story's text uses at least twice, strongest first. A cue word
    inside a capitalised name ("the African Union", "British Gas") names the body, not the
    theme: the Union of the EU-AU partnership is no trade union."""
    terms = [T.norm_word(w) for w in theme_words(text)]
    hits = {name: sum(t in cues for t in terms) for name, (_, cues) in THEMES.items()}
    return sorted((n for n, h in hits.items() if h >= MIN_THEME_HITS), key=lambda n: -hits[n])


# Words, and the stops that end a sentence or clause: a capital after a stop opens a sentence.
_THEME_TOKEN_RE = re.compile(r"[.!?;:]|[^\W_]+(?:['’][^\W_]+)*")


def theme_words(text: str) -> list[str]:
    """The words of a text that may cue a theme: every word but a capitalised one continuing
    a capitalised name ("Union" in "African Union", not "Strike" opening a sentence)."""
    out: list[str] = []
    before = "."
    for token in _THEME_TOKEN_RE.findall(text):
        if token in ".!?;:":
            before = "."
        else:
            if not (_capitalised(token) and before[:1].isupper()):
                out.append(token)
            before = token
    return out


def _capitalised(word: str) -> bool:
    # "Union", not "OPEC": an acronym is a name of its own ("OPEC" cues energy prices).
    return word[:1].isupper() and not word.isupper()


def candidate_hubs(
    signal: StorySignal, entity_story_counts: Mapping[str, int]
) -> list[tuple[str, str]]:
    """(hub_id, question) of the hubs a story belongs to: themes, then shared entities."""
    out = [(f"h-{name}", THEMES[name][0]) for name in themes(signal.text)]
    for card in signal.entities:
        # An entity anchors a hub once at least two stories in the window lead with it.
        if (
            card.kind in ("place", "organisation", "person")
            and (signal.anchors is None or card.entity_id in signal.anchors)
            and entity_story_counts.get(card.entity_id, 0) >= 2
        ):
            name = subject(card.name, card.kind, card.description)
            out.append((f"h-e-{card.entity_id}", f"What's the latest on {name}?"))
    return out[:MAX_HUBS_PER_STORY]


def leading_entities(cards: Sequence[pb.EntityCard], text: str) -> frozenset[str]:
    """The cards' entities a story leads with: named, by name or alias (a person also by
    surname), in ``text``: its headline, "What's happened" and its articles' titles. A story
    about an earthquake that cites the US Geological Survey has a card for the agency, but a
    reader asking "What's the latest on the US Geological Survey?" wants another story."""
    return frozenset(c.entity_id for c in cards if _names_re(c).search(text))


def country(card: pb.EntityCard) -> bool:
    """True for a card of a whole country (the knowledge base describes it as one)."""
    return card.kind == "place" and card.description.startswith("Country ")


def main_subject(card: pb.EntityCard, titles: Sequence[str]) -> bool:
    """Whether a story is about a country it leads with, as a hub on the country needs: most
    of its titles (the headline and its articles') name it. A country is the setting of most
    of the news its outlets carry ("UK department store chain enters administration", an outage
    "across Britain"); a hub asking "What's the latest on the United Kingdom?" on every such
    story would send its reader to everything. A Peru earthquake is about Peru: each title says
    so. Any other entity needs no more than to be led with (``leading_entities``)."""
    if not country(card) or not titles:
        return True
    names = _names_re(card)
    return 2 * sum(1 for t in titles if names.search(t)) > len(titles)


def _names_re(card: pb.EntityCard) -> re.Pattern[str]:
    names = [card.name, *card.aliases]
    if card.kind == "person" and len(card.name.split()) > 1:
        names.append(card.name.split()[-1])
    # Names match as written ("US" is no "us"); descriptive aliases in any case ("the
    # Ukrainian president"), as the linker matches them.
    parts = [
        ("(?i:" + re.escape(n) + ")") if n[:1].islower() else re.escape(n)
        # Longest first, so a name wins over its prefix; then by name, so the pattern is the
        # same in every process whatever order the set of names iterates in.
        for n in sorted(set(filter(None, names)), key=lambda n: (-len(n), n))
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)") if parts else _NEVER


_NEVER = re.compile(r"(?!)")


def story_features(text: str, entity_ids: Sequence[str]) -> frozenset[str]:
    """What a story is about, as hubs compare it: "e:<entity id>" and "t:<theme>" features."""
    return frozenset([*(f"e:{e}" for e in entity_ids), *(f"t:{t}" for t in themes(text))])


def signal_features(signal: StorySignal) -> frozenset[str]:
    """``story_features`` of a story signal."""
    return story_features(signal.text, [c.entity_id for c in signal.entities])


def anchors(hub_id: str) -> list[str]:
    """The features a hub id is anchored on, root first ("h-e-russia~t-energy-prices" ->
    ["e:russia", "t:energy-prices"])."""
    root, *children = hub_id.split(CHILD)
    first = "e:" + root[4:] if root.startswith("h-e-") else "t:" + root[2:]
    return [first, *(c[:1] + ":" + c[2:] for c in children)]


def child_id(parent_id: str, anchor: str) -> str:
    """The id of the hub split out of a parent around an anchor feature ("t:energy-prices")."""
    return f"{parent_id}{CHILD}{anchor[:1]}-{anchor[2:]}"


def route(
    wanted: Sequence[tuple[str, str]], hubs: Mapping[str, pb.Hub], features: frozenset[str]
) -> list[tuple[str, str]]:
    """Send a story to the live child of a hub it wants when it carries the child's anchor."""
    out: list[tuple[str, str]] = []
    for hub_id, question in wanted:
        moved = True
        while moved:
            moved = False
            for hub in _children(hubs, hub_id):
                if anchors(hub.hub_id)[-1] in features:
                    hub_id, question, moved = hub.hub_id, hub.question, True
                    break
        if hub_id not in (h for h, _ in out):
            out.append((hub_id, question))
    return out


def _children(hubs: Mapping[str, pb.Hub], parent_id: str) -> list[pb.Hub]:
    prefix = parent_id + CHILD
    return sorted(
        (
            h
            for k, h in hubs.items()
            if k.startswith(prefix) and CHILD not in k[len(prefix) :] and not h.retired
        ),
        key=lambda h: h.hub_id,
    )


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
    wanted = dict(route(candidate_hubs(signal, entity_story_counts), hubs, signal_features(signal)))
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
            # A hub kept from before a question's wording changed ("... on United Kingdom?")
            # takes the current wording when a story joins it.
            hub.question = wanted[hub_id]
        refresh(hub, members, times, heads, now, window)
        changed.append(hub)
    return sorted(changed, key=lambda h: h.hub_id)


def split(
    hub: pb.Hub,
    features: Mapping[str, frozenset[str]],
    entities: Mapping[str, tuple[str, str]],
    times: Mapping[str, float],
    heads: Mapping[str, pb.Sentence],
    now: float,
    window: float,
    existing: Mapping[str, pb.Hub] | None = None,
) -> list[pb.Hub]:
    """[parent, child] when a hub's stories fall into two groups sharing nothing but the hub's
    anchors, else []. ``features`` by story id; ``entities`` maps id -> (name, kind);
    ``existing`` holds the other hubs, by id."""
    if hub.retired or len(hub.story_ids) < 2 * MIN_SPLIT_GROUP:
        return []
    own = frozenset(anchors(hub.hub_id))
    members = list(hub.story_ids)  # newest first
    groups = linked_groups(members, {s: features.get(s, frozenset()) - own for s in members})
    if len(groups) < 2 or len(groups[1]) < MIN_SPLIT_GROUP:
        return []
    keep, leave = groups[0], groups[1]
    fitting = group_anchors(
        [features.get(s, frozenset()) - own for s in leave],
        [features.get(s, frozenset()) for s in keep],
    )
    # A group that is exactly the stories of its anchor's own hub ("h-e-england") would only
    # repeat that hub under another id.
    fresh = [a for a in fitting if _hub_stories(existing, _own_hub(a)) != set(leave)]
    if not fresh:
        return []  # nothing its own to be named by, or nothing a hub does not already say
    anchor = fresh[0]
    parent, child = pb.Hub(), pb.Hub()
    parent.CopyFrom(hub)
    child.hub_id = child_id(hub.hub_id, anchor)
    child.question = split_question(child.hub_id, entities)
    child.entity_ids.extend([*hub.entity_ids, *([anchor[2:]] if anchor.startswith("e:") else [])])
    theme = anchor[2:] if anchor.startswith("t:") else ""
    child.terms.extend([*hub.terms, *(sorted(THEMES[theme][1]) if theme in THEMES else [])])
    moved = set(leave)
    refresh(parent, [s for s in members if s not in moved], times, heads, now, window)
    refresh(child, [s for s in members if s in moved], times, heads, now, window)
    return [parent, child]


def dissolve(
    child: pb.Hub,
    parent: pb.Hub | None,
    times: Mapping[str, float],
    heads: Mapping[str, pb.Sentence],
    now: float,
    window: float,
) -> list[pb.Hub]:
    """[child retired, parent] when a split-off hub is down to fewer stories than a group needs:
    its stories go back to the parent (if still live), as they would have without the split."""
    if CHILD not in child.hub_id or child.retired or len(child.story_ids) >= MIN_SPLIT_GROUP:
        return []
    back = list(child.story_ids)
    refresh(child, [], times, heads, now, window)
    if parent is None or (parent.retired and not parent.story_ids):
        return [child]  # a parent retired with one story left takes them back and reopens
    merged = pb.Hub()
    merged.CopyFrom(parent)
    refresh(merged, [*parent.story_ids, *back], times, heads, now, window)
    return [child, merged]


def parent_id(hub_id: str) -> str:
    """The hub a split-off hub came from ("" for a hub that was never split off)."""
    return hub_id.rpartition(CHILD)[0]


def linked_groups(
    members: Sequence[str], features: Mapping[str, frozenset[str]]
) -> list[list[str]]:
    """Stories grouped by links (shared features), largest group first; ties go to the group
    holding the earlier member (members come newest first), so the order is deterministic."""
    group_of = {s: i for i, s in enumerate(members)}

    def root(s: str) -> str:
        while members[group_of[s]] != s:
            s = members[group_of[s]]
        return s

    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if T.jaccard(features[a], features[b]) >= LINK_MIN:
                ra, rb = root(a), root(b)
                if ra != rb:
                    low, high = sorted((group_of[ra], group_of[rb]))
                    group_of[members[high]] = low
    groups: dict[str, list[str]] = {}
    for s in members:
        groups.setdefault(root(s), []).append(s)
    return sorted(groups.values(), key=lambda g: (-len(g), members.index(g[0])))


def _own_hub(anchor: str) -> str:
    return ("h-e-" if anchor.startswith("e:") else "h-") + anchor[2:]


def _hub_stories(hubs: Mapping[str, pb.Hub] | None, hub_id: str) -> set[str] | None:
    hub = (hubs or {}).get(hub_id)
    return None if hub is None or hub.retired else set(hub.story_ids)


def group_anchors(group: Sequence[frozenset[str]], others: Sequence[frozenset[str]]) -> list[str]:
    """Features most of a group's stories carry and none of the others do, best first: the
    most carried, themes before entities (they name a group more broadly), then by name."""
    taken = frozenset().union(*others)
    counts: dict[str, int] = {}
    for feats in group:
        for f in feats - taken:
            counts[f] = counts.get(f, 0) + 1
    fit = [f for f, n in counts.items() if 2 * n >= len(group) and n >= MIN_SPLIT_GROUP]
    return sorted(fit, key=lambda f: (-counts[f], not f.startswith("t:"), f))


def split_question(hub_id: str, entities: Mapping[str, tuple[str, str]]) -> str:
    """The question of a split hub, naming its anchors ("What's the latest on Russia and
    energy prices?", "What's the latest on earthquakes and natural disasters in Turkey?")."""
    parts = anchors(hub_id)
    text = _label(parts[0], entities)
    for part in parts[1:]:
        name, kind = _label(part, entities), entities.get(part[2:], ("", ""))[1]
        if part.startswith("e:") and parts[0].startswith("t:"):
            text += (" in " if kind == "place" else " involving ") + name
        else:
            text += " and " + name
    return f"What's the latest on {text}?"


def _label(feature: str, entities: Mapping[str, tuple[str, str]]) -> str:
    if feature.startswith("t:"):
        return TOPICS.get(feature[2:], feature[2:].replace("-", " "))
    name, kind = entities.get(feature[2:], (feature[2:], ""))
    return subject(name, kind)


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
    hub.retired = not live or _alone_on_entity(hub.hub_id, live)
    hub.summary.CopyFrom(summary(live, heads))
    hub.updated_at.FromSeconds(int(now))


def _alone_on_entity(hub_id: str, live: Sequence[str]) -> bool:
    """True for an entity hub down to one story (the others moved on to other subjects or left
    the window): asking "What's the latest on X?" would lead the reader back to the story they
    came from. It is retired, as it was before its second story, but keeps that story, so that
    it opens again, with both, when another story leads with its entity. Split-off hubs go back
    to their parent instead (``dissolve``)."""
    return len(live) < 2 and hub_id.startswith("h-e-") and CHILD not in hub_id


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


# Words that make a name a common noun with a capital ("the US Geological Survey", "the United
# Kingdom", "the Gaza Strip"): such names take "the" in running text.
_THE_WORDS = frozenset(
    T.words(
        "Union Office Survey Agency Committee Council Court Commission Parliament Fund Authority "
        "Party Congress Forces State States Reserve Police Treasury Kremlin Pentagon Organization "
        "Organisation Institute Service Department Ministry Panel Board House League Nations "
        "Democrats Republicans Palace Cross Administration Federation Association Alliance Army "
        "Navy Senate Assembly Conference Foundation Bank Kingdom Republic Islands Emirates "
        "Netherlands Philippines Bahamas Gambia Maldives Strip Gulf Sea Ocean Ring Basin Valley "
        "Alps Andes Himalayas Balkans Sahel Caribbean Arctic Antarctic Middle Bundestag "
        "Houthis Taliban Programme Program Forum Press"
    )
)
# Name openings that already stand where an article would: "HM Treasury" is "His Majesty's
# Treasury", whose possessive is the determiner; such a name never takes "the".
_DETERMINER_OPENINGS = frozenset(["HM", "HMS", "HRH", "His", "Her", "Their"])
# A body named "<noun> <nation>" is a brand that goes without "the" ("Police Scotland",
# "Transport Scotland"), unlike a name built with "of" ("the Police Service of Scotland").
_NATION_SUFFIXES = frozenset(["Scotland", "England", "Wales", "Ireland", "Britain", "UK"])
# Where a description stops saying what an entity is and starts saying what it does or
# deals with: "The UK regulator | of financial firms" is a regulator, not a firm.
_DESCRIPTION_HEAD_END = re.compile(r" (?:of|that|which|who|whose|for|in|on) ")
# A description saying the entity is a business: companies go without "the" ("HSBC", "BP").
_COMPANY_HINTS = (
    "company",
    "maker",
    "airline",
    "retailer",
    "firm",
    "conglomerate",
    "chip designer",
    "investment bank",
    "retail bank",
    "commercial bank",
    "bank with",
    "largest bank",
    "bank, the",
    "asset manager",
    "wealth manager",
    "insurer",
    "trader",
)
# Lower-case words inside a name that do not make it a common noun ("Trinidad and Tobago").
_JOINING = frozenset(["and", "of", "the", "de", "du", "la", "y", "e"])
_VOWELS = frozenset("AEIOU")


def subject(name: str, kind: str, description: str = "") -> str:
    """A name as a question uses it: "the" before institutions and names built on a common
    noun ("the US Geological Survey", "the United Kingdom", "the UN"), none before people,
    most countries, companies and acronyms read as words ("Peru", "HSBC", "NATO")."""
    if kind == "person" or not name or name.startswith("the "):
        return name
    words = name.split()
    if words[0] in _DETERMINER_OPENINGS:
        return name  # "HM Treasury", "His Majesty's Revenue and Customs"
    if kind == "organisation" and _company(description):
        return name
    if kind == "organisation" and len(words) == 2 and words[1] in _NATION_SUFFIXES:
        return name  # "Police Scotland"
    if len(words) == 1 and _initialism(name):
        return "the " + name
    takes_the = any(
        w in _THE_WORDS or (w[:1].islower() and w not in _JOINING) for w in words[1:]
    ) or (words[0] in _THE_WORDS or words[0] == "United")
    return "the " + name if takes_the else name


def _company(description: str) -> bool:
    """True when a description's head says the entity is a business ("American investment
    bank and wealth manager"); what it deals in ("regulator of financial firms") does not."""
    head = _DESCRIPTION_HEAD_END.split(description.lower(), maxsplit=1)[0]
    return any(hint in head for hint in _COMPANY_HINTS)


def _initialism(name: str) -> bool:
    """An acronym read letter by letter ("UN", "BBC", "OECD", "G20"), not as a word ("NATO")."""
    letters = name.rstrip("+")
    if not (letters.isupper() and letters.isalnum()) or len(letters) < 2:
        return False
    if len(letters) <= 3 or not any(c in _VOWELS for c in letters[1:]):
        return True
    return letters[0] in _VOWELS and letters[1] in _VOWELS  # "OECD"
