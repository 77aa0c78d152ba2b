#!/usr/bin/env bash
# Assemble the folder a Hugging Face Space is made of: the app, the library, the bundled models
# (the offline fallback) and this folder's README.md (front matter) and requirements.txt.
# Usage: spaces/assemble.sh OUT_DIR     then: hf upload OWNER/artdemo OUT_DIR . --repo-type space
set -euo pipefail
out="${1:?usage: spaces/assemble.sh OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
rm -rf "$out/artdemo" "$out/models"
cp "$root/gradio_app.py" "$root/spaces/README.md" "$root/spaces/requirements.txt" "$out/"
cp -r "$root/artdemo" "$out/artdemo"
if [ -d "$root/models" ]; then
  cp -r "$root/models" "$out/models"
else
  echo "note: no models/ folder here; the Space will need ARTDEMO_HF_REPO" >&2
fi
find "$out" -name '__pycache__' -type d -prune -exec rm -rf {} +
echo "assembled the Space in $out"
