"""Single writer: an OS lock on a sidecar file, with who holds it written inside.

The OS releases the lock when its process dies, so a lock file left by a crash is stale by
construction and is simply taken over; the file's text only tells the next user who held it.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from director.store.errors import ProjectLocked

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    since: str


def lock_path_for(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + ".lock")


def read_lock_info(path: Path) -> LockInfo | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockInfo(int(data["pid"]), str(data["host"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class ProjectLock:
    """Held for as long as a project is open for writing."""

    def __init__(self, project_path: Path):
        self.path = lock_path_for(project_path)
        self._fd: int | None = None
        self.took_over: LockInfo | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            info = read_lock_info(self.path) or LockInfo(0, "unknown host", "unknown time")
            raise ProjectLocked(
                f"{self.path.name[:-5]} is open in another Director (pid {info.pid} on {info.host}, "
                f"since {info.since}). Close it there, or open this project read-only.",
                info.pid,
                info.host,
                info.since,
            )
        previous = read_lock_info(self.path)
        if previous is not None:
            self.took_over = previous  # left by a process that died without closing
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        # Emptied, not deleted: unlinking a file another process may be about to lock would let
        # a third process create a fresh one and become a second writer.
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)
            self._fd = None
