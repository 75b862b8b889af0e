"""Coverage and hygiene of the shipped knowledge base (services/compose/data/entities.jsonl)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from services.compose.config import DEFAULT_KB
from services.compose.entities import Linker
from services.compose.kb import load_kb

KB = load_kb(DEFAULT_KB)
BY_ID = {e.id: e for e in KB}

# The 193 UN member states, by the names news text uses (the KB holds official variants as
# aliases: "Côte d'Ivoire", "Timor-Leste", "Czechia"...).
UN_MEMBERS = """
Afghanistan; Albania; Algeria; Andorra; Angola; Antigua and Barbuda; Argentina; Armenia;
Australia; Austria; Azerbaijan; Bahamas; Bahrain; Bangladesh; Barbados; Belarus; Belgium; Belize;
Benin; Bhutan; Bolivia; Bosnia and Herzegovina; Botswana; Brazil; Brunei; Bulgaria; Burkina Faso;
Burundi; Cabo Verde; Cambodia; Cameroon; Canada; Central African Republic; Chad; Chile; China;
Colombia; Comoros; Republic of the Congo; Costa Rica; Côte d'Ivoire; Croatia; Cuba; Cyprus;
Czechia; North Korea; Democratic Republic of the Congo; Denmark; Djibouti; Dominica;
Dominican Republic; Ecuador; Egypt; El Salvador; Equatorial Guinea; Eritrea; Estonia; Eswatini;
Ethiopia; Fiji; Finland; France; Gabon; Gambia; Georgia; Germany; Ghana; Greece; Grenada;
Guatemala; Guinea; Guinea-Bissau; Guyana; Haiti; Honduras; Hungary; Iceland; India; Indonesia;
Iran; Iraq; Ireland; Israel; Italy; Jamaica; Japan; Jordan; Kazakhstan; Kenya; Kiribati; Kuwait;
Kyrgyzstan; Laos; Latvia; Lebanon; Lesotho; Liberia; Libya; Liechtenstein; Lithuania; Luxembourg;
Madagascar; Malawi; Malaysia; Maldives; Mali; Malta; Marshall Islands; Mauritania; Mauritius;
Mexico; Micronesia; Moldova; Monaco; Mongolia; Montenegro; Morocco; Mozambique; Myanmar; Namibia;
Nauru; Nepal; Netherlands; New Zealand; Nicaragua; Niger; Nigeria; North Macedonia; Norway; Oman;
Pakistan; Palau; Panama; Papua New Guinea; Paraguay; Peru; Philippines; Poland; Portugal; Qatar;
South Korea; Romania; Russia; Rwanda; Saint Kitts and Nevis; Saint Lucia;
Saint Vincent and the Grenadines; Samoa; San Marino; São Tomé and Príncipe; Saudi Arabia; Senegal;
Serbia; Seychelles; Sierra Leone; Singapore; Slovakia; Slovenia; Solomon Islands; Somalia;
South Africa; South Sudan; Spain; Sri Lanka; Sudan; Suriname; Sweden; Switzerland; Syria;
Tajikistan; Thailand; Timor-Leste; Togo; Tonga; Trinidad and Tobago; Tunisia; Türkiye;
Turkmenistan; Tuvalu; Uganda; Ukraine; United Arab Emirates; United Kingdom; Tanzania;
United States; Uruguay; Uzbekistan; Vanuatu; Venezuela; Vietnam; Yemen; Zambia; Zimbabwe
"""
UN_MEMBER_NAMES = [n.strip() for n in UN_MEMBERS.split(";")]

# G20 country members (a country name and the words its leaders' descriptions use).
G20_COUNTRIES = [
    "Argentina", "Australia", "Brazil", "Canada", "China", "France", "Germany", "India",
    "Indonesia", "Italy", "Japan", "Mexico", "Russia", "Saudi Arabia", "South Africa",
    "South Korea", "Turkey", "United Kingdom", "United States",
]  # fmt: skip


def _place_names() -> dict[str, str]:
    return {n: e.id for e in KB if e.kind == "place" for n in (e.name, *e.aliases)}


def test_the_kb_is_large_with_unique_sorted_slug_ids():
    ids = [e.id for e in KB]
    assert len(KB) >= 300
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)  # the file is written sorted, for stable diffs
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids), ids


def test_every_un_member_state_is_a_place_entity():
    assert len(UN_MEMBER_NAMES) == len(set(UN_MEMBER_NAMES)) == 193
    places = _place_names()
    missing = [n for n in UN_MEMBER_NAMES if n not in places]
    assert not missing
    assert len({places[n] for n in UN_MEMBER_NAMES}) == 193  # one entity each


def test_observers_and_contested_territories_are_present():
    places = _place_names()
    for name in ("Vatican City", "Holy See", "Palestine", "Taiwan", "Kosovo"):
        assert name in places


def test_every_g20_member_and_its_leaders_are_represented():
    places = _place_names()
    assert all(c in places for c in G20_COUNTRIES)
    orgs = {e.name for e in KB if e.kind == "organisation"}
    assert {"European Union", "African Union", "G20"} <= orgs
    people = [e.description for e in KB if e.kind == "person"]
    for country in G20_COUNTRIES:
        assert any(country in d for d in people), f"no leader of {country}"
    assert any("European Commission" in d for d in people)


def test_no_alias_belongs_to_two_entities():
    owners: dict[str, set[str]] = defaultdict(set)
    for e in KB:
        for alias in (e.name, *e.aliases):
            # Lower-case aliases are descriptive phrases that the linker matches in any case.
            owners[alias.lower() if alias[:1].islower() else alias].add(e.id)
    shared = {a: sorted(ids) for a, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_every_name_and_alias_links_to_its_entity_exactly_once():
    # Catches an alias shadowed by another entity's, and a phrase such as "the EU" that would
    # count a mention twice because its name also matches inside it.
    linker = Linker(KB)
    wrong = [
        (alias, linker.known(alias))
        for e in KB
        for alias in (e.name, *e.aliases)
        if linker.known(alias).count(e.id) != 1
    ]
    assert not wrong


def test_descriptions_are_one_short_line():
    for e in KB:
        d = e.description
        assert d.strip() and "\n" not in d and len(d) <= 200, e.id
        assert d[0].isupper() and d.endswith(".") and ".." not in d, e.id


def test_news_phrasings_link_and_common_words_do_not():
    linker = Linker(KB)
    text = (
        "Sir Keir Starmer met Zelensky in Kyiv; the Ukrainian president later spoke to the "
        "Fed chair, while OPEC+ and the ECB weighed in and Côte d'Ivoire abstained."
    )
    assert linker.known(text) == [
        "keir-starmer",
        "volodymyr-zelensky",
        "kyiv",
        "volodymyr-zelensky",
        "jerome-powell",
        "federal-reserve",
        "opec",
        "european-central-bank",
        "ivory-coast",
    ]
    plain = "The alliance said the commission and the senate would meet the house in the spring."
    assert linker.known(plain) == []


@pytest.mark.parametrize("region", ["Latin America", "South America", "North America"])
def test_americas_regions_are_not_the_united_states(region):
    # "America" is an alias of the United States; the regions must win as longer matches.
    expected = region.lower().replace(" ", "-")
    assert Linker(KB).known(f"Growth in {region} slowed, America said.") == [
        expected,
        "united-states",
    ]
