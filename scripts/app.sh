#!/usr/bin/env bash
# Set up (first run only) and start the Streamlit app on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
# `streamlit run app.py` with the models warming up from the start (artdemo/ui/serve.py)
exec .venv/bin/python -m artdemo.ui.serve "$@"
