"""File ▸ Export from the window: every export runs off the UI thread, reports, and cancels cleanly."""

from __future__ import annotations

import av
import opentimelineio as otio
import pytest

from director.store import timeline
from tests.ui.test_timeline_fixtures import film


@pytest.fixture
def cut_window(window, tmp_path):
    project, ids = film(tmp_path)
    path = project.path
    for shot in (ids["s1"], ids["s2"]):
        timeline.insert_shot(project, shot).apply(project)
    timeline.cut_to_camera(project, 24, name="B").apply(project)
    project.close()
    assert window.open_project(path)
    return window


def test_export_menu_lists_every_export_and_is_off_without_a_project(window):
    texts = [a.text().replace("&", "") for a in window.export_menu.menu.actions()]
    assert texts[0] == "Cut as MP4…" and "Storyboard PDF…" in texts and "Cost Report (CSV)…" in texts
    assert not window.export_menu.actions["cut"].isEnabled()


@pytest.mark.parametrize("key, name", [("cut", "cut.mp4"), ("otio", "cut.otio"), ("storyboard", "board.pdf"), ("costs", "costs.csv"), ("contact_sheet", "sheet.png")])
def test_each_export_writes_its_file_off_the_ui_thread(cut_window, qtbot, tmp_path, key, name):
    dest = tmp_path / "out" / name
    dest.parent.mkdir()
    with qtbot.waitSignal(cut_window.export_menu.export_finished, timeout=60_000) as blocker:
        task = cut_window.export_menu.export(key, dest)
        assert task is not None and task.running or dest.exists()
    assert blocker.args[0] == key and dest.stat().st_size > 0
    assert any(str(dest) in n for n in cut_window.notifications)
    cut = timeline.build_cut(cut_window.session.project)
    if key == "cut":
        with av.open(str(dest)) as c:
            assert sum(1 for _ in c.decode(video=0)) == cut.duration
    if key == "otio":
        edit = otio.adapters.read_from_file(str(dest))
        clips = sorted((c for c in edit.find_clips() if c.enabled), key=lambda c: c.range_in_parent().start_time.value)  # the live angles
        assert [c.duration().value for c in clips] == [s.duration for s in cut.segments]
        assert [s.camera for s in cut.segments][:2] == ["A", "B"]


def test_cancelling_an_export_leaves_no_file(cut_window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    dest = tmp_path / "cancelled.mp4"
    menu = cut_window.export_menu
    task = menu.export("cut", dest, start=False)
    # Cancel from the worker thread at the first frame, as Cancel in the dialog would, before it can finish.
    task.progress.connect(lambda *_: task.cancel(), Qt.ConnectionType.DirectConnection)
    task.start()
    qtbot.waitUntil(lambda: not task.running, timeout=30_000)
    qtbot.waitUntil(lambda: any("cancelled" in n for n in cut_window.notifications), timeout=5_000)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir() if "cancelled" in p.name] == []


def test_an_empty_timeline_is_refused_with_what_to_do(window, qtbot, project_file, tmp_path):
    window.new_project(project_file)
    with qtbot.waitSignal(window.export_menu.export_failed) as blocker:
        assert window.export_menu.export("cut", tmp_path / "x.mp4") is None
    assert "timeline is empty" in blocker.args[1]


def test_a_storyboard_of_a_project_with_nothing_cut_yet_has_a_panel_per_shot(window, qtbot, project_file, tmp_path):
    window.new_project(project_file)
    window.panel("shots").add_shot("1A", "Kite")
    dest = tmp_path / "board.pdf"
    with qtbot.waitSignal(window.export_menu.export_finished, timeout=30_000) as blocker:
        window.export_menu.export("storyboard", dest)
    assert blocker.args[1] == 2 and dest.stat().st_size > 0  # the title page and one page of panels
