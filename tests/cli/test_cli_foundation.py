"""The command line as a script uses it: exit codes, messages, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from director.cli import main


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def film(tmp_path, capsys):
    path = tmp_path / "film.director"
    assert run(capsys, "new", path, "--fps", "25")[0] == 0
    return path


def test_a_director_builds_a_shot_from_the_command_line(film, capsys):
    assert run(capsys, "scene", "add", film, "12", "--title", "Rooftop")[0] == 0
    assert run(capsys, "shot", "add", film, "12a", "--title", "Jump", "--scene", "12", "--seconds", "3")[0] == 0
    code, out, _ = run(capsys, "prompt", "set", film, "12A", "--subject", "a runner", "--action", "leaps between roofs", "--look-text", "noir")
    assert code == 0 and "v1" in out
    assert run(capsys, "camera", "add", film, "12A", "B", "--shot-size", "close-up")[0] == 0
    code, out, _ = run(capsys, "shot", "show", film, "12A", "--json")
    shot = json.loads(out)
    assert shot["frames"] == 75 and shot["scene"] == "12"
    assert shot["prompt"]["composed"] == "a runner, leaps between roofs, noir"
    assert [c["name"] for c in shot["cameras"]] == ["A", "B"]
    assert shot["cameras"][1]["composed"] == "a runner, leaps between roofs, close-up, noir"


def test_prompt_versions_are_kept_and_diffed(film, capsys):
    run(capsys, "shot", "add", film, "1")
    run(capsys, "prompt", "set", film, "1", "--subject", "a lamp")
    run(capsys, "prompt", "set", film, "1", "--lighting", "blue dusk")
    code, out, _ = run(capsys, "prompt", "history", film, "1", "--json")
    history = json.loads(out)
    assert [h["version"] for h in history] == [1, 2] and history[1]["current"]
    code, out, _ = run(capsys, "prompt", "diff", film, "1", "1", "2")
    assert "+lighting: blue dusk" in out


def test_unknown_shot_is_a_clear_error_with_exit_1(film, capsys):
    run(capsys, "shot", "add", film, "1A")
    code, _, err = run(capsys, "shot", "show", film, "99Z")
    assert code == 1 and "no shot '99Z'" in err and "1A" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args, message",
    [
        (("prompt", "set", "{film}", "1A", "--clear"), "prompt is empty"),
        (("shot", "set", "{film}", "1A", "--status", "finished"), "unknown shot status"),
        (("shot", "add", "{film}", "twelve"), "not valid"),
        (("take", "rate", "{film}", "1", "9"), "no take 1"),
        (("time", "log", "{film}", "1A", "soon"), "not a duration"),
        (("shot", "move", "{film}", "1A", "5"), "position must be between 1 and 1"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(film, capsys, args, message):
    run(capsys, "shot", "add", film, "1A")
    before = run(capsys, "shot", "show", film, "1A", "--json")[1], run(capsys, "time", "list", film, "--json")[1]
    code, _, err = run(capsys, *[a.format(film=film) for a in args])
    assert code == 1 and message in err
    after = run(capsys, "shot", "show", film, "1A", "--json")[1], run(capsys, "time", "list", film, "--json")[1]
    assert after == before


def test_unicode_names_survive_the_round_trip(film, capsys):
    run(capsys, "scene", "add", film, "INT-CAFÉ", "--title", "Café de Flore — 夜")
    run(capsys, "shot", "add", film, "3", "--title", "Zoë’s entrance 🎬", "--scene", "int-café")
    run(capsys, "prompt", "set", film, "3", "--subject", "Zoë, 彼女は微笑む")
    code, out, _ = run(capsys, "shot", "show", film, "3", "--json")
    data = json.loads(out)
    assert data["title"] == "Zoë’s entrance 🎬" and data["scene"] == "INT-CAFÉ"
    assert data["prompt"]["subject"] == "Zoë, 彼女は微笑む"


def test_takes_are_rated_flagged_and_noted(film, capsys):
    from director.store import Project, jobs, shots, takes

    with Project.open(film) as p:
        shot, _ = shots.add_shot(p, "5")
        job_id, _ = jobs.create_job(p, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[3])
        rel = p.media.put_bytes(b"png", "png")
        take_id = takes.insert_take(p, job_id, {"seed": 3, "kind": "image", "media_path": rel, "width": 64, "height": 64})
    assert run(capsys, "take", "rate", film, take_id, "4")[0] == 0
    assert run(capsys, "take", "select", film, take_id)[0] == 0
    assert run(capsys, "take", "note", film, take_id, "best light")[0] == 0
    code, out, _ = run(capsys, "takes", "list", film, "5", "--json")
    [t] = json.loads(out)
    assert (t["rating"], t["flag"], t["notes"]) == (4, "selected", "best light")
    code, out, _ = run(capsys, "takes", "list", film, "5", "--flag", "rejected", "--json")
    assert json.loads(out) == []


def test_shots_move_delete_and_restore(film, capsys):
    for code in ("1", "2", "3"):
        run(capsys, "shot", "add", film, code)
    run(capsys, "shot", "move", film, "3", "1")
    run(capsys, "shot", "delete", film, "2")
    code, out, _ = run(capsys, "shot", "list", film, "--json")
    assert [s["code"] for s in json.loads(out)] == ["3", "1"]
    run(capsys, "shot", "restore", film, "2")
    code, out, _ = run(capsys, "shot", "list", film, "--json")
    assert [s["code"] for s in json.loads(out)] == ["3", "1", "2"]


def test_time_is_logged_and_check_passes(film, capsys):
    run(capsys, "shot", "add", film, "1A")
    assert run(capsys, "time", "log", film, "1a", "1h30m", "--note", "boards")[0] == 0
    code, out, _ = run(capsys, "time", "list", film, "--json")
    assert json.loads(out)[0]["seconds"] == 5400
    code, out, _ = run(capsys, "check", film)
    assert code == 0 and "database: ok" in out


def test_the_entry_point_exits_2_on_usage_errors_and_1_on_refusals(tmp_path):
    usage = subprocess.run([sys.executable, "-m", "director", "shot", "frobnicate"], capture_output=True, text=True)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    refused = subprocess.run([sys.executable, "-m", "director", "info", str(tmp_path / "none.director")], capture_output=True, text=True)
    assert refused.returncode == 1 and "no project at" in refused.stderr and "Traceback" not in refused.stderr


def test_every_verb_has_help(capsys):
    from director.cli import build_parser

    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices
    for name, sub in verbs.items():
        with pytest.raises(SystemExit) as exit_info:
            sub.parse_args(["--help"])
        assert exit_info.value.code == 0
    assert "shot" in verbs and "prompt" in verbs
