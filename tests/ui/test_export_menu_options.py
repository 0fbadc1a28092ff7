"""Issue #20: File ▸ Export offers what `director export` does, and each option reaches the file.

FCPXML as well as FCP 7 XML, AAF, stems and subtitles; absolute links, drop-frame timecode, multicam
on/off, which cut, and the programme start (an undoable project edit) as menu choices."""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET

import av
import opentimelineio as otio
import pytest

from director.core.timecode import Rate
from director.store import audio, cuts, edit_settings, timeline
from tests.export.conftest import multicam_project
from tests.export.sound_film import click_sound
from tests.ui.test_timeline_fixtures import film

# `director export VERB` → the menu entries that do the same (a new verb fails this until the menu has it)
VERBS = {
    "cut": ["cut"], "takes": ["takes"], "storyboard": ["storyboard", "contact_sheet"], "otio": ["otio"], "otioz": ["otioz"],
    "edl": ["edl"], "fcpxml": ["fcpxml", "fcpx"], "aaf": ["aaf"], "stems": ["stems"], "srt": ["srt"], "start-tc": [],
}


def open_in(window, project):
    path = project.path
    project.close()
    assert window.open_project(path)
    return window


@pytest.fixture
def cut_window(window, tmp_path):
    """Shot 1 (camera A, then B from frame 24) and shot 2, on a 24 fps project."""
    project, ids = film(tmp_path)
    for shot in (ids["s1"], ids["s2"]):
        timeline.insert_shot(project, shot).apply(project)
    timeline.cut_to_camera(project, 24, name="B").apply(project)
    window.ids = ids
    return open_in(window, project)


def export(window, qtbot, key, dest):
    with qtbot.waitSignal(window.export_menu.export_finished, timeout=60_000) as blocker:
        assert window.export_menu.export(key, dest) is not None
    return blocker.args[1]


def refused(window, qtbot, key, dest) -> str:
    with qtbot.waitSignal(window.export_menu.export_failed, timeout=10_000) as blocker:
        assert window.export_menu.export(key, dest) is None
    return blocker.args[1]


def export_verbs() -> dict[str, argparse.ArgumentParser]:
    from director.cli import build_parser

    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    verbs = next(a for a in top.choices["export"]._actions if isinstance(a, argparse._SubParsersAction))
    return verbs.choices


def test_the_menu_offers_every_export_verb_and_its_options(window):
    menu = window.export_menu
    verbs = export_verbs()
    assert set(verbs) == set(VERBS)
    for verb, keys in VERBS.items():
        for key in keys:
            assert key in menu.actions and menu.actions[key] in menu.menu.actions(), (verb, key)
    flags = {o for a in verbs["otio"]._actions for o in a.option_strings}
    assert {"--absolute", "--drop-frame", "--no-multicam", "--timeline"} <= flags
    options = [menu.absolute_action, menu.drop_frame_action, menu.multicam_action, menu.timeline_menu.menuAction(), menu.start_tc_action]
    assert all(a in menu.menu.actions() for a in options)
    assert not menu.start_tc_action.isEnabled() and not menu.actions["fcpx"].isEnabled()  # no project open


def test_fcpx_writes_final_cut_pro_x_and_xml_writes_fcp7(cut_window, qtbot, tmp_path):
    export(cut_window, qtbot, "fcpx", tmp_path / "cut.fcpxml")
    root = ET.parse(tmp_path / "cut.fcpxml").getroot()
    assert root.tag == "fcpxml" and root.get("version") == "1.10"
    export(cut_window, qtbot, "fcpxml", tmp_path / "cut7.xml")
    assert ET.parse(tmp_path / "cut7.xml").getroot().tag == "xmeml"
    assert "fcpxml" in refused(cut_window, qtbot, "fcpx", tmp_path / "cut.txt")  # the choices, before any work


def test_aaf_writes_the_live_edit_and_refuses_mixed_rates(cut_window, qtbot, tmp_path):
    export(cut_window, qtbot, "aaf", tmp_path / "cut.aaf")
    edit = otio.adapters.read_from_file(str(tmp_path / "cut.aaf"), adapter_name="AAF")
    (video,) = [t for t in edit.tracks if t.kind == "Video"]
    cut = timeline.build_cut(cut_window.session.project)
    assert [c.duration().value for c in video.find_clips()] == [s.duration for s in cut.segments]
    cut_window.close_project()
    (tmp_path / "mixed").mkdir()
    open_in(cut_window, multicam_project(tmp_path / "mixed", "24", Rate(12), 24, cut_at=20))
    assert "AAF needs every take at the cut's rate (24 fps)" in refused(cut_window, qtbot, "aaf", tmp_path / "mixed.aaf")
    assert not (tmp_path / "mixed.aaf").exists()


def clip_urls(path) -> list[str]:
    return [c.media_reference.target_url for c in otio.adapters.read_from_file(str(path)).find_clips()]


def test_absolute_links_are_file_urls_and_relative_is_the_default(cut_window, qtbot, tmp_path):
    export(cut_window, qtbot, "otio", tmp_path / "rel.otio")
    assert clip_urls(tmp_path / "rel.otio") and not any(u.startswith("file:") or u.startswith("/") for u in clip_urls(tmp_path / "rel.otio"))
    cut_window.export_menu.absolute_action.trigger()
    export(cut_window, qtbot, "otio", tmp_path / "abs.otio")
    urls = clip_urls(tmp_path / "abs.otio")
    assert urls and all(u.startswith(f"file://{tmp_path}/abs_media/") for u in urls)


def test_multicam_keeps_every_angle_or_only_what_the_cut_shows(cut_window, qtbot, tmp_path):
    export(cut_window, qtbot, "otio", tmp_path / "multi.otio")
    edit = otio.adapters.read_from_file(str(tmp_path / "multi.otio"))  # kept: its tracks live as long as it does
    video = [t for t in edit.tracks if t.kind == "Video"]
    assert len(video) == 2 and any(not c.enabled for t in video for c in t.find_clips())
    cut_window.export_menu.multicam_action.trigger()
    export(cut_window, qtbot, "otio", tmp_path / "flat.otio")
    edit = otio.adapters.read_from_file(str(tmp_path / "flat.otio"))
    (video,) = [t for t in edit.tracks if t.kind == "Video"]
    assert all(c.enabled for c in video.find_clips())
    assert len(list(video.find_clips())) == len(timeline.build_cut(cut_window.session.project).segments)


def test_drop_frame_reaches_the_edl_at_2997_and_is_refused_at_24(window, qtbot, tmp_path):
    project = multicam_project(tmp_path, "29.97", Rate(30000, 1001), 48, cut_at=20)
    open_in(window, project)
    window.export_menu.drop_frame_action.setChecked(True)
    export(window, qtbot, "edl", tmp_path / "df.edl")
    text = (tmp_path / "df.edl").read_text(encoding="utf-8")
    assert "FCM: DROP FRAME" in text and "01:00:00;00" in text
    window.close_project()
    (tmp_path / "f24").mkdir()
    project, ids = film(tmp_path / "f24")
    timeline.insert_shot(project, ids["s1"]).apply(project)
    open_in(window, project)
    window.export_menu.drop_frame_action.setChecked(True)
    assert "drop-frame timecode exists only at 29.97 and 59.94" in refused(window, qtbot, "edl", tmp_path / "x.edl")


def test_the_chosen_cut_is_the_one_exported(cut_window, qtbot, tmp_path):
    session = cut_window.session
    project = session.project
    first = cuts.current_timeline_id(project)
    assert session.push(cuts.new_cut(project, "Short"))
    timeline.insert_shot(project, cut_window.ids["s2"]).apply(project)  # only shot 2 on 'Short'
    assert session.push(cuts.SwitchCut(first))
    short = cuts.find_timeline(project, "Short")
    menu = cut_window.export_menu
    menu.timeline_menu.aboutToShow.emit()
    names = [a.text() for a in menu.timeline_menu.actions()]
    assert names[0].startswith("The Current Cut") and "Short" in names
    next(a for a in menu.timeline_menu.actions() if a.text() == "Short").trigger()
    assert menu.timeline_choice == short
    export(cut_window, qtbot, "otio", tmp_path / "short.otio")
    edit = otio.adapters.read_from_file(str(tmp_path / "short.otio"))
    assert edit.name.endswith(" - Short") and len(list(edit.find_clips())) == len(timeline.build_cut(project, short).segments) == 1
    result = export(cut_window, qtbot, "cut", tmp_path / "short.mp4")
    assert result.frames == timeline.build_cut(project, short).duration != timeline.build_cut(project, first).duration


def test_programme_start_dialog_is_an_undoable_edit_every_export_reads(cut_window, qtbot, tmp_path):
    session = cut_window.session
    project = session.project
    dialog = cut_window.export_menu.show_start_timecode()
    assert dialog.isVisible() and dialog.edit.text() == "01:00:00:00"
    dialog.edit.setText("25:61:00:00")
    dialog.accept()
    assert dialog.isVisible() and "not a start timecode" in dialog.error.text()
    assert edit_settings.record_start(project) == "01:00:00:00"
    dialog.edit.setText("10:00:00:00")
    dialog.accept()
    assert not dialog.isVisible() and edit_settings.record_start(project) == "10:00:00:00"
    assert session.undo_stack.undoText() == "Set programme start to 10:00:00:00"
    export(cut_window, qtbot, "edl", tmp_path / "ten.edl")
    assert "10:00:00:00" in (tmp_path / "ten.edl").read_text(encoding="utf-8")
    export(cut_window, qtbot, "cut", tmp_path / "ten.mp4")
    with av.open(str(tmp_path / "ten.mp4")) as c:
        assert c.streams.video[0].metadata.get("timecode") == "10:00:00:00"
    session.undo_stack.undo()
    assert edit_settings.record_start(project) == "01:00:00:00"
    session.undo_stack.redo()
    assert edit_settings.record_start(project) == "10:00:00:00"


def test_stems_and_subtitles(window, qtbot, tmp_path):
    project, ids = film(tmp_path)
    for shot in (ids["s1"], ids["s2"]):
        timeline.insert_shot(project, shot).apply(project)
    open_in(window, project)
    assert "no sound" in refused(window, qtbot, "stems", tmp_path / "none")
    window.close_project()
    (tmp_path / "sound").mkdir()
    project, ids = film(tmp_path / "sound")
    audio.set_take_audio(project, ids["t_red"], click_sound(48, project.settings().rate, 6, 0.8))
    for shot in (ids["s1"], ids["s2"]):
        timeline.insert_shot(project, shot).apply(project)
    open_in(window, project)
    steps = []
    window.export_menu.export("stems", tmp_path / "stems", start=False)
    task = window.export_menu.tasks[-1]
    task.progress.connect(lambda done, total: steps.append((done, total)))
    with qtbot.waitSignal(window.export_menu.export_finished, timeout=60_000) as blocker:
        task.start()
    assert [p.name for p in blocker.args[1]] == ["film_A1.wav"] and (tmp_path / "stems" / "film_A1.wav").stat().st_size > 0
    assert steps == [(1, 1)]
    from director.export.audio_mix import export_stems
    from director.export.common import ExportCancelled

    project = window.session.project
    plan = audio.mix_plan(project, cuts.current_timeline_id(project), timeline.build_cut(project))
    with pytest.raises(ExportCancelled):  # Cancel stops before the next track; no WAV is left half-written
        export_stems(plan, project.media, tmp_path / "cancelled", is_cancelled=lambda: True)
    assert list((tmp_path / "cancelled").iterdir()) == []
    assert export(window, qtbot, "srt", tmp_path / "cut.srt") == 0 and (tmp_path / "cut.srt").exists()
