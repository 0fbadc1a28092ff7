"""A project whose take files went wrong opens in the real window; only those takes say so.

A director comes back to a project in which one take's file was deleted, another's bytes were
overwritten (a bad disk, a sync tool) and a third's row was edited to point outside the media
folder. The window opens it like any other project: those three takes wear a badge and the viewer
says which file and why; the good take shows its thumbnail and plays, the cut plays (black where the
broken take sits), the queue runs, and closing the project lets another writer in.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QColor, QPixmap

from director.core.enums import JobState
from director.store import jobs, takes, timeline
from director.store.project import Project
from director.ui.models.takes_model import TakesModel

try:
    from .test_gallery_media import frame_level, make_shot, write_clip
except ImportError:
    from test_gallery_media import frame_level, make_shot, write_clip

GOOD_THUMB = (40, 160, 220)  # RGB of the good take's thumbnail


def _thumb(project: Project, rgb) -> str:
    temp = project.media.temp_path(".jpg")
    cv2.imwrite(str(temp), np.full((48, 64, 3), rgb[::-1], np.uint8))
    return project.media.adopt(temp, "jpg")


def _take(project: Project, shot_id: int, camera_id: int, seed: int, *, thumb=None) -> int:
    """A finished take as the engine leaves it: a 12-frame H.264 clip, a JPEG thumbnail, a done job."""
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=None, preset="tiny-t2v",
                                params={"steps": 4, "width": 64, "height": 48}, seeds=[seed])
    jobs.mark_running(project, job_id)
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 1.0})
    temp = project.media.temp_path(".mp4")
    write_clip(temp, 12, offset=seed)
    rel = project.media.adopt(temp, "mp4")
    row = {"seed": seed, "kind": "video", "media_path": rel, "width": 64, "height": 48, "frames": 12, "fps_num": 24, "fps_den": 1}
    if thumb is not None:
        row["thumb_path"] = _thumb(project, thumb)
    return takes.insert_take(project, job_id, row)


@pytest.fixture
def broken_film(project_file):
    """Shot 1A with four takes; the damaged one opens the cut. Returns (path, ids, files)."""
    project = Project.create(project_file, width=128, height=96)
    shot_id, cams = make_shot(project, cameras_=("A",))
    ids = {
        "damaged": _take(project, shot_id, cams["A"], 1, thumb=(200, 40, 40)),
        "missing": _take(project, shot_id, cams["A"], 2),  # no thumbnail: the gallery decodes the media itself
        "tampered": _take(project, shot_id, cams["A"], 3, thumb=(40, 200, 40)),
        "good": _take(project, shot_id, cams["A"], 4, thumb=GOOD_THUMB),
    }
    for name in ("damaged", "good"):
        timeline.insert_take(project, ids[name]).apply(project)
    files = {name: project.media.path(takes.get_take(project, tid).media_path) for name, tid in ids.items()}
    project.close()
    files["damaged"].write_bytes(b"this is not a video any more " * 200)
    files["missing"].unlink()
    conn = sqlite3.connect(project_file)
    conn.execute("UPDATE takes SET media_path = '../../secret.txt' WHERE id = ?", [ids["tampered"]])
    conn.commit()
    conn.close()
    return project_file, ids, files


@pytest.fixture
def dialogs(window, monkeypatch):
    """Any dialog the window would run modally is recorded instead (and answered Ok)."""
    shown = []
    monkeypatch.setattr(window, "exec_dialog", lambda box: shown.append(f"{box.text()}\n{box.informativeText()}") or 1024)
    return shown


def problems(model: TakesModel, ids: dict[str, int]) -> dict[str, str | None]:
    return {name: model.data(model.index_of(tid), TakesModel.MediaProblemRole) for name, tid in ids.items()}


def colour_of(pixmap: QPixmap) -> tuple[int, int, int]:
    c = QColor(pixmap.toImage().pixelColor(pixmap.width() // 2, pixmap.height() // 2))
    return c.red(), c.green(), c.blue()


def test_broken_take_files_cost_those_takes_only(window, dialogs, broken_film, qtbot):
    path, ids, files = broken_film
    assert window.open_project(path)
    assert dialogs == [] and window.session is not None
    assert not window.findChildren(type(window.centralWidget()), "broken_gallery")
    for name in ("gallery", "viewer", "program", "timeline", "storyboard", "queue", "shots"):
        assert window.panel(name) is not None, f"the {name} panel was not built"

    # The gallery: a badge on each broken take, found off the UI thread as their tiles are painted.
    model = window.panel("gallery").model
    assert sorted(model.take_ids()) == sorted(ids.values())
    good = model.index_of(ids["good"])
    good_rel = model.data(good, TakesModel.TakeRole).media_path
    qtbot.waitUntil(lambda: problems(model, ids) == {"damaged": "damaged", "missing": "missing", "tampered": "tampered", "good": None}
                    and model.health.known(good_rel), timeout=15_000)
    damaged = model.data(model.index_of(ids["damaged"]), TakesModel.MediaIssueRole)
    assert damaged.path == str(files["damaged"]) and "decoder said" in damaged.detail
    assert "Media missing: " + str(files["missing"]) in model.data(model.index_of(ids["missing"]), 3)  # the tooltip
    qtbot.waitUntil(lambda: model.data(good, TakesModel.ThumbnailReadyRole), timeout=10_000)
    assert all(abs(a - b) <= 12 for a, b in zip(colour_of(model.data(good, TakesModel.ThumbnailRole)), GOOD_THUMB))

    # The viewer: the file and the reason instead of a picture.
    viewer = window.panel("viewer")
    for name, words in (("damaged", ["Media damaged", str(files["damaged"]), "decoder said"]),
                        ("missing", ["Media missing", str(files["missing"])]),
                        ("tampered", ["Media tampered", "../../secret.txt", "not inside this project's media folder"])):
        window.on_take_action("play", ids[name])
        qtbot.waitUntil(lambda: viewer.frame_view.message.startswith("Media"), timeout=10_000)
        assert all(w in viewer.frame_view.message for w in words), viewer.frame_view.message
        assert f"take {ids[name]} (shot 1A)" in viewer.frame_view.message
        assert viewer.current_image() is None and not viewer.play_button.isEnabled()
    window.on_take_action("play", ids["good"])
    qtbot.waitUntil(lambda: viewer.current_image() is not None, timeout=10_000)
    assert abs(viewer.current_image().pixelColor(32, 24).red() - frame_level(4)) <= 4  # its own first frame

    # The cut: black with a line naming the take where the damaged one sits; the good one plays.
    program = window.panel("program")
    with qtbot.waitSignal(program.cut_loaded):  # behind the Viewer tab it waits; in front it builds the cut
        window.show_panel("program")
    assert program.problem_at(0).problem == "damaged"
    assert f"take {ids['damaged']} (shot 1A): media damaged" in program.problem_text(0)
    good_frame = program.cut.segments[1].record_start
    assert program.frame_image(good_frame).pixelColor(32, 24).red() > 0 and program.problem_at(good_frame) is None

    # The timeline marks the broken clip too (looked at when painted).
    cut_view = window.panel("timeline")
    first, second = cut_view.timeline.tracks[0].items[:2]
    qtbot.waitUntil(lambda: cut_view.clip_problem(first) == "damaged", timeout=10_000)
    assert cut_view.clip_problem(second) is None

    # The queue runs, and closing the project lets the next writer in.
    assert window.runner is not None and window._pump_timer.isActive()
    assert window.close_project()
    Project.open(path).close()


def test_a_big_gallery_looks_only_at_the_files_of_the_tiles_on_screen(project, qtbot):
    """Opening a shot with many takes reads none of their files on the UI thread: the tiles a user
    can see are looked at on a pool thread, the ones scrolled to later when they appear."""
    from director.ui.gallery.take_gallery import TakeGallery
    from director.ui.undo import ProjectSession

    shot_id, cams = make_shot(project, cameras_=("A",))
    ids = [_take(project, shot_id, cams["A"], seed, thumb=GOOD_THUMB) for seed in range(40)]
    project.media.path(takes.get_take(project, ids[0]).media_path).unlink()  # the oldest: last in the gallery
    session = ProjectSession(project)
    gallery = TakeGallery(session)
    qtbot.addWidget(gallery)
    gallery.resize(460, 300)
    gallery.show()
    qtbot.waitExposed(gallery)
    gallery.set_shot(shot_id)
    model, health = gallery.model, session.media_health
    rels = [model.take_at(r).media_path for r in range(model.rowCount())]
    qtbot.waitUntil(lambda: health.known(rels[0]) and health.pending() == 0, timeout=10_000)
    looked_at = [r for r in rels if health.known(r)]
    assert 0 < len(looked_at) < len(rels) // 2 and not health.known(rels[-1])
    gallery.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.data(model.index(len(rels) - 1), TakesModel.MediaProblemRole) == "missing", timeout=10_000)
    assert model.take_at(len(rels) - 1).id == ids[0]


def test_export_from_the_window_names_the_broken_take_in_its_error_dialog(window, dialogs, broken_film, qtbot, tmp_path):
    path, ids, files = broken_film
    assert window.open_project(path)
    dest = tmp_path / "out" / "cut.mp4"
    dest.parent.mkdir()
    menu = window.export_menu
    with qtbot.waitSignal(menu.export_failed, timeout=30_000) as failed:
        menu.export("cut", dest)
    message = failed.args[1]
    assert f"take {ids['damaged']} (shot 1A): media damaged: {files['damaged']} (decoder said" in message
    assert "unexpected" not in message and "InvalidDataError" not in message
    box = menu.error_box
    assert box is not None and box.isVisible() and box.windowTitle() == "Export failed"
    assert message in box.informativeText()
    assert list(dest.parent.iterdir()) == []

    # The dialog offers the way on: export without the broken take, black where it was.
    assert menu.skip_button is not None and menu.skip_button.text() == "Export Without Them"
    with qtbot.waitSignal(menu.export_finished, timeout=60_000) as finished:
        menu.skip_button.click()
    assert [i.take_id for i in finished.args[1].skipped] == [ids["damaged"]]
    import av

    from director.store.timeline import build_cut

    with av.open(str(dest)) as c:
        assert sum(1 for _ in c.decode(video=0)) == build_cut(window.session.project).duration
    assert f"left out 1 take(s): take {ids['damaged']} (shot 1A): media damaged" in window.notifications[-1]


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_project_that_cannot_be_written_opens_read_only_with_a_banner(window, dialogs, project_file, qtbot, what):
    Project.create(project_file, name="Harbour").close()
    target = project_file if what == "file" else project_file.parent
    mode = target.stat().st_mode
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        assert window.open_project(project_file)
        assert dialogs == []
        project = window.session.project
        assert project.readonly and window.windowTitle() == "Harbour — film.director [read-only] — Director"
        assert window.banner.isVisible()
        text = window.banner_label.text()
        assert "Edits are off" in text
        assert ("film.director is read-only (file permissions)" in text) if what == "file" else (f"its folder {project_file.parent} is read-only" in text)
        assert window.runner is None and not window.panel("shots").add_action.isEnabled()
        assert window.close_project()
        assert not window.banner.isVisible()
    finally:
        target.chmod(mode)
    assert not Path(str(project_file) + ".lock").exists() or Path(str(project_file) + ".lock").read_text() == ""
