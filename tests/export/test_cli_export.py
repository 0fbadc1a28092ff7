"""`director export …` through the real timeline: build_cut of the project's first timeline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from director.cli import main
from director.store import timeline

from tests.export.conftest import GREEN, RED

ROOT = Path(__file__).resolve().parents[2]


# The export verbs alone: another verb module being mid-edit in the shared tree must not fail these
# tests. The full parser (every module together) is covered by tests/cli.
ONLY_EXPORT = ["director.commands.export"]


@pytest.fixture(autouse=True)
def only_export_verbs(monkeypatch):
    monkeypatch.setattr("director.cli.COMMAND_MODULES", ONLY_EXPORT)


@pytest.fixture
def cut_project(film):
    """Red (30 frames) then green (30 frames) then the still (its shot's 96-frame target) on the timeline."""
    for name in ("red", "green", "still"):
        timeline.insert_take(film.project, film.take_ids[name]).apply(film.project)
    path = film.project.path
    film.project.close()  # the CLI opens it read-only, as it would beside a running window
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_cut_encodes_the_timeline(cut_project, out_dir, capsys):
    code, out, err = run(capsys, "export", "cut", cut_project, "-o", out_dir / "cut.mp4", "--preset", "ultrafast", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["frames"] == 30 + 30 + 96 and data["fps"] == "24"
    with av.open(str(out_dir / "cut.mp4")) as c:
        frames = [f.to_ndarray(format="bgr24") for f in c.decode(c.streams.video[0])]
    assert len(frames) == 156
    assert np.abs(frames[29][120, 160].astype(int) - RED).max() < 12
    assert np.abs(frames[30][120, 160].astype(int) - GREEN).max() < 12
    assert frames[100][120, 160].min() > 240  # the white still


def test_default_output_lands_beside_the_project(cut_project, capsys):
    code, out, _ = run(capsys, "export", "edl", cut_project)
    assert code == 0
    assert cut_project.with_name("film.edl").is_file() and cut_project.with_name("film_media").is_dir()
    assert "3 clips" in out


@pytest.mark.parametrize("fmt, suffix, adapter", [("otio", ".otio", None), ("edl", ".edl", "cmx_3600"), ("fcpxml", ".xml", "fcp_xml"), ("otioz", ".otioz", None)])
def test_interchange_verbs_read_back_as_the_timeline(cut_project, out_dir, capsys, fmt, suffix, adapter):
    out = out_dir / f"cut{suffix}"
    code, _, err = run(capsys, "export", fmt, cut_project, "-o", out)
    assert code == 0, err
    kwargs = {"adapter_name": adapter} if adapter else {}
    if fmt == "otioz":
        (out_dir / "x").mkdir()
        kwargs["extract_to_directory"] = str(out_dir / "x")
    tl = otio.adapters.read_from_file(str(out), **kwargs)
    assert [(c.name, round(c.duration().value)) for c in tl.find_clips()] == [("10_A_t1", 30), ("20_A_t2", 30), ("40_A_t4", 96)]


def test_storyboard_pdf_and_contact_sheet(cut_project, out_dir, capsys):
    code, out, err = run(capsys, "export", "storyboard", cut_project, "-o", out_dir / "board.pdf", "--per-page", "2", "--json")
    assert code == 0, err
    assert json.loads(out)["pages"] == 3
    code, out, err = run(capsys, "export", "storyboard", cut_project, "-o", out_dir / "sheet.png", "--order", "shots", "--json")
    assert code == 0, err
    assert json.loads(out)["panels"] == 4


def test_the_storyboard_pdf_verb_runs_without_qt(cut_project, out_dir):
    """`director export storyboard x.pdf` draws with fpdf2: no Qt is loaded, no display is needed."""
    code = (
        f"import sys, director.cli as c; c.COMMAND_MODULES[:] = {ONLY_EXPORT!r}\n"
        f"code = c.main(['export', 'storyboard', {str(cut_project)!r}, '-o', {str(out_dir / 'board.pdf')!r}, '--json'])\n"
        "print(sorted({'PySide6', 'shiboken6'} & set(sys.modules)), code)"
    )
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    *summary, loaded = out.splitlines()
    assert json.loads("\n".join(summary))["pages"] == 2
    assert loaded == "[] 0"


def test_takes_default_to_every_selected_take(cut_project, out_dir, capsys):
    code, out, err = run(capsys, "export", "takes", cut_project, "-o", out_dir / "takes", "--json")
    assert code == 0, err
    names = [Path(p).name for p in json.loads(out)["files"]]
    assert names == ["10_A_t1.mp4", "20_A_t2.mp4", "30_A_t3.mp4", "40_A_t4.png"]
    code, out, _ = run(capsys, "export", "takes", cut_project, "-o", out_dir / "two", "--shot", "20", "--take", "1", "--json")
    assert [Path(p).name for p in json.loads(out)["files"]] == ["10_A_t1.mp4", "20_A_t2.mp4"]


def test_an_empty_timeline_is_refused_with_a_message(film, out_dir, capsys):
    path = film.project.path
    film.project.close()
    code, _, err = run(capsys, "export", "cut", path, "-o", out_dir / "cut.mp4")
    assert code == 1 and "timeline" in err and "empty" in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []


def test_bad_options_are_usage_errors(cut_project, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", "cut", str(cut_project), "--preset", "warp"])
    assert exc.value.code == 2


@pytest.mark.slow
def test_ctrl_c_stops_the_export_and_leaves_no_file(film, out_dir):
    for _ in range(3):
        for name in ("red", "green"):
            timeline.insert_take(film.project, film.take_ids[name]).apply(film.project)
    path = film.project.path
    film.project.close()
    dest = out_dir / "cut.mp4"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # A large, slow encode, so the interrupt lands mid-way.
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import sys, director.cli as c; c.COMMAND_MODULES[:] = {ONLY_EXPORT!r}; sys.exit(c.main())", "export", "cut", str(path), "-o", str(dest), "--size", "1920x1440", "--preset", "veryslow", "--crf", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.time() + 60
    while not any(p.name.startswith(".cut.") for p in out_dir.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert list(out_dir.iterdir()) == []


def test_registering_the_export_verbs_loads_no_video_or_interchange_library():
    code = "import sys, director.commands.export; print(sorted({'av', 'cv2', 'opentimelineio', 'PySide6'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
