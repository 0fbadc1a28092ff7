"""Pieces every exporter shares: progress throttling, cancellation, and all-or-nothing output files."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from director.core.errors import DirectorError
from director.store.destinations import check_output_file, file_mode

# Choices the command line needs before anything heavy loads (av, opencv, OTIO import in ~0.5 s).
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
INTERCHANGE_SUFFIXES = {"otio": ".otio", "otioz": ".otioz", "edl": ".edl", "fcpxml": ".xml"}
# 'fcpxml' writes the Final Cut Pro XML its file name asks for; any other name is refused.
FCP_FLAVOURS = {
    ".xml": ("fcp7", "Final Cut Pro 7 XML (Premiere, Resolve, Avid via XML)"),
    ".fcpxml": ("fcpx", "FCPXML 1.10 (Final Cut Pro X, Resolve)"),
}

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


class ExportCancelled(DirectorError):
    """The user cancelled an export; nothing was left at the destination."""


def never() -> bool:
    return False


class Reporter:
    """Calls `progress(done, total)` about 200 times over a job, and always at the end.

    A per-frame call would flood a Qt signal queue (a 10,000-frame cut = 10,000 repaints);
    cancellation is still checked every step, so cancel stays prompt.
    """

    def __init__(self, total: int, progress: ProgressFn | None, is_cancelled: CancelFn | None):
        self.total = max(0, total)
        self._progress = progress
        self._cancelled = is_cancelled or never
        self._every = max(1, self.total // 200)
        self.done = 0

    def check(self) -> None:
        if self._cancelled():
            raise ExportCancelled("export cancelled; nothing was written")

    def step(self, n: int = 1) -> None:
        self.done += n
        if self._progress is not None and (self.done % self._every == 0 or self.done >= self.total):
            self._progress(min(self.done, self.total), self.total)

    def start(self) -> None:
        if self._progress is not None:
            self._progress(0, self.total)


def check_destination(dest: str | os.PathLike) -> Path:
    """Refuse early (before minutes of encoding) a missing folder or a project's own files."""
    return check_output_file(dest)


def temp_beside(dest: Path) -> Path:
    """A hidden temporary name in the destination's folder (same filesystem, so the rename is atomic).

    It keeps the destination's suffix because several writers (PyAV, OTIO adapters) pick the
    format from it.
    """
    return dest.with_name(f".{dest.stem}.{uuid.uuid4().hex[:8]}.part{dest.suffix}")


@contextmanager
def atomic_output(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; rename it onto `dest` only if the block finishes.

    Any exception (cancel, Ctrl-C, a failed encode) removes the temporary file and leaves whatever
    was at `dest` before untouched.
    """
    final = check_destination(dest)
    temp = temp_beside(final)
    try:
        yield temp
        if not temp.exists():
            raise DirectorError(f"the exporter wrote nothing for {final.name}")
        # A writer may have made its file with mkstemp (0600): an export gets the mode any other
        # file the user makes gets under their umask (0644 for the usual 022).
        os.chmod(temp, file_mode())
        os.replace(temp, final)
    except BaseException:
        if temp.exists():
            temp.unlink()
        raise


def safe_name(text: str) -> str:
    """A file-name-safe version of a label (shot codes and camera names already are; notes are not)."""
    out = "".join(c if c.isalnum() or c in "-_." else "_" for c in text.strip())
    return out.strip("._") or "untitled"
