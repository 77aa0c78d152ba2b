"""Shared test setup. Keep this small and general; fixtures for one area live in its tests.

The project root goes on sys.path so `import artdemo` and `from tests.bad_inputs
import bad_cases` work with plain `pytest` as well as `python -m pytest`.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
