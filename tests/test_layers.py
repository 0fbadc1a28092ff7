"""The layers of docs/architecture.md, enforced: imports point down only, Qt only in ui, torch only in engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "director"
QT = ("PySide6", "shiboken6")
TORCH = ("torch", "diffusers", "transformers", "accelerate")
# Which director packages each layer may import (besides itself).
ALLOWED = {
    "core": set(),
    "store": {"core"},
    "engine": {"core", "store"},
    "export": {"core", "store"},
    "ui": {"core", "store", "engine", "export"},
    "commands": {"core", "store", "engine", "export"},
}
# The command line opens the window: the only place a CLI module may reach into ui, and only inside a
# function. (The storyboard PDF is drawn in export/ with fpdf2, so no other exception is needed.)
CLI_UI_EXCEPTIONS = {"director.ui.app"}


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at_top_level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    top = set(id(n) for n in tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def layer_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else "commands"  # cli.py, __main__.py


def python_files():
    return sorted(p for p in ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_only(path):
    layer = layer_of(path)
    for module, top_level in imports(path):
        root = module.split(".")[0]
        if root in QT:
            assert layer == "ui", f"{path.name} imports Qt ({module}) outside director/ui"
        if root in TORCH:
            assert layer == "engine", f"{path.name} imports {module} outside director/engine"
        if root == "director" and module.count("."):
            target = module.split(".")[1]
            if target in ALLOWED and target != layer:
                if layer == "commands" and module in CLI_UI_EXCEPTIONS:
                    assert not top_level, f"{path.name} must import {module} lazily"
                    continue
                assert target in ALLOWED[layer], f"{path.name} ({layer}) imports {module}: {layer} may import {sorted(ALLOWED[layer])}"


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_command_line_starts_without_qt_or_torch():
    loaded = _loaded_after("import director.cli as c; c.build_parser()")
    assert not loaded & set(QT + TORCH), loaded & set(QT + TORCH)


def test_the_window_code_never_loads_torch():
    code = "import importlib, pkgutil, director.ui as u\nfor m in pkgutil.walk_packages(u.__path__, 'director.ui.'): importlib.import_module(m.name)"
    loaded = _loaded_after(code)
    assert not loaded & set(TORCH), loaded & set(TORCH)
