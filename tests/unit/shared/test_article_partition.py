"""One partition of the articles topic per language, read the way the cluster shards."""

import pytest

from newsbrief.topics import article_partition, language_of
from services.cluster.sharding import normalise_language

TAGS = ["en", "en-GB", "EN_us", " en ", "de", "de-AT", "fr", "pt-BR", "", "und", "x1", "zh-Hant"]


def test_every_tag_of_a_language_goes_to_one_partition():
    assert {article_partition(tag, 6) for tag in ["en", "en-GB", "EN_us", " en "]} == {
        article_partition("en", 6)
    }
    assert article_partition("de-AT", 6) == article_partition("de", 6)


def test_the_language_is_read_as_the_cluster_reads_its_shard():
    # Same shard <=> same language key here, so one shard never spans two partitions.
    assert [language_of(tag) for tag in TAGS] == [normalise_language(tag) for tag in TAGS]


def test_partition_is_in_range_stable_and_spreads_languages():
    languages = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja", "zh", "ar"]
    chosen = [article_partition(lang, 6) for lang in languages]
    assert all(0 <= p < 6 for p in chosen)
    assert chosen == [article_partition(lang, 6) for lang in languages]  # no per-process salt
    assert len(set(chosen)) > 1
    assert {article_partition(lang, 1) for lang in languages} == {0}


def test_a_topic_without_partitions_is_refused():
    with pytest.raises(ValueError):
        article_partition("en", 0)
