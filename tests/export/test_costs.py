"""Cost, time and yield exports: safe in a spreadsheet, and every row set adds up to the ledger's totals."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from director.core.enums import JobState
from director.core.errors import InvalidInput
from director.export.costs import COST_COLUMNS, build_report, csv_text, neutralise
from director.store import cameras, expenses, jobs, ledger, scenes, shots, timelog
from director.store.project import Project

PARAMS = {"steps": 4, "frames": 9, "width": 64, "height": 64}


@pytest.fixture
def books(tmp_path):
    """A project with jobs at two prices, expenses, time entries and hostile text in notes."""
    p = Project.create(tmp_path / "books.director", gpu_price_per_hour="2.50")
    scene, _ = scenes.add_scene(p, "1")
    a, _ = shots.add_shot(p, "1A", scene_id=scene.id)
    b, _ = shots.add_shot(p, "2A")
    cameras.add_camera(p, a.id, "B")
    for shot, cam, gpu_s, preset in ((a, "A", 123.4, "tiny-t2v"), (a, "B", 77.7, "tiny-t2i"), (b, "A", 1000.0, "tiny-t2v")):
        job_id, _ = jobs.create_job(p, shot_id=shot.id, camera_id=cameras.find_camera(p, shot.id, cam).id, prompt_id=None, preset=preset, params=PARAMS, seeds=[1, 2])
        jobs.mark_running(p, job_id)
        jobs.finish_job(p, job_id, JobState.FAILED if gpu_s == 77.7 else JobState.DONE, {"gpu_s": gpu_s, "wall_s": gpu_s + 2}, error="=HYPERLINK(\"http://x\")")
        p.update_settings(gpu_price_per_hour="3.10")
    expenses.add_expense(p, a.id, "19.99", note="+cmd|' /C calc'!A0")
    expenses.add_expense(p, None, "5", note="@SUM(1+1)")
    timelog.log_time(p, a.id, 1500, note="-2+3")
    timelog.log_time(p, None, 600, source="auto", note="\tlookdev")
    yield p
    p.close()


@pytest.mark.parametrize(
    "cell, safe",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =1+1", "'  =1+1"),
        ("a=1", "a=1"),
        ("", ""),
        (-1.5, -1.5),
        (42, 42),
    ],
)
def test_cells_that_would_start_a_formula_are_neutralised(cell, safe):
    assert neutralise(cell) == safe


def test_csv_has_no_cell_a_spreadsheet_would_run(books):
    report = build_report(books, "costs")
    text = csv_text(report.records, report.columns)
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM" in text


def test_one_row_per_job_and_expense_with_prices_in_force(books):
    report = build_report(books, "costs")
    assert report.columns == COST_COLUMNS
    assert [r["kind"] for r in report.records] == ["job", "job", "job", "expense", "expense"]
    assert [r["gpu_price_per_hour"] for r in report.records[:3]] == ["2.50", "3.10", "3.10"]
    first = report.records[0]
    assert (first["shot"], first["scene"], first["camera"], first["preset"], first["seeds"]) == ("1A", "1", "A", "tiny-t2v", "1 2")
    assert first["money"] == "0.085694"  # 123.4 s × 2.50 / 3600


@pytest.mark.parametrize("by", [None, "shot", "scene", "camera", "preset", "day"])
def test_csv_money_column_sums_to_the_ledger_total(books, tmp_path, by):
    report = build_report(books, "costs", by)
    path = report.write(tmp_path / "costs.csv", "csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        records = list(csv.DictReader(f))
    total = ledger.totals(books)
    assert sum(Decimal(r["money"]) for r in records) == total.money == Decimal(report.totals["money"])
    if by:
        assert sum(float(r["human_s"]) for r in records) == pytest.approx(total.human_s)
        assert sum(int(r["jobs"]) for r in records) == total.jobs == 3


def test_json_export_reconciles_and_keeps_exact_money(books, tmp_path):
    path = build_report(books, "costs", "preset").write(tmp_path / "costs.json", "json")
    data = json.loads(path.read_text())
    assert data["by"] == "preset"
    assert sum(Decimal(r["money"]) for r in data["rows"]) == Decimal(data["totals"]["money"])
    assert data["totals"]["money"] == str(ledger.totals(books).money.quantize(Decimal("0.000001")))


def test_time_report_one_row_per_entry_or_grouped(books):
    entries = build_report(books, "time")
    assert [r["seconds"] for r in entries.records] == [1500, 600]
    by_shot = build_report(books, "time", "shot")
    assert {r["shot"]: r["seconds"] for r in by_shot.records} == {"1A": 1500, "—": 600}
    with pytest.raises(InvalidInput):
        build_report(books, "time", "camera")


def test_yield_report_has_one_row_per_shot_and_project_totals(books):
    report = build_report(books, "yield")
    assert [r["scope"] for r in report.records] == ["1A", "2A"]
    assert report.totals["scope"] == "project"
    assert Decimal(report.totals["money"]) == ledger.totals(books).money


def test_unknown_report_and_grouping_are_refused(books):
    with pytest.raises(InvalidInput):
        build_report(books, "taxes")
    with pytest.raises(InvalidInput):
        build_report(books, "costs", "colour")
