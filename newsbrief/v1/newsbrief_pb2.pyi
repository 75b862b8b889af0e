import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Article(_message.Message):
    __slots__ = ("article_id", "canonical_url", "url", "outlet", "parent_outlet", "language", "title", "summary", "text", "author", "section", "image_url", "published_at", "ingested_at", "flags", "duplicate_of", "content_hash", "source", "kind")
    ARTICLE_ID_FIELD_NUMBER: _ClassVar[int]
    CANONICAL_URL_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    OUTLET_FIELD_NUMBER: _ClassVar[int]
    PARENT_OUTLET_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    SECTION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    INGESTED_AT_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    article_id: str
    canonical_url: str
    url: str
    outlet: str
    parent_outlet: str
    language: str
    title: str
    summary: str
    text: str
    author: str
    section: str
    image_url: str
    published_at: _timestamp_pb2.Timestamp
    ingested_at: _timestamp_pb2.Timestamp
    flags: _containers.RepeatedScalarFieldContainer[str]
    duplicate_of: str
    content_hash: str
    source: str
    kind: str
    def __init__(self, article_id: _Optional[str] = ..., canonical_url: _Optional[str] = ..., url: _Optional[str] = ..., outlet: _Optional[str] = ..., parent_outlet: _Optional[str] = ..., language: _Optional[str] = ..., title: _Optional[str] = ..., summary: _Optional[str] = ..., text: _Optional[str] = ..., author: _Optional[str] = ..., section: _Optional[str] = ..., image_url: _Optional[str] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ingested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., flags: _Optional[_Iterable[str]] = ..., duplicate_of: _Optional[str] = ..., content_hash: _Optional[str] = ..., source: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class StoryEvent(_message.Message):
    __slots__ = ("story_id", "kind", "article", "absorbed_story_ids", "follows_story_id", "sequence", "at", "article_ids", "moved_article_ids", "split_story_id", "split_from_story_id")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[StoryEvent.Kind]
        CREATED: _ClassVar[StoryEvent.Kind]
        ARTICLE_ADDED: _ClassVar[StoryEvent.Kind]
        MERGED: _ClassVar[StoryEvent.Kind]
        CLOSED: _ClassVar[StoryEvent.Kind]
        SPLIT: _ClassVar[StoryEvent.Kind]
    KIND_UNSPECIFIED: StoryEvent.Kind
    CREATED: StoryEvent.Kind
    ARTICLE_ADDED: StoryEvent.Kind
    MERGED: StoryEvent.Kind
    CLOSED: StoryEvent.Kind
    SPLIT: StoryEvent.Kind
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    ABSORBED_STORY_IDS_FIELD_NUMBER: _ClassVar[int]
    FOLLOWS_STORY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    MOVED_ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_STORY_ID_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FROM_STORY_ID_FIELD_NUMBER: _ClassVar[int]
    story_id: str
    kind: StoryEvent.Kind
    article: Article
    absorbed_story_ids: _containers.RepeatedScalarFieldContainer[str]
    follows_story_id: str
    sequence: int
    at: _timestamp_pb2.Timestamp
    article_ids: _containers.RepeatedScalarFieldContainer[str]
    moved_article_ids: _containers.RepeatedScalarFieldContainer[str]
    split_story_id: str
    split_from_story_id: str
    def __init__(self, story_id: _Optional[str] = ..., kind: _Optional[_Union[StoryEvent.Kind, str]] = ..., article: _Optional[_Union[Article, _Mapping]] = ..., absorbed_story_ids: _Optional[_Iterable[str]] = ..., follows_story_id: _Optional[str] = ..., sequence: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., article_ids: _Optional[_Iterable[str]] = ..., moved_article_ids: _Optional[_Iterable[str]] = ..., split_story_id: _Optional[str] = ..., split_from_story_id: _Optional[str] = ...) -> None: ...

class Sentence(_message.Message):
    __slots__ = ("text", "article_ids")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    text: str
    article_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, text: _Optional[str] = ..., article_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PaperLine(_message.Message):
    __slots__ = ("outlet", "text", "article_id", "url")
    OUTLET_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    outlet: str
    text: str
    article_id: str
    url: str
    def __init__(self, outlet: _Optional[str] = ..., text: _Optional[str] = ..., article_id: _Optional[str] = ..., url: _Optional[str] = ...) -> None: ...

class TimelineEntry(_message.Message):
    __slots__ = ("at", "text", "story_id", "article_ids")
    AT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    text: str
    story_id: str
    article_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., text: _Optional[str] = ..., story_id: _Optional[str] = ..., article_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class HubRef(_message.Message):
    __slots__ = ("hub_id", "question", "summary")
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    hub_id: str
    question: str
    summary: str
    def __init__(self, hub_id: _Optional[str] = ..., question: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class EntityCard(_message.Message):
    __slots__ = ("entity_id", "name", "kind", "description", "aliases", "description_source", "article_ids", "story_ids", "updated_at")
    ENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    STORY_IDS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    entity_id: str
    name: str
    kind: str
    description: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    description_source: str
    article_ids: _containers.RepeatedScalarFieldContainer[str]
    story_ids: _containers.RepeatedScalarFieldContainer[str]
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, entity_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., description: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., description_source: _Optional[str] = ..., article_ids: _Optional[_Iterable[str]] = ..., story_ids: _Optional[_Iterable[str]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SourceArticle(_message.Message):
    __slots__ = ("article_id", "outlet", "url", "title", "published_at", "duplicate_of")
    ARTICLE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTLET_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    article_id: str
    outlet: str
    url: str
    title: str
    published_at: _timestamp_pb2.Timestamp
    duplicate_of: str
    def __init__(self, article_id: _Optional[str] = ..., outlet: _Optional[str] = ..., url: _Optional[str] = ..., title: _Optional[str] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duplicate_of: _Optional[str] = ...) -> None: ...

class Brief(_message.Message):
    __slots__ = ("story_id", "version", "headline", "whats_happened", "behind_the_headline", "what_the_papers_say", "how_we_got_here", "timeline", "go_deeper", "topics", "articles", "outlets", "language", "first_published_at", "updated_at", "merged_into", "merged_from", "follows_story_id", "content_hash", "changes", "split_from", "split_into")
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    HEADLINE_FIELD_NUMBER: _ClassVar[int]
    WHATS_HAPPENED_FIELD_NUMBER: _ClassVar[int]
    BEHIND_THE_HEADLINE_FIELD_NUMBER: _ClassVar[int]
    WHAT_THE_PAPERS_SAY_FIELD_NUMBER: _ClassVar[int]
    HOW_WE_GOT_HERE_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    GO_DEEPER_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    OUTLETS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    FIRST_PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    MERGED_FROM_FIELD_NUMBER: _ClassVar[int]
    FOLLOWS_STORY_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FROM_FIELD_NUMBER: _ClassVar[int]
    SPLIT_INTO_FIELD_NUMBER: _ClassVar[int]
    story_id: str
    version: int
    headline: Sentence
    whats_happened: _containers.RepeatedCompositeFieldContainer[Sentence]
    behind_the_headline: _containers.RepeatedCompositeFieldContainer[Sentence]
    what_the_papers_say: _containers.RepeatedCompositeFieldContainer[PaperLine]
    how_we_got_here: _containers.RepeatedCompositeFieldContainer[Sentence]
    timeline: _containers.RepeatedCompositeFieldContainer[TimelineEntry]
    go_deeper: _containers.RepeatedCompositeFieldContainer[HubRef]
    topics: _containers.RepeatedCompositeFieldContainer[EntityCard]
    articles: _containers.RepeatedCompositeFieldContainer[SourceArticle]
    outlets: _containers.RepeatedScalarFieldContainer[str]
    language: str
    first_published_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    merged_into: str
    merged_from: _containers.RepeatedScalarFieldContainer[str]
    follows_story_id: str
    content_hash: str
    changes: _containers.RepeatedCompositeFieldContainer[VersionChange]
    split_from: str
    split_into: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, story_id: _Optional[str] = ..., version: _Optional[int] = ..., headline: _Optional[_Union[Sentence, _Mapping]] = ..., whats_happened: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., behind_the_headline: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., what_the_papers_say: _Optional[_Iterable[_Union[PaperLine, _Mapping]]] = ..., how_we_got_here: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., timeline: _Optional[_Iterable[_Union[TimelineEntry, _Mapping]]] = ..., go_deeper: _Optional[_Iterable[_Union[HubRef, _Mapping]]] = ..., topics: _Optional[_Iterable[_Union[EntityCard, _Mapping]]] = ..., articles: _Optional[_Iterable[_Union[SourceArticle, _Mapping]]] = ..., outlets: _Optional[_Iterable[str]] = ..., language: _Optional[str] = ..., first_published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., merged_into: _Optional[str] = ..., merged_from: _Optional[_Iterable[str]] = ..., follows_story_id: _Optional[str] = ..., content_hash: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[VersionChange, _Mapping]]] = ..., split_from: _Optional[str] = ..., split_into: _Optional[_Iterable[str]] = ...) -> None: ...

class VersionChange(_message.Message):
    __slots__ = ("version", "at", "sections", "added_article_ids", "removed_article_ids")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    ADDED_ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_ARTICLE_IDS_FIELD_NUMBER: _ClassVar[int]
    version: int
    at: _timestamp_pb2.Timestamp
    sections: _containers.RepeatedScalarFieldContainer[str]
    added_article_ids: _containers.RepeatedScalarFieldContainer[str]
    removed_article_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, version: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sections: _Optional[_Iterable[str]] = ..., added_article_ids: _Optional[_Iterable[str]] = ..., removed_article_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Hub(_message.Message):
    __slots__ = ("hub_id", "question", "summary", "story_ids", "entity_ids", "terms", "updated_at", "retired")
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    STORY_IDS_FIELD_NUMBER: _ClassVar[int]
    ENTITY_IDS_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    RETIRED_FIELD_NUMBER: _ClassVar[int]
    hub_id: str
    question: str
    summary: Sentence
    story_ids: _containers.RepeatedScalarFieldContainer[str]
    entity_ids: _containers.RepeatedScalarFieldContainer[str]
    terms: _containers.RepeatedScalarFieldContainer[str]
    updated_at: _timestamp_pb2.Timestamp
    retired: bool
    def __init__(self, hub_id: _Optional[str] = ..., question: _Optional[str] = ..., summary: _Optional[_Union[Sentence, _Mapping]] = ..., story_ids: _Optional[_Iterable[str]] = ..., entity_ids: _Optional[_Iterable[str]] = ..., terms: _Optional[_Iterable[str]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retired: _Optional[bool] = ...) -> None: ...

class RejectedInput(_message.Message):
    __slots__ = ("service", "source", "reason", "detail", "item_ref", "payload_head", "at")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ITEM_REF_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_HEAD_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    service: str
    source: str
    reason: str
    detail: str
    item_ref: str
    payload_head: bytes
    at: _timestamp_pb2.Timestamp
    def __init__(self, service: _Optional[str] = ..., source: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ..., item_ref: _Optional[str] = ..., payload_head: _Optional[bytes] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
