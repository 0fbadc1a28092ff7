"""bootstrap.sh installs every system library Qt Multimedia links (sound playback, #16 part C): the
NEEDED entries of libQt6Multimedia and its FFmpeg plugin, outside what PySide6 ships and libc's
own, each map to a Debian/Ubuntu package in QT_LIBS. A PySide6 that needs something new fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"libpulse.so.0": "libpulse0", "libX11.so.6": "libx11-6", "libXext.so.6": "libxext6", "libXrandr.so.2": "libxrandr2",
            "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libxkbcommon.so.0": "libxkbcommon0"}
BASE = re.compile(r"^(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux.*)\.so")


def needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out))


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs binutils' readelf to read the libraries")
def test_bootstrap_installs_what_qt_multimedia_links():
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    shipped = {p.name for p in (qt / "lib").iterdir()}
    libs = [qt / "lib" / "libQt6Multimedia.so.6", *sorted((qt / "plugins" / "multimedia").glob("*.so"))]
    system = {name for lib in libs for name in needed(lib) if name not in shipped and not BASE.match(name)}
    script = (ROOT / "packaging" / "bootstrap.sh").read_text()
    qt_libs = set(re.search(r'QT_LIBS="(.*?)"', script, re.S).group(1).replace("\\\n", " ").split())
    unknown = system - PACKAGES.keys()
    assert not unknown, f"Qt Multimedia links {sorted(unknown)}: add their packages to bootstrap.sh and PACKAGES here"
    assert {PACKAGES[name] for name in system} <= qt_libs
    assert "libpipewire-0.3-0" in script  # PipeWire's client, loaded at run time when present
