"""The pure core of ingest: raw input -> normalised, deduplicated articles or rejections."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from newsbrief.v1 import newsbrief_pb2 as pb
from services.ingest.dedup import DUPLICATE, Deduplicator
from services.ingest.feeds import ParsedFeed, RawItem, parse_feed
from services.ingest.normalise import Context, normalise
from services.ingest.safety import Rejected

ACCEPTED = "accepted"
DUPLICATE_RESULT = "duplicate"
REJECTED = "rejected"
SERVICE = "ingest"


@dataclass
class Outcome:
    """What became of one input item."""

    status: str  # ACCEPTED, DUPLICATE_RESULT or REJECTED
    item_ref: str = ""
    article: pb.Article | None = None
    reason: str = ""  # rejection reason, or "same_url"/"same_content" for duplicates
    detail: str = ""
    duplicate_of: str = ""
    payload_head: bytes = b""

    def as_dict(self) -> dict[str, str]:
        """The per-item result the push API returns."""
        out = {"status": self.status, "ref": self.item_ref}
        if self.article is not None:
            out["article_id"] = self.article.article_id
        if self.duplicate_of:
            out["duplicate_of"] = self.duplicate_of
        if self.reason:
            out["reason"] = self.reason
        if self.detail and self.status == REJECTED:
            out["detail"] = self.detail
        return out


def rejected_outcome(exc: Rejected, item_ref: str = "") -> Outcome:
    """An outcome for input refused with exc."""
    return Outcome(REJECTED, item_ref, reason=exc.reason, detail=exc.detail,
                   payload_head=exc.payload_head)  # fmt: skip


def rejection_message(
    outcome: Outcome, source: str, now: datetime | None = None
) -> pb.RejectedInput:
    """The RejectedInput message published for a rejected outcome."""
    message = pb.RejectedInput(
        service=SERVICE,
        source=source,
        reason=outcome.reason,
        detail=outcome.detail[:1000],
        item_ref=outcome.item_ref[:1000],
        payload_head=outcome.payload_head[:256],
    )
    stamp = Timestamp()
    stamp.FromDatetime(now or datetime.now(UTC))
    message.at.CopyFrom(stamp)
    return message


def accepted_articles(outcomes: list[Outcome]) -> list[pb.Article]:
    """The articles of the accepted outcomes (the ones that are published)."""
    return [o.article for o in outcomes if o.status == ACCEPTED and o.article is not None]


# Kafka's default largest message is 1 MiB; an article over this could never be published, and
# retrying it would hold its feed's position forever.
MAX_ARTICLE_BYTES = 900_000


class Pipeline:
    """Normalises and deduplicates items; holds the deduplicator's memory."""

    def __init__(
        self, dedup: Deduplicator | None = None, max_article_bytes: int = MAX_ARTICLE_BYTES
    ) -> None:
        self.dedup = dedup or Deduplicator()
        self.max_article_bytes = max_article_bytes

    def item(self, raw: RawItem, ctx: Context, now: datetime | None = None) -> Outcome:
        """Normalise and deduplicate one raw item."""
        try:
            article = normalise(raw, ctx, now)
        except Rejected as exc:
            return rejected_outcome(exc, raw.ref())
        size = article.ByteSize()
        if size > self.max_article_bytes:
            too_large = Rejected("article_too_large", f"{size} bytes > {self.max_article_bytes}")
            return rejected_outcome(too_large, raw.ref())
        verdict = self.dedup.admit(article)
        if verdict.status == DUPLICATE:
            return Outcome(DUPLICATE_RESULT, raw.ref(), article, verdict.reason,
                           duplicate_of=verdict.of)  # fmt: skip
        return Outcome(ACCEPTED, raw.ref(), article, duplicate_of=article.duplicate_of)

    def feed(
        self, body: bytes, content_type: str | None, ctx: Context, now: datetime | None = None
    ) -> list[Outcome]:
        """Parse a feed body and process every item; a body that is no feed is one rejection."""
        try:
            parsed = parse_feed(body, content_type)
        except Rejected as exc:
            return [rejected_outcome(exc)]
        return self.items(parsed, ctx, now)

    def items(self, parsed: ParsedFeed, ctx: Context, now: datetime | None = None) -> list[Outcome]:
        """Process the items of a parsed feed (the feed's language is the default)."""
        if parsed.language and not ctx.language:
            ctx = dataclasses.replace(ctx, language=parsed.language)
        return [self.item(raw, ctx, now) for raw in parsed.items]

    def release(self, outcomes: list[Outcome]) -> None:
        """Forget accepted articles whose delivery failed, so a retry is not a duplicate."""
        self.dedup.forget(
            [o.article.article_id for o in outcomes if o.status == ACCEPTED and o.article]
        )
