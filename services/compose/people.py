"""People a story names, and the forms its articles introduce them in.

A brief is read on its own: a person it quotes as "Salas said" must have been named in full
("INDECI head Rodrigo Salas") earlier in the brief (brief.PeopleNamer applies this).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from .text import CALENDAR_NAMES, STOPWORDS, words

_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:['’-][{_UPPER}{_LOWER}][{_LOWER}]+)*"
# A capitalised run: names and acronyms one space apart ("UN Special Envoy Amara Lindqvist").
_CAPITAL_RUN_RE = re.compile(
    rf"(?<![\w'’-])(?:(?:[A-Z]{{2,}}|{_NAME_WORD}) )*{_NAME_WORD}(?=['’]s\b|[^\w'’-]|$)"
)
# Words that put a name in its place but do not say who it is.
_HONORIFICS = frozenset(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"])
_HONORIFIC_BEFORE_RE = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.? $")
# Titles that, before a surname, say who the person is ("Chancellor Voss"); papers keeps
# them with the name too.
TITLES = frozenset(
    words(
        "President Prime Chancellor King Queen Prince Princess Pope General Sir Dame Lord Judge "
        "Senator Governor Mayor Minister Secretary Professor Speaker Premier Commissioner "
        "Ambassador Councillor Inspector Commander"
    )
)
_ROLE_TITLES = TITLES | frozenset(
    words(
        "Envoy Director Chairman Chairwoman Chair Archbishop Bishop Cardinal Captain Colonel "
        "Sergeant Constable Superintendent Cllr"
    )
)
# Words that end an organisation's or a place's name, never a person's ("Police Scotland").
_NOT_PERSON_WORDS = frozenset(
    words(
        "Police Bank Group Council Committee Office Agency Association Ministry Department "
        "University College School Party Union Institute Service Services Authority Board "
        "Company Corporation Capital Partners Holdings Networks Network Foundation Trust Court "
        "Parliament Assembly Government Commission Fund Federation Organisation Organization "
        "Alliance Cloud Retail Advisory Securities Crescent Cross Energy Airways Airlines Street "
        "Road Square Bridge House "
        "Hall Park Port River Sea Ocean Island Islands Valley Mountains Coast Republic Kingdom "
        "States Region Province District County City Town Centre Center Station Airport Hospital "
        "North South East West Northern Southern Eastern Western Central New Old Great Storm"
    )
)
# Nouns a tabloid writes before a name ("Backpacker Chloe Benson", "Mum-of-three Jade ..."):
# they describe the person, they are no part of the name.
_PERSON_NOUNS = frozenset(
    words(
        "Backpacker Pensioner Granny Gran Grandma Grandad Grandmother Grandfather Mum Dad Mother "
        "Father Widow Widower Tot Toddler Teen Teenager Schoolgirl Schoolboy Student Nurse Pupil "
        "Victim Hero Tourist Holidaymaker Shopper Commuter Motorist Driver Worker Resident "
        "Teacher Farmer Boss"
    )
)
# Verbs that, right after a name, make it a person speaking or acting.
_PERSON_VERBS = frozenset(
    words(
        "said says told added warned insisted acknowledged admitted argued announced explained "
        "wrote writes noted called urged described confirmed denied replied asked claimed "
        "conceded stressed believes thinks hopes wants"
    )
)
_AFTER_NAME_RE = re.compile(r"^(?:['’]s)?,? ?([a-z]+)\b")
# ", the head of INDECI," / ", a structural engineer in Arequipa," / ", chair of the ...,".
_APPOSITIVE_RE = re.compile(
    r"^, ((?:the|a|an) [^,;:.\"“”()\d]{2,80}?|[a-z]+(?: [a-z]+)? of [^,;:.\"“”()\d]{2,60}?)"
    r"(?:,|\.$|\.\s)"
)
# "the UN Special Envoy, " just before the name.
_ROLE_BEFORE_RE = re.compile(r"\b((?:[Tt]he|an?|An?) [^,;:.\"“”()\d]{2,60}), $")
# "INDECI head ", "Ofgem chief executive ", "AFAD spokesperson " just before the name.
_ROLE_NOUNS = frozenset(
    words(
        "head chief executive spokesperson spokeswoman spokesman minister director chair "
        "chairman chairwoman leader secretary governor envoy official president commissioner "
        "manager economist analyst"
    )
)
_PREMODIFIER_RE = re.compile(rf"((?:(?:[A-Z]{{2,}}|{_NAME_WORD})(?:['’]s)? )+(?:[a-z]+ ){{1,3}})$")
_AGE_OR_WHO_RE = re.compile(r"^, (?:\d{1,3},|who\b)")
_SAID_BEFORE_RE = re.compile(r"\b(?:said|says|according to)\s$")
# How an introduction reads, best first: compact forms keep the sentence's shape.
PREMODIFIED, TITLED, APPOSITIVE, ROLE_BEFORE, FULL = range(5)


class NameForm(NamedTuple):
    """One way the story's articles name a person in full."""

    kind: int  # PREMODIFIED ... FULL, best first
    text: str  # "INDECI head Rodrigo Salas", "Rodrigo Salas, the head of INDECI,"
    source: str  # the id of the article it was found in


@dataclass
class Person:
    """Someone the story names: a surname, the full name, the forms that introduce them."""

    surname: str
    name: str = ""  # the shortest full name found ("Rodrigo Salas")
    forms: list[NameForm] = field(default_factory=list)
    evidence: bool = False  # the story shows a person: speaking, "Ms X", "X, a ...,"
    honorific: bool = False  # the story writes "Ms X": a person, even with no full name

    def introduction(self, source: str = "", possessive: bool = False) -> NameForm | None:
        """The best form to introduce them by: one saying who they are, as ``source`` (the
        article the sentence is from) gives it if it does, else as the story first does.
        Before "'s" only a form ending in the name fits."""
        fit = [f for f in self.forms if not possessive or f.kind in (PREMODIFIED, TITLED, FULL)]
        order = {f: i for i, f in enumerate(fit)}
        return min(
            fit, key=lambda f: (f.kind == FULL, f.source != source, f.kind, order[f]), default=None
        )


class _Run(NamedTuple):
    words: list[str]
    start: int
    end: int


def _runs(text: str) -> Iterator[_Run]:
    for m in _CAPITAL_RUN_RE.finditer(text):
        yield _Run(m.group().split(" "), m.start(), m.end())


def _given_like(word: str, lowercase: Container[str]) -> bool:
    """True for a word that can be part of a person's given name: capitalised, no acronym,
    title, honorific, weekday or organisation word, and never written in lower case."""
    return (
        not word.isupper()
        and "-of-" not in word
        and word not in _PERSON_NOUNS
        and word not in _HONORIFICS
        and word not in _ROLE_TITLES
        and word not in _NOT_PERSON_WORDS
        and word not in CALENDAR_NAMES
        and word.lower() not in STOPWORDS
        and word.lower() not in lowercase
    )


def _surname_like(word: str, lowercase: Container[str]) -> bool:
    return _given_like(word, lowercase) and len(word) > 1


def lowercase_words(texts: Iterable[str]) -> frozenset[str]:
    """The words the texts write in lower case: common words, never a surname."""
    return frozenset().union(*map(_lowercase_words, texts))


@lru_cache(maxsize=4096)
def _lowercase_words(text: str) -> frozenset[str]:
    # Remembered by text: each rebuild of a story asks again of the same articles.
    return frozenset(w for w in words(text) if w[:1].islower())


def lone_names(text: str) -> set[str]:
    """Capitalised words a text writes with no name before them ("Salas said", "Ms
    Lindqvist"): the only words that can be a bare surname in it."""
    out = set()
    for run in _runs(text):
        last = run.words[-1]
        if len(run.words) == 1 or run.words[-2] in _HONORIFICS or run.words[-2].isupper():
            if last not in CALENDAR_NAMES and last.lower() not in STOPWORDS:
                out.add(last)
        elif run.words[-2].lower() in STOPWORDS:  # "The Salas ..." opening a sentence
            out.add(last)
    return out


def full_names(text: str) -> set[str]:
    """Last words of the capitalised runs a text writes after another name word ("Henrik
    Aalto", "EU Energy Commissioner Henrik Aalto"): the surnames it may name someone by in
    full."""
    out = set()
    for run in _runs(text):
        if len(run.words) > 1 and run.words[-2] not in _HONORIFICS and not run.words[-2].isupper():
            out.add(run.words[-1])
    return out


def story_people(
    texts: Sequence[tuple[str, str]], only: Iterable[str] | None = None
) -> dict[str, Person]:
    """Surname -> Person for everyone the story's texts ((article id, text) pairs, oldest
    first) name in full and show as a person; forms in the order the texts give them.
    ``only``: the surnames worth asking about (a brief's ``lone_names``); None for all."""
    indexes = [(source, text, _runs_by_surname(text)) for source, text in texts]
    wanted = sorted({s for _, _, index in indexes for s in index}) if only is None else sorted(only)
    people: dict[str, Person] = {}
    lowercase: frozenset[str] | None = None
    for surname in wanted:
        found = [
            (source, text, run) for source, text, index in indexes for run in index.get(surname, ())
        ]
        # Only a surname the story ever writes after another capitalised word ("Rodrigo
        # Salas", "Ms Lindqvist") can be a person's: "Peru" alone is read no further.
        if not any(len(run.words) > 1 for _, _, run in found):
            continue
        if lowercase is None:
            lowercase = lowercase_words(t for _, t in texts)
        for source, text, run in found:
            _read_run(text, run, source, lowercase, people)
    return {s: p for s, p in people.items() if (p.name and p.evidence) or p.honorific}


@lru_cache(maxsize=4096)
def _runs_by_surname(text: str) -> dict[str, tuple[_Run, ...]]:
    """A text's capitalised runs by their last word; remembered by text, as each rebuild of a
    story asks again of the same articles."""
    index: dict[str, list[_Run]] = {}
    for run in _runs(text):
        index.setdefault(run.words[-1], []).append(run)
    return {surname: tuple(runs) for surname, runs in index.items()}


def _read_run(text: str, run: _Run, source: str, lowercase, people: dict[str, Person]) -> None:
    surname = run.words[-1]
    if not _surname_like(surname, lowercase):
        return
    before, after = text[max(0, run.start - 80) : run.start], text[run.end : run.end + 100]
    core = len(run.words) - 1
    while core > 0 and _given_like(run.words[core - 1], lowercase):
        core -= 1
    honorific = len(run.words) >= 2 and run.words[-2] in _HONORIFICS
    if core == len(run.words) - 1 and not honorific and len(run.words) > 1:
        return  # "Police Scotland", "Chancellor Voss": no given name, no bare surname
    person = people.setdefault(surname, Person(surname))
    verb = _AFTER_NAME_RE.match(after)
    if honorific or _HONORIFIC_BEFORE_RE.search(before):
        person.honorific = person.evidence = True
    if (
        person.evidence
        or (verb is not None and verb.group(1) in _PERSON_VERBS)
        or _SAID_BEFORE_RE.search(before)
        or _AGE_OR_WHO_RE.match(after)
        or _APPOSITIVE_RE.match(after)
    ):
        person.evidence = True
    if core == len(run.words) - 1:
        return  # a bare "Salas" or "Ms Lindqvist": evidence only
    name = " ".join(run.words[core:])
    if not person.name or len(name) < len(person.name):
        person.name = name
    forms = person.forms
    appositive = _APPOSITIVE_RE.match(after)
    if appositive:
        forms.append(NameForm(APPOSITIVE, f"{name}, {appositive.group(1)},", source))
    role = _ROLE_BEFORE_RE.search(before) if after.startswith(",") else None
    if role and len(role.group(1).split()) <= 6 and any(w[:1].isupper() for w in role.group(1)):
        phrase = role.group(1)
        forms.append(NameForm(ROLE_BEFORE, f"{phrase[:1].lower()}{phrase[1:]}, {name},", source))
    titles = [w for w in run.words[:core] if w not in _PERSON_NOUNS and "-of-" not in w]
    if titles and titles[0] not in _HONORIFICS and titles[0].lower() not in STOPWORDS:
        forms.append(NameForm(TITLED, " ".join([*titles, name]), source))
    premodifier = _premodifier(before) if core == 0 else None
    if premodifier:
        forms.append(NameForm(PREMODIFIED, f"{premodifier} {name}", source))
    forms.append(NameForm(FULL, name, source))


def _premodifier(before: str) -> str | None:
    """The role written just before a name ("INDECI head", "Ofgem chief executive"), if any."""
    m = _PREMODIFIER_RE.search(before)
    if m is None:
        return None
    found = m.group(1).split()
    if found[-1] not in _ROLE_NOUNS:
        return None
    while found and (found[0] in CALENDAR_NAMES or found[0].lower() in STOPWORDS):
        found.pop(0)  # "On Monday INDECI head ...": the day is no part of the role
    lowered = [w for w in found if w[:1].islower()]
    if not found or len(lowered) == len(found):
        return None
    if not all(w in _ROLE_NOUNS or w not in STOPWORDS for w in lowered):
        return None
    if found[0].lower() in _ROLE_NOUNS:
        found[0] = found[0].lower()  # "Chief executive ..." opened its sentence
    return " ".join(found)


class Mention(NamedTuple):
    """Where a sentence names one of the story's people."""

    surname: str
    start: int  # where the mention starts (its honorific, if any)
    end: int  # just after the surname
    bare: bool  # surname only ("Salas", "Ms Lindqvist"): it does not say who


def mentions(sentence: str, people: Container[str]) -> list[Mention]:
    """The sentence's mentions of the story's people, in order."""
    out = []
    for run in _runs(sentence):
        surname = run.words[-1]
        if surname not in people:
            continue
        start = run.end - len(surname)
        previous = run.words[-2] if len(run.words) > 1 else ""
        if previous in _HONORIFICS:
            out.append(Mention(surname, start - len(previous) - 1, run.end, True))
        elif previous and (previous in _ROLE_TITLES or previous[:1].isupper()):
            bare = previous.lower() in STOPWORDS or previous.isupper()  # "The Salas..." "UN"
            out.append(Mention(surname, start, run.end, bare and previous not in _ROLE_TITLES))
        else:
            honorific = _HONORIFIC_BEFORE_RE.search(sentence, 0, start)
            at = honorific.start() if honorific else start
            out.append(Mention(surname, at, run.end, True))
    return out


def introduce(sentence: str, mention: Mention, form: NameForm) -> str:
    """The sentence with a bare mention replaced by a form that says who the person is."""
    text = form.text
    following = sentence[mention.end : mention.end + 1]
    if text.endswith(",") and (following in ",.;:!?" or following == ""):
        text = text[:-1]  # "... said Rodrigo Salas, the head of INDECI." (no double comma)
    if not sentence[: mention.start].strip(" \"“‘'("):
        text = text[:1].upper() + text[1:]  # it opens the sentence
    return sentence[: mention.start] + text + sentence[mention.end :]


# Words after which a surname alone reads as well as the full name: verbs of saying and
# prepositions ("said Aalto", "according to Aalto", "that Aalto"). After others it may not:
# "the Aalto", "former minister Aalto", "running back Bush", "Work and Aalto".
_LEAD_INS = frozenset(
    words(
        "said says told added asked urged thanked met called by to with from for against between "
        "as that while when after before than like whom including"
    )
)
# A publication's name is no person's, whatever a story's verbs suggest ("the Washington
# Post wrote"): its last word is never cut to.
_PUBLICATION_WORDS = frozenset(
    words(
        "Post Times Journal Herald News Mail Telegraph Guardian Express Star Sun Tribune Gazette "
        "Press Ledger Courier Review Chronicle Observer Standard Independent Economist"
    )
)
_CLOSING_QUOTES = ('"', "”", "’", "'")
# A capitalised word and a joiner just before a title: the title's own first words ("Work
# and " of "Work and Pensions Secretary"); not a plural, which is more people ("Ministers and
# Energy Commissioner Henrik Aalto").
_JOINED_TITLE_RE = re.compile(rf"(?<![\w'’-])(?:[A-Z]{{2,}}|{_NAME_WORD})(?<!s) (?:and|of|for|&) $")


def second_reference(sentence: str, mention: Mention, person: Person) -> str:
    """The sentence with a full introduction of someone the brief has already introduced
    ("EU Energy Commissioner Henrik Aalto told ...") cut to the surname ("Aalto told ..."),
    as an editor refers to a person the second time; unchanged unless the introduction opens
    the sentence or follows a quotation or a lead-in such as "said" or "by" (``_LEAD_INS``)."""
    if person.surname in _PUBLICATION_WORDS:
        return sentence
    compact = (f.text for f in person.forms if f.kind in (PREMODIFIED, TITLED, FULL))
    for form in sorted(set(compact), key=lambda t: (-len(t), t)):
        start = mention.end - len(form)
        if start < 0 or sentence[start : mention.end] != form or form == person.surname:
            continue
        while form != person.name and (joined := _JOINED_TITLE_RE.search(sentence, 0, start)):
            start = joined.start()  # "Work and " of "Work and Pensions Secretary Liam Ferris"
        if _stands_clear(sentence[:start]):
            return sentence[:start] + person.surname + sentence[mention.end :]
    return sentence


def _stands_clear(before: str) -> bool:
    """True when what precedes a name lets it be cut: the sentence's start, a closing quote
    ('..." EU Commissioner X said') or a verb of saying or a preposition (``_LEAD_INS``)."""
    if not before.strip(" \"“‘'("):
        return True
    if not before.endswith(" "):
        return False
    word = before.rstrip().rsplit(None, 1)[-1]
    if word.endswith(_CLOSING_QUOTES):
        return True
    return word in _LEAD_INS


def quoted_at(sentence: str, at: int) -> bool:
    """True when position ``at`` of a sentence falls inside a quotation."""
    before = sentence[:at]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")
