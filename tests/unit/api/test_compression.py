"""gzip negotiation, ETags of the two representations, the per-version copies, Vary merging."""

import gzip

import pytest

from services.api.compression import (
    MIN_SIZE,
    GzipCopies,
    add_vary,
    compress,
    gzip_tag,
    takes_gzip,
    wants_gzip,
)
from services.api.negotiate import as_get, client_method
from services.api.responses import negotiated

LARGE = b'{"headline":"' + b"ceasefire talks resume in Geneva " * 60 + b'"}'
SMALL = b'{"items":[]}'
TAG = '"0123456789abcdef"'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),  # an empty value asks for no coding at all
        ("gzip", True),
        ("GZip", True),
        ("x-gzip", True),
        ("gzip, deflate, br, zstd", True),  # httpx, browsers
        ("deflate, br", False),
        ("identity", False),
        ("gzip;q=0", False),  # Starlette's substring test would compress this
        ("gzip; q=0.000", False),
        ("gzip;q=bogus", False),
        ("*", True),
        ("*;q=0", False),
        ("*, gzip;q=0", False),  # the named coding outranks the wildcard
        ("gzip, identity;q=0", True),
        ("identity;q=0", False),  # gzip not offered by the client: identity, the readable one
        ("gzip;q=0.5, identity", False),  # identity named with a higher weight
        ("gzip;q=0.5, identity;q=0.4", True),
        ("gzip;q=0.5, identity;q=0.5", True),  # a tie goes to the smaller body
        ("*;q=0.5, identity;q=1", False),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("gzip;q=0.2", True),  # identity unnamed: acceptable but least preferred
    ],
)  # fmt: skip
def test_accept_encoding_is_parsed_with_its_weights(header, expected):
    assert takes_gzip(header) is expected


def _scope(*headers):
    return {"type": "http", "method": "GET", "path": "/v1/stories", "headers": list(headers)}


def test_asgi_requests_join_several_header_lines():
    assert wants_gzip(_scope()) is False
    assert wants_gzip(_scope((b"accept-encoding", b"gzip, deflate"))) is True
    assert wants_gzip(_scope((b"accept-encoding", b"gzip;q=0"))) is False
    lines = (b"accept-encoding", b"br"), (b"accept-encoding", b"gzip")
    assert wants_gzip(_scope(*lines)) is True


def test_the_gzip_etag_is_another_strong_tag():
    assert gzip_tag(TAG) == '"0123456789abcdef-gzip"'
    assert not gzip_tag(TAG).startswith("W/")


def test_copies_are_made_once_per_version_and_decompress_to_the_document():
    copies = GzipCopies()
    first = copies.get(TAG, LARGE)
    assert gzip.decompress(first) == LARGE and len(first) < len(LARGE) / 5
    assert copies.get(TAG, LARGE) is first
    assert copies.compressions == 1
    # Another worker (another instance) produces the same bytes: one strong ETag, one body.
    assert GzipCopies().get(TAG, LARGE) == first == compress(LARGE)


def test_copies_stay_within_their_byte_budget():
    size = len(compress(LARGE))
    copies = GzipCopies(max_bytes=size * 2)
    for n in range(5):
        copies.get(f'"{n}"', LARGE)
        assert copies.stored <= size * 2
    assert len(copies.copies) <= 2 and copies.compressions == 5


def test_a_client_taking_gzip_gets_the_gzip_representation():
    answer = negotiated(LARGE, TAG, None, GzipCopies())
    assert answer.status == 200 and answer.gzip and answer.vary
    assert answer.etag == gzip_tag(TAG)
    assert gzip.decompress(answer.body) == LARGE


def test_other_clients_get_the_stored_bytes_under_the_stored_etag():
    answer = negotiated(LARGE, TAG, None, None)
    assert answer == (200, TAG, LARGE, False, True)


def test_small_bodies_have_one_representation():
    assert len(SMALL) < MIN_SIZE
    assert negotiated(SMALL, TAG, None, GzipCopies()) == (200, TAG, SMALL, False, False)
    # No gzip form exists, so its tag validates nothing.
    assert negotiated(SMALL, TAG, gzip_tag(TAG), GzipCopies()).status == 200


@pytest.mark.parametrize("copies", [GzipCopies(), None], ids=["gzip", "identity"])
def test_either_etag_form_answers_304_naming_the_form_held(copies):
    for held in (TAG, gzip_tag(TAG), f"W/{gzip_tag(TAG)}", f'"other", {TAG}'):
        answer = negotiated(LARGE, TAG, held, copies)
        assert answer.status == 304 and answer.body == b"" and answer.vary
        assert answer.etag in held
    # Holding both: the one this request would get.
    both = f"{TAG}, {gzip_tag(TAG)}"
    expected = gzip_tag(TAG) if copies is not None else TAG
    assert negotiated(LARGE, TAG, both, copies).etag == expected
    assert negotiated(LARGE, TAG, "*", copies).etag == expected
    assert negotiated(LARGE, TAG, '"stale"', copies).status == 200


def test_vary_is_merged_into_one_line_without_repeats():
    headers = [(b"etag", b'"x"'), (b"vary", b"Accept-Encoding")]
    add_vary(headers, b"Origin")
    add_vary(headers, b"origin")
    add_vary(headers, b"Accept-Encoding")
    assert headers == [(b"etag", b'"x"'), (b"vary", b"Accept-Encoding, Origin")]
    alone: list[tuple[bytes, bytes]] = []
    add_vary(alone, b"Origin")
    assert alone == [(b"vary", b"Origin")]


def test_head_answered_as_get_still_says_head():
    async def send(message):
        pass

    scope = _scope()
    assert client_method(scope) == "GET"
    head_scope, _ = as_get({**scope, "method": "HEAD"}, send)
    assert head_scope["method"] == "GET" and client_method(head_scope) == "HEAD"
