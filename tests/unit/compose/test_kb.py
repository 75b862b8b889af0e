"""The knowledge base file and the Wikidata import."""

from __future__ import annotations

import shutil
from pathlib import Path

from services.compose.config import DEFAULT_KB
from services.compose.kb import import_wikidata, load_kb

EXCERPT = Path(__file__).resolve().parents[2] / "fixtures" / "compose" / "wikidata-excerpt.json"


def test_shipped_kb_is_valid_and_has_the_countries():
    entities = load_kb(DEFAULT_KB)
    ids = [e.id for e in entities]
    assert len(ids) == len(set(ids))
    places = {e.name for e in entities if e.kind == "place"}
    assert {"Ukraine", "Russia", "Peru", "Taiwan", "United States", "China"} <= places
    assert sum(1 for e in entities if e.description.startswith("Country in ")) >= 100


def test_wikidata_import_adds_new_entities_and_merges_known_ones(tmp_path):
    kb = tmp_path / "entities.jsonl"
    shutil.copy(DEFAULT_KB, kb)
    before = {e.id: e for e in load_kb(kb)}
    added, updated = import_wikidata(EXCERPT, kb)
    after = {e.id: e for e in load_kb(kb)}
    assert (added, updated) == (2, 1)
    assert after["Q123456789"].kind == "person"
    assert after["Q123456789"].description == "Peruvian seismologist"
    assert after["Q987654321"].kind == "organisation"
    peru = after["peru"]  # known by name: our description stays, Wikidata's aliases join
    assert peru.description == before["peru"].description and "Republic of Peru" in peru.aliases
    assert "Q419" not in after and "Q111" not in after and "P31" not in after
