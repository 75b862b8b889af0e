"""Which shard an article belongs to and which partition holds that shard."""

import pytest

from newsbrief.v1 import newsbrief_pb2 as pb
from services.cluster.sharding import normalise_language, parse_pins, partition_for, shard_of


@pytest.mark.parametrize(
    ("given", "expected"),
    [("en", "en"), ("EN-gb", "en"), ("de_AT", "de"), ("", "und"), ("  ", "und"), ("x1", "und")],
)
def test_languages_normalise_to_their_base_code(given, expected):
    assert normalise_language(given) == expected


def test_language_shards_by_language_and_single_puts_everything_together():
    en, de = pb.Article(language="en-US"), pb.Article(language="de")
    assert (shard_of(en, "language"), shard_of(de, "language")) == ("en", "de")
    assert shard_of(en, "single") == shard_of(de, "single")


def test_unknown_shard_key_is_refused():
    with pytest.raises(ValueError):
        shard_of(pb.Article(language="en"), "outlet")


def test_pins_parse_and_win_over_the_hash():
    pins = parse_pins(" en=1, de=0 ")
    assert pins == {"en": 1, "de": 0}
    assert [partition_for(s, 2, pins) for s in ("en", "de")] == [1, 0]


@pytest.mark.parametrize("spec", ["en", "en=x", "en=-1"])
def test_bad_pins_are_refused(spec):
    with pytest.raises(ValueError):
        parse_pins(spec)


def test_pin_outside_the_partition_count_is_refused():
    with pytest.raises(ValueError):
        partition_for("en", 2, {"en": 5})


def test_unpinned_partition_is_stable_and_in_range():
    shards = ["en", "de", "fr", "es", "it", "und", "all"]
    first = [partition_for(s, 6) for s in shards]
    assert first == [partition_for(s, 6) for s in shards]  # same on every call / process
    assert all(0 <= p < 6 for p in first)
    assert len(set(first)) > 1  # shards spread over partitions
