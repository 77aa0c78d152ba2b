"""The MET client against the stand-in: real HTTP, real retries, real messages."""

from __future__ import annotations

import random
import threading
import time

import pytest

from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import decode_image
from artdemo.sources.met import MAX_RATE, MetClient, NotFoundError, RetryPolicy, get_client


@pytest.fixture
def client(standin, monkeypatch):
    """A client with short waits, so fault tests stay quick; the defaults get one test."""
    monkeypatch.setenv("ARTDEMO_MET_TIMEOUT", "0.6")
    monkeypatch.setenv("ARTDEMO_MET_DEADLINE", "2")
    return MetClient(standin.met_api, RetryPolicy(attempts=5, base_delay=0.05, max_delay=0.4))


def test_random_object_is_public_domain_with_a_decodable_image(client):
    obj = client.random_object(random.Random(1))
    assert obj.source == "met" and obj.public_domain and obj.image_url
    assert decode_image(obj.image_bytes).size[0] > 0
    assert obj.labels.get("lithograph") in {"lithograph", "not_lithograph"}


def test_object_by_id_departments_and_recorded_fields(client):
    obj = client.object_by_id(436533)
    assert obj.title and obj.medium == "Oil on canvas" and obj.labels["medium"] == "painting"
    assert obj.page_url.endswith("/436533") and obj.image_bytes
    names = [d["displayName"] for d in client.departments()]
    assert "European Paintings" in names and len(names) == 19


def test_unknown_and_non_numeric_ids_say_so(client, standin):
    with pytest.raises(NotFoundError, match="no object 999999999.*Not a valid object"):
        client.object_json(999999999)
    with pytest.raises(ArtdemoError, match="couldn't read 'abc'.*whole numbers"):
        client.object_json("abc")
    standin.missing_ids.add(436533)
    with pytest.raises(NotFoundError, match="ObjectID not found"):
        client.object_json(436533)
    with pytest.raises(ArtdemoError, match="no public image"):
        client.object_by_id(437133)  # recorded: not public domain, no image


def test_random_object_skips_objects_without_images(client, standin):
    standin.fault("noimages", times=3, prefix=standin.met_path + "/objects/")
    obj = client.random_object(random.Random(2), query="sunflowers")
    assert obj.image_bytes
    standin.fault("noimages", prefix=standin.met_path + "/objects/")
    with pytest.raises(ArtdemoError, match="couldn't get a public-domain image"):
        client.random_object(random.Random(3), query="sunflowers")


def test_random_object_falls_back_to_the_object_list_when_search_is_gone(client, standin):
    standin.search_gone = True
    obj = client.random_object(random.Random(4), max_picks=20)
    assert 1 <= int(obj.object_id) <= 14 and obj.image_bytes
    list_calls = [h for h in standin.log if h.path == standin.met_path + "/objects"]
    assert len(list_calls) == 1
    client.random_object(random.Random(5), max_picks=20)
    assert len([h for h in standin.log if h.path == standin.met_path + "/objects"]) == 1  # remembered


def test_empty_search_is_a_clear_error(client):
    with pytest.raises(ArtdemoError, match="found no objects"):
        client.random_object(query="nothing")


@pytest.mark.parametrize("kind", ["500", "429", "403html", "html200", "garbage", "truncated", "reset", "slow"])
def test_transient_faults_are_retried(client, standin, kind):
    standin.fault(kind, times=2, delay=1.2, retry_after=0.2)
    start = time.monotonic()
    assert len(client.departments()) == 19
    assert standin.count(standin.met_path) == 3  # two faulted, the third answered
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("kind, message", [
    ("500", "having problems"), ("429", "too many requests"), ("403html", "firewall"),
    ("garbage", "damaged"), ("truncated", "damaged"), ("slow", "too slow"),
])
def test_persistent_faults_give_a_clear_message_in_bounded_time(client, standin, kind, message):
    standin.fault(kind, delay=2.0, retry_after=30)
    start = time.monotonic()
    with pytest.raises(ArtdemoError, match=message):
        client.departments()
    assert time.monotonic() - start < 3  # ARTDEMO_MET_DEADLINE=2 bounds retries and Retry-After
    assert standin.count(standin.met_path) >= (1 if kind == "429" else 2)  # it did retry


def test_a_retry_after_longer_than_the_deadline_fails_at_once(client, standin):
    standin.fault("429", retry_after=30)
    start = time.monotonic()
    with pytest.raises(ArtdemoError, match="too many requests"):
        client.departments()
    assert time.monotonic() - start < 1


@pytest.mark.slow
def test_default_settings_give_up_within_their_deadline(standin):
    standin.fault("500")
    start = time.monotonic()
    with pytest.raises(ArtdemoError, match="having problems"):
        MetClient(standin.met_api).departments()
    assert time.monotonic() - start < 12  # 5 attempts, backoff 0.3 s doubling


def test_persistent_resets_mean_offline(client, standin):
    standin.fault("reset")
    with pytest.raises(OfflineError, match="couldn't reach the MET"):
        client.departments()


def test_retry_after_is_honoured(client, standin):
    standin.fault("429", times=1, retry_after=1.5)
    start = time.monotonic()
    client.departments()
    assert time.monotonic() - start >= 1.4


def test_image_faults_are_retried_then_reported(client, standin):
    standin.fault("truncated", times=1, prefix="/images/")
    assert client.object_by_id(436533).image_bytes
    standin.fault("500", prefix="/images/")
    with pytest.raises(ArtdemoError, match="couldn't get the MET's image"):
        client.object_by_id(436533)


def test_rate_limit_holds_under_concurrent_callers(client, standin):
    def hammer() -> None:
        for _ in range(25):
            client.departments()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert standin.count(standin.met_path) == 200
    assert standin.max_rate(window=1.0) <= 80  # the MET's limit, measured at the server
    assert elapsed >= 200 / MAX_RATE * 0.9


def test_offline_mode_sends_nothing(client, standin, monkeypatch):
    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    with pytest.raises(OfflineError, match="offline mode"):
        client.random_object()
    assert standin.count() == 0


def test_unreachable_api_is_offline(monkeypatch):
    monkeypatch.setenv("ARTDEMO_MET_API", "http://127.0.0.1:9/public/collection/v1")
    monkeypatch.setenv("ARTDEMO_MET_DEADLINE", "1.5")
    with pytest.raises(OfflineError, match="couldn't reach"):
        get_client().departments()


def test_private_image_hosts_are_refused_unless_they_are_the_api_host(client, standin, monkeypatch):
    other = MetClient("http://localhost:1/public/collection/v1")  # a different host name
    with pytest.raises(ArtdemoError, match="private network"):
        other.fetch_image(standin.image_url("met/1"))
    assert client.fetch_image(standin.image_url("met/1"))


@pytest.mark.parametrize("prefix", ["/public/collection/v1/objects/", "/images/"])
def test_a_random_object_shares_one_deadline_across_its_requests(client, standin, prefix):
    standin.fault("slow", delay=5.0, prefix=prefix)  # longer than any per-request timeout
    start = time.monotonic()
    with pytest.raises(ArtdemoError):
        client.random_object(random.Random(6))
    assert time.monotonic() - start < 3.5  # ARTDEMO_MET_DEADLINE=2 for search, objects and images together
