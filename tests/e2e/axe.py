"""axe-core in the browser tests: the WCAG 2.1 A/AA rules, checked as an assistive-technology user meets the page.

axe-core is not vendored and node_modules is not committed: the first run installs the
pinned version with npm into the cache folder (ARTDEMO_CACHE, see artdemo.config) and
later runs reuse it. Nothing else is needed in CI but `npm` on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from artdemo import config

AXE_VERSION = "4.14.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when a prerequisite is missing on a developer's machine; fail in CI (CI=true), where a
    skipped browser test would pass silently."""
    if not condition:
        (pytest.fail if in_ci() else pytest.skip)(reason)


def axe_source() -> str:
    """The text of axe.min.js at AXE_VERSION, installed by npm into the cache on first use."""
    folder = config.cache_dir() / "axe-core" / AXE_VERSION
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        require(npm is not None, "npm is needed to fetch axe-core for the accessibility checks")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(folder), "--no-save", "--no-audit", "--no-fund",
                        "--loglevel=error", f"axe-core@{AXE_VERSION}"], check=True, timeout=300,
                       capture_output=True)
    return Path(script).read_text(encoding="utf-8")


def violations(page, source: str) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}))",
        WCAG_TAGS)


def describe(found: dict[str, list[dict]]) -> str:
    """Every violation, page by page, with the elements it concerns (for the assertion message)."""
    lines = []
    for where, items in found.items():
        for v in items:
            lines.append(f"[{where}] {v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)")
            for node in v["nodes"][:5]:
                summary = " ".join((node["summary"] or "").split())[:240]
                lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def count(found: dict[str, list[dict]]) -> dict[str, int]:
    """Violating elements per page."""
    return {where: sum(len(v["nodes"]) for v in items) for where, items in found.items()}
