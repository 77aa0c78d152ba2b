"""The Audit page opens a finished audit: the ranked possible cataloguing errors, each with
its picture, the museum's label, the model's answer and its Grad-CAM; the curator queue;
filters; downloads. Streamlit's AppTest runs the page's real script."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from artdemo.audit import results

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def open_page(monkeypatch, folder, gradcam: bool = True, **state) -> AppTest:
    monkeypatch.setenv("ARTDEMO_AUDIT_DIR", str(folder))
    at = AppTest.from_file(str(ROOT / "pages" / "audit.py"), default_timeout=300)
    at.session_state["audit_gradcam"] = gradcam
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [img.caption for element in at.image for img in element.proto.imgs]


def test_page_ranks_confident_disagreements_with_picture_labels_and_gradcam(lithograph_audit, monkeypatch):
    _, out = lithograph_audit
    at = open_page(monkeypatch, out)
    assert not at.error, [e.value for e in at.error]
    top = results.possible_errors(results.open_audit(out).rows).head(5)
    assert len(top) == 5  # 100 lithograph-task images: the models disagree with some
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings == [f"#### {n}. {row.title or row.object_id or row.path}"
                        for n, row in enumerate(top.itertuples(), start=1)]
    facts = [m.value for m in at.markdown if m.value.startswith("**Museum's label:**")]
    first = top.iloc[0]
    assert f"**Museum's label:** {first.museum_label.replace('_', ' ')}" in facts[0]
    assert f"**Model's answer:** {first.prediction.replace('_', ' ')} ({first.confidence:.0%} sure)" in facts[0]
    shown = captions(at)
    assert sum(c.startswith("The object: ") for c in shown) == 5
    assert sum(c.startswith("Grad-CAM: where the model found ") for c in shown) == 5


def test_page_lists_the_curator_queue_and_filters_by_task_route_and_agreement(lithograph_audit, monkeypatch):
    _, out = lithograph_audit
    audit = results.open_audit(out)
    at = open_page(monkeypatch, out, gradcam=False, audit_task="lithograph", audit_agreement="disagrees")
    chosen = results.filter_rows(audit.rows, task="lithograph", agreement="disagrees")
    assert any(m.value == f"{len(chosen)} of {len(audit.rows)} answers match." for m in at.markdown)
    queue = results.curator_queue(chosen)
    assert any(m.value.startswith(f"{len(queue)} answers the model is not sure enough of") for m in at.markdown)
    assert len(at.dataframe[-1].value) == len(queue)
    assert len(at.get("download_button")) == 2

    at = open_page(monkeypatch, out, gradcam=False, audit_route="review")
    review = results.filter_rows(audit.rows, route="review")
    assert len(review) and any(m.value == f"{len(review)} of {len(audit.rows)} answers match." for m in at.markdown)
    assert len(at.dataframe[-1].value) == len(review)  # everything shown is in the curator queue


def test_a_folder_without_an_audit_says_how_to_make_one(tmp_path, monkeypatch):
    at = open_page(monkeypatch, tmp_path / "nothing-here")
    assert any("python -m artdemo audit" in i.value for i in at.info)
