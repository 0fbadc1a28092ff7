"""Re-importing Director's OTIO restores the cut, angle cuts and chosen takes included (#20), also
after an editor re-cut the angles in another suite; a file Director did not write is refused."""

from __future__ import annotations

import json

import opentimelineio as otio
import pytest

from director.cli import main
from director.core.errors import InvalidInput
from director.core.timecode import Rate
from director.export.interchange import export_interchange
from director.export.otio_import import read_cut
from director.export.takeinfo import take_infos
from director.store import cuts
from director.store.angles import multicam_cut
from director.store.cut_import import build_import
from director.store.project import Project
from director.store.timeline import build_cut, load_timeline, trim_clip
from tests.export.conftest import multicam_project


def _export(project, path):
    cut = multicam_cut(project)
    infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
    export_interchange(cut, infos, project.media, path, name="Multicam")


def _played(project, timeline_id=None):
    return [(s.record_start, s.duration, s.take_id, s.source_start) for s in build_cut(project, timeline_id).segments]


@pytest.mark.parametrize("project_fps,take_fps,cut_at", [("24", Rate(24), 20), ("24000/1001", Rate(24), 20), ("25", Rate(12), 13)])
def test_the_reimported_cut_plays_what_the_exported_one_did(tmp_path, project_fps, take_fps, cut_at):
    project = multicam_project(tmp_path, project_fps, take_fps, 48, cut_at=cut_at)
    try:
        _export(project, tmp_path / "cut.otio")
        before = _played(project)
        original = load_timeline(project).tracks[0].items[0]
        edit = build_import(project, read_cut(tmp_path / "cut.otio"), "From the suite")
        edit.apply(project)
        assert cuts.current_timeline_id(project) == edit.timeline_id  # the new cut is current
        assert _played(project, edit.timeline_id) == before
        clip = load_timeline(project, edit.timeline_id).tracks[0].items[0]
        assert (clip.source_in, clip.duration, clip.camera_id) == (original.source_in, original.duration, original.camera_id)
        # The file named the takes it showed: the import pins them, so a later pick elsewhere does not change it.
        assert set(clip.takes.values()) == {s.take_id for s in (*multicam_cut(project).segments, *multicam_cut(project).angles)}
        assert clip.angle_cuts == original.angle_cuts and len(clip.angle_cuts) == 1
        # Undo removes the imported cut and leaves the old one as it was.
        edit.revert(project)
        assert edit.timeline_id not in {c.id for c in cuts.list_cuts(project)}
        assert _played(project) == before
    finally:
        project.close()


def test_angles_recut_in_another_suite_come_back_as_angle_cuts(tmp_path):
    """The editor swapped which angle is live for the last 10 frames (enabled flags, as Resolve's
    multicam 'switch angle' writes them); the import cuts back to A there."""
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    try:
        trim_clip(project, load_timeline(project).tracks[0].items[0].id, "tail", to_frame=40).apply(project)
        _export(project, tmp_path / "cut.otio")
        timeline = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
        a, b = timeline.video_tracks()
        # Split the B stretch (record 20-40) at 30 on both tracks and make A live after it.
        for track, live_after in ((a, True), (b, False)):
            clip = track[1]
            first, second = clip.deepcopy(), clip.deepcopy()
            start, dur = clip.source_range.start_time, clip.source_range.duration
            half = otio.opentime.RationalTime(10, dur.rate)
            first.source_range = otio.opentime.TimeRange(start, half)
            second.source_range = otio.opentime.TimeRange(start + otio.opentime.RationalTime(10, start.rate), dur - half)
            second.metadata["director"]["shot_frame"] = clip.metadata["director"]["shot_frame"] + 10
            second.enabled = live_after
            del track[1]
            track.insert(1, second)
            track.insert(1, first)
        otio.adapters.write_to_file(timeline, str(tmp_path / "recut.otio"))
        imported = read_cut(tmp_path / "recut.otio")
        edit = build_import(project, imported, "Recut")
        edit.apply(project)
        clip = load_timeline(project, edit.timeline_id).tracks[0].items[0]
        names = dict(project.db.execute("SELECT id, name FROM cameras WHERE shot_id = ?", [clip.shot_id]).fetchall())
        assert [(a.source_frame, names[a.camera_id]) for a in clip.angle_cuts] == [(20, "B"), (30, "A")]
        assert clip.duration == 40
        played = build_cut(project, edit.timeline_id).segments
        assert [(s.record_start, s.duration, s.camera) for s in played] == [(0, 20, "A"), (20, 10, "B"), (30, 10, "A")]
    finally:
        project.close()


def test_the_cli_imports_and_a_foreign_or_old_file_is_refused(tmp_path, capsys):
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    path = project.path
    try:
        _export(project, tmp_path / "cut.otio")
    finally:
        project.close()
    assert main(["timeline", "import", str(path), str(tmp_path / "cut.otio"), "--name", "Back", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["clips"] == 1 and out["angle_cuts"] == 1 and out["name"] == "Back"
    with Project.open(path, readonly=True) as p:
        assert [c.name for c in cuts.list_cuts(p)][-1] == "Back"

    foreign = otio.schema.Timeline(name="from elsewhere")
    foreign.tracks.append(otio.schema.Track())
    otio.adapters.write_to_file(foreign, str(tmp_path / "foreign.otio"))
    with pytest.raises(InvalidInput, match="not written by Director"):
        read_cut(tmp_path / "foreign.otio")
    old = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    for clip in old.find_clips():
        clip.metadata["director"].pop("shot_frame")
    otio.adapters.write_to_file(old, str(tmp_path / "old.otio"))
    assert main(["timeline", "import", str(path), str(tmp_path / "old.otio")]) != 0
    assert "Export the cut again" in capsys.readouterr().err


def test_the_window_imports_a_cut_as_one_undoable_step(tmp_path, qtbot):
    from director.ui.main_window import MainWindow

    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    path = project.path
    try:
        _export(project, tmp_path / "cut.otio")
        before = _played(project)
    finally:
        project.close()
    window = MainWindow()
    qtbot.addWidget(window)
    try:
        assert window.open_project(path)
        assert window.import_cut_action.isEnabled()
        count = len(cuts.list_cuts(window.session.project))
        window.import_cut(tmp_path / "cut.otio")
        qtbot.waitUntil(lambda: len(cuts.list_cuts(window.session.project)) == count + 1, timeout=10_000)
        assert _played(window.session.project) == before  # the imported cut is current and plays the same
        window.undo()
        assert len(cuts.list_cuts(window.session.project)) == count
    finally:
        window.close_project()
        window.close()
