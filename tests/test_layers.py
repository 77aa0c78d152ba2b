"""The architecture's rules, read from the source with `ast` (nothing is imported or run).

Imports go only the way down: the data sources, the models, the explanation methods and
training know no screen and no app; the app core knows neither Streamlit nor Gradio; the
explanation methods work on arrays behind their adapter. Imports are written where a
reader and a tool can see them: no `importlib.import_module`, no `__import__`, and no
`hasattr` guards for a module that "may be missing" in the front ends.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_ANYWHERE = {".venv", "node_modules", ".git", "__pycache__"}
SKIP_TOP = {"artefacts", "models", "cache"}  # trained weights and scratch space, not code


@dataclass(frozen=True)
class Module:
    path: Path
    tree: ast.Module

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT))

    def imports(self) -> list[tuple[int, str]]:
        """(line, dotted module) of every import, at any depth (function-level ones included)."""
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((node.lineno, node.module))
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        return found


def python_files() -> list[Path]:
    def kept(path: Path) -> bool:
        parts = path.relative_to(ROOT).parts
        return not SKIP_ANYWHERE & set(parts) and parts[0] not in SKIP_TOP

    return sorted(p for p in ROOT.rglob("*.py") if kept(p))


MODULES = [Module(p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p))) for p in python_files()]


def under(*folders: str) -> list[Module]:
    return [m for m in MODULES if any(m.name == f or m.name.startswith(f + "/") for f in folders)]


def offending_imports(modules: list[Module], forbidden: tuple[str, ...]) -> list[str]:
    return [f"{m.name}:{line} imports {name}" for m in modules for line, name in m.imports()
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


def test_the_rules_read_the_whole_package():
    names = {m.name for m in MODULES}
    assert {"artdemo/sources/objects.py", "artdemo/models/predictor.py", "artdemo/explain/gradcam.py",
            "artdemo/app/session.py", "artdemo/ui/widgets.py", "app.py", "gradio_app.py"} <= names


@pytest.mark.parametrize("layer", ["artdemo/sources", "artdemo/models", "artdemo/explain", "artdemo/training"])
def test_lower_layers_know_no_screen_and_no_app(layer):
    bad = offending_imports(under(layer), ("streamlit", "gradio", "artdemo.app", "artdemo.ui"))
    assert not bad, "\n".join(bad)


def test_the_app_core_knows_neither_streamlit_nor_gradio_and_never_trains():
    bad = offending_imports(under("artdemo/app"), ("streamlit", "gradio", "artdemo.ui", "artdemo.training"))
    assert not bad, "\n".join(bad)


def test_streamlit_glue_and_pages_never_import_gradio():
    bad = offending_imports(under("artdemo/ui", "pages") + under("app.py"), ("gradio",))
    assert not bad, "\n".join(bad)


def test_explanations_work_on_arrays_behind_the_adapter():
    """No data source, decoder or predictor in artdemo/explain: the app core hands in arrays and models."""
    bad = offending_imports(under("artdemo/explain"),
                            ("artdemo.sources", "artdemo.imaging.decode", "artdemo.models.predictor"))
    assert not bad, "\n".join(bad)


def test_the_explain_package_face_only_names_its_parts():
    """artdemo/explain/__init__.py: a docstring, imports from its own modules and __all__, nothing else."""
    init = next(m for m in MODULES if m.name == "artdemo/explain/__init__.py")
    body = init.tree.body
    assert isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)  # the docstring
    for node in body[1:]:
        if isinstance(node, ast.ImportFrom):
            assert node.module and node.module.startswith("artdemo.explain."), ast.dump(node)
        else:
            assert isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["__all__"], (
                f"line {node.lineno}: only imports and __all__ belong in the package's face")


def dynamic_imports(module: Module) -> list[str]:
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "import_module":
                found.append(f"{module.name}:{node.lineno} calls importlib.import_module")
            elif isinstance(func, ast.Name) and func.id in ("__import__", "import_module"):
                found.append(f"{module.name}:{node.lineno} calls {func.id}")
        elif isinstance(node, ast.ImportFrom) and node.module == "importlib" and any(
                a.name == "import_module" for a in node.names):
            found.append(f"{module.name}:{node.lineno} imports importlib.import_module")
    return found


JUSTIFIED_DYNAMIC_IMPORTS: dict[str, str] = {}
"""module path -> why it must import by name at run time (none today)."""


def test_no_module_imports_by_name_at_run_time():
    bad = [hit for m in MODULES if m.name not in JUSTIFIED_DYNAMIC_IMPORTS for hit in dynamic_imports(m)]
    assert not bad, "\n".join(bad)


def test_front_ends_have_no_hasattr_guards():
    """The core is always there: a front end calls it, it does not probe it."""
    modules = under("artdemo/app", "artdemo/ui", "pages") + under("app.py", "gradio_app.py")
    bad = [f"{m.name}:{node.lineno} calls hasattr" for m in modules for node in ast.walk(m.tree)
           if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr"]
    assert not bad, "\n".join(bad)
