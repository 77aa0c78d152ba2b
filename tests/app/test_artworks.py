"""What an artwork is called: never a file name (issue 11). Real objects of the data cache, uploads
and image addresses, as the Classify page, the kiosk and Gradio introduce them."""

from __future__ import annotations

import pytest

from artdemo import config
from artdemo.app import answers, artworks
from artdemo.sources.datacache import list_labelled
from artdemo.sources.records import ArtObject

needs_data = pytest.mark.skipif(not (config.data_dir() / "labels").is_dir(), reason="needs the shared data cache")


def first(task: str, source: str):
    return next(row for row in list_labelled(task) if row.source.split(":")[0] == source)


@needs_data
def test_a_whitney_object_is_described_by_its_medium_and_museum_with_the_record_link():
    obj = artworks.from_cache_path(first("medium", "whitney").path)
    assert artworks.is_file_name(obj.title)  # what the cache has: the scraped file's name
    title = artworks.title(obj)
    assert not artworks.is_file_name(title) and obj.title not in title
    assert title == f"{obj.medium}, from the Whitney Museum of American Art"
    assert obj.page_url.startswith("https://collection.whitney.org/")
    text = answers.object_markdown(obj)
    assert obj.title not in text and f"([museum page]({obj.page_url}))" in text


@needs_data
@pytest.mark.parametrize(("task", "source", "collection"), [
    ("style", "wikiart224", "WikiArt"), ("genre", "louvre", "the Louvre's collections"),
    ("lithograph", "galc", "UC Berkeley Library's Graphic Arts Loan Collection")])
def test_cache_images_without_a_title_are_named_after_their_collection(task, source, collection):
    obj = artworks.from_cache_path(first(task, source).path)
    title = artworks.title(obj)
    assert collection in title and not artworks.is_file_name(title) and obj.title not in title
    assert collection in artworks.provenance(obj)


def test_uploads_and_addresses_are_never_titled_by_their_file_name():
    upload = ArtObject(source="upload", object_id="1", title="IMG_2041.JPG")
    assert artworks.title(upload) == "Your picture"
    url = ArtObject(source="url", object_id="2", title="painting.jpg", image_url="https://example.org/a/painting.jpg")
    assert artworks.title(url) == "A picture from example.org"
    assert artworks.provenance(url) == "an image on the web (example.org)"


def test_a_museum_title_is_kept():
    met = ArtObject(source="met", object_id="3", title="The Harvesters", artist="Pieter Bruegel the Elder")
    assert artworks.title(met) == "The Harvesters"
    assert artworks.provenance(met) == "The Metropolitan Museum of Art"
