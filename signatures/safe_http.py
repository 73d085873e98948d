"""POSTs to URLs that administrators type in (webhook endpoints), without opening the way in.

An endpoint's URL must not turn Clarion into a client of its own network (SSRF): the
cloud's metadata service at 169.254.169.254, a database on 127.0.0.1, anything on the
private network. So a URL must be https (plain http only when `CLARION_WEBHOOK_ALLOW_HTTP`
says so, for local testing), and every address its host resolves to must be public. The
connection goes to an address that was checked, never to a second lookup of the name, so a
host that answers a public address to the check and 127.0.0.1 to the connection (DNS
rebinding) gets nowhere. Redirects are not followed. Failures are reported as categories,
never in the remote's words: those could map internal ports and services into the log.

`CLARION_WEBHOOK_ALLOWED_NETWORKS` lists networks exempted from the public-address rule
(e.g. a CRM on the organisation's own network, or a test's receiver on loopback).
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

NOT_HTTPS = _("Webhooks go only to https:// addresses: they carry supporters' details.")
BAD_URL = _("Not a web address a webhook can use (a host name, an optional port, no password).")
NOT_PUBLIC = _(
    "The host is a loopback, private, link-local, multicast or reserved address: "
    "webhooks go only to public addresses."
)
HOST_NOT_FOUND = _("The host name could not be resolved.")
CONNECTION_REFUSED = _("Connection refused")
TIMED_OUT = _("Timed out")
TLS_FAILED = _("Secure connection failed (certificate or handshake)")
CONNECTION_FAILED = _("Connection failed")

#: IPv6 prefixes that carry an IPv4 address the connection may end up at.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Failure(Exception):
    """A POST that was not made or not answered with 2xx. `str()` is its category, fit for
    a log and a form; `status` is the HTTP status when there was an answer."""

    def __init__(self, category, status: int | None = None):
        super().__init__(str(category))
        self.status = status


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query
    addresses: tuple[str, ...]  # every one checked


def destination(url: str) -> Destination:
    """Check `url` and resolve its host; raise Failure unless every address may be reached."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and settings.CLARION_WEBHOOK_ALLOW_HTTP
    ):
        raise Failure(NOT_HTTPS)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is no number, or out of range
        raise Failure(BAD_URL) from None
    if not parts.hostname or parts.username is not None:
        raise Failure(BAD_URL)
    addresses = _resolve(parts.hostname, port)
    if not all(may_reach(address) for address in addresses):
        raise Failure(NOT_PUBLIC)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, parts.hostname, port, target, addresses)


def may_reach(address: str) -> bool:
    """A public address, or one in CLARION_WEBHOOK_ALLOWED_NETWORKS."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone says nothing here
    allowed = [
        ipaddress.ip_network(network, strict=False)
        for network in settings.CLARION_WEBHOOK_ALLOWED_NETWORKS
    ]
    if any(ip.version == network.version and ip in network for network in allowed):
        return True
    return all(_is_public(each) for each in (ip, _embedded_ipv4(ip)) if each is not None)


def post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST `body` to `url` once checked; return the 2xx status, or raise Failure."""
    to = destination(url)
    connection_class = _PinnedHTTPSConnection if to.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(to, timeout)
    try:
        connection.request("POST", to.target, body=body, headers=headers)
        status = connection.getresponse().status
    except ssl.SSLError:  # a certificate that does not match included
        raise Failure(TLS_FAILED) from None
    except TimeoutError:
        raise Failure(TIMED_OUT) from None
    except ConnectionRefusedError:
        raise Failure(CONNECTION_REFUSED) from None
    except (OSError, http.client.HTTPException):
        raise Failure(CONNECTION_FAILED) from None
    finally:
        connection.close()
    if 300 <= status < 400:
        raise Failure(_("HTTP %(status)s: redirects are not followed") % {"status": status}, status)
    if not 200 <= status < 300:
        raise Failure(f"HTTP {status}", status)
    return status


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Failure(HOST_NOT_FOUND) from None
    return tuple(dict.fromkeys(info[4][0] for info in found))


def _is_public(ip) -> bool:
    private = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    return ip.is_global and not private


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _connect(addresses, port, timeout) -> socket.socket:
    """A connection to the first checked address that answers."""
    failure = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
    raise failure


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked addresses; the host name is only for the Host header."""

    def __init__(self, to: Destination, timeout: float):
        super().__init__(to.host, to.port, timeout=timeout)
        self.addresses = to.addresses

    def connect(self):
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with the certificate checked against the host name (SNI)."""

    def __init__(self, to: Destination, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(to.host, to.port, timeout=timeout, context=self.tls)
        self.addresses = to.addresses

    def connect(self):
        sock = _connect(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
