""" "What the papers say": one attributed line per publisher, in reported speech."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose import text as T
from services.compose.candidates import (
    _DATELINE_RE,
    ANALYSIS,
    Candidate,
    has_first_person,
    near_repeat,
    publisher,
    seconds,
)

FACT_VERBS = ("reports", "notes", "says", "writes", "points out", "highlights")
ANALYSIS_VERBS = ("argues", "observes", "notes", "writes", "says")
_LEADING_CONNECTIVES_RE = re.compile(
    r"^(?:but|and|so|however|meanwhile|still|yet|also|in addition|moreover|now)\b,?\s+",
    re.IGNORECASE,
)
_TITLES = frozenset(
    [
        "President",
        "Prime",
        "Chancellor",
        "King",
        "Queen",
        "Prince",
        "Princess",
        "Pope",
        "General",
        "Sir",
        "Dame",
        "Lord",
        "Judge",
        "Senator",
        "Governor",
        "Mayor",
        "Minister",
        "Secretary",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Professor",
    ]
)
# Lower-cased when they open the paraphrased clause ("The quake..." -> "the quake...").
_COMMON_OPENERS = T.STOPWORDS | frozenset(
    [
        "officials",
        "police",
        "authorities",
        "residents",
        "rescuers",
        "rescue",
        "emergency",
        "prices",
        "talks",
        "troops",
        "leaders",
        "lawmakers",
        "investors",
        "markets",
        "scientists",
        "doctors",
        "experts",
        "analysts",
        "critics",
        "voters",
        "several",
        "many",
        "some",
        "at",
        "least",
        "more",
        "than",
        "about",
        "nearly",
        "almost",
    ]
)


def papers_say(
    articles: Sequence[pb.Article],
    candidates: Sequence[Candidate],
    used: Sequence[Candidate],
    max_lines: int,
) -> list[pb.PaperLine]:
    """One line per publisher (wire copies and editions counted once), up to max_lines."""
    by_id = {a.article_id: a for a in articles}
    originals = [a for a in articles if not (a.duplicate_of and a.duplicate_of in by_id)]
    groups: dict[str, list[pb.Article]] = {}
    for a in sorted(originals, key=lambda a: (seconds(a.published_at), a.article_id)):
        groups.setdefault(publisher(a), []).append(a)
    outlet_names = {a.outlet for a in articles if a.outlet} | {
        a.parent_outlet for a in articles if a.parent_outlet
    }
    proper = proper_vocabulary(c.text for c in candidates)
    lines: list[pb.PaperLine] = []
    chosen: list[Candidate] = []
    for own_articles in groups.values():
        if len(lines) >= max_lines:
            break
        pick = _best_line(own_articles, candidates, used, chosen, outlet_names)
        if pick is None:
            continue
        candidate, article = pick
        chosen.append(candidate)
        wording = candidate.by_article[article.article_id]
        verb = _verb(candidate, wording, len(lines), lines)
        text = attribute(article.outlet, verb, wording, proper)
        lines.append(
            pb.PaperLine(
                outlet=article.outlet, text=text, article_id=article.article_id, url=article.url
            )
        )
    return lines


def _best_line(own_articles, candidates, used, chosen, outlet_names):
    own_ids = {a.article_id: a for a in own_articles}
    allowed = (
        outlet_names - {a.outlet for a in own_articles} - {a.parent_outlet for a in own_articles}
    )
    best = None
    for c in candidates:
        article_id = next((i for i in c.article_ids if i in own_ids), None)
        if article_id is None:
            continue
        wording = c.by_article[article_id]
        if not reportable(wording) or any(name in wording for name in allowed):
            continue  # never let a line carry another outlet's name
        if near_repeat(c, chosen):
            continue
        score = (
            c.score + (0.3 if len(c.publishers) == 1 else 0.0) + (0.15 if c.kind == ANALYSIS else 0)
        )
        score -= 0.4 if any(c is u for u in used) else 0.0
        if best is None or score > best[0]:
            best = (score, c, own_ids[article_id])
    return None if best is None else (best[1], best[2])


def reportable(sentence: str) -> bool:
    """True when a sentence can be turned into "X reports that ..." without garbling it."""
    n = len(sentence.split())
    if n < 7 or n > 45 or sentence.rstrip("\"'”’").endswith(("?", "!")):
        return False
    if sentence[0] in "\"“‘'(" or has_first_person(sentence) or _DATELINE_RE.match(sentence):
        return False
    return sentence.count('"') % 2 == 0 and sentence.count("“") == sentence.count("”")


def proper_vocabulary(sentences) -> frozenset[str]:
    """Words the story capitalises mid-sentence: names, kept capitalised at a clause start."""
    return frozenset(w for s in sentences for w in T.words(s)[1:] if w[:1].isupper())


def _verb(candidate: Candidate, wording: str, index: int, lines: Sequence[pb.PaperLine]) -> str:
    verbs = ANALYSIS_VERBS if candidate.kind == ANALYSIS else FACT_VERBS
    if " said " in wording or " says " in wording:
        verbs = tuple(v for v in verbs if v != "says")  # no "says that ... said"
    taken = {line.text for line in lines}
    for offset in range(len(verbs)):
        verb = verbs[(index + offset) % len(verbs)]
        if not any(f" {verb} that " in t for t in taken):
            return verb
    return verbs[index % len(verbs)]


def clause(sentence: str, proper: frozenset[str] = frozenset()) -> str:
    """The sentence as a "that" clause: connective dropped, first word lowered if common."""
    body = _LEADING_CONNECTIVES_RE.sub("", sentence.strip())
    body = body.rstrip()
    while body and body[-1] in ".!;:":
        body = body[:-1]
    first, _, rest = body.partition(" ")
    acronym = len(first) > 1 and first.isupper()
    if rest[:1].isupper():
        proper = proper | {first}  # "Police Scotland", "Energy Secretary": a name, keep it
    name = first in proper or first.removesuffix("'s") in proper or first in _TITLES
    if not acronym and (first.lower() in _COMMON_OPENERS or not name):
        first = first[0].lower() + first[1:]
    return (first + " " + rest).strip()


def attribute(outlet: str, verb: str, sentence: str, proper: frozenset[str] = frozenset()) -> str:
    """ "The Northern Ledger reports that ..." from an outlet, a verb and its own sentence."""
    body = clause(sentence, proper)
    end = "" if body.endswith(('"', "”", "’", "'")) else "."
    return f"{outlet} {verb} that {body}{end}"
