"""Upgrading a version-1 file: rows kept, a backup taken first, the version recorded."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from director.store import Project, shots
from director.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrations


def make_version_1_file(path):
    """A project file as Director's first release wrote it: only migration 0001 applied."""
    db = Database(sqlite3.connect(path))
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(db, stop_before="0002_looks_expenses_indexes")
    db["project"].insert({"id": 1, "name": "old film", "created_at": "2026-01-01T00:00:00+00:00"})
    db["shots"].insert({"code": "7B", "title": "old shot", "ord": 1, "created_at": "2026-01-01T00:00:00+00:00"})
    db.execute("PRAGMA user_version = 1")
    db.conn.commit()
    db.close()


def test_schema_version_counts_every_migration():
    assert SCHEMA_VERSION == len(migrations.pending(Database(memory=True)))


def test_opening_a_version_1_file_migrates_it_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.director"
    make_version_1_file(path)
    with Project.open(path) as p:
        assert [s.code for s in shots.list_shots(p)] == ["7B"]
        assert p.settings().name == "old film"
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.db["look_presets"].count >= 1
        assert "takes_by_shot" in {i.name for i in p.db["takes"].indexes}
    backups = list((tmp_path / "old.director-backups").iterdir())
    assert len(backups) == 1 and ".v1." in backups[0].name
    conn = sqlite3.connect(backups[0])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT code FROM shots").fetchall() == [("7B",)]
    conn.close()


def test_a_version_1_file_cannot_be_upgraded_read_only(tmp_path):
    import pytest

    from director.core.errors import Refused

    path = tmp_path / "old.director"
    make_version_1_file(path)
    with pytest.raises(Refused, match="upgrade"):
        Project.open(path, readonly=True)


def test_a_failing_migration_rolls_back_whole(tmp_path):
    """Each migration is one transaction: a failure leaves no half-applied schema."""
    db = Database(sqlite3.connect(tmp_path / "x.db"))
    from sqlite_utils.migrations import Migrations

    m = Migrations("t")

    @m(name="0001")
    def one(db):
        db.execute("CREATE TABLE a (x)")

    @m(name="0002")
    def two(db):
        db.execute("CREATE TABLE b (x)")
        raise RuntimeError("boom")

    import pytest

    with pytest.raises(RuntimeError):
        m.apply(db)
    assert db["a"].exists() and not db["b"].exists()
    assert [a.name for a in m.applied(db)] == ["0001"]
