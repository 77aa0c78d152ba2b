"""`python -m artdemo.ui.serve [streamlit options]`: `streamlit run app.py`, warm from the start.

Why: Streamlit runs `app.py` only when the first browser connects, so with a plain
`streamlit run` the models start loading when the first visitor arrives, and that
visitor's first click waits for them. This launcher starts the warm-up (and the
imports the pages need) in the server process before Streamlit starts listening,
then hands over to Streamlit's own command line in the same process. The app's
own `start_warmup()` call then finds the warm-up already running.
"""

from __future__ import annotations

import sys
import threading

from artdemo import config


def _preload() -> None:
    """Import what the first page run imports (plotting, the app core), off the main thread."""
    import plotly.graph_objects  # noqa: F401

    from artdemo.app import charts, framing, overlay  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    from artdemo.app import inference

    inference.start_warmup()
    threading.Thread(target=_preload, name="artdemo-preload", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(config.PROJECT_ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
