"""`director report|forecast|budget|expense|time edit` as a producer and a script use them."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from director.cli import main
from director.core.enums import JobState
from director.store import budget, jobs, shots
from director.store.project import Project

PARAMS = {"steps": 4, "frames": 9, "width": 64, "height": 64}


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def film(tmp_path, capsys):
    path = tmp_path / "film.director"
    assert run(capsys, "new", path, "--gpu-price", "3.60")[0] == 0
    assert run(capsys, "shot", "add", path, "1A")[0] == 0
    assert run(capsys, "shot", "add", path, "2A")[0] == 0
    p = Project.open(path)
    try:
        for code, gpu_s in (("1A", 600.0), ("1A", 300.0), ("2A", 1000.0)):
            sid = shots.find_shot(p, code).id
            job_id, _ = jobs.create_job(p, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2v", params=PARAMS, seeds=[1])
            jobs.mark_running(p, job_id)
            jobs.finish_job(p, job_id, JobState.DONE, {"gpu_s": gpu_s})
    finally:
        p.close()
    return path


def test_expenses_added_listed_and_counted_in_the_report(film, capsys):
    code, out, _ = run(capsys, "expense", "add", film, "1a", "12.50", "--note", "=cmd")
    assert code == 0 and "12.50 USD on 1A" in out
    assert run(capsys, "expense", "add", film, "-", "7")[0] == 0
    code, out, _ = run(capsys, "expense", "list", film, "--json")
    assert [(e["shot"], Decimal(e["amount"])) for e in json.loads(out)] == [("1A", Decimal("12.50")), ("", 7)]
    code, out, _ = run(capsys, "report", "costs", film, "--json")
    data = json.loads(out)
    assert Decimal(data["totals"]["money"]) == Decimal("0.60") + Decimal("0.30") + Decimal("1.00") + Decimal("19.50")
    assert sum(Decimal(r["money"]) for r in data["rows"]) == Decimal(data["totals"]["money"])


@pytest.mark.parametrize("by", ["shot", "day"])
def test_report_csv_on_stdout_reconciles(film, capsys, by):
    code, out, _ = run(capsys, "report", "costs", film, "--by", by, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(Decimal(r["money"]) for r in rows) == Decimal("1.90")


def test_report_table_shows_the_total(film, capsys):
    code, out, _ = run(capsys, "report", "costs", film, "--by", "shot")
    assert code == 0 and "1A" in out and "total: 3 jobs, 31.7 GPU min, 1.90 USD" in out


def test_report_to_a_file_needs_a_file_format(film, tmp_path, capsys):
    code, _, err = run(capsys, "report", "costs", film, "-o", tmp_path / "x.csv")
    assert code == 1 and "--format csv" in err
    code, out, _ = run(capsys, "report", "costs", film, "--format", "csv", "-o", tmp_path / "x.csv")
    assert code == 0 and "wrote 3 rows" in out and (tmp_path / "x.csv").is_file()


def test_time_entries_are_corrected_and_deleted(film, capsys):
    assert run(capsys, "time", "log", film, "1A", "25m")[0] == 0
    code, out, _ = run(capsys, "report", "time", film, "--json")
    [entry] = json.loads(out)["rows"]
    assert run(capsys, "time", "edit", film, entry["id"], "--duration", "40m", "--shot", "2A", "--note", "fix")[0] == 0
    code, out, _ = run(capsys, "report", "time", film, "--by", "shot", "--json")
    assert json.loads(out)["rows"] == [{"shot": "2A", "seconds": 2400.0, "hours": pytest.approx(2 / 3)}]
    assert run(capsys, "time", "delete", film, entry["id"])[0] == 0
    code, _, err = run(capsys, "time", "delete", film, entry["id"])
    assert code == 1 and "no time entry" in err


def test_forecast_and_budget_from_the_command_line(film, capsys):
    code, out, _ = run(capsys, "forecast", film, "--variants", "3", "--json")
    data = json.loads(out)
    assert code == 0 and [s["shot"] for s in data["shots"]] == ["1A", "2A"]
    # the preset's median is 600 s a variant (of 600, 300, 1000); each shot has 1 camera × 3 variants
    assert data["gpu_s"] == pytest.approx(2 * 3 * 600)
    assert run(capsys, "shot", "set", film, "1A", "--budget", "1.00")[0] == 0
    code, out, _ = run(capsys, "budget", film, "--json")
    [line] = json.loads(out)
    assert (line["scope"], Decimal(line["spent"]), line["level"]) == ("shot 1A", Decimal("0.90"), "warn")


def test_a_capped_shot_refuses_a_job_through_guard_job(film, capsys):
    assert run(capsys, "shot", "set", film, "1A", "--budget", "1.00")[0] == 0
    p = Project.open(film)
    try:
        with pytest.raises(Exception) as refused:
            budget.guard_job(p, shots.find_shot(p, "1A").id, "tiny-t2v", PARAMS, 1)
        assert "--budget 2" in str(refused.value)
    finally:
        p.close()
