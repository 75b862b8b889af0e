"""The entity knowledge base: a JSON-lines file, and import from a Wikidata JSON dump.

One entity per line: ``{"id", "name", "kind", "aliases": [...], "description"}`` with kind one
of person, place, organisation, other. Aliases that start with a lower-case letter ("the
Ukrainian president") are descriptive and match case-insensitively; names match as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("person", "place", "organisation", "other")

# Wikidata "instance of" (P31) classes that decide a kind; anything else is "other".
_WIKIDATA_KINDS = {
    "Q5": "person",
    "Q6256": "place",  # country
    "Q3624078": "place",  # sovereign state
    "Q515": "place",  # city
    "Q1549591": "place",  # big city
    "Q5119": "place",  # capital
    "Q35657": "place",  # US state
    "Q43229": "organisation",
    "Q4830453": "organisation",  # business
    "Q783794": "organisation",  # company
    "Q484652": "organisation",  # international organisation
    "Q7210356": "organisation",  # political organisation
    "Q7278": "organisation",  # political party
    "Q327333": "organisation",  # government agency
    "Q3918": "organisation",  # university
}


@dataclass(frozen=True)
class Entity:
    """One knowledge-base entity."""

    id: str
    name: str
    kind: str
    description: str
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        """The entity as one JSON-lines record."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "description": self.description,
        }


def parse_entity(record: dict) -> Entity:
    """An entity from one KB record; raises ValueError when a field is missing or wrong."""
    missing = [k for k in ("id", "name", "kind", "description") if not record.get(k)]
    if missing:
        raise ValueError(f"entity record lacks {', '.join(missing)}: {record!r:.120}")
    if record["kind"] not in KINDS:
        raise ValueError(f"unknown kind {record['kind']!r} for {record['id']}")
    aliases = tuple(a for a in record.get("aliases", []) if a and a != record["name"])
    return Entity(record["id"], record["name"], record["kind"], record["description"], aliases)


def load_kb(path: Path) -> list[Entity]:
    """Every entity of a JSON-lines KB file (blank lines and # comments skipped)."""
    entities = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                entities.append(parse_entity(json.loads(line)))
            except (ValueError, json.JSONDecodeError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
    return entities


# A word written with a capital, and one written in lower case, in a description.
_CAPITAL_WORD_RE = re.compile(r"[A-Z][\w'’-]*")
_LOWER_WORD_RE = re.compile(r"\b[a-z][\w'’-]*")


def name_words(entities: Iterable[Entity]) -> frozenset[str]:
    """Words the knowledge base writes as names on their own: one-word names and aliases
    ("Britain", "Ofgem", "OPEC"), and capitalised words of its descriptions, not following
    another capitalised word, that no description writes in lower case ("French", "Geneva";
    not "Country" opening "Country in West Africa", nor "Policy" in "Monetary Policy")."""
    entities = list(entities)
    names = {n for e in entities for n in (e.name, *e.aliases) if n[:1].isupper() and " " not in n}
    lower = {w for e in entities for w in _LOWER_WORD_RE.findall(e.description)}
    inside, opening = set(), set()
    for e in entities:
        for i, word, alone in _capital_words(e.description):
            if alone:
                (inside if i else opening).add(word.removesuffix("'s").removesuffix("’s"))
    # A description's first word is capitalised whatever it is: it counts when some
    # description also writes it capitalised inside, or when it reads as a nationality
    # ("Danish drugmaker...", "Peruvian...": not "Country in West Africa").
    described = inside | {w for w in opening if w in inside or w in names or _demonym(w)}
    return frozenset(names | {w for w in described if w.lower() not in lower})


def _capital_words(text: str) -> Iterator[tuple[int, str, bool]]:
    """(position, word, alone) of each capitalised word of a text; alone when no capitalised
    word runs into it on either side ("French president", not "New" of "New York")."""
    tokens = text.split()
    capital = [_CAPITAL_WORD_RE.match(t.strip("(\"'“‘")) for t in tokens]
    for i, m in enumerate(capital):
        if m is None:
            continue
        joined_before = i > 0 and capital[i - 1] is not None and not _ends_clause(tokens[i - 1])
        joined_after = (
            i + 1 < len(tokens) and capital[i + 1] is not None and not _ends_clause(tokens[i])
        )
        yield i, m.group(), not (joined_before or joined_after)


def _ends_clause(token: str) -> bool:
    return token.endswith((",", ".", ";", ":", ")"))


# Endings of nationalities ("Peruvian", "Korean", "Japanese", "Danish", "Dutch", "Swiss",
# "Yemeni", "Argentine"); asked only of the first word of a description we wrote.
_DEMONYM_ENDINGS = ("an", "ese", "ish", "ch", "ss", "i", "ine")


def _demonym(word: str) -> bool:
    """True for a word shaped like a nationality ("Danish", "Peruvian", "Swiss", "Yemeni")."""
    return "-" not in word and word.endswith(_DEMONYM_ENDINGS)


def write_kb(path: Path, entities: Iterable[Entity]) -> None:
    """Write a KB file, one entity per line, sorted by id for stable diffs."""
    lines = [
        json.dumps(e.to_json(), ensure_ascii=False) for e in sorted(entities, key=lambda e: e.id)
    ]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def wikidata_items(lines: Iterable[str]) -> Iterator[dict]:
    """Items of a Wikidata JSON dump: a JSON array with one entity per line."""
    for line in lines:
        line = line.strip().rstrip(",")
        if line in ("", "[", "]"):
            continue
        yield json.loads(line)


def from_wikidata(item: dict, language: str = "en") -> Entity | None:
    """A KB entity from one Wikidata item, or None without a label or description."""
    label = item.get("labels", {}).get(language, {}).get("value")
    description = item.get("descriptions", {}).get(language, {}).get("value")
    if item.get("type") != "item" or not label or not description:
        return None
    aliases = tuple(a["value"] for a in item.get("aliases", {}).get(language, []) if a.get("value"))
    return Entity(item["id"], label, _wikidata_kind(item), _sentence_case(description), aliases)


def _wikidata_kind(item: dict) -> str:
    for claim in item.get("claims", {}).get("P31", []):
        value = claim.get("mainsnak", {}).get("datavalue", {}).get("value", {})
        kind = _WIKIDATA_KINDS.get(value.get("id", "") if isinstance(value, dict) else "")
        if kind:
            return kind
    return "other"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def merge(existing: list[Entity], imported: Iterable[Entity]) -> tuple[list[Entity], int, int]:
    """Add imported entities; one whose id or name is known only adds aliases (ours win)."""
    by_id = {e.id: e for e in existing}
    by_name = {e.name.lower(): e.id for e in existing}
    added = updated = 0
    for entity in imported:
        key = entity.id if entity.id in by_id else by_name.get(entity.name.lower())
        if key is None:
            by_id[entity.id] = entity
            by_name[entity.name.lower()] = entity.id
            added += 1
            continue
        ours = by_id[key]
        aliases = tuple(dict.fromkeys(ours.aliases + entity.aliases + (entity.name,)))
        aliases = tuple(a for a in aliases if a != ours.name)
        if aliases != ours.aliases:
            by_id[key] = Entity(ours.id, ours.name, ours.kind, ours.description, aliases)
            updated += 1
    return list(by_id.values()), added, updated


def import_wikidata(dump: Path, kb_path: Path) -> tuple[int, int]:
    """Merge the entities of a Wikidata JSON dump into a KB file; return (added, updated)."""
    existing = load_kb(kb_path) if Path(kb_path).exists() else []
    with open(dump, encoding="utf-8") as fh:
        imported = [e for e in map(from_wikidata, wikidata_items(fh)) if e is not None]
    entities, added, updated = merge(existing, imported)
    write_kb(kb_path, entities)
    return added, updated
