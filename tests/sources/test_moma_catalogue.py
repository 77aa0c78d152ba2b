"""MoMA's Artworks.csv in its three forms, from a path or through the stand-in."""

from __future__ import annotations

import random

import pytest

from artdemo import config
from artdemo.sources import moma as moma_catalogue
from artdemo.errors import ArtdemoError, OfflineError
from artdemo.imaging.decode import decode_image

MOMA = config.data_dir() / "museum" / "moma"


def test_current_form_from_a_url_gives_a_work_with_image_and_labels(standin):
    obj = moma_catalogue.random_object(random.Random(0))
    assert obj.source == "moma" and obj.image_url.startswith(standin.base_url)
    assert decode_image(obj.image_bytes).size[0] > 0 and obj.artist
    assert obj.labels["lithograph"] == ("lithograph" if "lithograph" in obj.medium.lower() else "not_lithograph")


def test_the_download_is_cached_on_disk_and_used_offline(standin, monkeypatch):
    catalogue = moma_catalogue.load_catalogue()
    assert catalogue.form == "current" and len(catalogue.frame) == standin.moma_rows
    assert list((config.cache_dir() / "moma").glob("*-Artworks.csv"))
    before = standin.count("/moma/")
    moma_catalogue._LOADED.clear()
    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    assert len(moma_catalogue.load_catalogue().frame) == standin.moma_rows
    assert standin.count("/moma/") == before


def test_2017_form_reads_thumbnail_urls(standin):
    catalogue = moma_catalogue.load_catalogue(standin.moma_csv_2017_url)
    assert catalogue.form == "2017" and len(catalogue.with_images()) > 0
    obj = moma_catalogue.random_object(random.Random(1), location=standin.moma_csv_2017_url)
    assert obj.image_bytes and "/images/moma/" in obj.image_url


def test_2017_head_file_from_a_path():
    catalogue = moma_catalogue.load_catalogue(str(MOMA / "Artworks_2017_head.csv"))
    assert catalogue.form == "2017" and len(catalogue.frame) > 1000
    first = catalogue.art_object(catalogue.frame.iloc[0])
    assert first.artist == "Otto Wagner" and first.image_url.startswith("http://www.moma.org/media/")


def test_sample_form_labels_but_says_it_has_no_images():
    path = str(MOMA / "Artworks_sample.csv")
    catalogue = moma_catalogue.load_catalogue(path)
    assert catalogue.form == "sample" and len(catalogue.frame) == 7572
    litho = catalogue.frame["medium"].str.contains("lithograph", case=False).sum()
    assert litho == 1256  # the data README's count
    with pytest.raises(ArtdemoError, match="22-column sample.*no image"):
        moma_catalogue.random_object(location=path)


def test_missing_or_wrong_files_are_clear(tmp_path):
    with pytest.raises(ArtdemoError, match="no MoMA catalogue"):
        moma_catalogue.load_catalogue(str(tmp_path / "nope.csv"))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(ArtdemoError, match="doesn't look like MoMA"):
        moma_catalogue.load_catalogue(str(wrong))


def test_offline_without_a_cached_copy_is_an_offline_error(standin, monkeypatch):
    monkeypatch.setenv("ARTDEMO_OFFLINE", "1")
    with pytest.raises(OfflineError, match="offline mode"):
        moma_catalogue.random_object()
    assert standin.count() == 0


def test_unreachable_server_and_http_errors(standin, monkeypatch):
    with pytest.raises(ArtdemoError, match="HTTP 404"):
        moma_catalogue.load_catalogue(standin.base_url + "/moma/Other.csv")
    with pytest.raises(OfflineError, match="couldn't download"):
        moma_catalogue.load_catalogue("http://127.0.0.1:9/Artworks.csv")


def test_broken_images_are_skipped_then_reported(standin):
    standin.fault("truncated", times=2, prefix="/images/")
    assert moma_catalogue.random_object(random.Random(2)).image_bytes
    standin.fault("500", prefix="/images/")
    with pytest.raises(ArtdemoError, match="couldn't get a MoMA image"):
        moma_catalogue.random_object(random.Random(3))
