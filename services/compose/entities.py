"""Entity recognition and linking by knowledge-base aliases plus capitalised-span mining.

A gazetteer over the KB (names, aliases, unique surnames) finds known entities; runs of
capitalised words find the others, which get a card only when the articles describe them in an
appositive ("Dmitry Peskov, the Kremlin spokesman,"): a card is never invented.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import text as T
from services.compose.kb import Entity

MAX_CHARS = 6000  # entities that matter are named near the top
_SPAN_RE = re.compile(
    r"\b(?:[A-Z][\w'’-]+|[A-Z]\.)(?:\s+(?:of\s+|de\s+|von\s+)?(?:[A-Z][\w'’-]+)){1,3}"
)
_PERSON_NOUNS = frozenset(
    [
        "president",
        "minister",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "leader",
        "chief",
        "head",
        "director",
        "founder",
        "secretary",
        "ambassador",
        "general",
        "governor",
        "mayor",
        "official",
        "analyst",
        "professor",
        "economist",
        "chairman",
        "chairwoman",
        "chair",
        "ceo",
        "executive",
        "commander",
        "envoy",
        "negotiator",
        "prosecutor",
        "judge",
        "senator",
        "lawyer",
        "king",
        "queen",
        "prince",
        "chancellor",
        "premier",
        "adviser",
        "advisor",
        "researcher",
        "scientist",
    ]
)
_ORG_WORDS = frozenset(
    [
        "administration",
        "ministry",
        "agency",
        "council",
        "union",
        "party",
        "bank",
        "company",
        "corporation",
        "inc",
        "group",
        "association",
        "organisation",
        "organization",
        "committee",
        "commission",
        "survey",
        "service",
        "department",
        "office",
        "court",
        "university",
        "institute",
        "authority",
        "fund",
        "forum",
        "parliament",
        "assembly",
    ]
)
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "On",
        "In",
        "At",
        "By",
        "For",
    ]
)


@dataclass(frozen=True)
class Mention:
    """An entity named in an article."""

    entity_id: str
    article_id: str
    in_title: bool


class Linker:
    """Finds a story's entities and builds their cards, from a KB."""

    def __init__(self, entities: Sequence[Entity]):
        self.entities = {e.id: e for e in entities}
        names: dict[str, str] = {}
        phrases: dict[str, str] = {}
        surnames: dict[str, set[str]] = defaultdict(set)
        for e in entities:
            for alias in (e.name, *e.aliases):
                if alias[:1].islower():
                    phrases.setdefault(alias.lower(), e.id)
                else:
                    names.setdefault(alias, e.id)
            if e.kind == "person" and len(e.name.split()) > 1:
                surnames[e.name.split()[-1]].add(e.id)
        for surname, ids in surnames.items():
            if len(ids) == 1:  # "Zelensky" alone names him only if no other KB person has it
                names.setdefault(surname, next(iter(ids)))
        self._names, self._phrases = names, phrases
        # One alternation per table, longest alias first, so the regex engine (in C) does the
        # scanning: names match as written, descriptive phrases in any case.
        self._names_re = _alternation(names, 0)
        self._phrases_re = _alternation(phrases, re.IGNORECASE)
        self._cache: dict[str, tuple[str, ...]] = {}

    def known(self, text: str) -> list[str]:
        """KB entity ids named in a text, in order of appearance."""
        found = [(m.start(), self._names[m.group(0)]) for m in self._names_re.finditer(text)]
        found += [
            (m.start(), self._phrases[m.group(0).lower()]) for m in self._phrases_re.finditer(text)
        ]
        return [entity_id for _, entity_id in sorted(found)]

    def article_entities(self, article: pb.Article) -> tuple[str, ...]:
        """KB entity ids an article names, once per mention (cached: articles never change)."""
        cached = self._cache.get(article.article_id)
        if cached is None:
            cached = tuple(self.known(_head(article)))
            if len(self._cache) > 20000:
                self._cache.clear()
            self._cache[article.article_id] = cached
        return cached

    def cards(self, articles: Sequence[pb.Article]) -> list[pb.EntityCard]:
        """Cards of the story's most mentioned entities: KB ones, then described unknown ones."""
        # Weight: articles naming the entity, plus its mentions, plus a bonus for titles.
        counts: Counter[str] = Counter()
        titles: set[str] = set()
        for a in articles:
            ids = set(self.known(a.title))
            titles |= ids
            mentions = self.article_entities(a)
            counts.update(Counter(mentions) + Counter(ids | set(mentions)))
        cards = [self.kb_card(entity_id) for entity_id in counts]
        mined = mined_cards(articles, self)
        cards += mined
        weight = {c.entity_id: counts.get(c.entity_id, 0) for c in cards}
        weight.update({c.entity_id: 2 * len(c.article_ids) + 1 for c in mined})
        cards.sort(
            key=lambda c: (-(weight[c.entity_id] + (1 if c.entity_id in titles else 0)), c.name)
        )
        return cards

    def kb_card(self, entity_id: str) -> pb.EntityCard:
        """The card of a KB entity."""
        e = self.entities[entity_id]
        return pb.EntityCard(
            entity_id=e.id,
            name=e.name,
            kind=e.kind,
            description=e.description,
            aliases=list(e.aliases),
            description_source="kb",
        )


def _alternation(aliases: dict[str, str], flags: int) -> re.Pattern[str]:
    ordered = sorted(aliases, key=lambda a: (-len(a), a))
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(a) for a in ordered)
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])", flags)


def _head(article: pb.Article) -> str:
    return (article.summary + "\n" + article.text)[:MAX_CHARS]


def mined_cards(articles: Sequence[pb.Article], linker: Linker) -> list[pb.EntityCard]:
    """Cards for names the KB lacks, described by an appositive in the articles, else none."""
    described: dict[str, tuple[str, list[str]]] = {}
    for a in articles:
        body = _head(a)
        for name, description in appositives(body):
            if linker.known(name) or name in described and a.article_id in described[name][1]:
                continue
            if name in described:
                described[name][1].append(a.article_id)
            else:
                described[name] = (description, [a.article_id])
    cards = []
    for name, (description, article_ids) in described.items():
        cards.append(
            pb.EntityCard(
                entity_id="x-" + _slug(name),
                name=name,
                kind=_kind(name, description),
                description=description,
                description_source="articles",
                article_ids=article_ids,
            )
        )
    return cards


_APPOSITIVE_RE = re.compile(
    r"(?P<name>" + _SPAN_RE.pattern[2:] + r"), (?P<desc>(?:the|a|an) [^,;:.()\"“”]{3,70}?),"
)


def appositives(text: str) -> list[tuple[str, str]]:
    """(name, description) pairs such as ("Dmitry Peskov", "The Kremlin spokesman")."""
    out = []
    for m in _APPOSITIVE_RE.finditer(text):
        name = m.group("name")
        first = name.split()[0]
        if first in _NOT_NAMES:
            continue
        desc = m.group("desc")
        out.append((name, desc[0].upper() + desc[1:]))
    return out


def _kind(name: str, description: str) -> str:
    words_ = {w.lower() for w in T.words(description)}
    if words_ & _PERSON_NOUNS:
        return "person"
    if {w.lower() for w in T.words(name)} & _ORG_WORDS:
        return "organisation"
    return "other"


def _slug(name: str) -> str:
    return "-".join(w.lower() for w in T.words(name))
