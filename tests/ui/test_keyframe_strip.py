"""The keyframe strip in the Shot panel: files placed off the UI thread, first + last in one
undoable step, remove and undo, a locked shot read-only, a bad file said and nothing placed."""

from __future__ import annotations

import cv2
import numpy as np

from director.store.keyframes import list_keyframes
from director.store.shots import add_shot, update_shot
from director.ui.shot_inspector import ShotInspector


def image(path, colour):
    cv2.imwrite(str(path), np.full((40, 60, 3), colour, np.uint8))
    return str(path)


def test_first_last_is_one_undoable_step_and_remove_undoes(session, qtbot, tmp_path):
    shot, _ = add_shot(session.project, "1A", "Door")
    inspector = ShotInspector(session)
    qtbot.addWidget(inspector)
    inspector.set_shot(shot.id)
    strip = inspector.keyframes
    assert strip.labels() == [] and strip.first_last_button.isEnabled()
    a, b = image(tmp_path / "a.png", (0, 0, 200)), image(tmp_path / "b.png", (200, 0, 0))
    with qtbot.waitSignal(strip.placed, timeout=10_000):
        strip.place_files([a, b], [0, -1])
    assert strip.labels() == ["frame 0", "frame last"]
    assert not strip.list.item(0).icon().isNull()  # the still's thumbnail
    assert [k.source for k in list_keyframes(session.project, shot.id)] == ["file", "file"]
    session.undo_stack.undo()  # one step takes both back
    assert strip.labels() == [] and list_keyframes(session.project, shot.id) == []
    session.undo_stack.redo()
    assert strip.labels() == ["frame 0", "frame last"]
    # A new image at frame 0 replaces the old one; undo brings the old one back.
    before = list_keyframes(session.project, shot.id)[0]
    strip.frame.setValue(0)
    with qtbot.waitSignal(strip.placed, timeout=10_000):
        strip.place_files([b], [strip.frame.value()])
    assert list_keyframes(session.project, shot.id)[0].media_path != before.media_path
    session.undo_stack.undo()
    assert list_keyframes(session.project, shot.id)[0] == before
    strip.list.setCurrentRow(1)
    strip.remove_selected()
    assert strip.labels() == ["frame 0"]
    session.undo_stack.undo()
    assert strip.labels() == ["frame 0", "frame last"]


def test_a_bad_file_is_said_and_a_locked_shot_is_read_only(session, qtbot, tmp_path):
    shot, _ = add_shot(session.project, "1A", "Door")
    inspector = ShotInspector(session)
    qtbot.addWidget(inspector)
    inspector.set_shot(shot.id)
    strip = inspector.keyframes
    bad = tmp_path / "notes.png"
    bad.write_text("not pixels")
    with qtbot.waitSignal(strip.placed, timeout=10_000):
        strip.place_files([str(bad)], [0])
    assert "not an image OpenCV can read" in strip.message.text() and strip.labels() == []
    assert strip.frame.specialValueText() == "last" and strip.frame.minimum() == -1
    update_shot(session.project, shot.id, status="locked")
    inspector.set_shot(shot.id)
    assert not strip.add_button.isEnabled() and not strip.first_last_button.isEnabled() and not strip.remove_button.isEnabled()


def test_queue_takes_from_the_strip_records_the_stills_and_says_a_refusal(session, qtbot, tmp_path):
    from director.core.prompt import PromptFields
    from director.store import jobs as store_jobs
    from director.store.prompts import write_prompt

    shot, _ = add_shot(session.project, "1A", "Door")
    write_prompt(session.project, shot.id, PromptFields(subject="a red door"))
    inspector = ShotInspector(session)
    qtbot.addWidget(inspector)
    inspector.set_shot(shot.id)
    strip = inspector.keyframes
    presets = [strip.preset_box.itemData(i) for i in range(strip.preset_box.count())]
    assert "tiny-i2v" in presets and "tiny-wan21-flf2v" in presets and "tiny-t2v" not in presets
    assert not strip.queue_button.isEnabled()  # nothing on the strip yet
    with qtbot.waitSignal(strip.placed, timeout=10_000):
        strip.place_files([image(tmp_path / "a.png", (0, 0, 200)), image(tmp_path / "b.png", (200, 0, 0))], [0, -1])
    assert strip.queue_button.isEnabled()
    assert not strip.queue_from_strip("tiny-wan22-ti2v-i2v")
    assert "Wan 2.2 TI2V takes a first frame only" in strip.message.text()
    assert store_jobs.list_jobs(session.project) == []
    strip.preset_box.setCurrentIndex(presets.index("tiny-i2v"))
    assert strip.queue_from_strip()
    [job] = store_jobs.list_jobs(session.project)
    recipe = store_jobs.job_recipe(session.project, job.id)
    assert [k["frame"] for k in recipe.keyframes] == [0, 16] and job.preset == "tiny-i2v"
    assert "Queued job" in strip.message.text()
