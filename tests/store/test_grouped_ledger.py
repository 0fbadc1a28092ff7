"""The SQL-grouped ledger says exactly what grouping every row in Python says."""

from __future__ import annotations

import pytest

from director.core.cost import group_rows
from director.store import cameras, expenses, ledger, scenes, shots, timelog

from tests.store.test_chosen_take_and_spend import _take


@pytest.fixture
def busy(project):
    scene, _ = scenes.add_scene(project, "1", "roof")
    a, _ = shots.add_shot(project, "10", "jump", scene_id=scene.id)
    b, _ = shots.add_shot(project, "20", "fall")
    c, _ = shots.add_shot(project, "30", "only time")
    cameras.add_camera(project, a.id, "B")
    _take(project, b.id, "A", gpu_s=50.0, seed=1)
    _take(project, a.id, "A", gpu_s=3600.0, seed=2)
    _take(project, a.id, "B", gpu_s=120.0, seed=3)
    expenses.add_expense(project, a.id, "12.50", note="permit")
    expenses.add_expense(project, None, "3", note="coffee")
    expenses.add_expense(project, b.id, "9", currency="EUR")
    timelog.log_time(project, a.id, 600)
    timelog.log_time(project, c.id, 300)
    timelog.log_time(project, None, 60)
    return project


@pytest.mark.parametrize("by", ["shot", "scene", "camera", "preset"])
def test_grouping_in_sql_equals_grouping_every_row(busy, by):
    currency = busy.settings().currency
    expected = group_rows(ledger.cost_rows(busy), timelog.time_rows(busy), by, currency)
    got = ledger.group_totals(busy, by)
    assert [g.key for g in got] == [g.key for g in expected]
    for g, e in zip(got, expected):
        assert (g.jobs, g.job_micros, g.expense_micros) == (e.jobs, e.job_micros, e.expense_micros)
        assert g.gpu_s == pytest.approx(e.gpu_s) and g.human_s == pytest.approx(e.human_s)


def test_a_version_11_file_gains_the_cost_index_and_its_sums_do_not_change(busy, tmp_path):
    """Migration 0012 on an old file: the covering index appears, the per-shot sums read the index
    instead of the jobs table, and every figure stays what it was."""
    import sqlite3

    from director.store import Project

    path = busy.path
    before = [(g.key, g.jobs, g.job_micros, g.gpu_s) for g in ledger.group_totals(busy, "shot")]
    busy.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX jobs_cost_by_shot")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0012_cost_index'")
    conn.execute("PRAGMA user_version = 11")
    conn.close()
    with Project.open(path) as p:
        assert [(g.key, g.jobs, g.job_micros, g.gpu_s) for g in ledger.group_totals(p, "shot")] == before
    conn = sqlite3.connect(path)
    plan = " ".join(
        r[-1]
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT shot_id, min(coalesce(finished_at, created_at)), sum(gpu_s), sum(wall_s), "
            "sum(energy_wh), sum(CASE WHEN currency = 'USD' THEN money_micros END) FROM jobs "
            "WHERE money_micros IS NOT NULL GROUP BY shot_id"
        )
    )
    conn.close()
    assert "COVERING INDEX jobs_cost_by_shot" in plan


def test_a_version_19_file_gains_the_lineage_index_and_a_takes_versions_read_through_it(project, tmp_path):
    """Migration 0020 on an old file: the viewer's 'versions of this take' query uses the index
    instead of scanning every take."""
    import sqlite3

    from director.store import Project

    path = project.path
    project.close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP INDEX takes_by_parent")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0020_lineage_index'")
    conn.execute("PRAGMA user_version = 19")
    conn.close()
    with Project.open(path) as p:
        assert p.settings().name
    conn = sqlite3.connect(path)
    plan = " ".join(r[-1] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM takes t WHERE t.parent_take_id = ? AND t.deleted_at IS NULL", [1]))
    conn.close()
    assert "takes_by_parent" in plan
