"""Whether a story backs a knowledge-base link that a name alone does not settle.

Two kinds of KB link are ambiguous on their own words:

- a short acronym standing for a longer name: "GM" is General Motors in a business story and
  the general manager in a baseball one ("Angels GM Tony Reagins");
- a party named without its country: "Democratic Party" is the American party only in a story
  about the United States, not in one about Turkmenistan's ruling party.

Such an entity gets a card only when the story backs it: the acronym's full name, or a word
particular to its description ("carmaker", "Chevrolet"), somewhere in the story; the party's
country named, or its people ("American"), somewhere in the story.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from services.compose import text as T
from services.compose.kb import Entity

_ACRONYM_RE = re.compile(r"[A-Z]{2,3}")
# A description word this rare in the knowledge base is particular to its entity: "carmaker",
# "Chevrolet"; not "American", "international" or "agency", which many descriptions share.
MAX_DESCRIPTIONS_SHARING = 3
# And a name ("Cadillac", "Davos"), or a long word ("carmaker", "eurozone"): short common
# words ("include", "brands", "games") turn up in any story.
_MIN_NAME = 4
_MIN_WORD = 8
# Places' aliases "<people> government" ("British government") name a country's people.
_GOVERNMENT_SUFFIX = " government"


@dataclass(frozen=True)
class Backing:
    """What a story must hold for an ambiguous entity's card: any of ``names`` (as written),
    any of ``words`` (lower case), and, for a party, one of its ``homes`` (places) named or
    any of ``peoples`` written."""

    names: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    homes: frozenset[str] = frozenset()
    peoples: frozenset[str] = frozenset()


def backings(entities: Iterable[Entity], known: Callable[[str], list[str]]) -> dict[str, Backing]:
    """Entity id -> what a story must hold for its card, for the ambiguous entities only.
    ``known`` finds the KB ids a text names (``Linker.known``)."""
    entities = list(entities)
    kinds = {e.id: e.kind for e in entities}
    shared = Counter(w for e in entities for w in set(_description_words(e.description)))
    peoples = _peoples(entities)
    people_words = {p.lower() for p in peoples}
    out: dict[str, Backing] = {}
    for e in entities:
        acronym = _acronym_only(e)
        homes = _homes(e, known, kinds, peoples) if _party(e) else frozenset()
        if not acronym and not homes:
            continue
        names = frozenset(a for a in (e.name, *e.aliases) if not _ACRONYM_RE.fullmatch(a))
        words = frozenset(
            w
            for w in _description_words(e.description)
            if shared[w] <= MAX_DESCRIPTIONS_SHARING and w not in people_words
        )
        out[e.id] = Backing(
            names=names if acronym else frozenset(),
            words=words if acronym else frozenset(),
            homes=homes,
            peoples=frozenset(p for p, place in peoples.items() if place in homes),
        )
    return out


def backed(backing: Backing, named: Mapping[str, int], text: Callable[[], str]) -> bool:
    """Whether a story backs an ambiguous entity: ``named`` counts the KB ids its articles
    name; ``text()`` is all its articles' titles and heads (asked only when needed)."""
    if backing.homes and not (
        any(named.get(place) for place in backing.homes)
        or any(_word_in(p, text()) for p in backing.peoples)
    ):
        return False  # a party of a country the story never names
    if not backing.names and not backing.words:
        return True
    story = text()
    if any(_word_in(name, story) for name in backing.names):
        return True
    lowered = story.lower()
    return any(_word_in(w, lowered) for w in backing.words)


def _acronym_only(e: Entity) -> bool:
    """True for an organisation a short acronym also names ("GM" for General Motors); one
    whose own name is the acronym ("BBC") is named as it is known."""
    return e.kind == "organisation" and any(
        _ACRONYM_RE.fullmatch(a) for a in e.aliases if a != e.name
    )


def _party(e: Entity) -> bool:
    return e.kind == "organisation" and not {"party", "parties"}.isdisjoint(
        w.lower() for w in T.words(e.description)
    )


def _homes(
    e: Entity, known: Callable[[str], list[str]], kinds: Mapping[str, str], peoples
) -> frozenset[str]:
    """The places a party's description names, or whose people it names ("British")."""
    places = {i for i in known(e.description) if kinds.get(i) == "place"}
    places |= {place for people, place in peoples.items() if _word_in(people, e.description)}
    return frozenset(places)


def _peoples(entities: Iterable[Entity]) -> dict[str, str]:
    """A country's people ("British", "South African") -> its place id, from the KB's
    "<people> government" aliases."""
    out: dict[str, str] = {}
    for e in entities:
        if e.kind != "place":
            continue
        for alias in e.aliases:
            people = alias.removesuffix(_GOVERNMENT_SUFFIX)
            if people != alias and not _ACRONYM_RE.fullmatch(people.replace(".", "")):
                out.setdefault(people, e.id)
    return out


def _description_words(description: str) -> list[str]:
    """A description's words that could be particular to it, in lower case."""
    return [
        w.lower()
        for w in T.words(description)
        if len(w) >= (_MIN_NAME if w[:1].isupper() else _MIN_WORD)
        and w.lower() not in T.STOPWORDS
        and not w.isdigit()
    ]


def _word_in(word: str, text: str) -> bool:
    """True when ``word`` occurs in ``text`` as a whole word (or words)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        starts = at == 0 or not text[at - 1].isalnum()
        if starts and (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(word, at + 1)
    return False
