"""The cost dock: its model passes qtmodeltester, every total it shows equals the ledger's, and it
reads only while shown (on the project's reads thread)."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from director.core.changes import Changes
from director.core.enums import JobState
from director.store import cameras, expenses, jobs, ledger, scenes, shots, timelog
from director.store.project import Project
from director.ui.cost_dashboard import CHART_BARS, CostDashboard, top_groups
from director.ui.models.cost_model import COL_MONEY, RAW_ROLE, CostModel
from director.ui.undo import ProjectSession

PARAMS = {"steps": 4, "frames": 9, "width": 64, "height": 64}


def run_job(p, code, gpu_s, camera="A", preset="tiny-t2v"):
    sid = shots.find_shot(p, code).id
    job_id, _ = jobs.create_job(p, shot_id=sid, camera_id=cameras.find_camera(p, sid, camera).id, prompt_id=None, preset=preset, params=PARAMS, seeds=[1])
    jobs.mark_running(p, job_id)
    return jobs.finish_job(p, job_id, JobState.DONE, {"gpu_s": gpu_s, "energy_wh": gpu_s / 10})


@pytest.fixture
def books(tmp_path):
    p = Project.create(tmp_path / "dock.director", gpu_price_per_hour="2.40")
    p.update_settings(energy_price_per_kwh="0.35")
    scene, _ = scenes.add_scene(p, "1")
    a, _ = shots.add_shot(p, "1A", scene_id=scene.id)
    shots.add_shot(p, "2A")
    cameras.add_camera(p, a.id, "B")
    run_job(p, "1A", 333.3)
    run_job(p, "1A", 100.0, camera="B", preset="tiny-t2i")
    p.update_settings(gpu_price_per_hour="3.00")
    run_job(p, "2A", 1234.5)
    expenses.add_expense(p, a.id, "9.99", note="stock footage")
    expenses.add_expense(p, None, "1.50")
    timelog.log_time(p, a.id, 1800)
    timelog.log_time(p, None, 300, source="auto")
    yield p
    p.close()


@pytest.fixture
def dock(books, qtbot):
    """The dock on screen, its first reading of the ledger applied."""
    session = ProjectSession(books)
    dock = CostDashboard(session)
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.refreshed):
        dock.show()
    yield dock
    session.shutdown()


def column_sum(model, column):
    return sum(model.data(model.index(r, column), RAW_ROLE) for r in range(model.rowCount()))


@pytest.mark.parametrize("by", ["shot", "scene", "camera", "preset", "day"])
def test_cost_model_passes_qtmodeltester_in_every_grouping(books, qtmodeltester, by):
    model = CostModel(books, by)
    qtmodeltester.check(model, force_py=True)
    model.set_grouping("day" if by != "day" else "shot")  # the tester stays connected through the reset
    expenses.add_expense(books, None, "2")
    model.reload()


@pytest.mark.parametrize("by", ["shot", "scene", "camera", "preset", "day"])
def test_model_rows_add_up_to_the_ledger_totals(books, by):
    model = CostModel(books, by)
    totals = ledger.totals(books)
    assert column_sum(model, COL_MONEY) == totals.money_micros
    assert column_sum(model, 1) == totals.jobs == 3
    assert column_sum(model, 2) == pytest.approx(totals.gpu_s / 60)
    assert column_sum(model, 6) == pytest.approx(totals.human_s / 3600)


def test_model_shows_money_in_the_project_currency(books):
    model = CostModel(books, "shot")
    labels = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert labels == ["1A", "2A", "—"]
    assert model.data(model.index(2, COL_MONEY)) == "1.50 USD"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "shot"


def test_dashboard_totals_and_charts_equal_the_ledger(dock, books):
    dock.draw_charts()
    totals = ledger.totals(books)
    assert f"Total {totals.money.quantize(Decimal('0.01'))} USD" in dock.totals_label.text()
    spend = dock.spend_view.chart().series()[0]
    bar_total = sum(s.at(i) for s in spend.barSets() for i in range(s.count()))
    assert bar_total == pytest.approx(float(totals.money))
    line = dock.cumulative_view.chart().series()[0]
    assert line.points()[-1].y() == pytest.approx(float(totals.money))
    human, gpu = dock.time_view.chart().series()[0].barSets()
    assert sum(human.at(i) for i in range(human.count())) == pytest.approx(totals.human_s / 3600)
    assert sum(gpu.at(i) for i in range(gpu.count())) == pytest.approx(totals.gpu_s / 3600)


def test_dashboard_refreshes_on_cost_changes_only(dock, books, qtbot):
    before = dock.model.totals().money_micros
    reads = dock.session.reads.reads
    _, changes = expenses.add_expense(books, None, "100")
    dock.on_changes(Changes.of(takes=[1]))
    assert not dock.freshness.stale and not dock.freshness.scheduled  # a rating is nothing the ledger shows
    assert dock.model.totals().money_micros == before and dock.session.reads.reads == reads
    with qtbot.waitSignal(dock.model.modelReset):
        dock.on_changes(changes)
    assert dock.model.totals().money_micros == before + 100_000_000
    with qtbot.waitSignal(dock.model.modelReset):
        dock.on_changes(run_job(books, "2A", 36.0))
    assert dock.session.reads.reads == reads + 2


def test_a_hidden_dock_reads_nothing_until_it_is_shown(books, qtbot):
    session = ProjectSession(books)
    dock = CostDashboard(session)
    qtbot.addWidget(dock)
    session.announce(run_job(books, "2A", 36.0))
    session.announce(expenses.add_expense(books, None, "5")[1])
    assert dock.freshness.stale and not dock.freshness.scheduled  # remembered, not read
    assert dock.freshness.refreshes == 0 and session._reads is None  # no read, not even a reads thread
    with qtbot.waitSignal(dock.refreshed):
        dock.show()
    assert dock.freshness.refreshes == 1 and session.reads.reads == 1
    assert dock.model.totals() == ledger.totals(books)
    session.shutdown()


def test_grouping_combo_regroups_the_table(dock, qtbot):
    with qtbot.waitSignal(dock.model.modelReset):
        dock.grouping.setCurrentText("preset")
    assert dock.model.by == "preset"
    assert {dock.model.data(dock.model.index(r, 0)) for r in range(dock.model.rowCount())} == {"tiny-t2v", "tiny-t2i", "—"}


def test_grouping_by_day_shows_the_ledgers_days(dock, books, qtbot):
    with qtbot.waitSignal(dock.model.modelReset):
        dock.grouping.setCurrentText("day")
    expected = ledger.grouped(books, "day")
    assert [dock.model.group(r).key for r in range(dock.model.rowCount())] == [g.key for g in expected]
    assert column_sum(dock.model, COL_MONEY) == sum(g.money_micros for g in expected)


def test_export_from_the_dock_writes_the_grouped_csv(dock, books, qtbot, tmp_path):
    dock.grouping.setCurrentText("camera")
    with qtbot.waitSignal(dock.exported) as signal:
        dock.export(tmp_path / "costs.csv", "csv")
    assert signal.args == [str(tmp_path / "costs.csv")]
    with open(tmp_path / "costs.csv", encoding="utf-8-sig", newline="") as f:
        records = list(csv.DictReader(f))
    assert [r["camera"] for r in records] == ["A", "B", "—"]
    assert sum(Decimal(r["money"]) for r in records) == ledger.totals(books).money


def test_dashboard_shows_budgets_near_or_past_their_cap(books, qtbot):
    shots.update_shot(books, shots.find_shot(books, "2A").id, budget_money="1.20")  # 1.03 GPU + 0.04 energy
    session = ProjectSession(books)
    dock = CostDashboard(session)
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.refreshed):
        dock.show()
    assert dock.budget_label.text() == "shot 2A money budget at 89%: spent 1.07 USD + queued 0.00 USD = 1.07 USD of 1.20 USD (89%)"
    session.shutdown()


def test_charts_show_the_costliest_shots_and_sum_the_rest_in_one_bar():
    from director.core.cost import GroupRow

    groups = [GroupRow(f"{n}A", jobs=1, job_micros=n * 1000, human_s=n) for n in range(1, 101)]
    bars = top_groups(groups, lambda g: g.money_micros)
    assert len(bars) == CHART_BARS
    assert [g.key for g in bars[:-1]] == [f"{n}A" for n in range(100 - CHART_BARS + 2, 101)]  # in shot order
    assert bars[-1].key == f"{100 - CHART_BARS + 1} others"
    assert sum(g.money_micros for g in bars) == sum(g.money_micros for g in groups)
    assert sum(g.jobs for g in bars) == 100 and sum(g.human_s for g in bars) == sum(g.human_s for g in groups)
