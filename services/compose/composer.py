"""The compose state machine: story events in, briefs, hubs and cards out.

State lives in mappings (faust tables in the service, dicts in tests), so the same logic is
tested without a broker. Every method is deterministic given ``now``.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field

from newsbrief.codec import decode, encode
from newsbrief.v1 import newsbrief_pb2 as pb
from services.compose.brief import (
    BriefContext,
    Related,
    bound_article_memos,
    compose_brief,
    prepare_article,
)
from services.compose.config import ComposeSettings
from services.compose.entities import Linker
from services.compose.hubkeeper import HubKeeper, HubOutputs
from services.compose.versioning import next_version

# What one process remembers having sent (see Composer.__init__): forgetting an entry costs at
# most one harmless re-send, so the memory is capped instead of growing with every story.
SENT_MEMORY = 100_000


class RecentlySent(OrderedDict):
    """A mapping that keeps only its ``SENT_MEMORY`` most recently written keys."""

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > SENT_MEMORY:
            self.popitem(last=False)


def _added(story_id: str, article: pb.Article, split_from: str = "") -> pb.StoryEvent:
    return pb.StoryEvent(
        story_id=story_id,
        kind=pb.StoryEvent.ARTICLE_ADDED,
        article=article,
        split_from_story_id=split_from,
    )


def writes_state(event: pb.StoryEvent) -> bool:
    """Whether handling the event records anything: only such an event, seen again, may be
    the redelivery of one whose brief a killed worker recorded but never sent."""
    return (
        event.HasField("article")
        or bool(event.split_from_story_id)
        or event.kind in (pb.StoryEvent.MERGED, pb.StoryEvent.SPLIT)
    )


def pack_articles(articles: list[pb.Article]) -> bytes:
    """Articles as one table value: length-prefixed protobuf messages."""
    parts = []
    for a in articles:
        data = encode(a)
        parts.append(struct.pack(">I", len(data)) + data)
    return b"".join(parts)


# A story's articles are one table value, so one changelog record, and Kafka refuses a record
# over about 1 MB (the producer's max_request_size): a 200-article event crashed compose.
# Past this budget the oldest articles keep their headline, summary and metadata, not their
# body; then, for very big stories, not their summary either.
STORY_ARTICLES_BUDGET = 700_000


def within_budget(
    articles: list[pb.Article], budget: int = STORY_ARTICLES_BUDGET
) -> list[pb.Article]:
    """The articles, the oldest slimmed until their packed size fits the budget."""
    sizes = [a.ByteSize() + 4 for a in articles]  # 4: the length prefix of pack_articles
    total = sum(sizes)
    if total <= budget:
        return articles
    out = list(articles)
    oldest_first = sorted(range(len(out)), key=lambda i: (out[i].published_at.seconds, i))
    for name in ("text", "summary"):
        for i in oldest_first:
            if total <= budget:
                return out
            if getattr(out[i], name):
                slim = pb.Article()
                slim.CopyFrom(out[i])
                slim.ClearField(name)
                total += slim.ByteSize() + 4 - sizes[i]
                sizes[i], out[i] = slim.ByteSize() + 4, slim
    return out


def unpack_articles(blob: bytes | None) -> list[pb.Article]:
    """Articles packed by pack_articles."""
    out, i = [], 0
    blob = blob or b""
    while i < len(blob):
        (n,) = struct.unpack_from(">I", blob, i)
        out.append(decode(pb.Article, blob[i + 4 : i + 4 + n]))
        i += 4 + n
    return out


def keeper_view(brief: pb.Brief) -> pb.Brief:
    """The brief as sent to the hub keeper: without its version history, which it never reads
    and which is the larger part of a long-running story's brief."""
    view = pb.Brief()
    view.CopyFrom(brief)
    view.ClearField("changes")
    return view


@dataclass
class Outputs:
    """What one event or rebuild publishes: (brief, previous) pairs, hubs and cards, the
    briefs to hand to the hub keeper when it runs apart (``signals``), and the merge messages
    that must reach the partition of another story: ``handoffs`` (absorbed id, survivor id),
    keyed by the absorbed story, ``forwards`` (article events), keyed by the survivor, and
    ``links`` (earlier story id, follow-up id), keyed by the earlier story. ``drops`` are
    absorbed stories whose stored articles go once their ``forwards`` are acknowledged, and
    ``moved`` (story id, article ids) the articles a split sent on, dropped likewise."""

    briefs: list[tuple[pb.Brief, pb.Brief | None]] = field(default_factory=list)
    hubs: list[pb.Hub] = field(default_factory=list)
    cards: list[pb.EntityCard] = field(default_factory=list)
    signals: list[pb.Brief] = field(default_factory=list)
    handoffs: list[tuple[str, str]] = field(default_factory=list)
    forwards: list[pb.StoryEvent] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)
    moved: list[tuple[str, list[str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.briefs
            or self.hubs
            or self.cards
            or self.signals
            or self.handoffs
            or self.forwards
            or self.links
            or self.drops
            or self.moved
        )

    def extend(self, other: Outputs) -> None:
        """Append another batch of outputs."""
        self.briefs += other.briefs
        self.hubs += other.hubs
        self.cards += other.cards
        self.signals += other.signals
        self.handoffs += other.handoffs
        self.forwards += other.forwards
        self.links += other.links
        self.drops += other.drops
        self.moved += other.moved


class Composer:
    """Applies story events to the compose state and rebuilds briefs, debounced.

    Given hub tables, it keeps hubs inline (one worker, tests); without them, every built
    brief goes out in ``Outputs.signals`` for the single-partition hub keeper, whose answer
    comes back through ``on_hub_refs``.
    """

    def __init__(
        self,
        settings: ComposeSettings,
        linker: Linker,
        articles: MutableMapping[str, bytes],
        briefs: MutableMapping[str, bytes],
        meta: MutableMapping[str, dict],
        hubs: MutableMapping[str, bytes] | None = None,
        entity_stories: MutableMapping[str, list] | None = None,
        hub_stories: MutableMapping[str, dict] | None = None,
        inline_merges: bool = True,
    ):
        self.settings, self.linker = settings, linker
        bound_article_memos(
            linker, settings.article_memo_articles, int(settings.article_memo_mb * 2**20)
        )
        # With one process holding every story (tests, the CLI), merge messages are settled
        # here; the service sends them through topics to the worker owning each story.
        self.inline_merges = inline_merges
        self.articles, self.briefs, self.meta = articles, briefs, meta
        # The brief version each story last went out with from this process: a duplicate event
        # re-sends the stored brief only when another process may have failed to send it.
        self._published: RecentlySent = RecentlySent()
        # Likewise the handoffs and links this process sent: a redelivered event sends them
        # again only when a worker that died may not have (their receivers ignore repeats).
        self._handed: RecentlySent = RecentlySent()
        self._linked: RecentlySent = RecentlySent()
        self.keeper = (
            HubKeeper(
                settings,
                hubs,
                entity_stories if entity_stories is not None else {},
                hub_stories if hub_stories is not None else {},
            )
            if hubs is not None
            else None
        )
        # Stories that may have pending changes: an in-memory index so the debounce timer does
        # not scan every story each tick. Table recovery fills ``meta`` behind our back, so a
        # full scan (``due_stories(rescan=True)``) now and then picks those up.
        self._waiting: set[str] = set()

    # -- events ---------------------------------------------------------------------------
    def on_event(self, event: pb.StoryEvent, now: float) -> Outputs:
        """Apply one story event; rebuild now if the story's debounce interval has passed."""
        out = Outputs()
        changed = False
        sid = event.story_id
        survivor = self.meta.get(sid, {}).get("merged_into")
        if survivor and event.HasField("article"):
            # A late article of a story already folded into another belongs to the survivor.
            return self._settle(Outputs(forwards=[_added(survivor, event.article)]), now)
        if event.kind in (pb.StoryEvent.CREATED, pb.StoryEvent.ARTICLE_ADDED) and event.HasField(
            "article"
        ):
            changed = self._add_articles(sid, [event.article])
        elif event.kind == pb.StoryEvent.MERGED:
            changed = self._merge(sid, list(event.absorbed_story_ids), out, now)
        elif event.kind == pb.StoryEvent.SPLIT:
            moved = list(event.moved_article_ids)
            changed = self._split(sid, event.split_story_id, moved, out, now)
        origin = self._new_origin(sid, event.split_from_story_id)
        follows = event.follows_story_id
        new_link = bool(follows) and self.meta.get(sid, {}).get("follows") != follows
        if follows and (new_link or (follows, sid) not in self._linked):
            # Only this story's side is written here; the earlier story may live on another
            # partition (another worker), so its side travels as ``Outputs.links``. A table key
            # written while handling another partition's event lands in that partition's
            # changelog, and recovery may replay it over newer values of the key. A link
            # already recorded goes again: the worker that recorded it may have died first.
            self._linked[(follows, sid)] = True
            out.extend(self._settle(Outputs(links=[(follows, sid)]), now))
        if changed or new_link or origin or self._stale(sid):
            noted = {"follows": follows} if new_link else {}
            noted.update({"split_from": origin} if origin else {})
            out.extend(self._changed(sid, now, **noted))
        elif writes_state(event) and not self.meta.get(sid, {}).get("pending"):
            out.extend(self._republish(sid))
        return out

    def _new_origin(self, sid: str, split_from: str) -> str:
        """The story this one was split off, when an event names it and it is not yet
        recorded ("" otherwise). It comes with the cluster's CREATED event of the new story
        and with every article a split forwards, whichever reaches this partition first.
        Not for a story that has absorbed its origin since: there is nothing left to split
        from (a late redelivery must not bring the link back)."""
        meta = self.meta.get(sid, {})
        if (
            not split_from
            or meta.get("merged_into")
            or meta.get("split_from") == split_from
            or split_from in meta.get("merged_from", [])
        ):
            return ""
        return split_from

    def _stale(self, sid: str) -> bool:
        """Whether the stored brief misses what the story's tables record.

        Every table assignment is its own changelog record: a worker killed mid-event may
        leave an article, a follow-up or a merge recorded while the pending flag or the brief
        built from it never landed. The redelivered event then looks like a duplicate, and
        only this comparison tells that the brief still has to be built.
        """
        meta = self.meta.get(sid, {})
        stored = self._articles_of(sid)
        if meta.get("pending") or meta.get("merged_into") or not stored:
            return False
        brief = self._brief(sid)
        if brief is None:
            return True
        listed = {a.article_id for a in brief.articles}
        # With the keeper running apart, "Go deeper" is built from the hubs the meta records.
        hubs = [[r.hub_id, r.question, r.summary] for r in brief.go_deeper]
        return (
            listed != {a.article_id for a in stored}  # an article arrived, or a split took it
            or brief.follows_story_id != meta.get("follows", "")
            or list(brief.merged_from) != meta.get("merged_from", [])
            or brief.split_from != meta.get("split_from", "")
            or list(brief.split_into) != list(meta.get("split_out", {}))
            or (self.keeper is None and hubs != meta.get("hubs", []))
        )

    def _republish(self, sid: str) -> Outputs:
        """Send the stored brief again for an event seen before.

        Events come back only after a worker died or lost its partitions. Its table writes
        may have reached the changelog while the brief they recorded never reached the briefs
        topic or Redis; the redelivered event then changes nothing, so without this the brief
        would never go out. Downstream writes are idempotent by version.
        """
        stored = self._brief(sid)
        if stored is None or self._published.get(sid) == stored.version:
            return Outputs()  # this process sent it: the event is a plain duplicate
        self._published[sid] = stored.version
        out = Outputs(briefs=[(stored, None)])
        if self.keeper is None:
            out.signals.append(stored)
        return out

    def _changed(self, sid: str, now: float, **meta) -> Outputs:
        """Rebuild a changed story now if its interval has passed, else leave it pending.

        ``meta`` holds the change's own meta values, written together with the pending flag
        or the rebuild's bookkeeping: every table assignment is a changelog record. A quiet
        story's first change goes out at once.
        """
        if self._interval_passed(sid, now):
            return self.rebuild(sid, now, meta)
        self._update_meta(sid, pending=True, **meta)
        return Outputs()

    def _add_articles(self, sid: str, new: list[pb.Article]) -> bool:
        current = unpack_articles(self.articles.get(sid))
        known = {a.article_id for a in current}
        fresh = [a for a in new if a.article_id not in known]
        if fresh:
            self.articles[sid] = pack_articles(within_budget(current + fresh))
            # Analysed once, as it arrives: every rebuild of the story (debounced, and again as
            # it grows) finds the article's sentences and entities remembered.
            for article in fresh:
                prepare_article(article, self.linker)
        return bool(fresh)

    def _merge(self, sid: str, absorbed: list[str], out: Outputs, now: float) -> bool:
        """Record the merge on the survivor and ask each absorbed story's owner to hand over;
        True when the merge is new.

        A merge already recorded sends its handoffs again unless this process sent them: the
        worker that recorded it may have died before they went out (handoffs are idempotent).
        """
        merged = self.meta.get(sid, {}).get("merged_from", [])
        absorbed = [old for old in dict.fromkeys(absorbed) if old != sid]
        new = [old for old in absorbed if old not in merged]
        meta = self.meta.get(sid, {})
        split_out = meta.get("split_out", {})
        if new:
            # A story split off this one and folded back returns its articles here, and is
            # named in merged_from rather than split_into from now on. A split-off story that
            # absorbs the story it left has nothing left to name in split_from.
            back = {k: v for k, v in split_out.items() if k not in absorbed}
            origin = "" if meta.get("split_from") in absorbed else meta.get("split_from", "")
            self._update_meta(
                sid,
                merged_from=[*merged, *new],
                split_out=back,
                **({"split_from": origin} if "split_from" in meta else {}),
            )
        handoffs = [(old, sid) for old in absorbed if (old, sid) not in self._handed]
        for handoff in handoffs:
            self._handed[handoff] = True
        out.extend(self._settle(Outputs(handoffs=handoffs), now))
        return bool(new)

    def on_handoff(self, old: str, sid: str, now: float) -> Outputs:
        """On the absorbed story's partition: tombstone it and forward its articles to sid.

        The articles stay stored until the forwards are acknowledged (``Outputs.drops``): a
        worker killed before that leaves them for the redelivered handoff to forward again.
        """
        articles = unpack_articles(self.articles.get(old))
        previous = self._brief(old)
        if previous is not None and previous.merged_into == sid:
            out = self._republish(old)  # redelivered handoff: the tombstone is recorded
        else:
            tombstone = pb.Brief(story_id=old, merged_into=sid)
            tombstone.version = (previous.version if previous else 0) + 1
            tombstone.updated_at.FromSeconds(int(now))
            self.briefs[old] = encode(tombstone)
            self._published[old] = tombstone.version
            out = Outputs(briefs=[(tombstone, previous)])
            out.extend(self._to_keeper(tombstone, now).outputs)
        meta = self.meta.get(old, {})
        if meta.get("merged_into") != sid or meta.get("pending"):
            self._update_meta(old, merged_into=sid, pending=False)
        if articles:
            out.forwards += [_added(sid, article) for article in articles]
            out.drops.append(old)
        return self._settle(out, now)

    def _articles_of(self, sid: str) -> list[pb.Article]:
        """The story's stored articles, less those a split moved on (kept until acknowledged
        at the new story, see ``_split``)."""
        stored = unpack_articles(self.articles.get(sid))
        gone = self._split_out(sid)
        return [a for a in stored if a.article_id not in gone] if gone else stored

    def _split_out(self, sid: str) -> set[str]:
        """Ids of the articles splits moved off the story (meta ``split_out``)."""
        return {a for ids in self.meta.get(sid, {}).get("split_out", {}).values() for a in ids}

    def _split(self, sid: str, new_sid: str, moved: list[str], out: Outputs, now: float) -> bool:
        """Send the moved articles on to the split-off story; True when the split is new.

        They leave this story's brief at once (meta ``split_out``) and its stored articles
        once the forwards are acknowledged (``Outputs.moved``): a worker killed in between
        leaves them for the redelivered event to send again (forwards are idempotent).
        """
        meta = self.meta.get(sid, {})
        split_out = meta.get("split_out", {})
        if new_sid in meta.get("merged_from", []):
            return False  # a redelivered split of a story merged back since: nothing to move
        new = new_sid not in split_out
        if new:
            self._update_meta(sid, split_out={**split_out, new_sid: sorted(set(moved))})
        wanted = set(split_out.get(new_sid, moved))
        leaving = [a for a in unpack_articles(self.articles.get(sid)) if a.article_id in wanted]
        if leaving:
            # Each forward names this story, so the new one knows its origin even before the
            # cluster's CREATED event for it arrives (the two travel on different topics).
            forwards = [_added(new_sid, a, split_from=sid) for a in leaving]
            moved_ids = [a.article_id for a in leaving]
            out.extend(self._settle(Outputs(forwards=forwards, moved=[(sid, moved_ids)]), now))
        return new

    def drop_moved(self, sid: str, article_ids: list[str]) -> None:
        """Forget articles a split sent on, once their forwards are acknowledged (unless the
        split-off story has been merged back here meanwhile)."""
        drop = self._split_out(sid) & set(article_ids)
        stored = unpack_articles(self.articles.get(sid))
        if drop and any(a.article_id in drop for a in stored):
            self.articles[sid] = pack_articles([a for a in stored if a.article_id not in drop])

    def drop_forwarded(self, old: str) -> None:
        """Forget an absorbed story's articles once their forwards are acknowledged."""
        if self.meta.get(old, {}).get("merged_into") and old in self.articles:
            del self.articles[old]

    def _settle(self, out: Outputs, now: float) -> Outputs:
        """Apply merge messages here when this composer holds every story."""
        if not self.inline_merges:
            return out
        settled = Outputs(briefs=out.briefs, hubs=out.hubs, cards=out.cards, signals=out.signals)
        for old, sid in out.handoffs:
            settled.extend(self.on_handoff(old, sid, now))
        for event in out.forwards:
            settled.extend(self.on_event(event, now))
        for old in out.drops:
            self.drop_forwarded(old)
        for sid, ids in out.moved:
            self.drop_moved(sid, ids)
        for earlier, follower in out.links:
            self.on_link(earlier, follower)
        return settled

    def _to_keeper(self, brief: pb.Brief, now: float) -> _KeeperAnswer:
        """Hand a brief to the hub keeper: inline when it runs here, else as a signal."""
        if self.keeper is None:
            return _KeeperAnswer(Outputs(signals=[brief]), None)
        answer: HubOutputs = self.keeper.on_brief(brief, now)
        return _KeeperAnswer(Outputs(hubs=answer.hubs, cards=answer.cards), answer.refs)

    # -- hub keeper answers (keeper running apart) --------------------------------------------
    def on_hub_refs(self, sid: str, refs: list[pb.HubRef], now: float) -> Outputs:
        """Record the hubs the keeper placed a story in; rebuild when "Go deeper" changed."""
        meta = self.meta.get(sid, {})
        stored = [[r.hub_id, r.question, r.summary] for r in refs]
        if meta.get("merged_into") or (meta.get("hubs", []) == stored and not self._stale(sid)):
            return Outputs()
        return self._changed(sid, now, hubs=stored)

    def on_link(self, earlier: str, follower: str) -> None:
        """On the earlier story's partition: note a follow-up, shown on its next rebuild."""
        followups = self.meta.get(earlier, {}).get("followups", [])
        if follower not in followups:
            self._update_meta(earlier, followups=[*followups, follower])

    def _update_meta(self, sid: str, **values) -> None:
        # Reassign rather than mutate: a faust table only logs a change on assignment.
        self.meta[sid] = {**self.meta.get(sid, {}), **values}
        if values.get("pending"):
            self._waiting.add(sid)

    def _brief(self, sid: str) -> pb.Brief | None:
        data = self.briefs.get(sid)
        return decode(pb.Brief, data) if data else None

    # -- debounce ---------------------------------------------------------------------------
    def _interval_passed(self, sid: str, now: float) -> bool:
        built = self.meta.get(sid, {}).get("built_at", 0.0)
        return now - built >= self.settings.debounce_seconds

    def due(self, sid: str, now: float) -> bool:
        """True when the story has pending changes and its debounce interval has passed."""
        return bool(self.meta.get(sid, {}).get("pending")) and self._interval_passed(sid, now)

    def due_stories(self, now: float, rescan: bool = True) -> Iterator[str]:
        """Stories waiting for a rebuild whose interval has passed.

        Without ``rescan`` only the stories this composer marked pending are looked at.
        """
        if rescan:
            self._waiting |= {sid for sid, m in list(self.meta.items()) if m.get("pending")}
        for sid in list(self._waiting):
            meta = self.meta.get(sid, {})
            if not meta.get("pending"):
                self._waiting.discard(sid)
            elif self._interval_passed(sid, now):
                yield sid

    def rebuild_due(self, sids: list[str], now: float) -> Outputs:
        """Rebuild those of the given stories that are due, as one batch of outputs.

        A request is redelivered when the worker that took it died, perhaps after the
        rebuild's meta (no longer pending) reached the changelog and before its brief did, or
        before the brief went out: such a story is rebuilt, or its brief sent, again.
        """
        out = Outputs()
        for sid in dict.fromkeys(sids):
            if self.due(sid, now) or self._stale(sid):
                out.extend(self.rebuild(sid, now))
            elif not self.meta.get(sid, {}).get("pending"):
                out.extend(self._republish(sid))
        return out

    # -- rebuild ----------------------------------------------------------------------------
    def rebuild(self, sid: str, now: float, changes: dict | None = None) -> Outputs:
        """Compose the story's brief; publish it only when its content changed.

        ``changes`` are meta values not yet stored, written with the rebuild's own.
        """
        out = Outputs()
        changes = changes or {}
        meta = {**self.meta.get(sid, {}), **changes}
        articles = self._articles_of(sid)
        if meta.get("merged_into") or not articles:
            self._update_meta(sid, pending=False, **changes)
            return out
        context = BriefContext(
            now=now,
            follows_story_id=meta.get("follows", ""),
            related=self._related(meta),
            merged_from=meta.get("merged_from", []),
            split_from=meta.get("split_from", ""),
            split_into=list(meta.get("split_out", {})),
            cards=self.linker.cards,
            name_words=self.linker.name_words,
            max_papers_lines=self.settings.max_papers_lines,
            max_topics=self.settings.max_topics,
        )
        brief = compose_brief(sid, articles, context)
        at = max(a.published_at.seconds for a in articles)
        self._update_meta(
            sid,
            **changes,
            pending=False,
            built_at=now,
            at=at,
            headline=[brief.headline.text, list(brief.headline.article_ids)],
        )
        if self.keeper is not None:
            answer = self._to_keeper(brief, now)
            out.extend(answer.outputs)
            brief.go_deeper.extend(answer.refs or [])
        else:
            brief.go_deeper.extend(
                pb.HubRef(hub_id=h, question=q, summary=s) for h, q, s in meta.get("hubs", [])
            )
        cards, out.cards = out.cards, []
        previous = self._brief(sid)
        versioned = next_version(brief, previous, self.settings.max_changes)
        if versioned is None:
            return out
        self.briefs[sid] = encode(versioned)
        self._published[sid] = versioned.version
        out.briefs.append((versioned, previous))
        out.cards = cards
        if self.keeper is None:
            out.signals.append(versioned)
        return out

    def _related(self, meta: dict) -> list[Related]:
        out = []
        for other in [meta.get("follows", ""), *meta.get("followups", [])]:
            info = self.meta.get(other, {}) if other else {}
            if info.get("headline"):
                text, ids = info["headline"]
                out.append(Related(other, text, float(info.get("at", 0)), tuple(ids)))
        return out


@dataclass
class _KeeperAnswer:
    outputs: Outputs
    refs: list[pb.HubRef] | None
