"""The URL guard, tested against real HTTP servers on 127.0.0.1 started here.

To test "public" hops without internet, a few tests treat exactly 127.0.0.1 as
public by wrapping `safe_url.is_public_address`; every other address still goes
through the real check.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from artdemo.sources import safe_url
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.sources.safe_url import PRIVATE_MESSAGE, fetch_url_bytes, is_public_address

PAYLOAD = b"\x89PNG\r\n\x1a\n" + b"pretend image bytes" * 10
LIMIT = 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    """Routes that behave like good and bad servers on the internet."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.hits.append(self.path)
        url = urlsplit(self.path)
        route = getattr(self, "route_" + url.path.strip("/").split("/")[0].replace("-", "_"), None)
        if route is None:
            return self._send(404, b"not found")
        route(url, parse_qs(url.query))

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_image(self, url, query):
        self._send(200, PAYLOAD, {"Content-Type": "image/png"})

    def route_echo_host(self, url, query):
        self._send(200, self.headers["Host"].encode())

    def route_redirect(self, url, query):
        self._send(302, b"", {"Location": query["to"][0]})

    def route_hop(self, url, query):
        left = int(url.path.rsplit("/", 1)[1])
        if left == 0:
            return self.route_image(url, query)
        self._send(302, b"", {"Location": f"/hop/{left - 1}"})

    def route_loop(self, url, query):
        self._send(301, b"", {"Location": "/loop"})

    def route_status(self, url, query):
        self._send(int(url.path.rsplit("/", 1)[1]), b"<html>error</html>")

    def route_drip(self, url, query):
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self._drip(b"x" * 100000)

    def route_drip_headers(self, url, query):
        self._drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 10000)

    def route_endless(self, url, query):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        self._pour(forever=True)

    def route_big_declared(self, url, query):
        self.send_response(200)
        self.send_header("Content-Length", str(10**10))
        self.end_headers()
        self._pour(forever=True)

    def route_reset(self, url, query):
        self.send_response(200)
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(b"a" * 100)
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00" * 2)
        self.close_connection = True
        self.connection.close()

    def _drip(self, data: bytes) -> None:
        try:
            for index in range(len(data)):
                self.wfile.write(data[index:index + 1])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def _pour(self, forever: bool) -> None:
        try:
            while forever:
                self.wfile.write(b"z" * 65536)
        except OSError:
            pass


def _start(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    server.daemon_threads = True
    server.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server():
    httpd = _start(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.port = httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_is_public(monkeypatch):
    """Treat exactly 127.0.0.1 as a public address, so it can stand in for a museum site."""
    real = safe_url.is_public_address
    stand_in = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(safe_url, "is_public_address", lambda ip: ip == stand_in or real(ip))


@pytest.fixture(autouse=True)
def online(monkeypatch):
    monkeypatch.delenv("ARTDEMO_OFFLINE", raising=False)


def test_trusted_local_service_is_fetched_when_private_is_allowed(server):
    assert fetch_url_bytes(server.base + "/image", max_bytes=LIMIT, timeout=5,
                           allow_private=True) == PAYLOAD


@pytest.mark.parametrize("address", [
    "http://127.0.0.1:{port}/image", "http://localhost:{port}/image",
    "http://2130706433:{port}/image", "http://0x7f000001:{port}/image",
    "http://0177.0.0.1:{port}/image", "http://127.1:{port}/image",
    "http://[::1]:{port}/image", "http://[::ffff:127.0.0.1]:{port}/image",
    "http://[64:ff9b::7f00:1]:{port}/", "http://[2002:7f00:1::]:{port}/",
    "https://10.0.0.5/", "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://[fe80::1]/", "http://[::]/", "http://240.0.0.1/",
])
def test_private_and_disguised_addresses_are_refused_without_connecting(server, address):
    before = len(server.hits)
    with pytest.raises(ArtdemoError) as caught:
        fetch_url_bytes(address.format(port=server.port), max_bytes=LIMIT, timeout=5)
    assert str(caught.value) == PRIVATE_MESSAGE
    assert len(server.hits) == before


def test_cloud_metadata_is_refused_even_for_trusted_callers():
    with pytest.raises(ArtdemoError, match="private network"):
        fetch_url_bytes("http://169.254.169.254/latest/meta-data/", max_bytes=LIMIT,
                        timeout=5, allow_private=True)


@pytest.mark.parametrize("text, public", [
    ("8.8.8.8", True), ("151.101.1.140", True), ("2606:4700:4700::1111", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.31.255.255", False),
    ("192.168.0.10", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("255.255.255.255", False), ("239.1.1.1", False),
    ("192.0.2.1", False), ("::1", False), ("::", False), ("fe80::1", False),
    ("fd00:ec2::254", False), ("ff02::1", False), ("::ffff:10.0.0.1", False),
    ("::ffff:8.8.8.8", True), ("2002:a00:1::", False), ("64:ff9b::a00:1", False),
])
def test_address_policy(text, public):
    assert is_public_address(ipaddress.ip_address(text)) is public


@pytest.mark.parametrize("private_hop", [
    "http://169.254.169.254/latest/meta-data/iam/", "http://127.0.0.2:{port}/image",
    "http://0x0a000001/", "http://[::1]:{port}/image", "http://2130706434:{port}/image",
])
def test_redirect_from_a_public_site_to_a_private_address_is_refused(
    server, loopback_is_public, private_hop
):
    start = f"{server.base}/redirect?to={private_hop.format(port=server.port)}"
    before = len(server.hits)
    with pytest.raises(ArtdemoError, match="private network"):
        fetch_url_bytes(start, max_bytes=LIMIT, timeout=5)
    assert len(server.hits) == before + 1  # the first hop was fetched, the second never


def test_redirect_to_a_file_address_is_refused(server, loopback_is_public):
    with pytest.raises(ArtdemoError, match="http:// or https://"):
        fetch_url_bytes(server.base + "/redirect?to=file:///etc/passwd", max_bytes=LIMIT,
                        timeout=5)


def test_five_redirects_are_followed(server, loopback_is_public):
    assert fetch_url_bytes(server.base + "/hop/5", max_bytes=LIMIT, timeout=5) == PAYLOAD


@pytest.mark.parametrize("path", ["/hop/6", "/loop"])
def test_too_many_redirects_stop_with_a_message(server, loopback_is_public, path):
    with pytest.raises(ArtdemoError, match="redirects more than 5 times"):
        fetch_url_bytes(server.base + path, max_bytes=LIMIT, timeout=5)


def test_connection_goes_to_the_checked_address_with_the_real_host_name(
    server, loopback_is_public, monkeypatch
):
    """DNS rebinding: the name resolves to a public address once, then to a private one.

    We must look it up once, connect to that answer, and still send Host: museum.test.
    """
    real_lookup = socket.getaddrinfo
    lookups = []

    def rebinding_lookup(host, port, *args, **kwargs):
        if host != "museum.test":
            return real_lookup(host, port, *args, **kwargs)
        lookups.append(host)
        answer = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_lookup)
    body = fetch_url_bytes(f"http://museum.test:{server.port}/echo-host", max_bytes=LIMIT,
                           timeout=5)
    assert body == f"museum.test:{server.port}".encode()
    assert lookups == ["museum.test"]


def _fetch_in_thread(url: str, give_up_after: float, **options) -> BaseException | bytes:
    """Run a fetch that must end by itself; fail the test (not hang it) if it doesn't.

    A daemon thread, so a fetch that never ends can't keep pytest from exiting.
    """
    outcome: list[BaseException | bytes] = []

    def run() -> None:
        try:
            outcome.append(fetch_url_bytes(url, **options))
        except BaseException as exc:  # handed to the test to inspect
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(give_up_after)
    if not outcome:
        pytest.fail(f"fetch of {url} was still running after {give_up_after} s")
    return outcome[0]


def test_slow_drip_is_cut_off_at_the_total_deadline(server):
    started = time.monotonic()
    outcome = _fetch_in_thread(server.base + "/drip", 3.0, max_bytes=LIMIT, timeout=1.0,
                               allow_private=True)
    assert isinstance(outcome, ArtdemoError) and "took too long" in str(outcome)
    assert 0.9 < time.monotonic() - started < 2.5


def test_slow_headers_are_cut_off_at_the_total_deadline(server):
    started = time.monotonic()
    outcome = _fetch_in_thread(server.base + "/drip-headers", 3.0, max_bytes=LIMIT,
                               timeout=1.0, allow_private=True)
    assert isinstance(outcome, ArtdemoError) and "took too long" in str(outcome)
    assert time.monotonic() - started < 2.5


def test_endless_body_stops_at_the_byte_limit(server):
    started = time.monotonic()
    outcome = _fetch_in_thread(server.base + "/endless", 3.0, max_bytes=200_000, timeout=5,
                               allow_private=True)
    assert isinstance(outcome, ArtdemoError) and "too big" in str(outcome)
    assert time.monotonic() - started < 2.5


def test_declared_size_over_the_limit_is_refused_before_downloading(server):
    with pytest.raises(ArtdemoError, match=r"too big \(over 1 MB"):
        fetch_url_bytes(server.base + "/big-declared", max_bytes=LIMIT, timeout=5,
                        allow_private=True)


@pytest.mark.parametrize("status, words", [
    (404, "nothing at that address"), (410, "nothing at that address"),
    (403, "refused access"), (429, "too many requests"), (500, "had a problem"),
    (503, "had a problem"), (418, "couldn't handle"),
])
def test_http_errors_say_what_the_server_answered(server, status, words):
    with pytest.raises(ArtdemoError, match=rf"{words}.* \(HTTP {status}\)"):
        fetch_url_bytes(f"{server.base}/status/{status}", max_bytes=LIMIT, timeout=5,
                        allow_private=True)


def test_connection_cut_mid_download_is_reported(server):
    with pytest.raises(ArtdemoError, match="broke off"):
        fetch_url_bytes(server.base + "/reset", max_bytes=LIMIT, timeout=5, allow_private=True)


def test_closed_port_gives_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ArtdemoError, match="refused the connection"):
        fetch_url_bytes(f"http://127.0.0.1:{port}/", max_bytes=LIMIT, timeout=5,
                        allow_private=True)


def test_unknown_host_says_the_server_was_not_found():
    with pytest.raises(ArtdemoError, match="couldn't find the server 'no-such-museum.invalid'"):
        fetch_url_bytes("https://no-such-museum.invalid/a.jpg", max_bytes=LIMIT, timeout=5)


@pytest.mark.parametrize("text, words", [
    ("", "doesn't look like a web address"),
    ("a lithograph of a cat", "doesn't look like a web address"),
    ("www.metmuseum.org/art.jpg", "doesn't look like a web address"),
    ("http://", "doesn't look like a web address"),
    ("http://example.org:99999/", "doesn't look like a web address"),
    ("http://exa\r\nmple.org/", "doesn't look like a web address"),
    ("ftp://example.org/a.jpg", "starts with ftp:"),
    ("file:///etc/passwd", "starts with file:"),
    ("javascript:alert(1)", "starts with javascript:"),
    ("http://user:secret@example.org/", "user name or password"),
])
def test_malformed_addresses_are_refused_before_any_lookup(monkeypatch, text, words):
    monkeypatch.setattr(safe_url, "resolve_host", pytest.fail)
    with pytest.raises(ArtdemoError, match=words):
        fetch_url_bytes(text, max_bytes=LIMIT, timeout=5)


def test_offline_setting_refuses_to_fetch(server, monkeypatch):
    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    before = len(server.hits)
    with pytest.raises(OfflineError, match="offline"):
        fetch_url_bytes(server.base + "/image", max_bytes=LIMIT, timeout=5, allow_private=True)
    assert len(server.hits) == before


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 whose certificate names only museum.test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=museum.test", "-addext", "subjectAltName=DNS:museum.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    _start(httpd)
    httpd.port, httpd.cert = httpd.server_address[1], cert
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def museum_test_is_loopback(monkeypatch, loopback_is_public):
    real_lookup = socket.getaddrinfo

    def lookup(host, port, *args, **kwargs):
        if host == "museum.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_lookup(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)


def test_https_to_a_pinned_address_checks_the_certificate_for_the_host_name(
    tls_server, museum_test_is_loopback, monkeypatch
):
    monkeypatch.setattr(safe_url, "_tls_context",
                        lambda: ssl.create_default_context(cafile=str(tls_server.cert)))
    body = fetch_url_bytes(f"https://museum.test:{tls_server.port}/echo-host",
                           max_bytes=LIMIT, timeout=5)
    assert body == f"museum.test:{tls_server.port}".encode()


def test_https_with_an_untrusted_certificate_is_refused(tls_server, museum_test_is_loopback):
    with pytest.raises(ArtdemoError, match="couldn't be verified"):
        fetch_url_bytes(f"https://museum.test:{tls_server.port}/image", max_bytes=LIMIT,
                        timeout=5)
