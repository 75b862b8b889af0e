"""Quality of the default engine on the sample corpus (held-out: never used for fitting)."""

import pytest

from services.cluster.engine.evaluate import cluster_stream, scores
from services.cluster.sample import EXAMPLES_DIR, load_gold, load_sample, load_wire_copies

pytestmark = pytest.mark.skipif(
    not (EXAMPLES_DIR / "stories.tsv").exists(), reason="sample corpus not present"
)


@pytest.fixture(scope="module")
def clustered():
    rows = load_sample()  # published order, as the feeds would deliver them
    return rows, cluster_stream(rows), load_gold()


def test_every_sample_article_is_labelled_and_clustered(clustered):
    rows, pred, gold = clustered
    assert {r["id"] for r in rows} == set(gold) == set(pred)


def test_sample_bcubed_f1_is_high(clustered):
    _, pred, gold = clustered
    s = scores(gold, pred)
    assert s["bcubed"]["f1"] >= 0.95, s  # measured 0.970 (16 stories for 14); was 0.956


def test_the_two_earthquakes_are_separate_stories(clustered):
    _, pred, gold = clustered
    stories = {
        key: {pred[link] for link, g in gold.items() if g == key}
        for key in ("malatya-earthquake", "arequipa-earthquake")
    }
    assert not stories["malatya-earthquake"] & stories["arequipa-earthquake"]


def test_wire_copies_join_their_original_story(clustered):
    _, pred, _ = clustered
    copies = load_wire_copies()
    assert copies
    for copy_link, original in copies:
        assert pred[copy_link] == pred[original], copy_link
