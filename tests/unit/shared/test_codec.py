"""Protobuf codec: round trips, deterministic bytes, clear errors on garbage, faust codecs."""

import pytest

from newsbrief import codec
from newsbrief.v1 import newsbrief_pb2 as pb


def _article() -> pb.Article:
    article = pb.Article(article_id="a_1", title="Quake hits coast", outlet="The Ledger")
    article.flags.extend(["published_missing"])
    article.published_at.FromSeconds(1_790_000_000)
    return article


def test_round_trip_keeps_every_field() -> None:
    article = _article()
    assert codec.decode(pb.Article, codec.encode(article)) == article


def test_encoding_is_deterministic() -> None:
    assert codec.encode(_article()) == codec.encode(_article())


def test_garbage_is_a_value_error_naming_the_type() -> None:
    with pytest.raises(ValueError, match="newsbrief.v1.Article"):
        codec.decode(pb.Article, b"\xff\xff\xff\xff")


def test_faust_codec_gives_typed_messages() -> None:
    from faust.serializers import codecs

    codec.register_faust_codecs()
    faust_codec = codecs.get_codec(codec.codec_name("story_event"))
    event = pb.StoryEvent(story_id="s_1", kind=pb.StoryEvent.CREATED, article=_article())
    decoded = faust_codec.loads(faust_codec.dumps(event))
    assert isinstance(decoded, pb.StoryEvent)
    assert decoded.article.title == "Quake hits coast"
