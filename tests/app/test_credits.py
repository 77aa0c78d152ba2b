"""What the About page says about data and models: the sources of the data as a list a phone can show,
where the models come from in a visitor's words, and the collections named as the rest of the app names them."""

from __future__ import annotations

from pathlib import Path

from artdemo.app import credits, models_info, words
from artdemo.errors import ArtdemoError
from artdemo.models import store
from artdemo.models.hub import ModelsLocation

SOURCES_TABLE = """\
| tag | public repository it was taken from |
|---|---|
| `whitney` | jameshih/18154-shades-of-whitney (Whitney Museum of American Art collection images and records) |
| `wikiart224:*` | eliogrande/TheEndlessTuning_WikiArt224 (WikiArt images, 7 styles) |
| MAMe index | HPAI-BSC/MAMe-baselines |"""


def test_collection_names_are_the_ones_an_artwork_is_introduced_with():
    assert words.collection_name("wikiart224:Romanticism") == "WikiArt"
    assert words.collection_name("whitney") == "the Whitney Museum of American Art"
    assert words.collection_title("whitney") == "The Whitney Museum of American Art"
    assert "PeopleArt" in words.collection_name("peopleart:Cubism")
    assert words.collection_name("src_a") == "src_a"  # an unknown tag as it is, never dropped
    assert words.collection_title("moma") == "moma"


def test_the_sources_table_becomes_a_list_that_wraps_on_a_phone():
    listed = credits.sources_list(SOURCES_TABLE)
    lines = listed.splitlines()
    assert lines == [
        "- The Whitney Museum of American Art (`whitney`): jameshih/18154-shades-of-whitney (Whitney Museum of "
        "American Art collection images and records)",
        "- WikiArt (`wikiart224:*`): eliogrande/TheEndlessTuning_WikiArt224 (WikiArt images, 7 styles)",
        "- MAMe index: HPAI-BSC/MAMe-baselines",
    ]
    assert not any(line.lstrip().startswith("|") for line in lines), "a markdown table can't wrap on a phone"


def test_the_real_sources_table_keeps_every_source(tmp_path: Path):
    (tmp_path / "README.md").write_text("All images are non-commercial.\n\n## Sources\n" + SOURCES_TABLE
                                        + "\n\n## Next\nmore\n", encoding="utf-8")
    _, table = credits.data_credits(tmp_path)
    listed = credits.sources_list(table)
    for repository in ("jameshih/18154-shades-of-whitney", "eliogrande/TheEndlessTuning_WikiArt224",
                       "HPAI-BSC/MAMe-baselines"):
        assert repository in listed
    assert "|" not in listed


def test_where_the_models_come_from_is_said_without_settings_names(monkeypatch):
    bundled = ModelsLocation(path=Path("models"), origin="bundled models/ (ARTDEMO_HF_REPO not set)")
    monkeypatch.setattr(store, "models_location", lambda: bundled)
    shown, detail = models_info.models_source()
    assert shown == "The models shipped with the app."
    assert "ARTDEMO_HF_REPO" not in shown and "ARTDEMO_HF_REPO" in detail  # kept for maintainers

    hub = ModelsLocation(path=Path("snap"), origin="Hugging Face Hub me/art@main", repo="me/art", revision="main")
    monkeypatch.setattr(store, "models_location", lambda: hub)
    assert models_info.models_source()[0] == "The models published on Hugging Face: me/art."

    def broken():
        raise ArtdemoError("ARTDEMO_HF_REPO is not usable")

    monkeypatch.setattr(store, "models_location", broken)
    shown, detail = models_info.models_source()
    assert shown == "The models shipped with the app." and "ARTDEMO_HF_REPO" in detail
