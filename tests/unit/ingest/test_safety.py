import pytest

from services.ingest.safety import (
    FEED_TYPES,
    AddressPolicy,
    Rejected,
    check_content_type,
    check_size,
    check_xml,
    decode_text,
    media_type,
)

from .helpers import HOSTILE


def fake_resolver(table):
    return lambda host: table.get(host, [])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost/feed",
        "http://10.1.2.3/feed",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://[fe80::1]/feed",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_blocked(url):
    policy = AddressPolicy(resolver=fake_resolver({"localhost": ["127.0.0.1"]}))
    with pytest.raises(Rejected) as info:
        policy.check(url)
    assert info.value.reason == "address_blocked"


def test_a_public_name_resolving_to_a_private_address_is_blocked():
    policy = AddressPolicy(resolver=fake_resolver({"evil.example": ["93.184.216.34", "10.0.0.5"]}))
    with pytest.raises(Rejected, match="address_blocked"):
        policy.check("https://evil.example/rss")


def test_public_addresses_pass_and_the_allowlist_opens_loopback():
    policy = AddressPolicy(
        allow=["127.0.0.1", "internal.example"],
        resolver=fake_resolver({"news.example": ["93.184.216.34"]}),
    )
    policy.check("https://news.example/rss")
    policy.check("http://127.0.0.1:8000/feed.xml")
    policy.check("http://internal.example/feed.xml")
    with pytest.raises(Rejected):
        policy.check("http://127.0.0.2/feed.xml")


def test_allowlist_takes_networks():
    AddressPolicy(allow=["127.0.0.0/8"]).check("http://127.3.4.5/x")


@pytest.mark.parametrize(
    ("url", "reason"),
    [("file:///etc/passwd", "url_scheme_forbidden"), ("gopher://x/", "url_scheme_forbidden"),
     ("http:///nohost", "url_invalid"), ("http://nowhere.invalid/", "host_unresolved")],
)  # fmt: skip
def test_non_http_and_unresolvable_urls_are_refused(url, reason):
    with pytest.raises(Rejected) as info:
        AddressPolicy(resolver=fake_resolver({})).check(url)
    assert info.value.reason == reason


def test_content_types():
    check_content_type("application/rss+xml; charset=utf-8", FEED_TYPES)
    check_content_type(None, FEED_TYPES)
    with pytest.raises(Rejected, match="content_type_unsupported"):
        check_content_type("image/png", FEED_TYPES)
    assert media_type('text/xml; Charset="ISO-8859-1"') == ("text/xml", "ISO-8859-1")


def test_oversized_body_is_refused():
    check_size(b"x" * 10, 10)
    with pytest.raises(Rejected, match="body_too_large"):
        check_size(b"x" * 11, 10)


def test_encodings_declared_wrong_missing_or_unknown_are_refused():
    assert decode_text((HOSTILE / "latin1-declared.xml").read_bytes()).count("café") == 2
    for name, reason in [
        ("wrong-encoding.xml", "encoding_invalid"),
        ("missing-encoding.xml", "encoding_invalid"),
        ("unknown-encoding.xml", "encoding_unknown"),
    ]:
        with pytest.raises(Rejected) as info:
            decode_text((HOSTILE / name).read_bytes())
        assert info.value.reason == reason, name


def test_http_charset_overrides_the_xml_declaration():
    body = '<?xml version="1.0" encoding="utf-8"?><a>café</a>'.encode("latin-1")
    assert "café" in decode_text(body, "iso-8859-1")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("billion-laughs.xml", "xml_entities_forbidden"),
        ("external-entity.xml", "xml_external_entity"),
        ("malformed.xml", "xml_malformed"),
    ],
)
def test_dangerous_or_broken_xml_is_refused_before_any_parser_expands_it(name, reason):
    with pytest.raises(Rejected) as info:
        check_xml((HOSTILE / name).read_bytes())
    assert info.value.reason == reason
    assert info.value.payload_head  # the rejection carries the start of the body
