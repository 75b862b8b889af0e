"""Search ranking and entity name matching (pure)."""

from services.api.search import match_names, rank, tokens


def test_tokens_lowercase_words():
    assert tokens("Port-strike, HALTS traffic!") == ["port", "strike", "halts", "traffic"]


def test_headline_match_outranks_body_match():
    docs = {
        "headline": "Port strike halts traffic\nUnions met on Monday.",
        "body": "Rail fares rise\nA port strike elsewhere was mentioned in passing.",
        "none": "Storm floods towns\nRivers burst their banks.",
    }
    ranked = rank("port strike", docs, 10)
    assert [ident for ident, _ in ranked] == ["headline", "body"]
    assert ranked[0][1] > ranked[1][1] > 0


def test_empty_query_or_docs_find_nothing():
    assert rank("", {"a": "x"}, 5) == []
    assert rank("x", {}, 5) == []


def test_names_exact_then_prefix_then_words():
    names = [
        ("vladimir putin", "e-putin"),
        ("putin", "e-putin"),
        ("putinism", "e-ism"),
        ("the putin doctrine", "e-doc"),
    ]
    assert match_names("Putin", names, 10) == ["e-putin", "e-ism", "e-doc"]
    assert match_names("putin", names, 1) == ["e-putin"]
    assert match_names("  ", names, 5) == []
