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


def test_a_version_5_file_gains_recipes_and_keeps_its_jobs(tmp_path):
    """A project from before recipes: its jobs survive, read as 'no recipe', and new jobs get one."""
    import pytest

    from director.core.recipe import Recipe, RunFacts
    from director.store import jobs, shots

    path = tmp_path / "old.director"
    with Project.create(path) as p:
        shot, _ = shots.add_shot(p, "1", "roof")
        old_job, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={"steps": 4}, seeds=[1])
    # Turn it into a version-5 file, as Director 0.1 wrote it.
    conn = sqlite3.connect(path)
    with conn:
        for column in ("recipe", "run_facts"):
            conn.execute(f"DROP TRIGGER jobs_{column}_written_once")
            conn.execute(f"ALTER TABLE jobs DROP COLUMN {column}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_recipe'")
    conn.execute("PRAGMA user_version = 5")
    conn.close()
    with Project.open(path) as p:
        assert jobs.job_recipe(p, old_job) is None
        recipe = Recipe(prompt="a runner, close-up, 85mm", negative="blurry", camera="B", preset="tiny-t2v", params={"steps": 4}, seeds=(7,))
        new_job, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={"steps": 4}, seeds=[7], recipe=recipe)
        jobs.record_run_facts(p, new_job, RunFacts(device="cpu", dtype="float32", scheduler="FlowMatchEulerDiscreteScheduler"))
        got = jobs.job_recipe(p, new_job)
        assert got.prompt == "a runner, close-up, 85mm" and got.seeds == (7,) and got.run.device == "cpu"
        # Written once: neither half can be rewritten afterwards.
        with pytest.raises(sqlite3.IntegrityError, match="written once"):
            with p.atomic() as db:
                db.execute("UPDATE jobs SET recipe = '{}' WHERE id = ?", [new_job])
        jobs.record_run_facts(p, new_job, RunFacts(device="cuda"))
        assert jobs.job_recipe(p, new_job).run.device == "cpu"
    assert list((tmp_path / "old.director-backups").glob("old.v5.*.director"))
