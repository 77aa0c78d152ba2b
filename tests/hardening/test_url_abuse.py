"""URL abuse through the visitor's real entry point, sources.object_from_url, and
through the Streamlit URL box and the Gradio URL input once each.

tests/test_safe_url.py tests the guard (fetch_url_bytes) in depth; this adds the
disguises it does not try (more IPv4/IPv6 spellings, cloud metadata under other
names and encodings, names in /etc/hosts, DNS answers naming private addresses,
redirects of every kind), and proves the whole visitor path refuses them without
connecting, and cuts off slow-drip, silent and endless servers.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from streamlit.testing.v1 import AppTest

from artdemo import config
from artdemo.sources import safe_url
from artdemo.sources import objects as sources
from artdemo.errors import ArtdemoError
from artdemo.sources.safe_url import PRIVATE_MESSAGE
from tests.support.hardening_support import PayloadServer, loopback_is_public, silent_server

ROOT = Path(__file__).resolve().parents[2]
HAVE_MODELS = any(config.models_dir().glob("*/card.json"))
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore:.*:Warning:gradio.queueing")

# Every spelling reaches our own test site (or a metadata service) if the guard fails.
DISGUISED = [
    "http://127.0.0.1:{port}/good.png", "http://localhost:{port}/good.png",
    "http://LOCALHOST:{port}/good.png", "http://2130706433:{port}/good.png",
    "http://0x7f000001:{port}/good.png", "http://0177.0.0.1:{port}/good.png",
    "http://0x7f.0.0.1:{port}/good.png", "http://0x7f.1:{port}/good.png",
    "http://017700000001:{port}/good.png", "http://127.000.000.001:{port}/good.png",
    "http://127.1:{port}/good.png", "http://0:{port}/good.png",
    "http://\u2460\u2461\u2466.0.0.1:{port}/good.png",  # circled digits, IDNA-folded to 127
    "http://127\u30020\u30020\u30021:{port}/good.png",  # ideographic full stops
    "http://[::1]:{port}/good.png", "http://[0:0:0:0:0:0:0:1]:{port}/good.png",
    "http://[::ffff:127.0.0.1]:{port}/good.png", "http://[::ffff:7f00:1]:{port}/good.png",
    "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/good.png", "http://[::127.0.0.1]:{port}/good.png",
    "http://[64:ff9b::7f00:1]:{port}/good.png", "http://[2002:7f00:1::]:{port}/good.png",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://2852039166/latest/meta-data/", "http://0xa9fea9fe/latest/meta-data/",
    "http://0251.0376.0251.0376/latest/meta-data/", "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/", "http://[fd00:ec2::254]/latest/meta-data/",
    "http://169.254.170.2/v2/credentials", "http://100.100.100.200/latest/meta-data/",
    "http://[fe80::a9fe:a9fe]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::]/",
    "http://10.0.0.1/", "http://10.1/", "http://192.168.1/", "http://172.16.0.1/",
    "http://100.64.0.1/", "http://0.0.0.0/", "http://[::]/", "http://[fc00::1]/",
    "http://[fec0::1]/", "http://224.0.0.1/", "https://10.0.0.5/image.jpg",
]


def _hosts_names() -> list[str]:
    """Names /etc/hosts maps to a non-public address (localhost and the machine's own names)."""
    import ipaddress

    names: list[str] = []
    try:
        lines = Path("/etc/hosts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return names
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            address = ipaddress.ip_address(fields[0].split("%")[0])
        except ValueError:
            continue
        if not safe_url.is_public_address(address):
            names += [name for name in fields[1:] if name not in names]
    return names or ["localhost"]


@pytest.fixture(autouse=True)
def online(monkeypatch):
    monkeypatch.delenv("ARTDEMO_OFFLINE", raising=False)


@pytest.fixture(scope="module")
def site():
    with PayloadServer() as server:
        yield server


def _refused_without_fetching(site: PayloadServer, url: str) -> None:
    before = len(site.hits)
    with pytest.raises(ArtdemoError) as caught:
        sources.object_from_url(url)
    assert str(caught.value) == PRIVATE_MESSAGE, url
    assert len(site.hits) == before, "the refused address was never fetched"


@pytest.mark.parametrize("address", DISGUISED)
def test_disguised_private_and_metadata_addresses_are_refused(site, address, monkeypatch):
    monkeypatch.setattr(safe_url, "_connect", lambda *a: pytest.fail(f"connected for {address}"))
    _refused_without_fetching(site, address.format(port=site.port))


@pytest.mark.parametrize("name", _hosts_names())
def test_names_in_etc_hosts_pointing_inside_are_refused(site, name):
    _refused_without_fetching(site, f"http://{name}:{site.port}/good.png")


DNS_ANSWERS = {  # what a hostile or misconfigured resolver might say
    "metadata.google.internal": ["169.254.169.254"],
    "metadata.azure.example": ["169.254.169.254"],
    "half-public.example": ["93.184.216.34", "10.0.0.7"],  # one private answer is enough
    "v6-metadata.example": ["fd00:ec2::254"],
    "mapped.example": ["::ffff:192.168.0.10"],
    "loopback.example": ["127.0.0.1"],
}


@pytest.fixture
def hostile_dns(monkeypatch):
    """getaddrinfo answers DNS_ANSWERS for those names; records every lookup."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def lookup(host, port, *args, **kwargs):
        if host not in DNS_ANSWERS:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port) if ":" not in a else (a, port, 0, 0)) for a in DNS_ANSWERS[host]]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return lookups


@pytest.mark.parametrize("name", sorted(DNS_ANSWERS))
def test_names_that_resolve_inside_are_refused(site, hostile_dns, name, monkeypatch):
    monkeypatch.setattr(safe_url, "_connect", lambda *a: pytest.fail(f"connected for {name}"))
    _refused_without_fetching(site, f"http://{name}/computeMetadata/v1/?recursive=true")
    assert hostile_dns == [name], "looked up once"


REDIRECT_TARGETS = [  # 127.0.0.1 plays the public site here, so targets avoid it
    "http://127.0.0.2:{port}/good.png", "//127.0.0.2:{port}/good.png", "http://[::1]:{port}/good.png",
    "http://0x7f000002:{port}/good.png", "http://[::ffff:127.0.0.2]:{port}/good.png",
    "http://2852039166/latest/meta-data/", "http://[fd00:ec2::254]/", "http://10.1/",
    "http://metadata.google.internal/computeMetadata/v1/",
]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("target", REDIRECT_TARGETS)
def test_redirects_into_the_private_network_are_refused(site, hostile_dns, code, target):
    location = quote(target.format(port=site.port), safe="")
    start = f"{site.base}/redirect?code={code}&to={location}"
    before = len(site.hits)
    with loopback_is_public(), pytest.raises(ArtdemoError) as caught:
        sources.object_from_url(start)
    assert str(caught.value) == PRIVATE_MESSAGE
    assert len(site.hits) == before + 1, "the first hop only"


def test_a_second_hop_into_the_private_network_is_refused(site, hostile_dns):
    private = quote("http://metadata.google.internal/computeMetadata/v1/", safe="")
    middle = quote(f"{site.base}/redirect?code=307&to={private}", safe="")
    with loopback_is_public(), pytest.raises(ArtdemoError, match=re.escape(PRIVATE_MESSAGE)):
        sources.object_from_url(f"{site.base}/redirect?to={middle}")
    assert hostile_dns == ["metadata.google.internal"]


def test_a_public_redirect_to_a_public_image_is_followed(site):
    with loopback_is_public():
        obj = sources.object_from_url(f"{site.base}/redirect?code=308&to=/good.png")
    assert obj.image_bytes and obj.source == "url"


def _ends_by_itself(call, give_up_after: float) -> tuple[object, float]:
    """Run `call` in a daemon thread: (its result or exception, seconds), or fail the test."""
    outcome: list[object] = []
    started = time.monotonic()

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(give_up_after)
    if not outcome:
        pytest.fail(f"still running after {give_up_after} s")
    return outcome[0], time.monotonic() - started


@pytest.mark.parametrize("route", ["drip", "silent"])
def test_slow_and_silent_servers_are_cut_off_at_the_deadline(site, monkeypatch, route):
    monkeypatch.setattr(sources, "URL_TIMEOUT", 1.5)
    with loopback_is_public(), silent_server() as quiet:
        url = f"{site.base}/drip" if route == "drip" else f"{quiet}/painting.jpg"
        outcome, seconds = _ends_by_itself(lambda: sources.object_from_url(url), 10)
    assert isinstance(outcome, ArtdemoError), outcome
    assert str(outcome).startswith("The server at 127.0.0.1 took too long (more than 1.5 seconds)")
    assert 1.3 < seconds < 5


def test_an_endless_response_stops_at_the_upload_limit(site):
    with loopback_is_public():
        outcome, seconds = _ends_by_itself(lambda: sources.object_from_url(f"{site.base}/endless"), 30)
    assert isinstance(outcome, ArtdemoError), outcome
    assert "too big (over 20 MB" in str(outcome)
    print(f"endless response cut after {seconds:.1f} s")


# --- the front ends, once each ---------------------------------------------------------------------------


@pytest.mark.slow  # the good link is classified: the first prediction loads the models
def test_streamlit_url_box_refuses_abuse_and_keeps_serving(site, monkeypatch):
    monkeypatch.setattr(sources, "URL_TIMEOUT", 1.5)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()

    def submit(url: str) -> list[str]:
        at.text_input(key="url").input(url)
        at.button[-1].click().run()  # the URL form's submit button
        assert not at.exception
        return [e.value for e in at.error]

    assert submit("http://169.254.169.254/latest/meta-data/") == [PRIVATE_MESSAGE]
    assert submit(f"http://2130706433:{site.port}/good.png") == [PRIVATE_MESSAGE]
    assert "No artwork yet" in " ".join(i.value for i in at.info)
    with loopback_is_public():
        errors = submit(f"{site.base}/drip")
        assert len(errors) == 1 and "took too long" in errors[0]
        errors = submit(f"{site.base}/good.png")
    assert [s.value for s in at.subheader] == ["A picture from 127.0.0.1"], "the next good link is shown"
    assert "From:** an image on the web" in " ".join(m.value for m in at.markdown)
    assert not HAVE_MODELS or not errors, errors
    assert len(site.hits) >= 2 and not any("2130706433" in hit for hit in site.hits)


@pytest.mark.slow  # Gradio's import and launch take ~10 s on a shared machine
def test_gradio_url_input_refuses_abuse_and_keeps_serving(site, monkeypatch):
    from tests.support.hardening_support import fn_index, gradio_app_running, gradio_browser_call

    monkeypatch.setattr(sources, "URL_TIMEOUT", 1.5)
    with gradio_app_running() as (demo, url):
        index = fn_index(demo, "classify_url")
        for address in ("http://169.254.169.254/latest/meta-data/", f"http://[::1]:{site.port}/good.png"):
            answer = gradio_browser_call(url, index, [address])
            assert not answer["success"] and answer["output"]["error"] == PRIVATE_MESSAGE
        with loopback_is_public():
            slow = gradio_browser_call(url, index, [f"{site.base}/drip"])
            good = gradio_browser_call(url, index, [f"{site.base}/good.png"])
    assert not slow["success"] and "took too long" in slow["output"]["error"]
    assert good["success"], good
    assert good["output"]["data"][0], "the picture is shown"
    if not HAVE_MODELS:
        assert any("No trained models" in w for w in good["warnings"]), good["warnings"]
