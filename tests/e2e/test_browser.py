"""End to end: `streamlit run app.py` on 127.0.0.1, driven by Debian's Chromium.

A visitor loads the app, classifies an artwork from the collection cache, opens
its saliency, clicks a confusion-matrix cell and watches the kiosk loop advance.
Screenshots go to artefacts/ (gitignored). The app runs with ARTDEMO_OFFLINE=1,
so nothing reaches the internet, and a 3-second kiosk interval.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from artdemo import config
from artdemo.bench.app_server import CHROMIUM, CHROMIUM_ARGS, running_streamlit

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "artefacts"
SLOW_MS = 180_000  # cold start: TensorFlow import and model loading on a shared CI machine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"),
    pytest.mark.skipif(not any(config.models_dir().glob("*/card.json")), reason="no trained models in models/ (python -m artdemo train all)"),
    pytest.mark.skipif(not (config.data_dir() / "labels").is_dir(), reason="needs the shared data cache (ARTDEMO_DATA)"),
]


TASKS_READY = sorted(p.parent.name for p in config.models_dir().glob("*/card.json"))


@pytest.fixture(scope="module")
def app_url():
    ARTEFACTS.mkdir(exist_ok=True)
    env = {"ARTDEMO_OFFLINE": "1", "ARTDEMO_KIOSK_SECONDS": "3", "ARTDEMO_KIOSK_IDLE_SECONDS": "20"}
    with running_streamlit(env=env, log_path=ARTEFACTS / "streamlit_e2e.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def no_trace(page) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body and "Something went wrong on our side" not in body


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    yield page
    page.screenshot(path=str(ARTEFACTS / "last_page.png"))  # what the visitor saw last (useful on failure)
    page.close()


def test_visitor_classifies_explains_explores_and_watches_the_kiosk(app_url, browser, page):
    page.goto(app_url)
    page.get_by_role("button", name="Random from the collection cache").click(timeout=SLOW_MS)
    page.get_by_text(re.compile(r"^(confident|ask a curator)$")).first.wait_for(timeout=SLOW_MS)  # the route
    page.wait_for_function(f"document.querySelectorAll('.stPlotlyChart .main-svg').length >= {len(TASKS_READY)}",
                           timeout=60_000)  # one probability chart per model, drawn
    assert page.get_by_text("This session").is_visible()
    no_trace(page)
    page.wait_for_timeout(1000)  # let the bars finish drawing
    page.screenshot(path=str(ARTEFACTS / "classify.png"))

    page.get_by_role("link", name="See how the machine sees it").click()
    page.get_by_text("Grad-CAM").first.wait_for(timeout=SLOW_MS)
    page.get_by_text("First-layer filters").first.wait_for(timeout=SLOW_MS)
    page.wait_for_function("document.querySelectorAll('[data-testid=stImage] img').length >= 6", timeout=SLOW_MS)
    no_trace(page)
    page.screenshot(path=str(ARTEFACTS / "machine_sees.png"))

    page.get_by_role("link", name="Confusion explorer").click()
    heading = page.locator("h3", has_text="held-out image")
    heading.first.wait_for(timeout=60_000)
    before = heading.first.inner_text()
    cell = page.locator("[data-testid=stPlotlyChart] .scatterlayer path.point").first  # top-left: a diagonal cell
    cell.wait_for(state="attached", timeout=SLOW_MS)
    page.wait_for_timeout(1000)  # let Plotly finish laying out
    box = cell.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # Plotly clicks the point it is hovering, so hover first
    page.wait_for_timeout(500)
    page.mouse.click(x, y)
    page.wait_for_function(
        "([b]) => { const h = [...document.querySelectorAll('h3')].find(e => e.innerText.includes('held-out image'));"
        " return h && h.innerText !== b; }", arg=[before], timeout=30_000)
    after = heading.first.inner_text()
    museum, model = after.split("museum says ")[1].split(", model says ")
    assert museum.strip() == model.strip()  # the diagonal cell we clicked
    no_trace(page)
    page.screenshot(path=str(ARTEFACTS / "confusion.png"))

    kiosk = browser.new_page(viewport={"width": 1280, "height": 800})
    kiosk.goto(app_url + "/?kiosk=1")
    kiosk.get_by_text("Artwork 1 of the loop").wait_for(timeout=SLOW_MS)
    assert not kiosk.locator("[data-testid=stSidebar]").is_visible()
    height = kiosk.get_by_role("button", name="Show me another one").bounding_box()["height"]
    assert height >= 48
    kiosk.screenshot(path=str(ARTEFACTS / "kiosk_1.png"))
    kiosk.get_by_text("Artwork 2 of the loop").wait_for(timeout=60_000)
    no_trace(kiosk)
    kiosk.screenshot(path=str(ARTEFACTS / "kiosk_2.png"))
