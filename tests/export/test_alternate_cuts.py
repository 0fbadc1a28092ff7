"""Several cuts of one project: made, copied, renamed, switched and deleted (undoably), and every
export and cut verb can name the one it means."""

from __future__ import annotations

import av
import pytest

from director.cli import main
from director.core.errors import Refused
from director.store import cuts, timeline


def _frames(path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(c.streams.video[0]))


def _rows(project, tid):
    return cuts._snapshot(project, tid)


@pytest.fixture
def two_cuts(film):
    """'Cut' holds red then green; 'Short' (a duplicate) then loses green."""
    p = film.project
    for name in ("red", "green"):
        timeline.insert_take(p, film.take_ids[name]).apply(p)
    first = cuts.current_timeline_id(p)
    dup = cuts.duplicate_cut(p, None, "Short")
    dup.apply(p)
    assert cuts.current_timeline_id(p) == dup.timeline_id
    green_clip = timeline.load_timeline(p, dup.timeline_id).tracks[0].items[1].id
    timeline.ripple_delete(p, green_clip).apply(p)
    return film, first, dup.timeline_id


def test_two_cuts_export_different_mp4s(two_cuts, out_dir, capsys):
    film, first, short = two_cuts
    path = film.project.path
    film.project.close()
    assert main(["export", "cut", str(path), "--timeline", "Cut", "-o", str(out_dir / "long.mp4"), "--preset", "ultrafast"]) == 0
    assert main(["export", "cut", str(path), "--timeline", "short", "-o", str(out_dir / "short.mp4"), "--preset", "ultrafast"]) == 0
    assert main(["export", "cut", str(path), "-o", str(out_dir / "current.mp4"), "--preset", "ultrafast"]) == 0  # the current cut: Short
    assert (_frames(out_dir / "long.mp4"), _frames(out_dir / "short.mp4"), _frames(out_dir / "current.mp4")) == (60, 30, 30)
    assert main(["export", "cut", str(path), "--timeline", "Nope", "-o", str(out_dir / "x.mp4")]) == 1
    assert "no cut called 'Nope'; cuts: Cut, Short" in capsys.readouterr().err


def test_deleting_a_cut_can_be_undone_row_for_row(two_cuts):
    film, first, short = two_cuts
    p = film.project
    before = _rows(p, short)
    delete = cuts.DeleteCut(short)
    delete.apply(p)
    assert [c.name for c in cuts.list_cuts(p)] == ["Cut"] and cuts.current_timeline_id(p) == first
    timeline.insert_take(p, film.take_ids["blue"], timeline_id=first).apply(p)  # something else meanwhile
    delete.revert(p)
    assert _rows(p, short) == before and cuts.current_timeline_id(p) == short
    delete.apply(p)  # redo
    with pytest.raises(Refused, match="at least one cut"):
        cuts.DeleteCut(first).apply(p)


def test_new_rename_and_switch_undo_and_redo_keep_ids(film):
    p = film.project
    first = cuts.current_timeline_id(p)
    new = cuts.new_cut(p, "Trailer")
    new.apply(p)
    tid = new.timeline_id
    new.revert(p)
    assert cuts.current_timeline_id(p) == first and [c.name for c in cuts.list_cuts(p)] == ["Cut"]
    new.apply(p)
    assert new.timeline_id == tid and cuts.current_timeline_id(p) == tid
    rename = cuts.RenameCut(tid, "Teaser")
    rename.apply(p)
    assert cuts.find_timeline(p, "teaser") == tid
    rename.revert(p)
    assert cuts.find_timeline(p, "Trailer") == tid
    switch = cuts.SwitchCut(first)
    switch.apply(p)
    assert cuts.current_timeline_id(p) == first
    switch.revert(p)
    assert cuts.current_timeline_id(p) == tid
    with pytest.raises(Exception, match="already a cut called"):
        cuts.new_cut(p, "cut").apply(p)


def test_the_timeline_verbs_from_the_command_line(film, capsys):
    p = film.project
    timeline.insert_take(p, film.take_ids["red"]).apply(p)
    path = p.path
    p.close()
    assert main(["timeline", "duplicate", str(path), "Director's cut"]) == 0
    assert main(["cut", "add", str(path), "20", "--timeline", "Cut"]) == 0
    assert main(["timeline", "list", str(path), "--json"]) == 0
    capsys.readouterr()
    assert main(["timeline", "list", str(path)]) == 0
    out = capsys.readouterr().out
    assert "* " in out and "Director's cut" in out
    assert main(["timeline", "switch", str(path), "Cut"]) == 0
    assert main(["timeline", "rename", str(path), "Director's cut", "DC"]) == 0
    assert main(["timeline", "delete", str(path), "DC"]) == 0
    assert main(["timeline", "delete", str(path), "Cut"]) == 1
    assert "at least one cut" in capsys.readouterr().err
