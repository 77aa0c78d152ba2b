"""The sources façade: every way an artwork enters the app, through the real code."""

from __future__ import annotations

import ipaddress
import random

import pytest

from artdemo.sources import safe_url
from artdemo.sources import objects as sources
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import decode_image
from tests.support.bad_inputs import bad_cases


@pytest.mark.parametrize("source", ["met", "moma", "cache"])
def test_random_object_from_each_source_has_an_image_and_labels(standin, source):
    obj = sources.random_object(source, random.Random(5))
    assert obj.source == source and decode_image(obj.image_bytes).size[0] > 0
    assert obj.labels, "every source labels by rule or from the cache"
    if source == "cache":
        assert obj.image_path.startswith("images/") and obj.title


def test_unknown_source_is_a_clear_error():
    with pytest.raises(ArtdemoError, match="Unknown source 'louvre'"):
        sources.random_object("louvre")


def test_offline_sources_fail_clearly_and_the_cache_still_works(standin, monkeypatch):
    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    for source in ("met", "moma"):
        with pytest.raises(OfflineError, match="offline mode"):
            sources.random_object(source)
    assert sources.random_object("cache").image_bytes
    assert standin.count() == 0


def test_cache_path_round_trip_and_traversal_refused():
    obj = sources.random_object("cache", random.Random(9))
    again = sources.object_from_cache_path(obj.image_path)
    assert again.labels == obj.labels and again.image_bytes == obj.image_bytes
    for bad in ("../../etc/passwd", "/etc/passwd", "images/nope.jpg", ""):
        with pytest.raises(ArtdemoError, match="local collection"):
            sources.object_from_cache_path(bad)


def test_uploads_accept_images_and_refuse_bad_input():
    checked = 0
    for case in bad_cases(include_large=False):
        if case.expect_ok:
            obj = sources.object_from_upload(case.data, "folder/" + case.filename)
            assert obj.source == "upload" and obj.title == case.filename and obj.image_bytes == case.data
        else:
            with pytest.raises(ArtdemoError):
                sources.object_from_upload(case.data, case.filename)
        checked += 1
    assert checked > 10


def test_url_input_refuses_private_addresses_even_the_configured_api(standin):
    with pytest.raises(ArtdemoError, match="private network"):
        sources.object_from_url(standin.image_url("met/436533"))


def test_url_input_fetches_an_image_from_a_public_server(standin, monkeypatch):
    real = safe_url.is_public_address
    local = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(safe_url, "is_public_address", lambda ip: ip == local or real(ip))
    obj = sources.object_from_url(standin.image_url("some/picture"))
    assert obj.source == "url" and obj.title == "picture.jpg" and decode_image(obj.image_bytes)
    standin.fault("garbage", prefix="/images/")
    with pytest.raises(ArtdemoError):
        sources.object_from_url(standin.image_url("some/picture"))


def test_met_faults_reach_the_user_as_artdemo_errors(standin, monkeypatch):
    monkeypatch.setenv("ARTDEMO_MET_DEADLINE", "2")
    standin.fault("500")
    with pytest.raises(ArtdemoError, match="having problems") as info:
        sources.random_object("met")
    assert not isinstance(info.value, sources.UnexpectedSourceError)


def test_fallback_to_the_cache_tells_the_visitor_why(standin, monkeypatch):
    monkeypatch.setenv("ARTDEMO_MET_DEADLINE", "2")
    obj, notice = sources.random_with_fallback("met", random.Random(1))
    assert obj.source == "met" and notice is None
    standin.fault("403html")
    obj, notice = sources.random_with_fallback("met", random.Random(1))
    assert obj.source == "cache" and obj.labels
    assert "firewall" in notice and notice.endswith("local collection instead.")


def test_a_labels_file_is_parsed_once_per_version_and_read_again_when_it_changes(tmp_path):
    import os

    from artdemo.sources import datacache

    labels = tmp_path / "labels.csv"
    labels.write_text("path,label,source\nimages/a.jpg,painting,x\n", encoding="utf-8")
    first = datacache.read_labels_csv(labels)
    again = datacache.read_labels_csv(labels)
    assert first == again and first[0] is again[0]  # the same parsed rows, not a second parse
    again.append("scribble")  # a caller's list is its own
    assert datacache.read_labels_csv(labels) == first
    labels.write_text("path,label,source\nimages/a.jpg,painting,x\nimages/b.jpg,drawing,y\n", encoding="utf-8")
    os.utime(labels, ns=(labels.stat().st_atime_ns, labels.stat().st_mtime_ns + 1_000_000))
    assert [r.label for r in datacache.read_labels_csv(labels)] == ["painting", "drawing"]
