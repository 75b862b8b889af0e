"""The cache's bookkeeping: what an invalidation drops and when a copy is too old to serve."""

from services.api.doccache import MAX_BYTES, BriefCache, drop, fresh


def test_an_invalidation_drops_only_its_keys():
    entries = {b"a": (b"{}", b'"1"', 0.0), b"b": (b"{}", b'"2"', 0.0)}
    drop(entries, [b"a", b"never-cached"])
    assert list(entries) == [b"b"]


def test_a_flush_drops_everything():
    entries = {b"a": (b"{}", b'"1"', 0.0)}
    drop(entries, None)
    assert entries == {}


def test_a_copy_is_served_only_while_younger_than_max_age():
    entry = (b"{}", b'"1"', 10.0)
    assert fresh(entry, 10.5, 1.0) == (b"{}", b'"1"')
    assert fresh(entry, 11.0, 1.0) is None
    assert fresh(None, 10.0, 1.0) is None


def test_an_invalidation_drops_every_page_that_read_the_key():
    cache = BriefCache("redis://127.0.0.1:1/0", 1.0, 1.0)  # never connects here
    cache.pages = {"front": ((b"[]", None, '"e"'), 0.0), "fr": ((b"[]", None, '"f"'), 0.0)}
    cache.readers = {b"stories": {"front"}, b"summary:s1": {"front", "fr"}, b"by:fr": {"fr"}}
    epoch = cache.epoch
    cache.invalidate([b"stories"])
    assert set(cache.pages) == {"fr"} and cache.epoch == epoch + 1
    cache.invalidate([b"summary:s1"])
    assert cache.pages == {}
    cache.pages = {"front": ((b"[]", None, '"e"'), 0.0)}
    cache.reset()  # a lost connection
    assert cache.pages == {} and cache.readers == {}


def test_the_memory_budget_empties_the_cache_rather_than_grow():
    cache = BriefCache("redis://127.0.0.1:1/0", 1.0, 1.0)
    cache.entries = {b"a": (b"x", b'"1"', 0.0)}
    cache._budget(MAX_BYTES - 10)
    assert cache.entries  # still within the budget
    cache._budget(20)
    assert cache.entries == {} and cache.stored == 20
