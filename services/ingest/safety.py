"""Guards against hostile input: private addresses (SSRF), sizes, content types, encodings, XML."""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml import ElementTree as SafeET
from defusedxml.common import ExternalReferenceForbidden

Resolver = Callable[[str], list[str]]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Rejected(Exception):
    """Input refused, with a machine-readable reason and a human-readable detail."""

    def __init__(self, reason: str, detail: str = "", payload_head: bytes = b"") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.payload_head = payload_head


FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
        "text/plain",
        # Many servers label feed files by extension only and get it wrong: accept it, then
        # let the parser decide whether the body is a feed.
        "application/octet-stream",
    }
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def default_resolver(host: str) -> list[str]:
    """Every address host resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


def _parse_allow(entries: Iterable[str]) -> tuple[set[str], list[Network]]:
    names: set[str] = set()
    nets: list[Network] = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            names.add(entry.strip().lower().rstrip("."))
    return names, nets


def is_public(address: Address) -> bool:
    """Whether an address is routable on the public internet (not private, loopback, ...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class AddressPolicy:
    """Decides which URLs may be fetched: public addresses, plus an explicit allowlist."""

    def __init__(self, allow: Iterable[str] = (), resolver: Resolver = default_resolver) -> None:
        self._names, self._nets = _parse_allow(allow)
        self._resolve = resolver

    def check(self, url: str) -> None:
        """Raise Rejected unless url is http(s) and every address of its host may be fetched."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Rejected("url_scheme_forbidden", f"scheme {parts.scheme!r} in {url}")
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise Rejected("url_invalid", f"no host in {url}")
        if host in self._names:
            return
        addresses = self._addresses(host)
        if not addresses:
            raise Rejected("host_unresolved", f"{host} does not resolve")
        for address in addresses:
            if not self._allowed(address):
                raise Rejected("address_blocked", f"{host} resolves to non-public {address}")

    def _addresses(self, host: str) -> list[Address]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        out = []
        for raw in self._resolve(host):
            try:
                out.append(ipaddress.ip_address(raw.split("%", 1)[0]))
            except ValueError:
                continue
        return out

    def _allowed(self, address: Address) -> bool:
        if any(address in net for net in self._nets if net.version == address.version):
            return True
        return is_public(address)


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """Split a Content-Type header into (lower-case media type, charset or None)."""
    if not content_type:
        return "", None
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media.strip().lower(), charset


def check_content_type(content_type: str | None, allowed: frozenset[str]) -> None:
    """Raise Rejected when a response's media type is not one we parse (missing is allowed)."""
    media, _ = media_type(content_type)
    if media and media not in allowed:
        raise Rejected("content_type_unsupported", f"got {media}")


def check_size(body: bytes, limit: int) -> None:
    """Raise Rejected when a body is over the configured limit."""
    if len(body) > limit:
        raise Rejected("body_too_large", f"{len(body)} bytes > limit {limit}", body[:256])


def declared_encoding(body: bytes, header_charset: str | None) -> str:
    """The encoding a document claims: BOM, then HTTP charset, then XML declaration, else UTF-8."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if header_charset:
        return header_charset
    match = _XML_DECL.match(body[:200])
    return match.group(1).decode("ascii") if match else "utf-8"


def decode_text(body: bytes, header_charset: str | None = None) -> str:
    """Decode a body by its declared encoding; raise Rejected when it is unknown or wrong."""
    encoding = declared_encoding(body, header_charset)
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise Rejected("encoding_unknown", f"unknown encoding {encoding!r}", body[:256]) from exc
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Rejected(
            "encoding_invalid", f"bytes are not valid {encoding}: {exc.reason}", body[:256]
        ) from exc


def check_xml(body: bytes):
    """Parse XML with entity expansion, external references and DTD entities forbidden.

    Raises Rejected with ``xml_entities_forbidden``, ``xml_external_entity``,
    ``xml_external_reference`` or ``xml_malformed``. Run before any other parser sees the body;
    returns the parsed root element.
    """
    try:
        return SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        reason = "xml_external_entity" if exc.sysid or exc.pubid else "xml_entities_forbidden"
        raise Rejected(reason, str(exc), body[:256]) from exc
    except ExternalReferenceForbidden as exc:
        raise Rejected("xml_external_reference", str(exc), body[:256]) from exc
    except DTDForbidden as exc:  # not raised with forbid_dtd=False; kept for safety
        raise Rejected("xml_dtd_forbidden", str(exc), body[:256]) from exc
    except DefusedXmlException as exc:
        raise Rejected("xml_forbidden", str(exc), body[:256]) from exc
    except SafeET.ParseError as exc:
        raise Rejected("xml_malformed", str(exc), body[:256]) from exc
