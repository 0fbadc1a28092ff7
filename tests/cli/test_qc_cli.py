"""`director qc run|show|thresholds` and `director report qc`: real takes encoded from the synthetic
fault clips, measured from their files, graded under thresholds set from the command line, and the
colour continuity of a join on the cut."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from director.cli import main
from director.store import shots, timeline
from director.store.project import Project
from tests.engine import qc_clips


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    """Shot 1: camera A a clean pan, camera B the teleport; shot 2: a blue-tinted pan, both on the cut."""
    path = tmp_path_factory.mktemp("qc") / "film.director"
    with Project.create(path) as p:
        clean = qc_clips.add_video_take(p, qc_clips.clean()[:24], shot="1", camera="A", rating=5)
        jump = qc_clips.add_video_take(p, qc_clips.teleport()[12:36], shot="1", camera="B")
        tinted = [np.clip(f.astype(np.int16) + np.array([-60, -20, 90], np.int16), 0, 255).astype(np.uint8)
                  for f in qc_clips.pan(seed=7, frames=24)]
        blue = qc_clips.add_video_take(p, tinted, shot="2", camera="A")
        for code in ("1", "2"):
            timeline.insert_shot(p, shots.find_shot(p, code).id).apply(p)
    return path, {"clean": clean, "jump": jump, "blue": blue}


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_qc_run_measures_every_unmeasured_take_then_nothing(film, capsys):
    path, ids = film
    code, out, _ = run(capsys, "qc", "run", path, "--json")
    assert code == 0
    rows = {r["take"]: r for r in json.loads(out)}
    assert set(rows) == set(ids.values())
    assert rows[ids["clean"]]["grade"] == "green" and rows[ids["jump"]]["grade"] in ("amber", "red")
    assert rows[ids["jump"]]["warp"] > rows[ids["clean"]]["warp"]
    code, out, _ = run(capsys, "qc", "run", path)
    assert code == 0 and "every video take is measured" in out


def test_qc_show_says_what_each_score_means_and_the_worst_frames(film, capsys):
    path, ids = film
    run(capsys, "qc", "run", path)
    code, out, _ = run(capsys, "qc", "show", path, ids["jump"])
    assert code == 0 and "Warp error" in out and "worst frames 12" in out  # the jump: frame 24 of the clip, 12 of the take
    assert "Camera match" in out  # shot 1 has two cameras
    code, _, err = run(capsys, "qc", "show", path, 999)
    assert code == 1 and "no take 999" in err


def test_report_qc_has_every_take_and_the_join_on_the_cut(film, capsys):
    path, ids = film
    run(capsys, "qc", "run", path)
    code, out, _ = run(capsys, "report", "qc", path, "--format", "json")
    assert code == 0
    report = json.loads(out)
    takes = {r["take"]: r for r in report["takes"]}
    assert takes[ids["jump"]]["flagged"].startswith("warp 12")
    assert takes[ids["clean"]]["multicam"] is not None
    assert report["meanings"]["flicker"]["meaning"] and report["thresholds"]["warp"] == {"amber": 1.5, "red": 4.0}
    [join] = report["cut"]
    assert join["take"] == f"{ids['clean']}>{ids['blue']}" and join["frame"] == 24
    assert join["continuity"] > 20 and join["grade"] == "red"
    code, out, _ = run(capsys, "report", "qc", path, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(table) == 4 and {r["kind"] for r in table} == {"take", "join"}
    code, out, _ = run(capsys, "report", "qc", path)
    assert code == 0 and "Flicker (levels; amber ≥ 3, red ≥ 8):" in out


def test_thresholds_from_the_command_line_regrade_every_take(film, capsys):
    path, ids = film
    run(capsys, "qc", "run", path)
    code, _, err = run(capsys, "qc", "thresholds", path, "--set", "warp=50,60", "--set", "multicam=200,300")
    assert code == 0 and "re-graded" in err
    _, out, _ = run(capsys, "report", "qc", path, "--json")
    assert {r["take"]: r["grade"] for r in json.loads(out)["takes"]}[ids["jump"]] == "green"
    code, _, err = run(capsys, "qc", "thresholds", path, "--set", "warp=5,2")
    assert code == 1 and "at or above amber" in err
    code, _, err = run(capsys, "qc", "thresholds", path, "--set", "wobble=1,2")
    assert code == 1 and "unknown QC metric" in err
    assert run(capsys, "qc", "thresholds", path, "--reset")[0] == 0
    _, out, _ = run(capsys, "report", "qc", path, "--json")
    assert {r["take"]: r["grade"] for r in json.loads(out)["takes"]}[ids["jump"]] != "green"


def test_the_storyboard_carries_a_qc_footnote_per_panel(film, capsys):
    from director.export.storyboard import build_storyboard
    from director.store import takes as store_takes

    path, ids = film
    run(capsys, "qc", "run", path)
    with Project.open(path) as p:
        board = build_storyboard(p, "cut", timeline.build_cut(p))
        notes = {panel.take_id: panel.qc_note for panel in board.panels}
        assert notes[ids["clean"]] == "QC green"
        assert "colour jump from the previous panel: ΔE" in notes[ids["blue"]] and "(red)" in notes[ids["blue"]]
        store_takes.set_take_fields(p, ids["jump"], rating=5, flag="selected")  # the teleport becomes shot 1's take
        board = build_storyboard(p, "shots")
        note = next(panel.qc_note for panel in board.panels if panel.take_id == ids["jump"])
        assert note.startswith("QC red: warp error") and "at frame 12" in note
        store_takes.set_take_fields(p, ids["jump"], rating=0, flag="none")
