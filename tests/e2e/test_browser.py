"""End to end: `streamlit run app.py` and the Gradio app on 127.0.0.1, driven by Debian's Chromium.

A visitor loads the app, classifies an artwork from the collection cache, opens
its saliency, clicks a confusion-matrix cell and watches the kiosk loop advance.
Every page of both front ends is then checked with axe-core against the WCAG 2.1
A/AA rules (tests/e2e/axe.py). Screenshots go to artefacts/ (gitignored). The app
runs with ARTDEMO_OFFLINE=1, so nothing reaches the internet, and a 3-second kiosk
interval. A missing browser, model or data cache skips these tests on a
developer's machine and fails them in CI (CI=true).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from artdemo import config
from artdemo.app import words
from artdemo.bench.app_server import CHROMIUM, CHROMIUM_ARGS, free_port, running_streamlit
from tests.e2e import axe

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "artefacts"
SLOW_MS = 180_000  # cold start: TensorFlow import and model loading on a shared CI machine
ROUTE_BADGE = re.compile("^(" + "|".join(re.escape(w) for w in words.ROUTE_WORDS.values()) + ")$")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TASKS_READY = sorted(p.parent.name for p in config.models_dir().glob("*/card.json"))


@pytest.fixture(scope="module", autouse=True)
def prerequisites():
    axe.require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    axe.require(bool(TASKS_READY), "no trained models in models/ (python -m artdemo train all)")
    axe.require((config.data_dir() / "labels").is_dir(), "needs the shared data cache (ARTDEMO_DATA)")


@pytest.fixture(scope="module")
def app_url():
    ARTEFACTS.mkdir(exist_ok=True)
    env = {"ARTDEMO_OFFLINE": "1", "ARTDEMO_KIOSK_SECONDS": "3", "ARTDEMO_KIOSK_IDLE_SECONDS": "20",
           "ARTDEMO_PRECOMPUTE": "0"}
    with running_streamlit(env=env, log_path=ARTEFACTS / "streamlit_e2e.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_js() -> str:
    return axe.axe_source()


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
    page.get_by_text(ROUTE_BADGE).first.wait_for(timeout=SLOW_MS)  # the route
    page.wait_for_function(f"document.querySelectorAll('.stPlotlyChart .main-svg').length >= {len(TASKS_READY)}",
                           timeout=60_000)  # one probability chart per model, drawn
    assert page.get_by_text("This session").is_visible()
    no_trace(page)
    page.wait_for_timeout(1000)  # let the bars finish drawing
    page.screenshot(path=str(ARTEFACTS / "classify.png"))

    page.get_by_role("link", name="See how the machine sees it").click()
    page.get_by_text("Grad-CAM").first.wait_for(timeout=SLOW_MS)
    page.get_by_text("First-layer filters").first.wait_for(timeout=SLOW_MS)
    # what the models saw, the Grad-CAM map, its hottest patch, the filters and what they pick out
    page.wait_for_function("document.querySelectorAll('[data-testid=stImage] img').length >= 5", timeout=SLOW_MS)
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


# --- accessibility: axe-core on every page ------------------------------------------------------------------

STREAMLIT_PAGES = {  # sidebar link -> text that says the page has finished drawing
    "How the machine sees": "First-layer filters",
    "Confusion explorer": "held-out image",
    "Class balance": "Training sets",
    "Kiosk": "Artwork 1 of the loop",
    "Audit": "Catalogue audit",
    "About": "Credits and licences of the data",
}


def settled(page, text: str) -> None:
    """Wait until `text` shows and the page has stopped changing (images loaded, charts drawn)."""
    page.get_by_text(text).first.wait_for(timeout=SLOW_MS)
    page.wait_for_function("[...document.images].every(i => i.complete)", timeout=60_000)
    page.wait_for_timeout(1500)


def test_every_streamlit_page_passes_axe_core_wcag_21_aa(app_url, browser, page, axe_js):
    """Each page as a visitor sees it with an artwork chosen: 0 WCAG 2.1 A/AA violations."""
    found: dict[str, list[dict]] = {}
    page.goto(app_url)
    page.get_by_role("button", name="Random from the collection cache").click(timeout=SLOW_MS)
    page.get_by_text(ROUTE_BADGE).first.wait_for(timeout=SLOW_MS)
    page.wait_for_function(f"document.querySelectorAll('.stPlotlyChart .main-svg').length >= {len(TASKS_READY)}",
                           timeout=60_000)
    settled(page, "This session")
    found["Classify"] = axe.violations(page, axe_js)
    nav = page.locator("[data-testid=stSidebarNav]")
    for link, ready in STREAMLIT_PAGES.items():
        if not nav.get_by_role("link", name=link).count():
            assert link == "Audit", f"the {link} page is missing from the navigation"
            continue
        nav.get_by_role("link", name=link).click()
        settled(page, ready)
        no_trace(page)
        found[link] = axe.violations(page, axe_js)
    kiosk = browser.new_page(viewport={"width": 1280, "height": 800})
    kiosk.goto(app_url + "/?kiosk=1")
    settled(kiosk, "Artwork 1 of the loop")
    found["Kiosk, full screen"] = axe.violations(kiosk, axe_js)
    kiosk.close()
    print("axe-core violations per page:", axe.count(found))
    assert sum(axe.count(found).values()) == 0, "\n" + axe.describe(found)


@pytest.fixture(scope="module")
def gradio_url():
    ARTEFACTS.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ARTDEMO_HF_REPO",):
            mp.delenv(name, raising=False)
        mp.setenv("ARTDEMO_OFFLINE", "1")
        import gradio_app

        demo = gradio_app.build()
        _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True,
                                quiet=True, **gradio_app.LAUNCH_OPTIONS)  # as `python gradio_app.py` does
        yield url
        demo.close()


def test_the_gradio_app_passes_axe_core_wcag_21_aa(gradio_url, browser, page, axe_js, tmp_path):
    """Every tab of the Gradio app, the Classify tab with an answer shown: 0 WCAG 2.1 A/AA violations."""
    first = (config.data_dir() / "labels" / "lithograph.csv").read_text().splitlines()[1].split(",")[0]
    image = tmp_path / "artwork.jpg"
    image.write_bytes((config.data_dir() / first).read_bytes())
    found: dict[str, list[dict]] = {}
    page.goto(gradio_url)
    page.get_by_text("Give the models an artwork").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    found["Gradio: Classify"] = axe.violations(page, axe_js)
    page.locator("input[type=file]").first.set_input_files(str(image))
    page.get_by_text("From your upload").first.wait_for(timeout=SLOW_MS)
    page.wait_for_timeout(1500)
    found["Gradio: Classify, answered"] = axe.violations(page, axe_js)
    for tab in ("How the machine sees", "Confusion", "Class balance"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(2500)
        found[f"Gradio: {tab}"] = axe.violations(page, axe_js)
    page.screenshot(path=str(ARTEFACTS / "gradio.png"))
    print("axe-core violations per page:", axe.count(found))
    assert sum(axe.count(found).values()) == 0, "\n" + axe.describe(found)
