#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite. Extra arguments go to pytest.
# Reads the data cache from ARTDEMO_DATA, default ../shared/data beside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-test.txt requirements-beam.txt
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/python -m pytest -q "$@"
