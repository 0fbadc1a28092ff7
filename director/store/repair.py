"""`director check --repair`: rebuild a damaged project from every row SQLite can still read.

The damaged file and its journal are copied, untouched, into NAME.director-backups first (the
journal matters: after a crash the newest rows live only there, and a copy of the main file alone
once kept 118 of 150 rows). The rows are then read from a scratch copy of the pair, table by
table; where a b-tree page is unreadable the reader steps over it by rowid and keeps going. The
rebuilt file replaces the project only once it passes SQLite's own integrity check.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from director.core.errors import Refused
from director.store.lock import ProjectLock
from director.store.project import SUFFIX, _probe, project_path
from director.store.schema import APPLICATION_ID

_SIDECARS = ("-wal", "-shm")
_BATCH = 500
_MAX_SKIP = 1 << 40


@dataclass
class TableRepair:
    name: str
    kept: int
    unreadable_spans: int  # stretches of rowids that could not be read


@dataclass
class RepairReport:
    path: Path
    backup: Path | None
    was_damaged: bool
    integrity_before: str
    tables: list[TableRepair] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(t.kept for t in self.tables)


def _integrity(conn: sqlite3.Connection) -> str:
    try:
        return "; ".join(r[0].replace("\n", " ") for r in conn.execute("PRAGMA integrity_check").fetchall())
    except sqlite3.DatabaseError as exc:
        return str(exc)


def _copy_with_journal(source: Path, dest: Path) -> None:
    shutil.copyfile(source, dest)
    for suffix in _SIDECARS:
        side = source.with_name(source.name + suffix)
        if side.exists():
            shutil.copyfile(side, dest.with_name(dest.name + suffix))


def _read_rows(conn: sqlite3.Connection, table: str) -> tuple[list[tuple], list[str], int]:
    """(rows with rowid first, column names, unreadable spans) for one table, stepping over bad pages."""
    q = f'"{table}"'
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({q})").fetchall()]
    try:
        return conn.execute(f"SELECT rowid, * FROM {q} ORDER BY rowid").fetchall(), columns, 0
    except sqlite3.DatabaseError:
        pass
    out: list[tuple] = []
    spans = 0
    last = -(1 << 62)
    skip = 1
    failing = False
    while skip < _MAX_SKIP:
        try:
            batch = conn.execute(f"SELECT rowid, * FROM {q} WHERE rowid > ? ORDER BY rowid LIMIT {_BATCH}", [last]).fetchall()
        except sqlite3.DatabaseError:
            try:  # one row at a time up to the bad page
                one = conn.execute(f"SELECT rowid, * FROM {q} WHERE rowid > ? ORDER BY rowid LIMIT 1", [last]).fetchall()
            except sqlite3.DatabaseError:
                one = None
            if one:
                out.extend(one)
                last = one[0][0]
                continue
            if one == []:
                break
            if not failing:
                spans += 1
                failing = True
            last = max(last, 0) + skip
            skip *= 2
            continue
        if not batch:
            break
        out.extend(batch)
        last = batch[-1][0]
        skip = 1
        failing = False
    return out, columns, spans


def repair(path) -> RepairReport:
    """Back up, salvage and replace; a healthy project is left exactly as it is."""
    target = project_path(path)
    _probe(target)  # ours, not newer: a foreign file is never rewritten
    lock = ProjectLock(target)
    lock.acquire()  # nobody else may have it open while it is rebuilt
    try:
        with tempfile.TemporaryDirectory(prefix=".director-repair-", dir=target.parent) as scratch_dir:
            scratch = Path(scratch_dir) / target.name
            _copy_with_journal(target, scratch)
            source = sqlite3.connect(str(scratch))
            try:
                before = _integrity(source)
                if before == "ok":
                    return RepairReport(target, None, False, before)
                backup = _backup_damaged(target)
                tables, rebuilt = _rebuild(source, Path(scratch_dir))
            finally:
                source.close()
            for suffix in _SIDECARS:  # the old journal belongs to the old file: never pair it with the new one
                target.with_name(target.name + suffix).unlink(missing_ok=True)
            rebuilt.replace(target)
        return RepairReport(target, backup, True, before, tables)
    finally:
        lock.release()


def _backup_damaged(target: Path) -> Path:
    folder = target.with_name(target.name + "-backups")
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    backup = folder / f"{target.stem}.damaged.{stamp}{SUFFIX}"
    _copy_with_journal(target, backup)
    return backup


def _rebuild(source: sqlite3.Connection, folder: Path) -> tuple[list[TableRepair], Path]:
    try:
        master = source.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
        version = source.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise Refused(f"the project's table of contents is unreadable ({exc}); restore a backup from the -backups folder") from exc
    out_path = folder / "rebuilt.director"
    out = sqlite3.connect(str(out_path))
    try:
        out.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        tables = [(n, sql) for t, n, sql in master if t == "table" and not n.startswith("sqlite_")]
        for _, sql in tables:
            out.execute(sql)
        report = []
        for name, _ in tables:
            rows, columns, spans = _read_rows(source, name)
            if rows:
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" * (len(columns) + 1))
                out.executemany(f'INSERT OR IGNORE INTO "{name}" (rowid, {cols}) VALUES ({marks})', rows)
            report.append(TableRepair(name, len(rows), spans))
        for kind, _name, sql in master:
            if kind in ("index", "trigger", "view"):
                try:
                    out.execute(sql)
                except sqlite3.IntegrityError:
                    pass  # a unique index whose salvaged rows now clash: the rows are kept, the index is rebuilt on upgrade
        out.execute(f"PRAGMA user_version = {int(version)}")
        out.commit()
        after = _integrity(out)
        if after != "ok":
            raise Refused(f"the rebuilt project failed SQLite's check ({after}); the original is kept unchanged")
        out.execute("PRAGMA journal_mode = WAL")
    finally:
        out.close()
    return report, out_path
