"""Generate ▸ With Control Video…: the window queues a job guided by a take or a video file, with the
cast's reference images, like `director control render`. The guide is made on a pool thread, the
job queued on the UI thread; only families that take a control video are offered; a refusal is said
in the dialog and nothing is queued."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from director.cli import main
from director.engine import control
from director.engine.media_out import read_frames
from director.engine.presets import get_preset
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.script import list_cast
from director.store.shots import find_shot
from director.store.takes import get_take, set_take_fields
from tests.engine.test_control_jobs import add_take

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def film_file(tmp_path):
    """The lighthouse script; Mara has a reference image and shot 3A uses her; Tomas has none.
    3A has two video takes, the older one rated (the chosen take)."""
    film = tmp_path / "film.director"
    Project.create(film).close()
    face = tmp_path / "mara.png"
    cv2.imwrite(str(face), np.full((48, 48, 3), (40, 80, 160), np.uint8))
    assert main(["script", "import", str(film), str(FIXTURES / "lighthouse.fountain")]) == 0
    assert main(["cast", "image", str(film), "Mara", str(face)]) == 0
    assert main(["cast", "use", str(film), "3A", "Mara"]) == 0
    with Project.open(film) as p:
        shot = find_shot(p, "3A").id
        chosen, newest = add_take(p, shot), add_take(p, shot)
        set_take_fields(p, chosen, rating=4)
    return film, chosen, newest


@pytest.fixture
def film(film_file):
    from director.ui.undo import ProjectSession

    path, chosen, newest = film_file
    project = Project.open(path)
    session = ProjectSession(project)
    yield session, chosen, newest
    session.shutdown()
    project.close()


def dialog_for(session, qtbot, **kwargs):
    from director.ui.control_dialog import ControlDialog

    d = ControlDialog(session, find_shot(session.project, "3A").id, **kwargs)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def job_count(session) -> int:
    return len(store_jobs.list_jobs(session.project))


def test_queue_with_edges_of_the_chosen_take_records_the_guide_and_references(film, qtbot, tmp_path):
    session, chosen, newest = film
    project = session.project
    d = dialog_for(session, qtbot)
    offered = [d.preset.itemData(i) for i in range(d.preset.count())]
    assert "tiny-wan21-vace" in offered and "tiny-t2v" not in offered and "tiny-i2v" not in offered
    assert all(control.takes_control(get_preset(p)) == "" and not get_preset(p).retired for p in offered)
    d.preset.setCurrentIndex(d.preset.findData("tiny-wan21-vace"))
    assert d.from_take.isChecked() and d.takes.currentData() == chosen  # the chosen take, not the newest
    assert d.takes.findData(newest) >= 0
    mara = [c for c in list_cast(project) if c.name == "Mara"][0].images[0]
    assert d.checked_references() == [("cast", mara)]  # the cast the shot uses, checked
    tomas = d.references.findItems("Tomas", Qt.MatchFlag.MatchStartsWith)[0]
    assert "no reference images yet" in tomas.text() and not tomas.flags() & Qt.ItemFlag.ItemIsUserCheckable
    door = tmp_path / "door.png"
    cv2.imwrite(str(door), np.full((40, 40, 3), 200, np.uint8))
    d.add_reference_files([door])
    d.set_mode("edges", prepared=False)
    d.strength.setValue(0.6)
    announced = []
    session.changed.connect(announced.append)
    before = job_count(session)

    with qtbot.waitSignal(d.queued, timeout=30_000) as got:
        qtbot.keyClick(d, Qt.Key.Key_Return)  # Enter queues
        assert d.busy and not d.progress.isHidden() and not d.queue_button.isEnabled()  # the guide is made off the UI thread
    queued = got.args[0]
    assert not d.isVisible() and d.result() == QDialog.DialogCode.Accepted
    assert job_count(session) == before + 1 and any(c.jobs for c in announced)
    c = store_jobs.job_recipe(project, queued.job_ids[0]).control
    assert (c["mode"], c["strength"], c["source"]) == ("edges", 0.6, f"take:{chosen}")
    take = get_take(project, chosen)
    edges = control.store_guide(project, control.edges(read_frames(project.media.path(take.media_path))), Fraction(12))
    assert c["video"]["media_path"] == edges  # the take's Canny edges, stored by content
    refs = [r["media_path"] for r in c["references"]]
    assert refs[0] == mara and len(refs) == 2 and project.media.path(refs[1]).is_file()
    assert all(len(r["sha256"]) == 64 for r in c["references"])


def test_pose_comes_prepared_and_depth_says_who_makes_it(film, qtbot):
    from director.engine.presets import all_presets

    session, chosen, _ = film
    d = dialog_for(session, qtbot)
    d.preset.setCurrentIndex(d.preset.findData("tiny-wan21-vace"))
    d.set_mode("pose")
    assert d.prepared.isChecked() and not d.prepared.isEnabled() and d.depth_by.isHidden()
    d.set_mode("edges")
    assert not d.prepared.isChecked() and d.prepared.isEnabled()  # the director's own choice again
    d.set_mode("depth")
    assert not d.depth_by.isHidden()
    assert d.depth_by.itemText(0) == "OpenCV depth model from engine settings" and d.depth_by.itemData(0) is None
    depth_models = [p.id for p in all_presets() if p.kind == "depth"]
    assert [d.depth_by.itemData(i) for i in range(1, d.depth_by.count())] == depth_models and "tiny-depth-anything" in depth_models
    d.prepared.click()
    assert d.depth_by.isHidden()
    d.prepared.click()
    d.depth_by.setCurrentIndex(d.depth_by.findData("tiny-depth-anything"))
    with qtbot.waitSignal(d.queued, timeout=30_000) as got:
        d.queue()
    c = store_jobs.job_recipe(session.project, got.args[0].job_ids[0]).control
    take = get_take(session.project, chosen)
    as_is = control.store_guide(session.project, read_frames(session.project.media.path(take.media_path)), Fraction(12))
    assert c["depth_model"] == "tiny-depth-anything" and c["video"]["media_path"] == as_is  # the worker makes the depth


def test_refusals_are_said_in_the_dialog_and_nothing_is_queued(film, qtbot, tmp_path):
    session, _, _ = film
    d = dialog_for(session, qtbot)
    d.preset.setCurrentIndex(d.preset.findData("tiny-wan21-vace"))
    before = job_count(session)
    d.set_video(tmp_path / "nowhere.mp4")
    assert d.queue() is False
    assert "no video file at" in d.message.text() and d.isVisible() and not d.busy

    # Depth by OpenCV with no model in the engine settings: refused by the pool thread, said here.
    d.from_take.setChecked(True)
    d.set_mode("depth", prepared=False)
    d.depth_by.setCurrentIndex(0)
    with qtbot.waitSignal(d.failed, timeout=30_000):
        d.queue()
    assert "making depth needs a depth model" in d.message.text() and "--prepared" not in d.message.text()
    assert d.isVisible() and d.queue_button.isEnabled() and d.progress.isHidden()

    # A file that is no video: the decoder's refusal, said.
    junk = tmp_path / "notes.mp4"
    junk.write_text("not a video")
    d.set_mode("edges")
    d.set_video(junk)
    with qtbot.waitSignal(d.failed, timeout=30_000):
        d.queue()
    assert d.message.text() and d.isVisible()
    assert job_count(session) == before

    qtbot.keyClick(d, Qt.Key.Key_Escape)  # Esc cancels
    assert not d.isVisible() and d.result() == QDialog.DialogCode.Rejected and job_count(session) == before


def test_the_generate_menu_opens_it_for_the_current_shot(window, film_file, qtbot):
    path, chosen, _ = film_file
    assert window.open_project(path)
    generate_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Generate")
    assert window.control_action in generate_menu.actions()
    shot = find_shot(window.session.project, "3A").id
    window.workspace.set_shot(shot)
    assert window.control_action.isEnabled()
    window.control_action.trigger()
    d = window.control_dialog
    assert d.isVisible() and d.shot.code == "3A" and d.takes.currentData() == chosen
    d.reject()


def test_without_cast_images_the_list_says_how_to_add_one_and_alt_m_reaches_the_mode(tmp_path, qtbot):
    from PySide6.QtWidgets import QLabel

    from director.store.shots import add_shot
    from director.ui.control_dialog import ControlDialog
    from director.ui.undo import ProjectSession

    project = Project.create(tmp_path / "bare.director")
    shot, _ = add_shot(project, "1")
    session = ProjectSession(project)
    d = ControlDialog(session, shot.id)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    assert d.references.count() == 1 and "Add Image" in d.references.item(0).text()
    assert d.checked_references() == []
    [mode_label] = [w for w in d.findChildren(QLabel) if w.text() == "&Mode:"]
    assert mode_label.buddy() is d.mode  # shown as "Mode:" with M underlined, not a literal "&"
    d.reject()
    session.shutdown()
    project.close()
