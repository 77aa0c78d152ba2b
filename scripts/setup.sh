#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the pinned requirements into it.
# Usage: scripts/setup.sh [requirements file ...]   (default: requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
reqs=("${@:-requirements.txt}")
stamp=".venv/.installed-$(cat "${reqs[@]}" requirements.txt | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  args=(); for r in "${reqs[@]}"; do args+=(-r "$r"); done
  .venv/bin/python -m pip install --quiet "${args[@]}"  # one resolver run, so the files can't undo each other
  touch "$stamp"
fi
