"""The short load test: the real Gradio server (`python gradio_app.py`), 1 then 8 visitors through
gradio_client, each classifying an artwork and opening its Grad-CAM map.

It checks what the crowd test promises in small: every visitor served, no errors, the server's
own timings logged beside the visitors' end-to-end times, peak memory under 4 GB. The full
figures (1/8/16/32 visitors, both front ends) come from `python -m artdemo.bench --long`.
"""

from __future__ import annotations

import math

import pytest

from artdemo.bench import load
from artdemo.models import predictor

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not predictor.available_tasks(), reason="needs the trained models in models/")]


def test_one_and_eight_gradio_visitors_are_all_served_and_timed_on_both_sides(tmp_path):
    result = load.short_figures(workdir=tmp_path)
    print("\n".join(load.lines({"gradio": result})))
    cold = result["cold_start"]
    assert cold["errors"] == [] and math.isfinite(cold["server_start_to_first_answer_s"])
    assert [run["visitors"] for run in result["runs"]] == [1, 8]
    assert [run["rounds"] for run in result["runs"]] == [load.SOLO_ROUNDS, 1]  # a steadier one-visitor p95
    assert result["priming"]["errors"] == [] and result["priming"]["served"] == 1  # untimed, before the crowds
    for run in result["runs"]:
        assert run["errors"] == [], run["errors"]
        assert run["served"] == run["visitors"]
        assert run["client"]["classify"]["n"] == run["visitors"] * run["rounds"]
        assert run["client"]["explain"]["n"] == run["visitors"] * run["rounds"]
        assert run["server"]["service.predict"]["n"] >= run["visitors"] * run["rounds"]  # the server's own clock
        assert math.isfinite(run["client"]["classify"]["p95_s"])
        assert run["peak_rss_mb"] < 4096
    eight = result["runs"][1]
    assert eight["server"]["service.predict"]["p95_s"] <= eight["client"]["classify"]["p95_s"] + 0.5


def test_the_streamlit_launcher_warms_the_models_before_any_visitor_connects(tmp_path):
    """`scripts/app.sh` starts Streamlit through artdemo.ui.serve: the warm-up's predictions reach the
    server's timing log although no browser or websocket ever connects (plain `streamlit run` would
    wait for the first visitor to run app.py)."""
    import json
    import time

    with load.running_server("streamlit", tmp_path, {"ARTDEMO_CACHE": str(tmp_path / "cache"),
                                                    "ARTDEMO_PRECOMPUTE": "0"}) as server:
        deadline = time.time() + 120
        actions: list[str] = []
        while time.time() < deadline and "service.predict" not in actions:
            time.sleep(0.5)
            if load.timings_log(server).is_file():
                actions = [json.loads(line)["action"] for line in load.timings_log(server).read_text().splitlines()]
        assert "service.predict" in actions, f"no warm-up prediction within 120 s; logged: {actions}"
