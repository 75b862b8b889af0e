"""The compose benchmark: a synthetic story of N articles, composed cold and warm."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from newsbrief.ids import article_id
from newsbrief.v1 import newsbrief_pb2 as pb

# The story as outlets tell it: each {a|b|c} is worded differently by different outlets, so
# articles share facts, figures and names (as a real story's do) but rarely a whole sentence.
# A bench whose articles repeated the same sentences would merge 900 sentences into a handful
# of candidates and time only the parse.
_TEMPLATES = [
    "A magnitude 7.1 earthquake {struck|hit|shook|rocked} southern Peru early on Friday, "
    "{killing|leaving dead} at least {n} people and {damaging|destroying} {hundreds of|scores of} "
    "homes in the Arequipa region.",
    "The quake was centred {40|about 40|roughly 40} kilometres south-west of the town of Chala at "
    "a depth of 28 kilometres, the US Geological Survey {said|reported}.",
    "Rescue teams were searching collapsed adobe houses in the village of {place}, where "
    "{most of the deaths|many of the victims|several deaths} were reported.",
    "President Dina Boluarte declared a state of emergency in {four|4} provinces and flew to "
    "{the area|the region|Chala} by helicopter on Friday {afternoon|evening}.",
    "The health ministry said {m} people had been {injured|hurt|wounded} and that {two|2} "
    "hospitals had been evacuated as a {precaution|safety measure}.",
    "{Engineers|Experts|Structural engineers} warned that older adobe buildings remain the main "
    "{risk|danger} in rural {areas|districts} because they collapse quickly in strong shaking.",
    "Peru sits on the Pacific Ring of Fire and was {hit|struck} by a magnitude 8.0 earthquake in "
    "2019 that killed two people.",
    "Whether the state of emergency brings lasting investment in {safer|sturdier} housing "
    "{remains to be seen|is unclear|is an open question}.",
    "Power and mobile phone service were {cut|knocked out|down} across {much of|parts of} the "
    "region for {several|a few|many} hours, officials in Arequipa said.",
    "{Local radio|A local broadcaster|Residents} reported long queues at petrol stations and "
    "{shops|markets} in {place} as people stocked up on {water|bottled water|food}.",
    "{name}, a {teacher|farmer|shopkeeper|nurse} in {place}, said the shaking lasted "
    "{almost a minute|about forty seconds|more than thirty seconds} and threw people down.",
    "The Peruvian {navy|navy's hydrographic service} said there was no {tsunami|tsunami risk} "
    "for the coast, although {fishermen|port workers} in Chala were told to stay ashore.",
    "At least {k} aftershocks were {recorded|registered|felt} overnight, the largest of magnitude "
    "{5.2|5.4|5.6}, according to the Geophysical Institute of Peru.",
    "The {Pan-American Highway|coastal highway} was blocked by {landslides|rockfalls} near "
    "{place}, cutting road access to several {villages|communities} for {hours|most of the day}.",
    "{Ministers|Officials|The government} said {k} tonnes of {aid|supplies|relief supplies}, "
    "including tents and blankets, would reach the worst-hit districts by {Saturday|the weekend}.",
    "{name} of the regional civil defence office said {k} families had spent the night outdoors "
    "in {place} for fear of further tremors.",
    "{Schools|Classes} in the {province|provinces} of Caraveli and Condesuyos will stay closed "
    "until {engineers|inspectors} have checked the buildings, the education ministry said.",
    "The {mining|copper mining} companies operating in the region said their {sites|mines} "
    "had not been {damaged|affected} and that {work|production} continued.",
    "{Critics|Opposition lawmakers|Analysts} say years of unregulated building have left "
    "{millions of|many} Peruvians living in homes that cannot withstand a strong quake.",
    "The {Red Cross|Peruvian Red Cross} said it had sent {k} volunteers to {place} and was "
    "{appealing|asking} for blood donations in Arequipa.",
]
_PLACES = ["Yauca", "Chala", "Atico", "Bella Union", "Acari", "Caraveli", "Chaparra", "Quicacha"]
_NAMES = [
    "Rosa Quispe",
    "Juan Mamani",
    "Luis Flores",
    "Ana Huaman",
    "Pedro Condori",
    "Maria Ccori",
    "Jorge Apaza",
    "Elena Ticona",
    "Carlos Choque",
    "Sofia Layme",
]
# Words outlets pick differently; each outlet has its own habits (so its copy is its own).
_SYNONYMS = {
    "people": ["people", "residents", "villagers", "victims"],
    "homes": ["homes", "houses", "dwellings", "buildings"],
    "region": ["region", "department", "province", "area"],
    "said": ["said", "stated", "announced", "told reporters", "confirmed"],
    "reported": ["reported", "recorded", "noted", "documented"],
    "officials": ["officials", "authorities", "administrators", "spokespeople"],
    "searching": ["searching", "combing", "digging through", "clearing"],
    "collapsed": ["collapsed", "fallen", "ruined", "wrecked"],
    "damage": ["damage", "destruction", "harm"],
    "town": ["town", "city", "port", "settlement"],
    "village": ["village", "hamlet", "community", "district"],
    "night": ["night", "evening", "hours of darkness"],
    "closed": ["closed", "shut", "suspended"],
    "buildings": ["buildings", "structures", "constructions", "houses"],
    "warned": ["warned", "cautioned", "stressed", "argued"],
    "queues": ["queues", "lines", "crowds"],
    "shops": ["shops", "stores", "supermarkets"],
    "hours": ["hours", "hours on end", "much of the day"],
    "volunteers": ["volunteers", "helpers", "workers", "medics"],
    "families": ["families", "households", "people"],
    "companies": ["companies", "firms", "operators"],
    "continued": ["continued", "went on", "was unaffected"],
    "living": ["living", "housed", "sheltering"],
    "blocked": ["blocked", "cut", "closed", "buried"],
    "access": ["access", "links", "traffic"],
    "early": ["early", "shortly after dawn", "in the morning"],
    "southern": ["southern", "south", "the south of"],
    "declared": ["declared", "announced", "imposed", "ordered"],
    "emergency": ["emergency", "crisis", "disaster"],
    "injured": ["injured", "hurt", "wounded", "treated"],
}
_WORD_RE = re.compile(r"[A-Za-z]+")
_CHOICE_RE = re.compile(r"\{([^{}]*\|[^{}]*)\}")


def _written_by(template: str, outlet: int, line: int) -> str:
    """One outlet's wording of a template: its own choice at every {a|b} and its own details."""
    picks = iter(range(1, 1000))

    def choose(m: re.Match) -> str:
        options = m.group(1).split("|")
        return options[(outlet * 7 + line * 3 + next(picks) * outlet // 3) % len(options)]

    def synonym(m: re.Match) -> str:
        options = _SYNONYMS.get(m.group(0))
        if options is None:
            return m.group(0)
        return options[(outlet * 5 + line + next(picks)) % len(options)]

    worded = _WORD_RE.sub(synonym, _CHOICE_RE.sub(choose, template))
    return worded.format(
        n=10 + outlet % 7,
        m=100 + outlet,
        k=12 + (outlet * 5 + line) % 40,
        place=_PLACES[(outlet + line) % len(_PLACES)],
        name=_NAMES[(outlet * 3 + line) % len(_NAMES)],
    )


def story_of(n: int, run: int = 0) -> list[pb.Article]:
    """n articles on one event from n outlets, each about 30 sentences in its own words.

    ``run`` makes every article id (and so every cache key) different from other runs'.
    """
    return [article(i, run) for i in range(n)]


def article(i: int, run: int = 0) -> pb.Article:
    """Article i of the synthetic story; ids differ between runs."""
    # Each outlet tells the story in its own order: lead facts first, the rest rotated; the
    # body runs on past the part composing reads, as real articles do.
    rest = len(_TEMPLATES) - 3
    order = [0, 1, 2] + [3 + (j + i) % rest for j in range(rest)]
    body = "\n\n".join(_written_by(_TEMPLATES[t], i, t) for t in order + order[3:13])
    url = f"https://outlet{i}.example/peru-quake-{i}?run={run}"
    a = pb.Article(
        article_id=article_id(url),
        url=url,
        canonical_url=url,
        outlet=f"Outlet {i}",
        language="en",
        title=f"Earthquake in southern Peru kills {10 + i % 7}",
        text=body,
    )
    a.published_at.FromSeconds(1_714_700_000 + 60 * i)
    return a


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU milliseconds of one kind of compose."""

    wall_ms: float
    cpu_ms: float


def _median_times(samples: list[tuple[float, float]]) -> Timing:
    return Timing(
        statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)
    )


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def run(compose: Callable[[list[pb.Article]], object], n: int, runs: int) -> tuple[Timing, Timing]:
    """(cold, warm) medians: cold composes n articles never seen; warm adds one new article."""
    cold, warm = [], []
    for r in range(runs):
        story = story_of(n, run=r)
        cold.append(_timed(lambda story=story: compose(story)))
        # The story grows by one article: n - 1 analysed articles plus one never seen.
        grown = story[1:] + [article(n, run=r)]
        warm.append(_timed(lambda grown=grown: compose(grown)))
    return _median_times(cold), _median_times(warm)
