"""Models on the Hub: push, pull, revision pinning and the fallback to the bundled
models/, against the stand-in Hub in tests/hub_standin.py (real huggingface_hub
client code, real HTTP on 127.0.0.1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from artdemo.models import hub
from artdemo.models import store as model_store
from artdemo.models.cards import Metrics, ModelCard, available_cards, save_card
from artdemo.errors import ArtdemoError
from tests.support.hub_standin import StandinHub

REPO = "museum/artdemo-models"


def make_models(root: Path, weights: bytes = b"weights-v1", tasks=("lithograph", "genre")) -> Path:
    """A models/ folder with small cards and a weights file per task, as training writes it."""
    for task in tasks:
        classes = ["lithograph", "not_lithograph"] if task == "lithograph" else ["landscape", "portrait"]
        card = ModelCard(
            task=task, classes=classes, input_size=224, preprocessing="raw pixels 0..255",
            architecture="logistic head on EfficientNet-Lite0", weights_file="head.npz",
            data_counts={"test": {c: 10 for c in classes}}, source_counts={}, split_rule="sha1(path) buckets",
            metrics=Metrics(accuracy=0.9, balanced_accuracy=0.875, macro_f1=0.86, ece=0.031,
                            per_class={classes[0]: {"recall": 0.8}, classes[1]: {"recall": 0.95}},
                            confusion_matrix=[[8, 2], [1, 9]], n=20),
            temperature=1.3, threshold=0.7, scope=f"{task}: prints and paintings from MoMA and WikiArt",
            baseline={"method": "logistic regression", "accuracy": 0.8}, seed_baseline={"accuracy": 0.61},
        )
        save_card(card, root)
        (root / task / "head.npz").write_bytes(weights + task.encode())
    return root


@pytest.fixture
def hub_server(monkeypatch, tmp_path):
    server = StandinHub().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_TOKEN", "hf_standin_token")
    monkeypatch.setenv("ARTDEMO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ARTDEMO_MODELS", str(make_models(tmp_path / "bundled", b"bundled")))
    for name in ("ARTDEMO_HF_REPO", "ARTDEMO_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.stop()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def weights_in(location: hub.ModelsLocation) -> bytes:
    return (location.path / "lithograph" / "head.npz").read_bytes()


def test_push_writes_models_and_a_model_card(hub_server, tmp_path):
    commit = hub.push(REPO, models_root=make_models(tmp_path / "m"))
    files = hub_server.repos[REPO].commits[commit]
    assert {"lithograph/card.json", "lithograph/head.npz", "genre/card.json", "genre/head.npz",
            "README.md", "LICENSE.md"} <= set(files)
    readme = files["README.md"].decode()
    front = readme.split("---")[1]
    assert "library_name: keras" in front and "license: other" in front and "- image-classification" in front
    assert "| `lithograph` | 2 | 20 | 90.0% | 87.5% | 0.86 | 0.031 | 0.70 |" in readme
    assert "Scope (what it has seen):** lithograph: prints and paintings" in readme
    assert "## Limits" in readme
    assert "pooled backbone features 80.0%; the earlier small CNN trained from scratch (seed 000's approach) 61.0%" in readme


def test_unset_repo_uses_bundled_models(hub_server):
    location = hub.resolve_models_dir()
    assert location.path == Path(os.environ["ARTDEMO_MODELS"])
    assert location.origin == "bundled models/ (ARTDEMO_HF_REPO not set)"
    assert hub_server.requests == []


def test_pull_follows_main_and_reads_cards(hub_server, tmp_path, monkeypatch):
    hub.push(REPO, models_root=make_models(tmp_path / "m", b"v1"))
    monkeypatch.setenv("ARTDEMO_HF_REPO", REPO)
    location = hub.resolve_models_dir()
    assert location.origin == f"Hugging Face Hub {REPO}@main"
    assert weights_in(location) == b"v1lithograph"
    assert [c.task for c in available_cards(location.path)] == ["genre", "lithograph"]
    assert str(location.path).startswith(str(tmp_path / "cache" / "hub"))


def test_revision_pin_is_honoured(hub_server, tmp_path, monkeypatch):
    first = hub.push(REPO, models_root=make_models(tmp_path / "m1", b"v1"))
    hub.push(REPO, models_root=make_models(tmp_path / "m2", b"v2"), tag="v2")
    monkeypatch.setenv("ARTDEMO_HF_REPO", f"{REPO}@{first}")
    pinned = hub.resolve_models_dir()
    assert weights_in(pinned) == b"v1lithograph" and pinned.commit == first
    assert pinned.origin == f"Hugging Face Hub {REPO}@{first}"
    monkeypatch.setenv("ARTDEMO_HF_REPO", f"{REPO}@v2")
    assert weights_in(hub.resolve_models_dir()) == b"v2lithograph"
    monkeypatch.setenv("ARTDEMO_HF_REPO", REPO)
    assert weights_in(hub.resolve_models_dir()) == b"v2lithograph"


def test_unreachable_hub_falls_back_to_bundled(hub_server, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    monkeypatch.setenv("ARTDEMO_HF_REPO", f"{REPO}@main")
    location = hub.resolve_models_dir()
    assert location.path == Path(os.environ["ARTDEMO_MODELS"])
    assert location.origin.startswith("bundled models/ — the Hub could not be reached: ")
    assert f"(wanted {REPO}@main)" in location.origin


def test_unreachable_hub_uses_the_cached_copy(hub_server, tmp_path, monkeypatch):
    hub.push(REPO, models_root=make_models(tmp_path / "m", b"v1"))
    monkeypatch.setenv("ARTDEMO_HF_REPO", REPO)
    hub.resolve_models_dir()
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    location = hub.resolve_models_dir()
    assert weights_in(location) == b"v1lithograph"
    assert "(cached copy; the Hub could not be reached" in location.origin


def test_hub_down_uses_the_cached_copy(hub_server, tmp_path, monkeypatch):
    hub.push(REPO, models_root=make_models(tmp_path / "m", b"v1"))
    monkeypatch.setenv("ARTDEMO_HF_REPO", f"{REPO}@main")
    hub.resolve_models_dir()
    hub_server.fail_with = 503
    location = hub.resolve_models_dir()
    assert weights_in(location) == b"v1lithograph"
    assert location.origin.startswith(f"Hugging Face Hub {REPO}@main (cached copy; the Hub could not be reached: ")


def test_missing_revision_and_broken_hub_fall_back(hub_server, tmp_path, monkeypatch):
    hub.push(REPO, models_root=make_models(tmp_path / "m"))
    monkeypatch.setenv("ARTDEMO_HF_REPO", f"{REPO}@no-such-tag")
    location = hub.resolve_models_dir()
    assert "that revision does not exist" in location.origin and location.origin.startswith("bundled models/")
    hub_server.fail_with = 503
    monkeypatch.setenv("ARTDEMO_HF_REPO", REPO)
    assert hub.resolve_models_dir().origin.startswith("bundled models/ — the Hub")


@pytest.mark.parametrize("flag", ["ARTDEMO_OFFLINE", "HF_HUB_OFFLINE"])
def test_offline_never_touches_the_hub(hub_server, tmp_path, monkeypatch, flag):
    hub.push(REPO, models_root=make_models(tmp_path / "m", b"v1"))
    monkeypatch.setenv("ARTDEMO_HF_REPO", REPO)
    monkeypatch.setenv(flag, "1")
    before = len(hub_server.requests)
    location = hub.resolve_models_dir()
    assert location.origin == f"bundled models/ (offline: {flag}=1, and no cached copy of {REPO}@main)"
    monkeypatch.delenv(flag)
    hub.resolve_models_dir()  # fills the cache
    monkeypatch.setenv(flag, "1")
    before = len(hub_server.requests)
    cached = hub.resolve_models_dir()
    assert weights_in(cached) == b"v1lithograph"
    assert cached.origin == f"Hugging Face Hub {REPO}@main (cached copy; offline: {flag}=1)"
    assert len(hub_server.requests) == before


def test_bad_repo_setting_is_explained(hub_server, monkeypatch):
    for spec in ("not a repo", "owner/name@../../etc", "owner/name@a b"):
        monkeypatch.setenv("ARTDEMO_HF_REPO", spec)
        location = hub.resolve_models_dir()
        assert location.origin.startswith(f"bundled models/ — ARTDEMO_HF_REPO is not usable: {spec!r} is not")
    assert hub_server.requests == []


def test_model_store_caches_per_setting(hub_server, tmp_path, monkeypatch):
    hub.push(REPO, models_root=make_models(tmp_path / "m"))
    model_store.refresh()
    assert model_store.models_root() == Path(os.environ["ARTDEMO_MODELS"])
    monkeypatch.setenv("ARTDEMO_HF_REPO", REPO)
    hub_root = model_store.models_root()
    count = len(hub_server.requests)
    assert model_store.models_root() == hub_root and len(hub_server.requests) == count
    assert model_store.models_location().origin == f"Hugging Face Hub {REPO}@main"


def test_push_errors_are_plain(hub_server, tmp_path):
    with pytest.raises(ArtdemoError, match="No trained models in"):
        hub.push(REPO, models_root=tmp_path / "empty")
    hub_server.fail_with = 503
    with pytest.raises(ArtdemoError, match=f"Publishing to {REPO} failed"):
        hub.push(REPO, models_root=make_models(tmp_path / "m"))


def test_cli_push_then_pull_pinned(hub_server, tmp_path):
    """The commands as a user types them, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "TF_CPP_MIN_LOG_LEVEL": "2"}
    models = make_models(tmp_path / "m", b"cli")
    run = lambda *args: subprocess.run([sys.executable, "-m", "artdemo", "models", *args],  # noqa: E731
                                       capture_output=True, text=True, env=env, timeout=60)
    pushed = run("push", "--repo", REPO, "--models", str(models), "--tag", "v1")
    assert pushed.returncode == 0, pushed.stderr
    commit = hub_server.repos[REPO].refs["v1"]
    assert f"pin it with: ARTDEMO_HF_REPO={REPO}@v1" in pushed.stdout and commit in pushed.stdout
    pulled = run("pull", "--repo", REPO, "--revision", "v1", "--to", str(tmp_path / "copy"))
    assert pulled.returncode == 0, pulled.stderr
    assert f"ARTDEMO_HF_REPO={REPO}@{commit}" in pulled.stdout
    assert (tmp_path / "copy" / "lithograph" / "head.npz").read_bytes() == b"clilithograph"
    missing = run("pull", "--repo", f"{REPO}@nope")
    assert missing.returncode == 1 and "that revision does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
