"""The app's settings file and navigation, as a visitor meets them."""

import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from artdemo.imaging.decode import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]


def settings() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_upload_limit_matches_what_the_decoder_accepts():
    assert settings()["server"]["maxUploadSize"] * 1024 * 1024 == MAX_BYTES


def test_server_runs_headless_without_usage_stats_or_developer_chrome():
    cfg = settings()
    assert cfg["server"]["headless"] is True
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["toolbarMode"] == "minimal"
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["runner"]["postScriptGC"] is False  # a full collection after every run stalls the shared worker


def test_app_opens_on_classify_with_a_way_to_begin():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "How does a machine see this artwork?"
    assert at.button(key="btn_cache").label == "Random from the collection cache"


def test_kiosk_query_opens_the_kiosk_alone_without_chrome():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["kiosk"] = "1"
    at.run()
    assert not at.exception
    assert "## How does a machine see art?" in [m.value for m in at.markdown]
    styles = " ".join(str(getattr(h, "proto", h)) for h in at.get("html"))
    assert "stSidebar" in styles and "display: none" in styles


def test_kiosk_page_in_the_menu_offers_the_full_screen_kiosk():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/kiosk.py").run()
    assert not at.exception
    assert any(b.proto.url == "?kiosk=1" for b in at.get("link_button"))
    kiosk = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    kiosk.query_params["kiosk"] = "1"
    kiosk.run()
    assert not kiosk.get("link_button"), "no way out of the kiosk for visitors"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour like '#fbf9f5'."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def faded(text: str, background: str, opacity: float = 0.6) -> str:
    """The colour Streamlit draws captions in: the text colour at 60% opacity over the background."""
    mix = [round(opacity * int(text[i:i + 2], 16) + (1 - opacity) * int(background[i:i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def test_captions_meet_wcag_aa_contrast_on_both_backgrounds():
    theme = settings()["theme"]
    for background in (theme["backgroundColor"], theme["secondaryBackgroundColor"]):
        assert contrast(theme["textColor"], background) >= 7.0  # body text: AAA
        assert contrast(faded(theme["textColor"], background), background) >= 4.5, background  # captions: AA
    assert round(contrast(faded("#22201c", "#fbf9f5"), "#fbf9f5"), 2) == 4.25  # what axe-core measured before
