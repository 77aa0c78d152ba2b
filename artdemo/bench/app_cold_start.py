"""Cold start of the Streamlit app: a fresh process to the first prediction on the
Classify page (`python -m artdemo.app_cold_start`, prints seconds).

It runs the real app.py through Streamlit's AppTest in a new Python process, presses
"Random from the collection cache" and stops the clock when the probability charts
are on the page: imports, model loading, the page script and one prediction, the
way a visitor's first click pays for them. The benchmark (artdemo.bench) can call
`measure()`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from artdemo import config

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=600).run()
t_page = time.perf_counter()
at.button(key="btn_cache").click().run()
charts = len(at.get("plotly_chart"))
print(json.dumps({"page": t_page - t0, "total": time.perf_counter() - t0, "charts": charts,
                  "errors": [e.value for e in at.error], "exception": bool(at.exception)}))
"""


def measure() -> dict:
    """{'process_to_prediction': s, 'page_ready': s, 'first_click': s, 'charts': n} from one fresh process."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(config.PROJECT_ROOT))
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CHILD, str(config.PROJECT_ROOT / "app.py")], env=env,
                         capture_output=True, text=True, timeout=900, cwd=config.PROJECT_ROOT)
    wall = time.perf_counter() - start
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"cold-start run failed: {out.stderr[-2000:]}")
    child = json.loads(lines[-1])
    if child["exception"] or child["errors"] or not child["charts"]:
        raise RuntimeError(f"the Classify page did not predict: {child}")
    return {"process_to_prediction": wall, "page_ready": child["page"],
            "first_click": child["total"] - child["page"], "charts": child["charts"]}


def main(argv: list[str] | None = None) -> int:
    figures = measure()
    print(f"{'Classify page cold start: process to first prediction':<56} {figures['process_to_prediction']:8.2f} s")
    print(f"{'  of which: page script ready (imports)':<56} {figures['page_ready']:8.2f} s")
    print(f"{'  of which: first click (model load + fetch + predict)':<56} {figures['first_click']:8.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
