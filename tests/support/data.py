"""The one rule for tests that need the data cache (../shared/data or ARTDEMO_DATA).

Locally, a test whose data is missing skips with a reason that says what to set.
In CI (the environment has CI=true, as GitHub Actions and most CI services set),
the same test FAILS: a CI run without its data must not go green by skipping
about thirty tests in silence. tests/test_ci_data.py checks this rule itself.

    from tests.support.data import require_data

    def test_something():
        require_data()                      # labels/ must be there
        require_data("labels/medium.csv")   # or the exact files the test reads

Call it first thing in the test (or in an autouse fixture, when the test's other
fixtures need the data too: autouse fixtures run before the rest). Never write
`pytest.mark.skipif(<no data>)` or `pytest.skip("no data cache")` by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from artdemo import config


def on_ci() -> bool:
    """True when the environment says this is a CI run (CI=true)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def missing_data(*relative: str) -> list[Path]:
    """The paths (in the data cache) that aren't there; [] when all are. Default: labels/."""
    root = config.data_dir()
    return [root / rel for rel in (relative or ("labels",)) if not (root / rel).exists()]


def have_data(*relative: str) -> bool:
    return not missing_data(*relative)


def require_data(*relative: str) -> Path:
    """The data cache root, if it holds `relative` (default labels/); otherwise skip
    the test, or fail it when CI=true. Returns the root for convenience."""
    missing = missing_data(*relative)
    if not missing:
        return config.data_dir()
    message = (
        f"needs the data cache: {', '.join(str(p) for p in missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing (set ARTDEMO_DATA, or check out ../shared/data)"
    )
    if on_ci():
        pytest.fail(f"CI=true and the test {message}", pytrace=False)
    pytest.skip(message)
