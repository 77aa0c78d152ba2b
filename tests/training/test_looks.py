"""The feature cache's key covers every module that decides what a look's pixels are."""

from __future__ import annotations

import ast
from pathlib import Path

import artdemo
from artdemo.training import looks
from tests.test_layers import Module

ROOT = Path(artdemo.__file__).parent.parent


def _imaging_imports(path: Path) -> set[str]:
    """Modules of artdemo.imaging that a source file imports (tests.test_layers reads the imports)."""
    module = Module(path, ast.parse(path.read_text(encoding="utf-8")))
    return {name for _, name in module.imports()
            if name.startswith("artdemo.imaging.") and _file(name).is_file()}  # not names inside a module


def _file(name: str) -> Path:
    return ROOT / (name.replace(".", "/") + ".py")


def test_the_looks_version_hashes_the_finder_and_generator_and_every_imaging_module_they_import():
    hashed = {m.__name__ for m in looks.SOURCES}
    assert {"artdemo.imaging.find_artwork", "artdemo.imaging.gallery_photo"} <= hashed
    todo, reached = list(hashed), set()
    while todo:  # follow the imports, so a module split off tomorrow cannot be left out of the key
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo += _imaging_imports(_file(name))
    assert reached == hashed


def test_the_looks_version_changes_with_any_of_them(tmp_path, monkeypatch):
    before = looks._source_hash(*looks.SOURCES)
    assert before == looks.LOOKS_VERSION
    for module in looks.SOURCES:
        copy = tmp_path / Path(module.__file__).name
        copy.write_bytes(Path(module.__file__).read_bytes() + b"\n# changed\n")
        monkeypatch.setattr(module, "__file__", str(copy))
        assert looks._source_hash(*looks.SOURCES) != before
        monkeypatch.undo()
