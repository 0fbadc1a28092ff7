"""Where the app's own files (icon, licence notices) are, in a source checkout and in the frozen app.

Layouts:
- a checkout (or an editable install): the repository's `resources/` beside the `director` package;
- the one-folder app PyInstaller builds (packaging/director.spec): `resources/` inside the bundle
  folder (`sys._MEIPASS`, i.e. `dist/director/_internal/`), with `LICENSES.md` beside it.
A plain wheel install carries no `resources/`; callers get None and go without (no icon).
No Qt here: the window turns a path into a QIcon.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def is_frozen() -> bool:
    """Running from the PyInstaller-built app rather than a Python interpreter."""
    return bool(getattr(sys, "frozen", False))


def bundle_dir() -> Path | None:
    """The frozen app's data folder (holds resources/ and LICENSES.md); None outside one."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if is_frozen() and meipass else None


def resources_dir() -> Path | None:
    """The `resources/` folder, or None when this install has none."""
    bundle = bundle_dir()
    candidates = [bundle / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for path in candidates:
        if (path / "director.svg").is_file():
            return path
    return None


def resource_path(name: str) -> Path | None:
    """A file under `resources/` by relative name, or None when absent."""
    base = resources_dir()
    if base is None:
        return None
    path = base / name
    return path if path.exists() else None


def app_icon_files() -> list[Path]:
    """The icon's PNG renderings, smallest first, then the SVG (for a QIcon with every size)."""
    base = resources_dir()
    if base is None:
        return []
    files = [base / "icons" / f"director-{size}.png" for size in ICON_SIZES]
    files.append(base / "director.svg")
    return [path for path in files if path.is_file()]


def licenses_file() -> Path | None:
    """The third-party licence notices: LICENSES.md in the app folder, packaging/ in a checkout."""
    bundle = bundle_dir()
    candidates = [bundle / "LICENSES.md"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "packaging" / "LICENSES.md")
    return next((path for path in candidates if path.is_file()), None)
