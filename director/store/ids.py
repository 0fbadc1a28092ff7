"""Ids that are never handed out twice.

SQLite gives a new row max(id) + 1, so after undo deletes the newest camera or scene, the next insert
would take its id — and a redo (or any later step on the undo stack that names the id) would find
someone else's row. Tables whose rows undo really deletes draw their ids here instead.
"""

from __future__ import annotations

from sqlite_utils import Database

from director.store.rows import scalar


def next_id(db: Database, table: str) -> int:
    """A fresh id for `table`, above every id it has ever handed out; call inside the insert's transaction."""
    last = scalar(db, "SELECT last_id FROM id_counters WHERE name = ?", [table]) or 0
    current = scalar(db, f"SELECT max(id) FROM {table}") or 0
    new = max(int(last), int(current)) + 1
    db.execute(
        "INSERT INTO id_counters (name, last_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET last_id = excluded.last_id",
        [table, new],
    )
    return new
