"""Cursor pagination (pure)."""

import pytest

from services.api.pagination import Cursor, decode_cursor, encode_cursor, next_link, page


def test_cursor_round_trips_and_is_url_safe():
    cursor = Cursor(1764000000.123456, "s/1?x")
    text = encode_cursor(cursor)
    assert decode_cursor(text) == cursor
    assert all(c.isalnum() or c in "-_" for c in text)


@pytest.mark.parametrize("text", ["", "abc", "!!!", encode_cursor(Cursor(1.0, "x"))[:-3] + "zzz"])
def test_garbage_is_not_a_cursor(text):
    with pytest.raises(ValueError):
        decode_cursor(text)


def test_pages_cover_everything_once_with_ties():
    items = [(f"s{i}", float(i // 3)) for i in range(10)]  # scores shared by three ids
    seen, cursor = [], None
    while True:
        chosen, cursor = page(items, cursor, 4)
        seen += [ident for ident, _ in chosen]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ident for ident, _ in items)
    assert len(seen) == len(set(seen))
    assert seen[0] == "s9"  # newest first


def test_last_full_page_has_no_next_cursor():
    items = [("a", 2.0), ("b", 1.0)]
    assert page(items, None, 2) == ([("a", 2.0), ("b", 1.0)], None)
    assert page(items, None, 1) == ([("a", 2.0)], Cursor(2.0, "a"))


def test_next_link_replaces_the_cursor_and_keeps_filters():
    link = next_link("/v1/stories", {"lang": "en", "cursor": "old"}, "new")
    assert link == '</v1/stories?lang=en&cursor=new>; rel="next"'
