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
    """Held for as long as a project is open for writing.

    Two locks, both released by the OS when the process dies: one on the sidecar NAME.lock next
    to the *resolved* file (so a symlink to the project meets the same sidecar), and one on the
    project file's own inode (so a hard link, or any other name for the same file, meets it too).
    flock and SQLite's POSIX record locks do not interact, and the inode descriptor stays open
    until SQLite has closed its own, so SQLite's locks are never dropped early.
    """

    def __init__(self, project_path: Path):
        self.project_path = Path(os.path.realpath(project_path))
        self.path = lock_path_for(self.project_path)
        self._fd: int | None = None
        self._inode_fd: int | None = None
        self.took_over: LockInfo | None = None

    def _refuse(self, info: LockInfo | None, through: str = "") -> ProjectLocked:
        info = info or LockInfo(0, "unknown host", "unknown time")
        return ProjectLocked(
            f"{self.project_path.name} is open in another Director{through} (pid {info.pid} on {info.host}, "
            f"since {info.since}). Close it there, or open this project read-only.",
            info.pid,
            info.host,
            info.since,
        )

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise self._refuse(read_lock_info(self.path))
        inode_fd = None
        if self.project_path.exists():
            try:
                inode_fd = os.open(self.project_path, os.O_RDONLY)
            except OSError:
                inode_fd = None  # unreadable: SQLite will say so when it opens the file
            if inode_fd is not None and not _try_lock(inode_fd):
                os.close(inode_fd)
                os.close(fd)
                raise self._refuse(read_lock_info(self.path), " through another name for the same file (a hard link)")
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
        self._inode_fd = inode_fd

    def lock_inode(self) -> None:
        """For a file created after acquire(): take the inode lock now that the file exists."""
        if self._inode_fd is not None or not self.project_path.exists():
            return
        fd = os.open(self.project_path, os.O_RDONLY)
        if not _try_lock(fd):
            os.close(fd)
            raise self._refuse(None, " through another name for the same file")
        self._inode_fd = fd

    def release(self) -> None:
        if self._inode_fd is not None:
            os.close(self._inode_fd)
            self._inode_fd = None
        if self._fd is None:
            return
        # Emptied, not deleted: unlinking a file another process may be about to lock would let
        # a third process create a fresh one and become a second writer.
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)
            self._fd = None
