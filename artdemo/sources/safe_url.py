"""Fetch a URL a visitor typed without letting it reach inside our network.

A URL box on a public kiosk is a classic way in (server-side request forgery):
`http://169.254.169.254/` reads cloud credentials, `http://2130706433/` is
127.0.0.1 in disguise, and a harmless-looking site can redirect to either, or
answer DNS with a public address for the check and a private one for the
connection. So, for every hop:

1. parse the URL ourselves (http/https only, no credentials in it);
2. resolve the host once and refuse if *any* address is not public
   (`is_public_address`; cloud metadata addresses are refused always);
3. connect to exactly the address we checked (the socket is opened by us and
   handed to http.client, which keeps the Host header and TLS SNI / certificate
   check on the real host name), so DNS can't change its answer in between;
4. follow redirects by hand (at most MAX_REDIRECTS), repeating 1-3 each time;
5. stream the body under a byte limit and one wall-clock deadline for the whole
   fetch (a watchdog cuts the socket at the deadline, so a server dripping one
   byte a second can't hold us).

Environment proxies (HTTP_PROXY) are deliberately not used: a proxy would make
the address check meaningless.

Tests may monkeypatch `is_public_address` (the one policy hook) to treat a local
test server as public; the checks for every other address stay real.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from artdemo import config
from artdemo.errors import ArtdemoError, OfflineError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 5
USER_AGENT = "artdemo/1.0 (museum demo; fetches one image per request)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PRIVATE_MESSAGE = "That address points inside a private network, which we don't fetch from."

# Cloud metadata services: refused even for trusted (allow_private) callers.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SAFE_PATH_CHARS = "/%:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class Target:
    """One parsed hop: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA), no brackets
    port: int
    request_path: str  # path?query, percent-encoded


def fetch_url_bytes(
    url: str, *, max_bytes: int, timeout: float, allow_private: bool = False
) -> bytes:
    """Download `url` (following up to MAX_REDIRECTS redirects) and return the body.

    `timeout` bounds the whole fetch, redirects included. `allow_private=True`
    is only for services the operator configured (e.g. a MET API stand-in on
    127.0.0.1); user-typed URLs must use the default. Raises ArtdemoError
    (OfflineError when ARTDEMO_OFFLINE is set) with a message for a person.
    """
    if max_bytes <= 0 or timeout <= 0:
        raise ValueError("max_bytes and timeout must be positive")
    if config.offline():
        raise OfflineError(
            "The app is in offline mode (ARTDEMO_OFFLINE=1), so it doesn't fetch from the "
            "web. Please upload the image file instead."
        )
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = parse_target(current)
        addresses = checked_addresses(target, allow_private)
        status, location, body = _fetch_once(target, addresses, deadline, timeout, max_bytes)
        if status not in REDIRECT_STATUSES:
            return body
        current = urljoin(target.url, location)
    raise ArtdemoError(
        f"That link redirects more than {MAX_REDIRECTS} times, so we stopped following it. "
        "Please link to the image itself."
    )


def parse_target(url: str) -> Target:
    """Validate the URL's form: http(s), a host, a sane port, no user:password@."""
    text = url.strip() if isinstance(url, str) else ""
    not_a_url = ArtdemoError(
        "That doesn't look like a web address. It should start with https:// "
        "(for example https://images.metmuseum.org/...)."
    )
    if not text or any(ch in text for ch in "\r\n\t\x00"):
        raise not_a_url
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme and scheme not in ("http", "https"):
        raise ArtdemoError(
            f"Only web addresses starting with http:// or https:// can be fetched "
            f"(this one starts with {scheme}:)."
        )
    if not scheme or not parts.netloc or not parts.hostname:
        raise not_a_url
    if parts.username is not None or parts.password is not None:
        raise ArtdemoError("Web addresses with a user name or password in them aren't supported.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        host = parts.hostname if ":" in parts.hostname else parts.hostname.encode("idna").decode()
    except (ValueError, UnicodeError):
        raise not_a_url from None
    path = quote(parts.path or "/", safe=_SAFE_PATH_CHARS)
    if parts.query:
        path += "?" + quote(parts.query, safe=_SAFE_PATH_CHARS + "?")
    return Target(url=text, scheme=scheme, host=host, port=port, request_path=path)


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address the host name resolves to (numeric forms like 0x7f000001 included)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def is_public_address(address: IPAddress) -> bool:
    """True only for globally routable unicast addresses.

    Refuses loopback, private, link-local, multicast, reserved, unspecified,
    shared (100.64/10), documentation ranges, metadata services, and IPv6 forms
    that carry one of those inside (IPv4-mapped, 6to4, NAT64).
    """
    if address in METADATA_ADDRESSES:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)  # ::ffff:a.b.c.d is a.b.c.d
    for inner in _embedded_ipv4(address):
        if not is_public_address(inner):
            return False
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED_V4:
        return False
    risky = (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified
        or getattr(address, "is_site_local", False)
    )
    return address.is_global and not risky


def checked_addresses(target: Target, allow_private: bool) -> list[IPAddress]:
    """Resolve the host and apply the address policy to every answer."""
    try:
        addresses = resolve_host(target.host, target.port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise ArtdemoError(
            f"We couldn't find the server {target.host!r}. Check the address, "
            "or the internet connection."
        ) from exc
    if not addresses:
        raise ArtdemoError(f"We couldn't find the server {target.host!r}. Check the address.")
    for address in addresses:
        is_metadata = address in METADATA_ADDRESSES or any(
            inner in METADATA_ADDRESSES for inner in _embedded_ipv4(address)
        )
        if is_metadata or (not allow_private and not is_public_address(address)):
            raise ArtdemoError(PRIVATE_MESSAGE)
    return addresses


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    inner = [address.ipv4_mapped, address.sixtofour]
    if address in _NAT64:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [item for item in inner if item is not None]


class _Watchdog:
    """Cuts the current socket at the deadline, whatever call it is blocked in.

    Socket timeouts are per call, so a server sending a byte every second never
    trips them; this bounds the whole fetch instead.
    """

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        self._sock = sock

    def _fire(self) -> None:
        self.fired = True
        if self._sock is not None:
            try:  # the plain-socket method: SSLSocket.shutdown would race the reader
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()


def _fetch_once(
    target: Target, addresses: list[IPAddress], deadline: float, timeout: float, max_bytes: int
) -> tuple[int, str, bytes]:
    """One request to a checked address; returns (status, location, body)."""
    host = target.host
    with _Watchdog(deadline) as watchdog:
        try:
            result = _request(target, addresses, deadline, max_bytes, watchdog)
            if watchdog.fired:  # a close-delimited body cut at the deadline looks complete
                raise _timeout_error(host, timeout)
            return result
        except ArtdemoError:
            raise
        except (TimeoutError, socket.timeout) as exc:
            raise _timeout_error(host, timeout) from exc
        except ssl.SSLCertVerificationError as exc:
            raise ArtdemoError(
                f"The secure connection to {host} couldn't be verified (its certificate "
                "isn't valid), so we didn't download anything."
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.fired or time.monotonic() >= deadline:
                raise _timeout_error(host, timeout) from exc
            raise _connection_error(host, exc) from exc


def _request(
    target: Target, addresses: list[IPAddress], deadline: float, max_bytes: int,
    watchdog: _Watchdog,
) -> tuple[int, str, bytes]:
    sock = _connect(addresses, target.port, deadline)
    watchdog.watch(sock)
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = cls(target.host, target.port, timeout=_remaining(deadline))
    try:
        if target.scheme == "https":
            context = _tls_context()
            sock.settimeout(_remaining(deadline))
            sock = context.wrap_socket(sock, server_hostname=target.host)
            watchdog.watch(sock)
        connection.sock = sock  # pinned: http.client won't resolve or connect again
        sock.settimeout(_remaining(deadline))
        connection.request("GET", target.request_path, headers={
            "User-Agent": USER_AGENT, "Accept": "*/*",
            "Accept-Encoding": "identity", "Connection": "close",
        })
        response = connection.getresponse()
        status = response.status
        if status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            if not location:
                raise _status_error(target.host, status)
            return status, location, b""
        if not 200 <= status < 300:
            raise _status_error(target.host, status)
        return status, "", _read_body(response, sock, deadline, max_bytes, target.host)
    finally:
        connection.close()


def _connect(addresses: list[IPAddress], port: int, deadline: float) -> socket.socket:
    last_error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((str(address), port), timeout=_remaining(deadline))
        except OSError as exc:
            last_error = exc
    assert last_error is not None
    raise last_error


def _read_body(
    response: http.client.HTTPResponse, sock: socket.socket, deadline: float, max_bytes: int,
    host: str,
) -> bytes:
    declared = response.getheader("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise _too_big_error(host, max_bytes)
    chunks: list[bytes] = []
    total = 0
    while True:
        sock.settimeout(_remaining(deadline))
        chunk = response.read1(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise _too_big_error(host, max_bytes)
        chunks.append(chunk)
    if response.length:  # the server promised more than it sent
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    return b"".join(chunks)


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi  # requests' CA bundle, the same trust store as the rest of the app

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


def _timeout_error(host: str, timeout: float) -> ArtdemoError:
    return ArtdemoError(
        f"The server at {host} took too long (more than {timeout:g} seconds). Please try "
        "again, or download the image and upload the file."
    )


def _too_big_error(host: str, max_bytes: int) -> ArtdemoError:
    return ArtdemoError(
        f"The file at {host} is too big (over {max_bytes / (1024 * 1024):g} MB, the most we "
        "download). Please link to a smaller image."
    )


def _connection_error(host: str, exc: Exception) -> ArtdemoError:
    if isinstance(exc, ConnectionRefusedError):
        return ArtdemoError(f"The server at {host} refused the connection. Check the address.")
    if isinstance(exc, ssl.SSLError):
        return ArtdemoError(f"We couldn't set up a secure connection to {host}.")
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, http.client.HTTPException)):
        return ArtdemoError(
            f"The connection to {host} broke off before the download finished. Please try again."
        )
    return ArtdemoError(f"We couldn't reach {host}. Check the address or the internet connection.")


def _status_error(host: str, status: int) -> ArtdemoError:
    if status in (404, 410):
        text = "says there is nothing at that address"
        advice = "Check the link."
    elif status in (401, 403):
        text, advice = "refused access to that address", "It may not allow downloads."
    elif status == 429:
        text, advice = "is getting too many requests", "Please try again in a minute."
    elif 500 <= status < 600:
        text, advice = "had a problem", "Please try again later."
    elif 400 <= status < 500:
        text, advice = "couldn't handle the request", "Check the link."
    else:
        text, advice = "gave an answer we don't understand", "Please link to the image itself."
    return ArtdemoError(f"The server at {host} {text} (HTTP {status}). {advice}")
