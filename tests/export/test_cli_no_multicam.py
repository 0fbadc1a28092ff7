"""`director export otio|edl|fcpxml --no-multicam`: only what the cut shows (the window's
File ▸ Export ▸ Keep Multicam Angles off); by default every camera's take stays beside the live one."""

from __future__ import annotations

import opentimelineio as otio

from director.cli import main
from director.core.timecode import Rate
from tests.export.conftest import multicam_project


def video_tracks(path):
    edit = otio.adapters.read_from_file(str(path))
    return edit, [t for t in edit.tracks if t.kind == "Video"]


def test_no_multicam_leaves_only_the_live_angles(tmp_path):
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    path = str(project.path)
    project.close()
    assert main(["export", "otio", path, "-o", str(tmp_path / "multi.otio"), "--no-progress", "--no-audio"]) == 0
    _, tracks = video_tracks(tmp_path / "multi.otio")
    assert len(tracks) == 2
    assert main(["export", "otio", path, "-o", str(tmp_path / "flat.otio"), "--no-progress", "--no-audio", "--no-multicam"]) == 0
    _, (track,) = video_tracks(tmp_path / "flat.otio")
    assert [(c.name.split("_")[1], c.enabled, c.source_range.start_time.value) for c in track.find_clips()] == [("A", True, 0), ("B", True, 20)]
