import numpy as np

from newsbrief.ids import article_id, content_hash
from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.dedup import (
    DUPLICATE,
    NEAR_DUPLICATE,
    NEW,
    Deduplicator,
    lsh_bands,
    shingle_hashes,
    signature,
)

STORY = (
    "Dock workers at the northern port walked out on Tuesday after talks on pay collapsed late "
    "on Monday night. The union said its members had rejected an offer of three per cent and "
    "would stay out until the employers returned with a better deal. Ships were being diverted "
    "to other ports along the coast, and exporters warned of delays to deliveries of grain and "
    "timber. The port authority said it hoped to restart talks by the end of the week."
)
OTHER = (
    "The city orchestra announced its new season on Wednesday, with three world premieres and "
    "a festival of music by women composers from the last two centuries. Tickets go on sale next "
    "month and the orchestra said prices would be frozen for the third year in a row, while a "
    "new scheme will offer free seats to students under twenty five at every concert of the year."
)


def article(url: str, text: str, title: str = "Title") -> pb.Article:
    return pb.Article(
        article_id=article_id(url), canonical_url=url, title=title, text=text,
        content_hash=content_hash(f"{title}\n{text}"),
    )  # fmt: skip


def test_same_url_and_same_content_are_exact_duplicates():
    dedup = Deduplicator()
    first = article("https://a.example/1", STORY)
    assert dedup.admit(first).status == NEW
    again = dedup.admit(article("https://a.example/1", "changed text"))
    assert (again.status, again.reason, again.of) == (DUPLICATE, "same_url", first.article_id)
    copy = dedup.admit(article("https://b.example/copy", STORY))
    assert (copy.status, copy.reason, copy.of) == (DUPLICATE, "same_content", first.article_id)


def test_wire_copies_are_near_duplicates_of_the_first_and_unrelated_text_is_new():
    dedup = Deduplicator(threshold=0.7)
    original = article("https://wire.example/port", STORY)
    dedup.admit(original)
    syndicated = article("https://paper.example/port", STORY.replace("Tuesday", "Tuesday morning"))
    verdict = dedup.admit(syndicated)
    assert (verdict.status, verdict.of) == (NEAR_DUPLICATE, original.article_id)
    assert syndicated.duplicate_of == original.article_id
    third = article("https://other.example/port", STORY + " Updated at noon.")
    assert dedup.admit(third).of == original.article_id  # copies point at the original
    assert dedup.admit(article("https://c.example/music", OTHER)).status == NEW


def test_short_texts_are_never_called_near_duplicates():
    dedup = Deduplicator()
    dedup.admit(article("https://a.example/1", "Storm warning for the coast tonight", "A"))
    verdict = dedup.admit(article("https://b.example/1", "Storm warning for the coast today", "B"))
    assert verdict.status == NEW


def test_forget_undoes_admit_so_a_redelivery_is_not_a_duplicate():
    dedup = Deduplicator()
    first = article("https://a.example/1", STORY)
    dedup.admit(first)
    dedup.forget([first.article_id])
    assert not dedup.seen(first.article_id)
    assert dedup.admit(article("https://a.example/1", STORY)).status == NEW


def test_memory_is_bounded():
    dedup = Deduplicator(capacity=3)
    for i in range(5):
        dedup.admit(article(f"https://a.example/{i}", f"text {i}"))
    assert len(dedup) == 3
    assert not dedup.seen(article_id("https://a.example/0"))
    assert dedup.seen(article_id("https://a.example/4"))


def test_banding_finds_close_copies_and_ignores_half_similar_texts():
    for threshold in (0.7, 0.8, 0.9):
        bands, rows = lsh_bands(threshold, 64)
        assert bands * rows <= 64
        # Probability that two texts of Jaccard similarity s share at least one whole band.
        near, far = (1 - (1 - s**rows) ** bands for s in (0.98, 0.5))
        assert near > 0.95  # wire copies with a changed word or two
        assert far < 0.05  # texts that merely share a topic


def test_signatures_estimate_jaccard_similarity():
    words = STORY.split()
    edited = " ".join(w.upper() if i % 10 == 0 else w for i, w in enumerate(words))
    a, b = shingle_hashes(STORY), shingle_hashes(edited)
    assert np.array_equal(signature(a), signature(a.copy()))
    true = len(set(a.tolist()) & set(b.tolist())) / len(set(a.tolist()) | set(b.tolist()))
    estimate = float(np.mean(signature(a) == signature(b)))
    assert abs(estimate - true) < 0.2
    assert float(np.mean(signature(a) == signature(shingle_hashes(OTHER)))) < 0.1
