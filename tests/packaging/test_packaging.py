"""Packaging, checked fast: the files the build uses exist and are valid; the entry point freezes.

The full PyInstaller build (minutes) is not run here: packaging/build.sh then packaging/smoke.sh.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import director
from director import resources

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
ENTRY = PACKAGING / "director_entry.py"
SPEC = PACKAGING / "director.spec"


def _main_block(path: Path) -> list[ast.stmt]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
                and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__"):
            return node.body
    raise AssertionError(f"{path} has no `if __name__ == '__main__':` block")


def _is_freeze_support(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "freeze_support")


@pytest.mark.parametrize("path", [ENTRY, ROOT / "director" / "__main__.py"], ids=lambda p: p.name)
def test_freeze_support_runs_first_in_the_entry_points(path):
    """A spawned engine worker re-runs the frozen executable; freeze_support() must catch it first."""
    body = _main_block(path)
    assert _is_freeze_support(body[0]), f"{path.name}: the first statement under __main__ must be freeze_support()"
    # And nothing heavy (Qt, torch) is imported at module level before it.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_imports = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    top_imports |= {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
    assert not top_imports & {"PySide6", "torch", "diffusers", "transformers"}


def test_the_spec_builds_from_the_entry_point_and_names_existing_files():
    text = SPEC.read_text(encoding="utf-8")
    compile(text, str(SPEC), "exec")  # valid Python
    named = re.findall(r'(PACKAGING|RESOURCES) / "([^"]+)"(?: / "([^"]+)")?', text)
    assert named, "the spec names no files"
    for base, first, second in named:
        folder = PACKAGING if base == "PACKAGING" else RESOURCES
        path = folder / first / second if second else folder / first
        assert path.exists(), f"the spec names {path.relative_to(ROOT)}, which does not exist"
    assert 'ENTRY = PACKAGING / "director_entry.py"' in text
    assert 'name="director"' in text
    assert "exclude_binaries=True" in text, "one-folder build (COLLECT), not one-file"
    for heavy in ("tkinter", "torchvision"):
        assert f'"{heavy}"' in text
    # torch.utils.checkpoint imports torch.testing._internal; excluding it kills the worker.
    assert '"torch.testing._internal"' not in text


def test_the_spec_keeps_what_torch_needs_to_start():
    """The spec's file filter, run on names from torch and Qt: test binaries go, the rest stays."""
    text = SPEC.read_text(encoding="utf-8")
    source = text[text.index("def _unneeded"):text.index("a.binaries = [")]
    scope = {"os": os, "re": re}
    exec(source, scope)
    unneeded = scope["_unneeded"]
    for kept in ("torch/bin/torch_shm_manager", "torch/lib/libtorch_cpu.so", "torch/testing/_internal/common_utils.py",
                 "PySide6/Qt/lib/libQt6Widgets.so.6", "PySide6/Qt/plugins/platforms/libqxcb.so",
                 "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/lib/libQt6Charts.so.6"):
        assert not unneeded(kept), kept
    for dropped in ("torch/bin/test_api", "torch/bin/protoc", "torch/bin/FileStoreTest", "torch/test/atest",
                    "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so"):
        assert unneeded(dropped), dropped


def test_build_scripts_are_valid_bash():
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    for name in ("build.sh", "smoke.sh", "install.sh"):
        path = PACKAGING / name
        assert os.access(path, os.X_OK), f"{name} is not executable"
        subprocess.run([bash, "-n", str(path)], check=True)


def test_build_installs_cpu_torch_before_the_project():
    text = (PACKAGING / "build.sh").read_text(encoding="utf-8")
    torch_at = text.index("torch==$TORCH_VERSION+$TORCH_VARIANT")
    project_at = text.index('pip install -q "$ROOT"')
    assert torch_at < project_at
    assert "TORCH_VERSION:-2.13.0" in text


def test_desktop_entry():
    path = RESOURCES / "director.desktop"
    validator = shutil.which("desktop-file-validate")
    if validator:
        out = subprocess.run([validator, str(path)], capture_output=True, text=True)
        assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "Director"
    assert d["Exec"].split()[0] == "director" and "%f" in d["Exec"]
    assert d["Icon"] == "director"
    assert "application/x-director-project" in d["MimeType"]
    assert d["Categories"].endswith(";")


def test_mime_type_for_project_files():
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(RESOURCES / "director-mime.xml").getroot()
    mime = root.find("m:mime-type", ns)
    assert mime.get("type") == "application/x-director-project"
    assert mime.find("m:glob", ns).get("pattern") == "*.director"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_icon_in_every_size():
    ET.parse(RESOURCES / "director.svg")  # well-formed
    files = resources.app_icon_files()
    pngs = [p for p in files if p.suffix == ".png"]
    assert len(pngs) == len(resources.ICON_SIZES)
    for size, path in zip(resources.ICON_SIZES, pngs):
        assert _png_size(path) == (size, size)
    assert files[-1].name == "director.svg"


def test_resources_are_found_inside_a_frozen_app(tmp_path, monkeypatch):
    bundle = tmp_path / "_internal"
    shutil.copytree(RESOURCES, bundle / "resources")
    shutil.copy2(PACKAGING / "LICENSES.md", bundle / "LICENSES.md")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resources.is_frozen()
    assert resources.resources_dir() == bundle / "resources"
    assert resources.resource_path("director.desktop") == bundle / "resources" / "director.desktop"
    assert resources.licenses_file() == bundle / "LICENSES.md"
    assert all(str(p).startswith(str(bundle)) for p in resources.app_icon_files())


def test_resources_outside_a_frozen_app():
    assert not resources.is_frozen()
    assert resources.bundle_dir() is None
    assert resources.resources_dir() == RESOURCES
    assert resources.resource_path("no-such-file") is None
    assert resources.licenses_file() == PACKAGING / "LICENSES.md"


def test_licence_notices_name_the_copyleft_parts():
    text = (PACKAGING / "LICENSES.md").read_text(encoding="utf-8")
    for needle in ("x264", "x265", "FFmpeg", "GPL-2.0-or-later", "LGPL-3.0", "Qt", "PySide6", "dynamically",
                   "PyInstaller bootloader", "Where the source is"):
        assert needle in text, needle


def test_version_agrees_with_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["version"] == director.__version__


def test_entry_point_version():
    out = subprocess.run([sys.executable, str(ENTRY), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"director {director.__version__}"


def test_entry_point_opens_the_window_until_its_first_paint(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DIRECTOR_QUIT_AFTER_FIRST_PAINT="1",
               HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, str(ENTRY)], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert re.search(r"first paint after \d+\.\d+ s", out.stderr), out.stderr
