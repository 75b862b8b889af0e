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
        # Aliases as token sequences indexed by first token: a scan of an article is one pass
        # over its tokens with a dict lookup each, far cheaper than a regex alternation of
        # hundreds of aliases tried at every character.
        self._names_index = _TokenIndex(names, str)
        self._phrases_index = _TokenIndex(phrases, str.lower)
        self._cache: dict[str, tuple[str, ...]] = {}
        self._mined: dict[str, tuple[tuple[str, str], ...]] = {}

    def known(self, text: str) -> list[str]:
        """KB entity ids named in a text, in order of appearance."""
        tokens = _tokens(text)
        # Lower-case every token in one C call: phrases match in any case.
        lowered = "\x00".join(tokens).lower().split("\x00") if tokens else []
        found = _scan(tokens, self._names_index) + _scan(lowered, self._phrases_index)
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

    def article_appositives(self, article: pb.Article) -> tuple[tuple[str, str], ...]:
        """(name, description) appositives of an article naming no KB entity (cached)."""
        cached = self._mined.get(article.article_id)
        if cached is None:
            cached = tuple((n, d) for n, d in appositives(_head(article)) if not self.known(n))
            if len(self._mined) > 20000:
                self._mined.clear()
            self._mined[article.article_id] = cached
        return cached

    def clear_caches(self) -> None:
        """Forget every article's analysis (benchmarks time a cold start with it)."""
        self._cache.clear()
        self._mined.clear()

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


_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class _TokenIndex:
    """Aliases as token sequences, by first token and by first two tokens."""

    def __init__(self, aliases: dict[str, str], fold):
        singles: dict[str, str] = {}
        longer: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for alias, entity_id in aliases.items():
            tokens = tuple(_tokens(fold(alias)))
            if len(tokens) == 1:
                singles.setdefault(tokens[0], entity_id)
            elif tokens:
                longer[tokens[:2]].append((tokens, entity_id))
        for options in longer.values():
            options.sort(key=lambda o: (-len(o[0]), o[0]))  # longest alias first
        self.singles, self.longer = singles, dict(longer)
        self.firsts = frozenset(singles) | {pair[0] for pair in longer}


def _tokens(text: str) -> list[str]:
    # Words and single punctuation marks; whitespace only separates, so "Brightwater & Co"
    # matches across a line break, and "U.S." still needs its full stops.
    return _TOKEN_RE.findall(text)


def _scan(tokens: list[str], index: _TokenIndex) -> list[tuple[int, str]]:
    """(token position, entity id) of non-overlapping alias matches, leftmost-longest."""
    firsts = index.firsts.intersection(tokens)
    found: list[tuple[int, str]] = []
    if not firsts:
        return found
    end_of_last, n = 0, len(tokens)
    for i in [i for i, t in enumerate(tokens) if t in firsts]:
        if i < end_of_last:
            continue  # inside the previous match
        match = None
        for seq, entity_id in index.longer.get(tuple(tokens[i : i + 2]), ()) if i + 1 < n else ():
            if tuple(tokens[i : i + len(seq)]) == seq:
                match = (len(seq), entity_id)
                break
        if match is None and tokens[i] in index.singles:
            match = (1, index.singles[tokens[i]])
        if match is not None:
            found.append((i, match[1]))
            end_of_last = i + match[0]
    return found


def _head(article: pb.Article) -> str:
    return (article.summary + "\n" + article.text)[:MAX_CHARS]


def mined_cards(articles: Sequence[pb.Article], linker: Linker) -> list[pb.EntityCard]:
    """Cards for names the KB lacks, described by an appositive in the articles, else none."""
    described: dict[str, tuple[str, list[str]]] = {}
    for a in articles:
        for name, description in linker.article_appositives(a):
            if name in described and a.article_id in described[name][1]:
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
