"""The sqlite state file: feed positions and delivered articles survive a reopen."""

import sqlite3

from newsbrief.ids import article_id, content_hash
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.dedup import DUPLICATE, NEAR_DUPLICATE, NEW, Deduplicator
from services.ingest.state import FILE_NAME, IngestState


def article(n: int) -> pb.Article:
    url = f"https://a.example/{n}"
    return pb.Article(article_id=article_id(url), content_hash=content_hash(f"text {n}"))


def test_positions_and_delivered_articles_survive_a_reopen(tmp_path):
    store = IngestState(tmp_path / "state")
    store.save_position("https://f.example/rss", '"v1"', "Tue, 01 Jul 2025 10:00:00 GMT")
    store.save_position("https://f.example/rss", '"v2"', "")
    store.record_delivered([article(1), article(2)])
    store.record_delivered([article(2), article(3)])  # a redelivery is stored once
    store.close()
    assert (tmp_path / "state" / FILE_NAME).is_file()

    reopened = IngestState(tmp_path / "state")
    assert reopened.positions() == {"https://f.example/rss": ('"v2"', "")}
    delivered = reopened.delivered()
    expected = [(article(n).article_id, article(n).content_hash, None) for n in (1, 2, 3)]
    assert delivered == expected
    reopened.close()


def test_the_delivered_list_is_bounded_and_keeps_the_newest(tmp_path):
    store = IngestState(tmp_path / "s.sqlite3", capacity=10)
    for n in range(30):
        store.record_delivered([article(n)])
    ids = [aid for aid, _, _ in store.delivered()]
    assert ids == [article(n).article_id for n in range(20, 30)]
    count = store._db.execute("SELECT count(*) FROM delivered").fetchone()[0]
    assert count <= 11  # pruned on disk too, not just in the answer
    store.close()


def test_a_restored_deduplicator_drops_what_was_delivered_before_the_restart():
    dedup = Deduplicator()
    first = article(1)
    dedup.restore([(first.article_id, first.content_hash, None)])
    again = dedup.admit(article(1))
    assert (again.status, again.reason) == (DUPLICATE, "same_url")
    other_url = article_id("https://b.example/x")
    same_text = pb.Article(article_id=other_url, content_hash=first.content_hash)
    assert dedup.admit(same_text).reason == "same_content"
    assert dedup.admit(article(2)).status == NEW


def wire_story(n: int, text: str) -> pb.Article:
    url = f"https://wire.example/{n}"
    return pb.Article(article_id=article_id(url), content_hash=content_hash(text), text=text)


WIRE_TEXT = (
    "The harbour authority said on Tuesday that the new ferry terminal would open in March after "
    "two years of delays, with room for four vessels and a covered walkway to the railway station. "
    "Local businesses welcomed the news, although some residents worried about traffic on the "
    "coast road during the summer months when visitor numbers are highest."
)


def test_a_near_duplicate_after_a_restart_still_names_its_original(tmp_path):
    store = IngestState(tmp_path / "state")
    dedup = Deduplicator()
    store.keep_signatures(dedup.signature_of)
    original = wire_story(1, WIRE_TEXT)
    assert dedup.admit(original).status == NEW
    store.record_delivered([original])
    store.close()

    reopened = IngestState(tmp_path / "state")
    restarted = Deduplicator()
    restarted.restore(reopened.delivered())
    copy = wire_story(2, WIRE_TEXT.replace("Tuesday", "Wednesday"))
    verdict = restarted.admit(copy)
    assert (verdict.status, verdict.of) == (NEAR_DUPLICATE, original.article_id)
    reopened.close()


def test_a_state_file_from_before_signatures_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE delivered (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " article_id TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL);"
        "INSERT INTO delivered (article_id, content_hash) VALUES ('a1', 'h1');"
    )
    old.commit()
    old.close()
    store = IngestState(path)
    store.record_delivered([article(1)])
    assert store.delivered() == [
        ("a1", "h1", None),
        (article(1).article_id, article(1).content_hash, None),
    ]
    store.close()
