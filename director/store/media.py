"""Content-addressed media beside the project file: NAME.director-media/ab/cdef….mp4.

A file is written under tmp/, hashed, then renamed into place, so a name in the store always
means complete bytes. Rows that name a file are committed only after the rename (the caller's
order); a crash in between leaves at worst an unreferenced file, which `purge` removes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from director.core.errors import DirectorError

CHUNK = 1 << 20
TMP_GRACE_S = 3600
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# The only names the store ever gives a file: a two-hex folder and a hex digest with an extension.
# Anything else in a row (`../../secret.txt`, `/etc/hostname`) was written outside Director.
STORED_NAME = re.compile(r"[0-9a-f]{2}/[A-Za-z0-9_-]{1,128}\.[A-Za-z0-9]{1,10}")


class TamperedMedia(DirectorError):
    """A row names a media file outside the project's media folder; it is never read or copied."""

    def __init__(self, relative: str, message: str | None = None):
        super().__init__(message or f"media path {relative!r} is not inside this project's media folder (the row was altered outside Director); it was not read")
        self.relative = relative


def media_dir_for(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + "-media")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


_HASHES: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) → SHA-256, for this process
_HASHES_LOCK = threading.Lock()


def sha256_file_cached(path: Path) -> str:
    """`sha256_file`, remembered while the file's size and modification time stay the same, as
    git's index does: a multi-GB LoRA or a long sound named by every queued job is read once, not
    on every Generate (which runs on the window's UI thread). A changed file is read again."""
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    with _HASHES_LOCK:
        known = _HASHES.get(key)
    if known is None:
        known = sha256_file(path)
        with _HASHES_LOCK:
            _HASHES[key] = known
    return known


@dataclass
class VerifyReport:
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.altered and not self.tampered

    def problem(self, relative: str) -> str | None:
        """'missing', 'damaged' or 'tampered' for a file this report found wanting, else None."""
        if relative in self.tampered:
            return "tampered"
        if relative in self.missing:
            return "missing"
        if relative in self.altered:
            return "damaged"
        return None


class MediaStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    def ensure(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, relative: str) -> Path:
        """The file a row names, contained in the media folder: a tampered name raises TamperedMedia."""
        if not isinstance(relative, str) or not STORED_NAME.fullmatch(relative):
            raise TamperedMedia(str(relative))
        p = self.root / relative
        if p.is_symlink() or p.parent.is_symlink():
            # A link planted in the store could point anywhere; content-addressed files are never links.
            raise TamperedMedia(relative, f"media path {relative!r} is a symbolic link planted in the media folder; it was not read")
        return p

    def temp_path(self, suffix: str) -> Path:
        """A fresh path inside the store's tmp/ (same filesystem, so the final rename is atomic)."""
        self.ensure()
        return self.tmp / f"{uuid.uuid4().hex}{suffix}"

    def adopt(self, temp_file: Path, ext: str, digest: str | None = None) -> str:
        """Move a finished file into its content address; return the relative path `ab/cdef….ext`.
        `digest` is the file's SHA-256 (hex) when the writer computed it from the bytes as it wrote
        them; the file is then not read again. Without it the file is hashed here."""
        if digest is None:
            digest = sha256_file(temp_file)
        elif not SHA256_HEX.fullmatch(digest):
            raise ValueError(f"not a SHA-256 digest: {digest!r}")
        relative = f"{digest[:2]}/{digest[2:]}.{ext.lstrip('.')}"
        final = self.root / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(temp_file)  # same content already stored
        else:
            with open(temp_file, "rb") as f:
                os.fsync(f.fileno())
            os.replace(temp_file, final)
        return relative

    def put_bytes(self, data: bytes, ext: str) -> str:
        temp = self.temp_path("." + ext.lstrip("."))
        with open(temp, "wb") as f:
            f.write(data)
        return self.adopt(temp, ext)

    def import_file(self, source: Path, ext: str | None = None) -> str:
        """Copy a user's file (an image to animate, say) into the store."""
        ext = ext or Path(source).suffix.lstrip(".").lower() or "bin"
        temp = self.temp_path("." + ext)
        shutil.copyfile(source, temp)
        return self.adopt(temp, ext)

    def verify(self, relatives: list[str]) -> VerifyReport:
        """Each referenced file must exist and still hash to its name."""
        report = VerifyReport()
        for rel in relatives:
            report.checked += 1
            try:
                p = self.path(rel)
            except TamperedMedia:
                report.tampered.append(rel)
                continue
            if not p.is_file():
                report.missing.append(rel)
                continue
            expected = rel.replace("/", "").rsplit(".", 1)[0]
            if sha256_file(p) != expected:
                report.altered.append(rel)
        return report

    def stored(self) -> list[str]:
        """Every stored file's relative path (tmp/ excluded)."""
        if not self.root.is_dir():
            return []
        out = []
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                out.extend(f"{sub.name}/{f.name}" for f in sub.iterdir() if f.is_file())
        return out

    def purge(self, keep: set[str]) -> tuple[int, int]:
        """Remove stored files not in `keep` and leftovers in tmp/; return (files, bytes) removed."""
        files = freed = 0
        for rel in self.stored():
            if rel not in keep:
                p = self.root / rel
                freed += p.stat().st_size
                p.unlink()
                files += 1
        if self.tmp.is_dir():
            cutoff = time.time() - TMP_GRACE_S
            for f in self.tmp.iterdir():
                # A young temp file may be a generation being written right now.
                if f.is_file() and f.stat().st_mtime < cutoff:
                    freed += f.stat().st_size
                    f.unlink()
                    files += 1
        return files, freed

