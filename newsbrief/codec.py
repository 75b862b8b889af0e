"""Protobuf on the wire: plain encode/decode helpers and faust codecs for typed agents."""

from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import DecodeError, Message

from newsbrief.v1 import newsbrief_pb2 as pb

M = TypeVar("M", bound=Message)

# One message type per topic (see proto/newsbrief/v1/newsbrief.proto).
MESSAGES: dict[str, type[Message]] = {
    "article": pb.Article,
    "story_event": pb.StoryEvent,
    "brief": pb.Brief,
    "hub": pb.Hub,
    "entity_card": pb.EntityCard,
    "rejected_input": pb.RejectedInput,
}


def encode(message: Message) -> bytes:
    """Serialise a message deterministically (same content, same bytes)."""
    return message.SerializeToString(deterministic=True)


def decode(cls: type[M], data: bytes) -> M:
    """Parse bytes into a message of type cls; raises ValueError on garbage."""
    message = cls()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise ValueError(f"not a valid {cls.DESCRIPTOR.full_name}: {exc}") from exc
    return message


def codec_name(key: str) -> str:
    """Name under which the faust codec for a message is registered."""
    return f"pb_{key}"


def register_faust_codecs() -> None:
    """Register a faust codec per message type, so agents receive typed messages.

    Imported lazily: only the faust services need faust.
    """
    from faust.serializers import codecs

    for key, cls in MESSAGES.items():
        name = codec_name(key)
        if name not in codecs.codecs:
            codecs.register(name, _faust_codec(cls)())


def _faust_codec(cls: type[Message]):
    from faust.serializers.codecs import Codec

    class ProtobufCodec(Codec):
        def _dumps(self, obj: Message) -> bytes:
            return encode(obj)

        def _loads(self, data: bytes) -> Message:
            return decode(cls, data)

    ProtobufCodec.__name__ = f"{cls.__name__}Codec"
    return ProtobufCodec
