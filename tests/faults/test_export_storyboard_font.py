"""The storyboard PDF's font where an install has no resources/ folder (a plain wheel).

The story: Director is installed from a wheel, which carries the `director` package but not the
repository's resources/fonts/. The PDF still needs a Unicode font to embed. Where the system has
DejaVu Sans (Debian's fonts-dejavu-core) the storyboard is written with it; where it has none, the
export stops with what to install and leaves nothing at the destination (never a PDF whose accents
are missing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from director.export.storyboard_pdf import SYSTEM_FONT_DIRS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wheel_install(film, tmp_path):
    """The director package alone in a folder of its own (no resources/ beside it), and the film project closed."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "director", site / "director", ignore=shutil.ignore_patterns("__pycache__"))
    path = film.project.path
    film.project.close()
    return site, path


def render(site: Path, project: Path, dest: Path, *, system_fonts: bool) -> subprocess.CompletedProcess:
    code = (
        "import sys, director.resources as r\n"
        "import director.export.storyboard_pdf as pdf\n"
        f"{'' if system_fonts else 'pdf.SYSTEM_FONT_DIRS = ()  # a machine without DejaVu installed'}\n"
        "from director.store.project import Project\n"
        "from director.export.storyboard import build_storyboard\n"
        "assert r.resources_dir() is None, r.resources_dir()\n"
        f"p = Project.open({str(project)!r}, readonly=True)\n"
        "try:\n"
        f"    print(pdf.render_storyboard_pdf(build_storyboard(p, 'shots'), p.media, {str(dest)!r}, panels_per_page=4))\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=site.parent, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)


@pytest.mark.skipif(not any((Path(d) / "DejaVuSans-Bold.ttf").is_file() for d in SYSTEM_FONT_DIRS), reason="this machine has no system DejaVu Sans")
def test_without_resources_the_pdf_uses_the_systems_dejavu(wheel_install, tmp_path):
    site, project = wheel_install
    done = render(site, project, tmp_path / "board.pdf", system_fonts=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    assert (tmp_path / "board.pdf").read_bytes().startswith(b"%PDF-")


def test_without_any_dejavu_the_export_says_what_to_install_and_writes_nothing(wheel_install, tmp_path):
    site, project = wheel_install
    out = tmp_path / "out"
    out.mkdir()
    done = render(site, project, out / "board.pdf", system_fonts=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("DirectorError the storyboard font DejaVuSans.ttf is missing")
    assert "fonts-dejavu-core" in done.stdout
    assert list(out.iterdir()) == []
