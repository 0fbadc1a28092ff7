"""`info` and `shot list` say what the cost report says: expenses counted, other currencies apart."""

from __future__ import annotations

import json

from director.cli import main
from director.store import expenses, shots
from director.store.project import Project

from tests.store.test_chosen_take_and_spend import _take


def test_info_shot_list_and_report_agree_on_money(tmp_path, capsys):
    path = tmp_path / "film.director"
    with Project.create(path) as p:
        shot, _ = shots.add_shot(p, "1", "roof")
        _take(p, shot.id, "A", gpu_s=3600.0)  # 2.50
        expenses.add_expense(p, shot.id, "12.50", note="permit")
        expenses.add_expense(p, shot.id, "99", currency="EUR")
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert main(["shot", "list", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert main(["report", "costs", str(path), "--by", "shot", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert info["money"] == "15.000000" == listed[0]["money"]
    row = next(r for r in report["rows"] if r["shot"] == "1")
    assert row["money"] == info["money"], report
