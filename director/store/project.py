"""Opening, creating and closing a project file, with every refusal leaving the file untouched."""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from director.core.changes import Changes
from director.core.cost import MAX_PRICE_PER_KWH, parse_budget, parse_gpu_budget_s, parse_price
from director.core.errors import DirectorError, InvalidInput, NotFound, Refused
from director.core.model import ProjectSettings
from director.core.timecode import Rate
from director.store.errors import (
    DamagedProject,
    NewerProject,
    NotADirectorProject,
    NotSQLiteFile,
    ProjectOpenError,
    ReadOnlyProject,
)
from director.store.lock import ProjectLock
from director.store.media import MediaStore, media_dir_for
from director.store.rows import one
from director.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrations

SUFFIX = ".director"
SQLITE_MAGIC = b"SQLite format 3\x00"
log = logging.getLogger(__name__)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def project_path(path: str | os.PathLike) -> Path:
    """`film` and `film.director` name the same project."""
    p = Path(path).expanduser()
    if p.suffix != SUFFIX:
        p = p.with_name(p.name + SUFFIX)
    return p.absolute()


def _read_header(path: Path) -> tuple[int, int]:
    """(user_version, application_id) straight from the 100-byte header, without opening SQLite."""
    with open(path, "rb") as f:
        header = f.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        what = "an empty file" if not header else "not a SQLite database"
        raise NotSQLiteFile(f"{path.name} is {what}, so it is not a Director project. Choose a .director file.")
    user_version = int.from_bytes(header[60:64], "big")
    application_id = int.from_bytes(header[68:72], "big")
    return user_version, application_id


def _probe(path: Path) -> int:
    """Check from the header alone that the file is ours and not newer; return its schema version.

    Nothing here opens SQLite, so a refusal cannot create a -wal, -shm or lock file. Whether the
    data is sound is asked of SQLite itself once the file is open with its WAL (`_verify`).
    """
    if not path.exists():
        raise NotFound(f"no project at {path}; create one with: director new {path}")
    if path.is_dir():
        raise NotSQLiteFile(f"{path} is a folder, not a project file")
    user_version, application_id = _read_header(path)
    if application_id != APPLICATION_ID:
        raise NotADirectorProject(
            f"{path.name} is a SQLite database but not a Director project (application id "
            f"{application_id:#x}). It was left untouched; open a .director file instead."
        )
    if user_version > SCHEMA_VERSION:
        raise NewerProject(
            f"{path.name} was written by a newer Director (file format {user_version}, this Director "
            f"reads up to {SCHEMA_VERSION}). It was left untouched; update Director to open it."
        )
    return user_version


def _verify(conn: sqlite3.Connection, path: Path) -> None:
    """'Damaged' means SQLite's own check over the file *and* its WAL fails.

    The earlier probe read the main file alone (immutable=1): after a kill during a checkpoint, or
    a full disk, the newest pages live only in the WAL, and an intact project was refused for good.
    """
    try:
        result = "; ".join(r[0].replace("\n", " ") for r in conn.execute("PRAGMA quick_check").fetchall())
    except sqlite3.DatabaseError as exc:
        raise DamagedProject(_damaged_message(path, str(exc))) from exc
    if result != "ok":
        raise DamagedProject(_damaged_message(path, result[:300]))


def _damaged_message(path: Path, detail: str) -> str:
    return (
        f"{path.name} is damaged ({detail}). It was left untouched. Run 'director check --repair {path}': "
        f"it keeps a copy of the file with its journal, then rebuilds the project with every row SQLite "
        f"can still read and says how many of each it kept."
    )


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _writable(path: Path) -> bool:
    """Can Director write here? The mode bits count even for root (a user's chmod 444 means 'keep')."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & 0o222) and os.access(path, os.W_OK)


def readonly_reason(path: Path) -> str | None:
    """Why a project can only be read (file or folder not writable), or None."""
    if not _writable(path.parent):
        return f"its folder {path.parent} is read-only"
    if path.exists() and not _writable(path):
        return f"{path.name} is read-only (file permissions)"
    for sidecar in (_wal(path), path.with_name(path.name + "-shm")):
        if sidecar.exists() and not _writable(sidecar):
            return f"{sidecar.name} is read-only (file permissions)"
    return None


class Project:
    """An open project: the database, its media store and its settings. One writer at a time."""

    def __init__(self, path: Path, db: Database, readonly: bool, lock: ProjectLock | None):
        self.path = path
        self.db = db
        self.readonly = readonly
        self._lock = lock
        self.media = MediaStore(media_dir_for(path))
        self.recovered_jobs: list[int] = []
        self.readonly_reason: str | None = None
        self.close_warning: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        *,
        name: str | None = None,
        fps: str = "24",
        width: int = 768,
        height: int = 512,
        currency: str = "USD",
        gpu_price_per_hour: str = "2.50",
    ) -> Project:
        """Build the project under a hidden temporary name, then link it into place.

        A `director new` killed half-way leaves only a hidden temporary file, never a stub
        that blocks the name; the link also refuses to replace a project made meanwhile.
        """
        target = project_path(path)
        if target.exists():
            raise Refused(f"{target} already exists; open it, or choose another name")
        if not target.parent.is_dir():
            raise InvalidInput(f"folder {target.parent} does not exist")
        if not _writable(target.parent):
            raise Refused(f"cannot create {target.name}: the folder {target.parent} is read-only")
        rate = Rate.parse(fps)
        _check_size(width, height)
        price = parse_price(gpu_price_per_hour, "GPU price per hour")
        temp = target.with_name(f".{target.name}.creating-{uuid.uuid4().hex[:8]}")
        try:
            db = _connect(temp)
            try:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                migrations.apply(db)
                with db.atomic():
                    db["project"].insert(
                        {
                            "id": 1,
                            "name": name or target.stem,
                            "fps_num": rate.num,
                            "fps_den": rate.den,
                            "width": width,
                            "height": height,
                            "currency": currency.upper(),
                            "gpu_price_per_hour": str(price),
                            "created_at": utc_now(),
                        }
                    )
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                db.close()
            _publish(temp, target)
        finally:
            for leftover in (temp, _wal(temp), temp.with_name(temp.name + "-shm")):
                leftover.unlink(missing_ok=True)
        return cls.open(target)

    @classmethod
    def open(cls, path: str | os.PathLike, *, readonly: bool = False) -> Project:
        target = project_path(path)
        version = _probe(target)
        if readonly:
            return cls._open_readonly(target, version)
        reason = readonly_reason(target)
        if reason:
            raise ReadOnlyProject(
                f"{target.name} cannot be opened for editing: {reason}. Open it read-only "
                f"(--read-only on the command line; the window does so by itself), or make it writable."
            )
        lock = ProjectLock(target)
        lock_was_there = lock.path.exists()
        lock.acquire()
        db = None
        try:
            db = _connect(target)
            _verify(db.conn, target)
            if version < SCHEMA_VERSION:
                _backup(db, target, version)
                migrations.apply(db)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException as exc:
            if db is not None:
                db.close()
            lock.release()
            if isinstance(exc, ProjectOpenError) and not lock_was_there:
                lock.path.unlink(missing_ok=True)  # a refusal leaves no trace beside the file
            raise
        project = cls(target, db, readonly=False, lock=lock)
        project.media.ensure()
        project._recover_interrupted_jobs()
        return project

    @classmethod
    def _open_readonly(cls, target: Path, version: int) -> Project:
        wal = _wal(target)
        quiet_wal = not wal.exists() or wal.stat().st_size == 0
        # In a read-only folder SQLite cannot make the -shm a WAL reader needs; with no journal
        # pending, the main file alone is the whole project and is read as immutable.
        immutable = quiet_wal and not _writable(target.parent)
        uri = f"{target.as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ReadOnlyProject(f"{target.name} cannot be read here: {exc}") from exc
        try:
            _verify(conn, target)
        except BaseException:
            conn.close()
            raise
        db = Database(conn)
        db.execute("PRAGMA query_only = ON")
        if version < SCHEMA_VERSION:
            db.close()
            raise Refused(f"{target.name} uses an older file format ({version}); open it once for writing to upgrade it")
        project = cls(target, db, readonly=True, lock=None)
        project.readonly_reason = readonly_reason(target)
        return project

    @property
    def closed(self) -> bool:
        """True once `close` ran: a panel not yet deleted must not read through it."""
        return self.db is None

    def close(self) -> None:
        """Never raises for the checkpoint: every write was committed (or reported failed) already.

        A checkpoint that fails here (a full disk) leaves the committed rows in the WAL, where the
        next open finds them; reporting it as a failed write would lie about a committed one.
        """
        if self.db is None:
            return
        try:
            if not self.readonly:
                try:
                    self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error as exc:
                    self.close_warning = f"the journal could not be folded into {self.path.name} ({exc}); it is kept and folded in at the next open"
                    log.warning("%s", self.close_warning)
        finally:
            try:
                self.db.close()
            except sqlite3.Error as exc:  # pragma: no cover - close itself reports only misuse
                log.warning("closing %s: %s", self.path.name, exc)
            self.db = None
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the main file: before any copy of the project is made."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @property
    def took_over_lock_from(self):
        return self._lock.took_over if self._lock else None

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """Every write goes through here: one transaction, refused on a read-only project."""
        if self.readonly:
            raise Refused(f"{self.path.name} is open read-only; close it elsewhere to edit it")
        with self.db.atomic():
            yield self.db

    def _recover_interrupted_jobs(self) -> None:
        rows = self.db.execute("SELECT id FROM jobs WHERE state = 'running'").fetchall()
        if not rows:
            return
        with self.atomic() as db:
            db.execute(
                "UPDATE jobs SET state = 'failed', error_kind = 'interrupted', finished_at = ?, "
                "error = 'interrupted: Director stopped while this job was running' WHERE state = 'running'",
                [utc_now()],
            )
        self.recovered_jobs = [r[0] for r in rows]

    # -- settings ----------------------------------------------------------------------------

    def settings(self) -> ProjectSettings:
        r = one(self.db, "SELECT * FROM project WHERE id = 1")
        if r is None:
            raise DirectorError(f"{self.path.name} has no project settings row; run 'director check'")
        return ProjectSettings(
            name=r["name"],
            rate=Rate(r["fps_num"], r["fps_den"]),
            width=r["width"],
            height=r["height"],
            currency=r["currency"],
            gpu_price_per_hour=Decimal(r["gpu_price_per_hour"]),
            energy_price_per_kwh=Decimal(r["energy_price_per_kwh"]) if r["energy_price_per_kwh"] else None,
            budget_money=Decimal(r["budget_money"]) if r["budget_money"] else None,
            budget_gpu_s=r["budget_gpu_s"],
            idle_cutoff_s=r["idle_cutoff_s"],
        )

    def update_settings(self, **values) -> Changes:
        """Change project settings: name, fps, width, height, currency, gpu_price_per_hour,
        energy_price_per_kwh, budget_money, budget_gpu_s, idle_cutoff_s."""
        row: dict = {}
        for key, value in values.items():
            if key == "name":
                if not str(value).strip():
                    raise InvalidInput("a project needs a name")
                row["name"] = str(value).strip()
            elif key == "fps":
                rate = Rate.parse(value)
                row.update(fps_num=rate.num, fps_den=rate.den)
            elif key in ("width", "height"):
                row[key] = int(value)
            elif key == "currency":
                code = str(value).strip().upper()
                if not (len(code) == 3 and code.isalpha()):
                    raise InvalidInput(f"currency must be a three-letter code like USD or EUR, got {value!r}")
                row["currency"] = code
            elif key == "gpu_price_per_hour":
                row[key] = str(parse_price(value, "GPU price per hour"))
            elif key == "energy_price_per_kwh":
                row[key] = None if value in (None, "") else str(parse_price(value, "energy price per kWh", MAX_PRICE_PER_KWH))
            elif key == "budget_money":
                row[key] = None if value in (None, "") else str(parse_budget(value, "the project's budget"))
            elif key == "budget_gpu_s":
                row[key] = None if value in (None, "") else parse_gpu_budget_s(value, "the project's GPU budget")
            elif key == "idle_cutoff_s":
                if int(value) < 10:
                    raise InvalidInput("the idle cut-off must be at least 10 seconds")
                row[key] = int(value)
            else:
                raise InvalidInput(f"unknown project setting {key!r}")
        if "width" in row or "height" in row:
            current = self.settings()
            _check_size(row.get("width", current.width), row.get("height", current.height))
        with self.atomic() as db:
            db["project"].update(1, row)
        return Changes(project=True, costs=True)


def _check_size(width: int, height: int) -> None:
    for side, value in (("width", width), ("height", height)):
        if not 64 <= int(value) <= 8192:
            nearest = min(max(int(value), 64), 8192)
            raise InvalidInput(f"frame {side} {value} is out of range (64 to 8192 pixels a side); nearest valid: {nearest}")


def _publish(temp: Path, target: Path) -> None:
    """Give the finished file its name without ever replacing an existing one."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise Refused(f"{target} already exists; open it, or choose another name") from None
    except OSError:  # a filesystem without hard links: check, then rename
        if target.exists():
            raise Refused(f"{target} already exists; open it, or choose another name") from None
        os.rename(temp, target)
    try:
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _connect(path: Path) -> Database:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
    db = Database(conn)
    try:
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DamagedProject(_damaged_message(path, str(exc))) from exc
    # NORMAL in WAL mode survives any crash of the process; only power loss can drop the
    # last transactions, and never corrupts the file.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _backup(db: Database, path: Path, version: int) -> Path:
    """Copy the file through SQLite's backup API before a migration touches it."""
    folder = path.with_name(path.name + "-backups")
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{path.stem}.v{version}.{stamp}{SUFFIX}"
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target
