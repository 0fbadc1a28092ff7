"""Migration 0018 on a file from before it: the sweeps its jobs came from are found again."""

from __future__ import annotations

import sqlite3

from director.store import Project, jobs, shots
from director.store import sweeps as store_sweeps
from director.store.schema import SCHEMA_VERSION


def _queue(p, shot_id, seed, steps):
    axes = {"prompt": "v1", "seed": seed, "preset": "tiny-t2i", "camera": "A", "steps": steps}
    job, _ = jobs.create_job(p, shot_id=shot_id, camera_id=None, prompt_id=None, preset="tiny-t2i",
                             params={"steps": steps, "sweep": axes}, seeds=[seed])
    return job


def test_an_old_file_gains_sweeps_grouped_from_its_jobs(tmp_path):
    path = tmp_path / "old.director"
    with Project.create(path) as p:
        shot, _ = shots.add_shot(p, "1", "roof")
        first = [_queue(p, shot.id, seed, steps) for seed in (1, 2) for steps in (4, 8)]
        plain, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={"steps": 4}, seeds=[9])
        second = [_queue(p, shot.id, 5, steps) for steps in (4, 8)]
        third = [_queue(p, shot.id, 5, steps) for steps in (4, 8)]  # right after the second: the same cells again
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE sweep_cells")
        conn.execute("DROP TABLE sweeps")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0018_sweeps'")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    with Project.open(path) as p:
        found = sorted(store_sweeps.list_sweeps(p), key=lambda s: s.id)
        assert [s.cells for s in found] == [4, 2, 2]
        assert found[0].axes == {"prompt": ["v1"], "seed": [1, 2], "preset": ["tiny-t2i"], "camera": ["A"], "steps": [4, 8]}
        assert found[0].parameter == "steps"
        assert [store_sweeps.sweep_of_job(p, j) for j in first] == [found[0].id] * 4
        assert store_sweeps.sweep_of_job(p, plain) is None
        assert {store_sweeps.sweep_of_job(p, j) for j in second} == {found[1].id}
        assert {store_sweeps.sweep_of_job(p, j) for j in third} == {found[2].id}
        layout = store_sweeps.sweep_grid(p, found[0].id).layout()
        assert (layout.x_axis, layout.y_axes, len(layout.rows), len(layout.columns)) == ("steps", ("seed",), 2, 2)
    assert list((tmp_path / "old.director-backups").iterdir())
