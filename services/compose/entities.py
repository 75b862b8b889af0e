"""Entity recognition and linking by knowledge-base aliases plus capitalised-span mining.

A gazetteer over the KB (names, aliases, unique surnames) finds known entities; runs of
capitalised words find the others, which get a card only when the articles describe them in an
appositive ("Dmitry Peskov, the Kremlin spokesman,"): a card is never invented. A KB entity gets
a card only when the story is about it (``about``): a title names it, or the story's articles
put it forward in their leads or by naming it again and again (the brief's own headline and
"What's happened" count as one more such lead), not when they name it once in passing, further
down.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import people as P
from services.compose import text as T
from services.compose.candidates import ArticleMemo
from services.compose.context import Backing, backed, backings
from services.compose.kb import Entity, name_words

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


# Words before a name that are no part of it ("Cllr Janet Roper", "Dr Ana Ruiz").
_HONORIFICS = frozenset(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Cllr", "Councillor", "Prof"])


@dataclass(frozen=True)
class ArticleEntities:
    """The entities one article names: KB ids in its title, lead and head, unknown described
    names."""

    title: frozenset[str]
    mentions: tuple[str, ...]  # once per mention, in order
    appositives: tuple[tuple[str, str], ...]
    lead: frozenset[str] = frozenset()  # named in the summary or the first paragraphs
    # What the article puts forward (``put_forward``), worked out once with the rest.
    prominent: frozenset[str] = frozenset()


def put_forward(
    title: frozenset[str], lead: frozenset[str], mentions: Sequence[str]
) -> frozenset[str]:
    """The KB entities an article puts forward: in its title or lead, or named more than once.
    A name said once further down is mentioned in passing."""
    twice = {e for e, n in Counter(mentions).items() if n > 1}
    return title | lead | twice


def entities_bytes(found: ArticleEntities) -> int:
    """Approximate bytes an article's entity analysis holds with its memo entry (fitted with
    tracemalloc on the sample corpus and the bench story); entity ids are the KB's strings."""
    described = sum(len(name) + len(desc) for name, desc in found.appositives)
    return (
        700
        + 60 * len(found.title)
        + _set_bytes(found.lead)
        + _set_bytes(found.prominent)
        + 10 * len(found.mentions)
        + 170 * len(found.appositives)
        + described
    )


def _set_bytes(entity_ids: frozenset[str]) -> int:
    # A frozenset's table grows in steps (CPython: 216 bytes up to 4 entries, 728 up to 18);
    # an empty one is shared.
    return 0 if not entity_ids else 216 if len(entity_ids) <= 4 else 728


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
        bare: set[str] = set()
        for surname, ids in surnames.items():
            # "Zelensky" alone names him only if no other KB person has it; a regnal number
            # or "Jr" is no surname ("Charles III" is not the "III" of "LaCalamita III").
            if len(ids) == 1 and surname not in names and not _SUFFIX_RE.match(surname):
                names[surname] = next(iter(ids))
                bare.add(surname)
        self._names, self._phrases = names, phrases
        self._names_finder = _AliasFinder(names, str, frozenset(bare))
        self._phrases_finder = _AliasFinder(phrases, str.lower)
        self.memo: ArticleMemo[ArticleEntities] = ArticleMemo(size=entities_bytes)
        # Entities whose names alone do not settle a link ("GM", "Democratic Party"): what a
        # story must hold for their cards (``context``).
        self._backings: dict[str, Backing] = backings(entities, self.known)

    @cached_property
    def name_words(self) -> frozenset[str]:
        """The words this KB writes as names on their own (``kb.name_words``), worked out once."""
        return name_words(self.entities.values())

    def known(self, text: str) -> list[str]:
        """KB entity ids named in a text, in order of appearance."""
        text = _one_line(text)
        found = self._names_finder.scan(text)
        # Phrases ("the Ukrainian president") match in any case.
        found += self._phrases_finder.scan(text.lower())
        return [entity_id for _, entity_id in sorted(found)]

    def analysed(
        self, article: pb.Article, in_kb: dict[str, bool] | None = None
    ) -> ArticleEntities:
        """What an article names: done once per article version, then remembered.

        ``in_kb`` remembers, across the articles of one story analysed together, whether an
        appositive's name is a KB name: the same people are described in article after article.
        """
        cached = self.memo.get(article)
        if cached is None:
            in_kb = {} if in_kb is None else in_kb
            head = _head(article)
            # The lead and the rest are scanned apart (no name runs across a paragraph
            # break), so knowing where names stand costs no second scan.
            lead_end = _lead_end(article, head)
            lead = self.known(head[:lead_end])
            unknown = []
            for name, description in appositives(head):
                known = in_kb.get(name)
                if known is None:
                    known = in_kb[name] = bool(self.known(name))
                if not known:
                    unknown.append((name, description))
            title = frozenset(self.known(article.title))
            mentions = (*lead, *self.known(head[lead_end:]))
            cached = ArticleEntities(
                title=title,
                mentions=mentions,
                appositives=tuple(unknown),
                lead=frozenset(lead),
                prominent=put_forward(title, frozenset(lead), mentions),
            )
            self.memo.put(article, cached)
        return cached

    def article_entities(self, article: pb.Article) -> tuple[str, ...]:
        """KB entity ids an article names, once per mention (cached: articles never change)."""
        return self.analysed(article).mentions

    def article_appositives(self, article: pb.Article) -> tuple[tuple[str, str], ...]:
        """(name, description) appositives of an article naming no KB entity (cached)."""
        return self.analysed(article).appositives

    def clear_caches(self) -> None:
        """Forget every article's analysis (benchmarks time a cold start with it)."""
        self.memo.clear()

    def cards(
        self, articles: Sequence[pb.Article], printed: Sequence[str] = ()
    ) -> list[pb.EntityCard]:
        """Cards of what the story is about: KB entities it puts forward (``about``), most
        mentioned first, then described unknown ones.

        ``printed`` is what the brief itself leads with (its headline and "What's happened"):
        the story's own lead, so it puts forward what it names like one more article's lead.
        """
        # Weight: articles naming the entity, plus its mentions, plus a bonus for titles.
        counts: Counter[str] = Counter()
        prominent: Counter[str] = Counter()  # articles putting the entity forward
        titles: set[str] = set()
        in_kb: dict[str, bool] = {}  # appositive name -> a KB name? (shared by the story)
        for a in articles:
            found = self.analysed(a, in_kb)
            titles |= found.title
            counts.update(found.mentions)
            counts.update(found.title.union(found.mentions))
            prominent.update(found.prominent)
        prominent.update(self.named_in(printed))
        story_text = _StoryText(articles)
        cards = [
            self.kb_card(entity_id)
            for entity_id in counts
            if about(entity_id in titles, prominent[entity_id], len(articles))
            and (
                entity_id not in self._backings
                or backed(self._backings[entity_id], counts, story_text)
            )
        ]
        mined = mined_cards(articles, self)
        cards += mined
        weight = {c.entity_id: counts.get(c.entity_id, 0) for c in cards}
        weight.update({c.entity_id: 2 * len(c.article_ids) + 1 for c in mined})
        cards.sort(
            key=lambda c: (-(weight[c.entity_id] + (1 if c.entity_id in titles else 0)), c.name)
        )
        return cards

    def named_in(self, texts: Sequence[str]) -> set[str]:
        """KB entities named in any of a few short texts (each scanned on its own, so no name
        runs from one into the next)."""
        return {entity_id for text in texts for entity_id in self.known(text)}

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


class _StoryText:
    """All of a story's titles and heads in one text, joined the first time it is asked for."""

    def __init__(self, articles: Sequence[pb.Article]):
        self._articles = articles
        self._text: str | None = None

    def __call__(self) -> str:
        if self._text is None:
            self._text = _one_line("\n\n".join(f"{a.title}\n\n{_head(a)}" for a in self._articles))
        return self._text


def about(in_a_title: bool, putting_forward: int, story_articles: int) -> bool:
    """True when a story is about a KB entity, so that it gets a card (and may anchor a hub):
    a title names it, or enough of the story's articles put it forward (in their lead, or by
    naming it more than once). A name each article says once, further down, is in passing
    ("the storm moved on towards Norway", "backed by France, Spain and Italy") however many
    articles say it. Names mined from appositives are introduced on purpose and not asked."""
    return in_a_title or putting_forward >= _needed(story_articles)


def _needed(story_articles: int) -> int:
    # One article of a small story is a fair share of it; in a larger one a single article's
    # lead may be about something else (an explainer's aside, another outlet's angle).
    return 1 if story_articles < MIN_ARTICLES_FOR_CARDS_BY_SUPPORT else 2


MIN_ARTICLES_FOR_CARDS_BY_SUPPORT = 4
# The lead: a news article says who and what in its first paragraph, and the paragraph after
# it (the wire's second paragraph, an explainer's answer to its first question) completes it.
LEAD_PARAGRAPHS = 2


class _AliasFinder:
    """Aliases (as written, or folded to lower case) found as whole words in a text.

    Whitespace in text and aliases is collapsed first, so "Brightwater &\nCo" still names
    Brightwater & Co; an alias that starts or ends with a letter or digit must not continue a
    longer word ("Peru" is not found in "Peruvian"), while one ending in punctuation needs no
    boundary ("U.S." in "U.S.-led").

    Every alias goes into one Aho-Corasick automaton (built once with the linker): one
    pass in compiled code finds every occurrence of every alias, so a text is neither split into
    words nor searched once per alias; only the few raw hits are checked in Python.
    """

    def __init__(self, aliases: dict[str, str], fold, bare: frozenset[str] = frozenset()):
        patterns: list[str] = []
        self._entries: list[tuple[bool, bool, str, bool]] = []
        seen: set[str] = set()
        for alias, entity_id in aliases.items():
            text = T.normalise_space(fold(alias))
            if not text or text in seen:
                continue  # the first entity to claim an alias keeps it
            seen.add(text)
            patterns.append(text)
            self._entries.append((_is_word(text[0]), _is_word(text[-1]), entity_id, alias in bare))
        # Searched as bytes: the library's search of a str first maps its every byte to a
        # character index, which costs more than the search on an article's head.
        self._automaton = T.Patterns(patterns, dfa=_dfa(patterns)) if patterns else None

    def scan(self, text: str) -> list[tuple[int, str]]:
        """(start, entity id) of non-overlapping whole-word matches, leftmost-longest.

        ``text`` is whitespace-normalised.
        """
        if self._automaton is None:
            return []
        hits: list[tuple[int, int, str]] = []
        entries, n = self._entries, len(text)
        for index, start, end in self._automaton.matches(text):
            word_start, word_end, entity_id, surname = entries[index]
            if word_start and start > 0:
                before = text[start - 1]
                if before.isalnum() or before == "_":
                    continue  # continues a longer word: "Peru" in "Peruvian"
            if word_end and end < n:
                after = text[end]
                if after.isalnum() or after == "_":
                    continue
            if surname and not _surname_alone(text, start, end):
                continue  # "Cook" of "Mt Cook", "Abbas" of "Bandar Abbas": another name
            hits.append((start, start - end, entity_id))
        hits.sort()
        found: list[tuple[int, str]] = []
        end_of_last = 0
        for start, negative_length, entity_id in hits:
            if start >= end_of_last:  # not inside the previous match
                found.append((start, entity_id))
                end_of_last = start - negative_length
        return found


# A DFA scans fastest but holds a row per state (about one per pattern character): past this
# many characters of aliases (a KB grown by Wikidata imports) the library picks a leaner form.
DFA_MAX_PATTERN_CHARS = 100_000


def _dfa(patterns: list[str]) -> bool:
    return sum(map(len, patterns)) <= DFA_MAX_PATTERN_CHARS


def _one_line(text: str) -> str:
    """``T.normalise_space(text)`` without splitting a long text into hundreds of words when it
    is plain prose: single spaces, with newlines between paragraphs."""
    flat = text.replace("\n\n", " ").replace("\n", " ")
    if "  " not in flat and T.spaces_only(flat):
        return flat.strip(" ")
    return T.normalise_space(text)


# Regnal numbers and generational suffixes end a name without being a surname.
_SUFFIX_RE = re.compile(r"^(?:[IVX]+|Jr\.?|Sr\.?)$")
# Words a bare surname may follow and still name the person ("Mr Cook", "President Abbas").
_BEFORE_SURNAME = P.TITLES | frozenset(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Mr.", "Mrs."])
# Abbreviations that run on into a place's name: "Mt. Cook" is the mountain.
_PLACE_ABBREVIATIONS = frozenset(["Mt.", "St.", "Ft."])


def _surname_alone(text: str, start: int, end: int) -> bool:
    """True when a KB person's bare surname found at text[start:end] stands as a name of its
    own: not the last word of a longer capitalised name ("Mt Cook", "Bandar Abbas") unless a
    title ("Mr Cook"), nor the first of one ("Cook National Park")."""
    if start > 1 and text[start - 1] == " ":
        before = text[text.rfind(" ", 0, start - 1) + 1 : start - 1]
        if _name_word_before(before):
            return False
    if end + 1 < len(text) and text[end] == " ":
        after = text[end + 1 :].split(" ", 1)[0]
        # A capitalised word right after ("Cook Strait"), not an agency's capitals ("AP").
        if after[:1].isupper() and after.isalpha() and not after.isupper():
            return False
    return True


def _name_word_before(word: str) -> bool:
    """True when a word right before a surname makes it part of another name: a capitalised
    word that is no title or possessive, with no punctuation between ("Mt", "Bandar"; not
    "Mr", "Apple's", "Kyiv," or a sentence's end)."""
    if not word[:1].isupper() or word in _BEFORE_SURNAME or word[-2:] in ("'s", "’s"):
        return False
    return word[-1].isalnum() or word in _PLACE_ABBREVIATIONS


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _head(article: pb.Article) -> str:
    return (article.summary + "\n" + article.text)[:MAX_CHARS]


def _lead_end(article: pb.Article, head: str) -> int:
    """Where an article's lead (its summary and first ``LEAD_PARAGRAPHS`` paragraphs) ends in
    its head, at a paragraph break."""
    at = 0  # in the text, which the head holds after the summary and a newline
    for _ in range(LEAD_PARAGRAPHS):
        brk = article.text.find("\n\n", at)
        if brk < 0:
            return len(head)
        at = brk + 2
    return min(len(article.summary) + 1 + at, len(head))


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


# Every appositive holds one of these markers right after its name. A name is at most seven
# runs of word characters, apostrophes and hyphens (four capitalised words and three "of", "de"
# or "von"; an opening initial such as "J." ends the runs), so it starts within the last seven
# such runs before its marker, which a match on the reversed text finds.
_MARKER_RE = re.compile(r", (?:the|a|an) ")
_NAME_RUNS_BACK_RE = re.compile(r"[\w'’-]*(?:\s+[\w'’-]+){0,6}\s*")
# The longest stretch of an appositive after its name: ", " + article + " " + 70 + ",".
_AFTER_NAME = 80


def appositives(text: str) -> list[tuple[str, str]]:
    """(name, description) pairs such as ("Dmitry Peskov", "The Kremlin spokesman.")."""
    out = []
    for m in _appositive_matches(text):
        name = m.group("name")
        first = name.split()[0]
        if first in _NOT_NAMES:
            continue
        words_ = name.split()
        while len(words_) > 2 and words_[0].rstrip(".") in _HONORIFICS:
            words_.pop(0)  # "Cllr Janet Roper" is Janet Roper: a card names, as the KB does
        desc = m.group("desc")
        # Printed as the KB's descriptions are: a capital and a full stop.
        out.append((" ".join(words_), desc[0].upper() + desc[1:] + "."))
    return out


def _appositive_matches(text: str) -> Iterator[re.Match]:
    """Exactly ``_APPOSITIVE_RE.finditer(text)``, trying the pattern only near its markers.

    The pattern alone is tried at every capital letter of a 6,000-character head; here it is
    tried only from the earliest start a name ending at the next marker could have; a name
    cannot contain the comma of a marker, so no match starting earlier is missed.
    """
    reverse: str | None = None
    pos = 0
    while True:
        marker = _MARKER_RE.search(text, pos + 1)
        if marker is None:
            return
        at = marker.start()  # where a name found before this marker must end
        if reverse is None:
            reverse = text[::-1]
        if not _capitalised_word_before(text, reverse, at):
            pos = at  # most markers follow a lower-case word: no name ends there
            continue
        run = _NAME_RUNS_BACK_RE.match(reverse, len(text) - at).end() - (len(text) - at)
        start = max(pos, at - run - 2)  # 2: an opening initial's capital and period
        found = _APPOSITIVE_RE.search(text, start, at + _AFTER_NAME)
        if found is not None and found.start() <= at:
            yield found
            pos = found.end()
        else:
            pos = at  # nothing ends its name here; later names start after this comma


_LAST_RUN_RE = re.compile(r"[\w'’-]+")


def _capitalised_word_before(text: str, reverse: str, at: int) -> bool:
    """True when the run of name characters ending at ``at`` can be a name's last word: the
    pattern's last word is a capital and one or more name characters after a space (a name
    cannot end in "of" or an initial), and nothing but the marker may follow it."""
    run = _LAST_RUN_RE.match(reverse, len(text) - at)
    if run is None:
        return False
    first = at - (run.end() - run.start())
    return at - first >= 2 and "A" <= text[first] <= "Z" and first > 0 and text[first - 1].isspace()


def _kind(name: str, description: str) -> str:
    words_ = {w.lower() for w in T.words(description)}
    if words_ & _PERSON_NOUNS:
        return "person"
    if {w.lower() for w in T.words(name)} & _ORG_WORDS:
        return "organisation"
    return "other"


def _slug(name: str) -> str:
    return "-".join(w.lower() for w in T.words(name))
