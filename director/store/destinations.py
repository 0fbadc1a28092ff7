"""Where Director may write a file: the one rule every export, report, demo and take writer asks.

Never onto a project file, its SQLite sidecars (-wal, -shm, -journal), its lock, or anything inside
its media or backups folder; a symlink or another name for those is seen through (the path is
resolved, and an existing file is recognised as a Director project by its header, which also
catches a hard link). Overwriting any other existing file is allowed: editors expect an export to
replace the previous one. Writers still write to a temporary file beside the target and rename it,
so an interrupted write never leaves half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from director.core.errors import InvalidInput, Refused
from director.store.schema import APPLICATION_ID

PROJECT_SUFFIX = ".director"
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")
PROTECTED_FOLDER_SUFFIXES = (".director-media", ".director-backups")
_SQLITE_MAGIC = b"SQLite format 3\x00"


class ProtectedDestination(Refused):
    """A write was aimed at a project, its sidecars or its media; nothing was written."""


def _is_project_file(path: Path) -> bool:
    """True when `path` is a Director project by content, whatever its name (a hard link, a copy)."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return False
    return (
        len(header) == 100
        and header.startswith(_SQLITE_MAGIC)
        and int.from_bytes(header[68:72], "big") == APPLICATION_ID
    )


def _why_protected(path: Path) -> str | None:
    name = path.name
    if name.endswith(PROJECT_SUFFIX):
        return "a Director project file"
    for sidecar in SIDECAR_SUFFIXES:
        if name.endswith(PROJECT_SUFFIX + sidecar):
            return "part of a Director project (its SQLite journal or lock)"
    for folder in (path, *path.parents):
        if folder.name.endswith(PROTECTED_FOLDER_SUFFIXES):
            return f"inside a Director project's {folder.name.rsplit('-', 1)[-1]} folder ({folder})"
    if path.is_file() and _is_project_file(path):
        return "a Director project file (under another name)"
    return None


def _candidates(path: Path) -> list[Path]:
    """The path as given, with its folder resolved, and fully resolved (a symlinked file)."""
    seen: list[Path] = [path]
    try:
        in_real_folder = path.parent.resolve() / path.name
        seen.append(in_real_folder)
        seen.append(in_real_folder.resolve())
    except OSError:
        pass
    return list(dict.fromkeys(seen))


def check_output_file(dest: str | os.PathLike) -> Path:
    """The absolute path to write, or a refusal naming why; the folder must already exist."""
    path = Path(dest).expanduser().absolute()
    _refuse_protected(path, dest)
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name such as {path / 'cut.mp4'}")
    if not path.parent.is_dir():
        raise InvalidInput(f"folder {path.parent} does not exist")
    return path


def check_output_folder(dest: str | os.PathLike) -> Path:
    """A folder Director will create or fill; never a project's own folders or a project file."""
    path = Path(dest).expanduser().absolute()
    _refuse_protected(path, dest)
    if path.exists() and not path.is_dir():
        raise InvalidInput(f"{path} is a file; this export writes into a folder")
    if not path.parent.is_dir():
        raise InvalidInput(f"folder {path.parent} does not exist")
    return path


def _refuse_protected(path: Path, given) -> None:
    for candidate in _candidates(path):
        why = _why_protected(candidate)
        if why:
            raise ProtectedDestination(
                f"refusing to write {given}: it is {why}. Nothing was written; choose another file name "
                f"outside the project's files."
            )


def file_mode() -> int:
    """The mode a newly created file gets under this process's umask (0644 for the usual 022).

    Temporary files from mkstemp are 0600; an export renamed from one must still look like any
    other file the user made. The umask is read from /proc where it can be, because setting it to
    read it back is not safe while other threads create files.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
