"""The stand-in server itself: routes and fault modes behave as documented,
so tests built on it fail for the client's reasons, not the server's."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import urllib.error
import urllib.request

import pytest
from PIL import Image


def get(url: str, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_replays_recorded_objects_with_image_urls_on_the_standin(standin):
    status, _, body = get(standin.met_api + "/objects/436533")
    data = json.loads(body)
    assert status == 200 and data["objectID"] == 436533 and data["medium"] == "Oil on canvas"
    assert data["primaryImageSmall"].startswith(standin.base_url + "/images/met/")
    status, headers, image = get(data["primaryImageSmall"])
    assert status == 200 and Image.open(io.BytesIO(image)).format == "JPEG"


def test_error_bodies_follow_the_fixtures(standin):
    assert get(standin.met_api + "/objects/999999999")[0] == 404
    assert json.loads(get(standin.met_api + "/objects/999999999")[2]) == {"message": "Not a valid object"}
    status, _, body = get(standin.met_api + "/objects/abc")
    assert status == 400 and json.loads(body)["message"] == "could not parse objectID"
    standin.missing_ids.add(436533)
    assert json.loads(get(standin.met_api + "/objects/436533")[2]) == {"message": "ObjectID not found"}


def test_search_departments_and_listed_objects(standin):
    found = json.loads(get(standin.met_api + "/search?q=sunflowers&hasImages=true")[2])
    assert found["total"] == 89 and found["objectIDs"][0] == 436524
    assert json.loads(get(standin.met_api + "/search?q=nothing")[2]) == {"total": 0, "objectIDs": None}
    assert len(json.loads(get(standin.met_api + "/departments")[2])["departments"]) == 19
    synthetic = json.loads(get(standin.met_api + "/objects/436524")[2])  # listed, not recorded
    assert synthetic["objectID"] == 436524 and synthetic["primaryImageSmall"]


def test_moma_csv_forms(standin):
    today = list(csv.DictReader(io.StringIO(get(standin.moma_csv_url)[2].decode())))
    assert len(today) == standin.moma_rows and "ImageURL" in today[0] and today[0]["Artist"]
    with_images = [r for r in today if r["ImageURL"]]
    assert 0 < len(with_images) < len(today)
    assert get(with_images[0]["ImageURL"])[0] == 200
    old = csv.DictReader(io.StringIO(get(standin.moma_csv_2017_url)[2].decode()))
    assert "ThumbnailURL" in old.fieldnames and "ImageURL" not in old.fieldnames
    sample = csv.DictReader(io.StringIO(get(standin.moma_csv_sample_url)[2].decode()))
    assert len(sample.fieldnames) == 22


def test_fault_modes(standin):
    url = standin.met_api + "/departments"
    standin.fault("429", times=1, retry_after=7)
    status, headers, _ = get(url)
    assert status == 429 and headers["Retry-After"] == "7"
    assert get(url)[0] == 200  # "next N" mode used up
    standin.fault("403html", times=1)
    status, headers, body = get(url)
    assert status == 403 and b"Incapsula" in body
    standin.fault("garbage", times=1)
    with pytest.raises(ValueError):
        json.loads(get(url)[2])
    standin.fault("truncated", times=1)
    with pytest.raises(ValueError):
        json.loads(get(url)[2])
    standin.fault("reset", times=1)
    with pytest.raises((ConnectionError, urllib.error.URLError, socket.error)):
        get(url)
    standin.fault("noimages", times=1)
    assert json.loads(get(standin.met_api + "/objects/436533")[2])["primaryImageSmall"] == ""
    standin.fault("slow", delay=0.5, times=1)
    start = time.monotonic()
    assert get(url)[0] == 200 and time.monotonic() - start >= 0.5
    standin.fault("500", prefix="/images/")
    assert get(standin.image_url("x"))[0] == 500 and get(url)[0] == 200
    standin.clear_faults()
    assert get(standin.image_url("x"))[0] == 200
    assert standin.count(standin.met_path) >= 8 and standin.max_rate() > 0
