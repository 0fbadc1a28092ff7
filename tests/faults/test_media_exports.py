"""A take whose file is missing, damaged or tampered stops an export with its name, or is left out.

The story: the cut is red (shot 10), green (shot 20), blue (shot 30), 30 frames each. Something
happens to green's file (deleted, overwritten, or broken halfway through) or to blue's row (pointed
outside the media folder). Without --skip-missing every export verb stops with exit 1, names the
take, its shot and its file (and what the decoder said), and leaves nothing at the destination.
With --skip-missing the export is written without them, the cut keeps its length (black where they
were), the edit keeps a gap, the storyboard shows a 'media missing' panel, and the command lists
what it left out.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from director.cli import main
from director.export.frames import Skipped, TakeMediaError
from director.export.mp4 import Mp4Options, export_cut_mp4
from director.export.storyboard import build_storyboard, panel_picture
from director.export.takeinfo import take_infos
from director.export.takes import export_takes
from director.store import timeline
from director.store.project import Project

from tests.export.conftest import RED

FAST = Mp4Options(preset="ultrafast")


@pytest.fixture(autouse=True)
def only_export_verbs(monkeypatch):
    # Other verb modules may be mid-edit in the shared tree; these tests need the export verbs only.
    monkeypatch.setattr("director.cli.COMMAND_MODULES", ["director.commands.export"])


@pytest.fixture
def cut(film):
    """red 0-29, green 30-59, blue 60-89 on the timeline; the project closed, as beside a window."""
    for name in ("red", "green", "blue"):
        timeline.insert_take(film.project, film.take_ids[name]).apply(film.project)
    files = {name: film.project.media.path(film.takes[name].media_path) for name in ("red", "green", "blue")}
    film.project.close()
    return film.project.path, film.take_ids, files


def garble(file: Path) -> None:
    file.write_bytes(b"not a video any more " * 300)


def tamper(path: Path, take_id: int, to: str = "../../secret.txt") -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE takes SET media_path = ? WHERE id = ?", [to, take_id])
    conn.close()


def break_halfway(path: Path, take_id: int) -> Path:
    """Give the take a file whose first frames decode and whose second half is garbage, stored
    under its own content address (so only decoding it, not its name, gives it away)."""
    with Project.open(path) as project:
        temp = project.media.temp_path(".mp4")
        with av.open(str(temp), "w", format="mp4", options={"movflags": "faststart"}) as out:
            stream = out.add_stream("libx264", rate=24)
            stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "10", "g": "4"}
            noise = np.random.default_rng(7)
            for i in range(30):
                frame = av.VideoFrame.from_ndarray(noise.integers(0, 255, (180, 320, 3), np.uint8), format="bgr24")
                frame.pts = i
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        data = bytearray(temp.read_bytes())
        half = len(data) // 2
        data[half:] = bytes(random.Random(1).randrange(256) for _ in range(len(data) - half))
        temp.write_bytes(bytes(data))
        rel = project.media.adopt(temp, "mp4")
        file = project.media.path(rel)
    tamper(path, take_id, rel)
    return file


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def frames_of(mp4: Path) -> list[np.ndarray]:
    with av.open(str(mp4)) as c:
        return [f.to_ndarray(format="bgr24") for f in c.decode(c.streams.video[0])]


# -- without --skip-missing: stop, name the take, write nothing ---------------------------------


VERBS = {
    "cut": ("cut.mp4", ["--preset", "ultrafast"]),
    "otio": ("cut.otio", []),
    "otioz": ("cut.otioz", []),
    "edl": ("cut.edl", []),
    "fcpxml": ("cut.xml", []),
    "storyboard": ("board.pdf", []),
    "takes": ("takes", ["--cut"]),
}


@pytest.mark.parametrize("verb", VERBS)
def test_every_export_verb_stops_at_a_take_that_no_longer_decodes_and_names_it(verb, cut, out_dir, capsys):
    path, ids, files = cut
    garble(files["green"])
    name, extra = VERBS[verb]
    code, out, err = run(capsys, "export", verb, path, "-o", out_dir / name, *extra)
    assert code == 1, out
    said = f"take {ids['green']} (shot 20): media damaged: {files['green']} (decoder said Invalid data found when processing input)"
    assert said in err, err
    assert "--skip-missing" in err and "unexpected" not in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("verb", ["cut", "otio", "storyboard", "takes"])
def test_missing_and_tampered_takes_are_each_named(verb, cut, out_dir, capsys):
    path, ids, files = cut
    files["green"].unlink()
    tamper(path, ids["blue"])
    name, extra = VERBS[verb]
    code, _, err = run(capsys, "export", verb, path, "-o", out_dir / name, *extra)
    assert code == 1
    assert f"take {ids['green']} (shot 20): media missing: {files['green']}" in err
    if verb != "storyboard":  # a storyboard stops at the first panel it cannot draw
        assert f"take {ids['blue']} (shot 30): media tampered: ../../secret.txt" in err
    assert list(out_dir.iterdir()) == []


def test_a_take_that_breaks_halfway_through_the_cut_is_named_and_nothing_is_left(cut, out_dir, capsys):
    path, ids, _ = cut
    file = break_halfway(path, ids["green"])
    with Project.open(path, readonly=True) as project:
        movie = timeline.build_cut(project)
        seen = []
        with pytest.raises(TakeMediaError) as failed:
            export_cut_mp4(movie, project.media, out_dir / "cut.mp4", FAST, progress=lambda done, total: seen.append(done))
    (issue,) = failed.value.issues
    assert (issue.take_id, issue.shot_code, issue.problem, issue.path) == (ids["green"], "20", "damaged", str(file))
    assert issue.detail.startswith("decoder said ")
    assert max(seen) > 30  # red was already encoded: the failure came in the middle
    assert list(out_dir.iterdir()) == []
    code, _, err = run(capsys, "export", "cut", path, "-o", out_dir / "cut.mp4", "--preset", "ultrafast")
    assert code == 1 and f"take {ids['green']} (shot 20): media damaged: {file} (decoder said" in err
    assert list(out_dir.iterdir()) == []


# -- with --skip-missing: write the rest, keep the timing, say what was left out ----------------


def test_skip_missing_cut_plays_black_where_broken_takes_were_and_keeps_its_length(cut, out_dir, capsys):
    path, ids, files = cut
    files["green"].unlink()
    tamper(path, ids["blue"])
    code, out, err = run(capsys, "export", "cut", path, "-o", out_dir / "cut.mp4", "--preset", "ultrafast", "--skip-missing", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["frames"] == 90
    assert [(s["take_id"], s["shot"], s["problem"], s["path"]) for s in data["skipped"]] == [
        (ids["green"], "20", "missing", str(files["green"])),
        (ids["blue"], "30", "tampered", "../../secret.txt"),
    ]
    frames = frames_of(out_dir / "cut.mp4")
    assert len(frames) == 90
    assert np.abs(frames[15][120, 160].astype(int) - RED).max() < 12
    assert all(frames[i].max() < 24 for i in (30, 45, 59, 60, 75, 89))  # black, in sync
    code, out, _ = run(capsys, "export", "cut", path, "-o", out_dir / "again.mp4", "--preset", "ultrafast", "--skip-missing")
    assert code == 0
    assert f"skipped take {ids['green']} (shot 20): media missing: {files['green']}" in out
    assert f"skipped take {ids['blue']} (shot 30): media tampered: ../../secret.txt" in out


def test_skip_missing_a_take_broken_halfway_goes_black_from_the_break(cut, out_dir, capsys):
    path, ids, _ = cut
    file = break_halfway(path, ids["green"])
    code, out, err = run(capsys, "export", "cut", path, "-o", out_dir / "cut.mp4", "--preset", "ultrafast", "--skip-missing")
    assert code == 0, err
    assert f"skipped take {ids['green']} (shot 20): media damaged: {file} (decoder said" in out
    frames = frames_of(out_dir / "cut.mp4")
    assert len(frames) == 90
    assert frames[31].max() > 100  # green's first frames (noise) are there
    assert frames[59].max() < 24 and frames[70].max() > 200  # black after the break; blue on time


@pytest.mark.parametrize("fmt, suffix", [("otio", ".otio"), ("otioz", ".otioz")])
def test_skip_missing_edit_leaves_a_gap_of_the_same_length(fmt, suffix, cut, out_dir, capsys):
    path, ids, files = cut
    garble(files["green"])
    dest = out_dir / f"cut{suffix}"
    code, out, err = run(capsys, "export", fmt, path, "-o", dest, "--skip-missing")
    assert code == 0, err
    assert f"skipped take {ids['green']} (shot 20): media damaged: {files['green']}" in out
    kwargs = {"extract_to_directory": str(out_dir / "x")} if fmt == "otioz" else {}
    if fmt == "otioz":
        (out_dir / "x").mkdir()
    track = otio.adapters.read_from_file(str(dest), **kwargs).tracks[0]
    assert [(type(i).__name__, round(i.duration().value)) for i in track] == [("Clip", 30), ("Gap", 30), ("Clip", 30)]
    assert track[1].metadata["director"]["skipped"]["take_id"] == ids["green"]
    if fmt == "otio":
        assert sorted(p.name for p in (out_dir / "cut_media").iterdir()) == ["10_A_t1.mp4", "30_A_t3.mp4"]


def test_skip_missing_storyboard_shows_a_media_missing_panel(cut, out_dir, capsys):
    path, ids, files = cut
    files["green"].unlink()
    for dest in (out_dir / "board.pdf", out_dir / "sheet.png"):
        code, out, err = run(capsys, "export", "storyboard", path, "-o", dest, "--skip-missing")
        assert code == 0, err
        assert dest.stat().st_size > 0
        assert f"skipped take {ids['green']} (shot 20): media missing: {files['green']}" in out
    with Project.open(path, readonly=True) as project:
        board = build_storyboard(project, "cut", timeline.build_cut(project))
        skipped = Skipped()
        card = panel_picture(board.panels[1], project.media, 160, 120, skipped)
        red = panel_picture(board.panels[0], project.media, 160, 120, skipped)
        with pytest.raises(TakeMediaError, match=f"take {ids['green']} \\(shot 20\\): media missing"):
            panel_picture(board.panels[1], project.media, 160, 120)
    assert [i.take_id for i in skipped] == [ids["green"]]
    assert tuple(card[10, 10]) == (40, 40, 40) and card[10:110, 20:140].max() > 200  # grey, with its words
    assert np.abs(red[60, 80].astype(int) - RED).max() < 12


def test_skip_missing_takes_export_writes_the_others_and_lists_the_one_left_out(cut, out_dir, capsys):
    path, ids, files = cut
    garble(files["green"])
    code, out, err = run(capsys, "export", "takes", path, "-o", out_dir / "takes", "--cut", "--skip-missing", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [Path(p).name for p in data["files"]] == ["10_A_t1.mp4", "30_A_t3.mp4"]
    assert [(s["take_id"], s["problem"]) for s in data["skipped"]] == [(ids["green"], "damaged")]
    assert sorted(p.name for p in (out_dir / "takes").iterdir()) == ["10_A_t1.json", "10_A_t1.mp4", "30_A_t3.json", "30_A_t3.mp4"]


def test_the_export_functions_take_the_same_rule(cut, out_dir):
    """The window's File ▸ Export calls these directly: refused with the take named, or skipped."""
    path, ids, files = cut
    garble(files["green"])
    with Project.open(path, readonly=True) as project:
        infos = list(take_infos(project, [ids["red"], ids["green"]]).values())
        with pytest.raises(TakeMediaError) as refused:
            export_takes(infos, project.media, out_dir / "takes")
        assert not (out_dir / "takes").exists()
        result = export_takes(infos, project.media, out_dir / "takes", skip_missing=True)
        movie = timeline.build_cut(project)
        mp4 = export_cut_mp4(movie, project.media, out_dir / "cut.mp4", FAST, skip_missing=True)
    assert [(i.take_id, i.problem) for i in refused.value.issues] == [(ids["green"], "damaged")]
    assert [p.name for p in result.files] == ["10_A_t1.mp4"] and [i.take_id for i in result.skipped] == [ids["green"]]
    assert mp4.frames == 90 and [i.take_id for i in mp4.skipped] == [ids["green"]]
