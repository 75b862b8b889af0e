"""The public side of stories: ids, per-story sequence numbers, members, closing, follow-ups.

The engine decides which articles belong together; the ledger turns its decisions into the
StoryEvents downstream services see. It keeps, per public story, the event sequence, the member
list (append-only except when a split moves members out, so an event's ``article_ids`` is a
prefix of it and can be rebuilt on a replay), the last event time, and whether the story is
closed or merged. An article that the
engine puts into a closed story joins it when the article is dated no later than the moment the
story went quiet (it was written while the story was open and merely arrived late); one dated
after that opens a follow-up story instead, linked by ``follows``.

State lives in a caller-supplied MutableMapping with JSON values; keys:
  l:<story>   ledger entry       x:<engine story>  public story continuing it
  b:<n>       stories due to close in time bucket n
  c:clock     event-time clock    c:swept  last bucket swept
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass, field

CREATED = "CREATED"
ARTICLE_ADDED = "ARTICLE_ADDED"
MERGED = "MERGED"
CLOSED = "CLOSED"
SPLIT = "SPLIT"


@dataclass(frozen=True)
class EventSpec:
    """A story event without its payloads: enough to rebuild the identical message later."""

    kind: str
    story_id: str
    sequence: int
    count: int  # article_ids = the story's first `count` members
    at: float | None
    article_id: str = ""  # the article attached (CREATED, ARTICLE_ADDED)
    absorbed: list[str] = field(default_factory=list)
    follows: str = ""
    moved: list[str] = field(default_factory=list)  # SPLIT: members that left for split_into
    split_into: str = ""
    split_from: str = ""  # CREATED by a split

    def to_dict(self) -> dict:
        """JSON-serialisable form, for the replay record."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> EventSpec:
        """Inverse of to_dict."""
        return cls(**data)


def follow_up_id(closed_story_id: str, article_id: str) -> str:
    """Deterministic id of the follow-up story that article_id opens after a closed story."""
    digest = hashlib.sha1(f"{closed_story_id}>{article_id}".encode()).hexdigest()[:16]
    return "st_" + digest


def normalise_engine_event(event: dict) -> dict:
    """Accept both engines' spellings: type|kind, absorbed_story_id|absorbed_story_ids."""
    kind = str(event.get("type") or event.get("kind") or "").lower()
    absorbed = event.get("absorbed_story_ids") or event.get("absorbed_story_id") or []
    if isinstance(absorbed, str):
        absorbed = [absorbed]
    out = {"kind": kind, "story_id": event["story_id"], "absorbed": list(absorbed)}
    if kind == "split":
        out.update(new_story_id=event["new_story_id"], moved=list(event["article_ids"]))
    return out


class StoryLedger:
    """Turns engine decisions into public story events; closes idle stories by event time."""

    def __init__(self, state: MutableMapping, close_after: float, buckets: int = 24) -> None:
        self.state = state
        self.close_after = close_after
        # Close checks run per time bucket, so each article costs O(1) amortised, not O(stories).
        self.bucket_seconds = max(close_after / buckets, 1.0)

    # ---- public API --------------------------------------------------------------------

    def members(self, story_id: str) -> list[str]:
        """A story's members in the order they joined (empty when unknown)."""
        entry = self._entry(story_id)
        return list(entry["members"]) if entry else []

    def advance(self, ts: float | None) -> list[EventSpec]:
        """Move the event-time clock to ts (never back) and close stories quiet since."""
        clock = self.state.get("c:clock")
        if ts is None or (clock is not None and ts <= clock):
            return []
        self.state["c:clock"] = ts
        return self._sweep(ts)

    def apply(
        self, engine_events: list[dict], article_id: str, at: float | None
    ) -> list[EventSpec]:
        """Translate the engine's events for one article into public event specs."""
        specs: list[EventSpec] = []
        for event in map(normalise_engine_event, engine_events):
            if event["kind"] == "created":
                specs.append(self._open(event["story_id"], article_id, at, follows=""))
            elif event["kind"] == "added":
                specs.append(self._add(event["story_id"], article_id, at))
            elif event["kind"] == "merged":
                specs.extend(
                    self._merge(event["story_id"], absorbed, at) for absorbed in event["absorbed"]
                )
            elif event["kind"] == "split":
                specs.extend(self._split(event["story_id"], event["new_story_id"], event, at))
        return [spec for spec in specs if spec is not None]

    def public_id(self, engine_story_id: str) -> str:
        """The public story now standing for an engine story (follow-ups, merges)."""
        story_id = self.state.get("x:" + engine_story_id, engine_story_id)
        for _ in range(1000):  # merge chains are short; the bound guards against a cycle
            entry = self._entry(story_id)
            if not entry or not entry.get("merged_into"):
                break
            story_id = entry["merged_into"]
        return story_id

    # ---- transitions -------------------------------------------------------------------

    def _open(self, story_id: str, article_id: str, at: float | None, follows: str) -> EventSpec:
        self._start(story_id, [article_id], at, follows)
        return EventSpec(CREATED, story_id, 1, 1, at, article_id=article_id, follows=follows)

    def _start(self, story_id: str, members: list[str], last: float | None, follows: str) -> None:
        """Write a new open story's entry (sequence 1) and schedule its closing check."""
        self.state["l:" + story_id] = {
            "seq": 1,
            "members": members,
            "last": last,
            "closed": False,
            "merged_into": None,
            "follows": follows,
        }
        self._schedule(story_id, last)

    def _add(self, engine_story_id: str, article_id: str, at: float | None) -> EventSpec | None:
        story_id = self._home(self.public_id(engine_story_id), at)
        entry = self._entry(story_id)
        if entry is None:  # engine state from before this ledger existed: adopt the story
            return self._open(story_id, article_id, at, follows="")
        if article_id in entry["members"]:
            return None
        if entry["closed"] and not self._written_while_open(entry, at):
            follow = follow_up_id(story_id, article_id)
            self.state["x:" + engine_story_id] = follow
            return self._open(follow, article_id, at, follows=story_id)
        # An open story, or a closed one this article predates (it arrived late): join it. A
        # closed story stays closed; its later `last` schedules nothing (closing is final).
        entry = self._bump(story_id, entry, at, members=[*entry["members"], article_id])
        if not entry["closed"]:
            self._schedule(story_id, entry["last"])
        return EventSpec(
            ARTICLE_ADDED, story_id, entry["seq"], len(entry["members"]), at, article_id
        )

    def _written_while_open(self, entry: dict, at: float | None) -> bool:
        """Whether event time at is no later than the moment the story became due to close."""
        return (
            at is not None and entry["last"] is not None and at <= entry["last"] + self.close_after
        )

    def _home(self, story_id: str, at: float | None) -> str:
        """The earliest story of a follow-up chain that was still open at event time at.

        An article arriving after its engine story moved on to a follow-up, but dated while the
        story it follows was open, belongs to that earlier story (merged stories end the walk:
        their members live on in the survivor, which public_id already names).
        """
        for _ in range(1000):  # chains are short; the bound guards against a cycle
            entry = self._entry(story_id)
            earlier = self._entry(entry["follows"]) if entry and entry.get("follows") else None
            if earlier is None or earlier.get("merged_into"):
                break
            if not self._written_while_open(earlier, at):
                break
            story_id = entry["follows"]
        return story_id

    def _merge(
        self, engine_story_id: str, engine_absorbed: str, at: float | None
    ) -> EventSpec | None:
        keep, gone = self.public_id(engine_story_id), self.public_id(engine_absorbed)
        kept, lost = self._entry(keep), self._entry(gone)
        if keep == gone or kept is None or lost is None:
            return None
        last = max((t for t in (kept["last"], lost["last"], at) if t is not None), default=None)
        if kept["closed"] and not self._written_while_open(kept, last):
            # A closed story never reopens: the open one carries on for both engine stories.
            self.state["x:" + engine_story_id] = gone
            return None
        # Into an open story, or into a closed one that every member of the absorbed story (and
        # the article that caused the merge) predates: the same rule as a late article's.
        members = kept["members"] + [m for m in lost["members"] if m not in kept["members"]]
        entry = self._bump(keep, kept, last, members=members)
        self.state["l:" + gone] = dict(lost, merged_into=keep)
        if not entry["closed"]:
            self._schedule(keep, entry["last"])
        return EventSpec(MERGED, keep, entry["seq"], len(members), at, absorbed=[gone])

    def _split(self, engine_story_id: str, new_id: str, event: dict, at: float | None):
        """SPLIT on the public story holding the moved members, then CREATED for new_id.

        Only an open story splits publicly (closing is final). Members that an earlier story
        of a follow-up chain holds stay there. When nothing can move, the engine's new story
        is opened publicly by its next article (``_add`` adopts unknown stories).
        """
        story_id = self.public_id(engine_story_id)
        entry = self._entry(story_id)
        if entry is None or entry["closed"] or self._entry(new_id) is not None:
            return []
        moved = set(event["moved"])
        moving = [m for m in entry["members"] if m in moved]
        staying = [m for m in entry["members"] if m not in moved]
        if not moving or not staying:
            return []
        entry = self._bump(story_id, entry, at, members=staying)
        self._schedule(story_id, entry["last"])
        self._start(new_id, moving, entry["last"], follows="")
        return [
            EventSpec(
                SPLIT, story_id, entry["seq"], len(staying), at, moved=moving, split_into=new_id
            ),
            EventSpec(CREATED, new_id, 1, len(moving), at, split_from=story_id),
        ]

    def _bump(self, story_id: str, entry: dict, at: float | None, members: list[str]) -> dict:
        last = entry["last"] if at is None else max(at, entry["last"] or at)
        entry = dict(entry, seq=entry["seq"] + 1, members=members, last=last)
        self.state["l:" + story_id] = entry
        return entry

    # ---- closing by event time ---------------------------------------------------------

    def _bucket(self, ts: float) -> int:
        return math.floor(ts / self.bucket_seconds)

    def _schedule(self, story_id: str, last: float | None) -> None:
        """Remember to check story_id once the clock passes last + close_after."""
        if last is None:
            return
        swept = self.state.get("c:swept")
        if swept is None:  # first story: sweeping starts here
            swept = self.state["c:swept"] = self._bucket(last) - 1
        # A late article must not land in an already swept bucket.
        bucket = max(self._bucket(last + self.close_after), swept + 1)
        key = f"b:{bucket}"
        due = self.state.get(key, [])
        if story_id not in due:
            self.state[key] = [*due, story_id]

    def _sweep(self, clock: float) -> list[EventSpec]:
        """Close the stories of every bucket that ended before the clock's bucket.

        Stories therefore close at most one bucket (close_after / buckets) late; the event's
        ``at`` is still the exact moment they became due.
        """
        now_bucket = self._bucket(clock)
        swept = self.state.get("c:swept")
        specs: list[EventSpec] = []
        for bucket in range(now_bucket if swept is None else swept + 1, now_bucket):
            key = f"b:{bucket}"
            if key in self.state:
                specs.extend(self._close_due(self.state[key], clock))
                del self.state[key]
        if swept is None or swept < now_bucket - 1:
            self.state["c:swept"] = now_bucket - 1
        return specs

    def _close_due(self, story_ids: list[str], clock: float) -> list[EventSpec]:
        specs = []
        for story_id in story_ids:
            entry = self._entry(story_id)
            if not entry or entry["closed"] or entry.get("merged_into") or entry["last"] is None:
                continue
            due_at = entry["last"] + self.close_after
            if due_at > clock:
                continue  # touched since it was scheduled: a later bucket holds it
            entry = dict(entry, seq=entry["seq"] + 1, closed=True)
            self.state["l:" + story_id] = entry
            specs.append(EventSpec(CLOSED, story_id, entry["seq"], len(entry["members"]), due_at))
        return specs

    def _entry(self, story_id: str) -> dict | None:
        return self.state.get("l:" + story_id)
