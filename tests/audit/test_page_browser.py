"""The Audit page in a real browser: `streamlit run app.py`, Chromium, the Audit link."""

from __future__ import annotations

from pathlib import Path

import pytest

from artdemo.bench.app_server import CHROMIUM, CHROMIUM_ARGS, running_streamlit

ROOT = Path(__file__).resolve().parents[2]
SLOW_MS = 180_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}"),
]


def test_visitor_opens_an_audit_and_sees_errors_with_gradcam_and_the_queue(lithograph_audit):
    from playwright.sync_api import sync_playwright

    _, out = lithograph_audit
    env = {"ARTDEMO_OFFLINE": "1", "ARTDEMO_AUDIT_DIR": str(out)}
    with running_streamlit(env=env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        page.goto(url)
        page.get_by_role("link", name="How the machine sees").wait_for(timeout=SLOW_MS)  # app.py's navigation
        page.get_by_role("link", name="Audit", exact=True).click()
        page.get_by_text("Possible cataloguing errors").wait_for(timeout=SLOW_MS)
        page.get_by_text("Ask a curator").wait_for(timeout=SLOW_MS)
        page.get_by_text("Grad-CAM: where the model found").first.wait_for(timeout=SLOW_MS)
        body = page.inner_text("body")
        assert "Traceback" not in body and "Something went wrong" not in body
        (ROOT / "artefacts").mkdir(exist_ok=True)
        page.wait_for_timeout(1000)  # let the images finish drawing
        page.screenshot(path=str(ROOT / "artefacts" / "audit.png"))
        page.locator("h4").first.scroll_into_view_if_needed()  # the first possible cataloguing error
        page.screenshot(path=str(ROOT / "artefacts" / "audit_errors.png"))
        browser.close()
