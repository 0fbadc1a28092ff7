"""TakeViewer: exact frames when scrubbed, playback at the take's own fps, facts and actions."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from director.core.enums import JobState
from director.store import jobs, prompts
from director.ui.gallery import take_viewer
from director.ui.gallery.take_info import take_info
from director.ui.gallery.take_viewer import TakeViewer
from director.ui.undo import ProjectSession

try:
    from .test_gallery_media import add_take, frame_level, make_shot, queued_recipe
except ImportError:
    from test_gallery_media import add_take, frame_level, make_shot, queued_recipe


@pytest.fixture
def setup(project, qtbot):
    session = ProjectSession(project)
    shot_id, cams = make_shot(project)
    viewer = TakeViewer(session)
    qtbot.addWidget(viewer)
    viewer.resize(640, 560)
    viewer.show()
    qtbot.waitExposed(viewer)
    return session, viewer, shot_id, cams


def level_on_screen(viewer) -> int:
    image = viewer.current_image()
    return image.pixelColor(image.width() // 2, image.height() // 2).red()


def shown(viewer, index, qtbot, timeout=5000):
    """Wait until the viewer's screen holds frame `index` (or it already does)."""
    if viewer.frame_view.index == index and viewer.current_image() is not None:
        return
    with qtbot.waitSignal(viewer.player.frame_shown, timeout=timeout, check_params_cb=lambda i, _img: i == index):
        pass


def test_scrubbing_to_frame_k_shows_exactly_frame_k(setup, qtbot):
    session, viewer, shot_id, cams = setup
    take_id = add_take(session.project, shot_id, cams["A"], frames=40, fps=24)
    viewer.show_take(take_id)
    shown(viewer, 0, qtbot)
    assert abs(level_on_screen(viewer) - frame_level(0)) <= 3
    for k in (17, 3, 39, 38, 0, 25, 24, 1):  # backwards jumps force a seek, small steps decode on
        viewer.slider.setValue(k)
        shown(viewer, k, qtbot)
        assert abs(level_on_screen(viewer) - frame_level(k)) <= 3, k
        assert viewer.frame_view.index == k
    assert viewer.frame_label.text().startswith("2 / 40")


def test_arrow_keys_step_one_frame(setup, qtbot):
    session, viewer, shot_id, cams = setup
    take_id = add_take(session.project, shot_id, cams["A"], frames=10)
    viewer.show_take(take_id)
    shown(viewer, 0, qtbot)
    viewer.setFocus()
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    shown(viewer, 1, qtbot)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    shown(viewer, 2, qtbot)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    shown(viewer, 1, qtbot)
    assert abs(level_on_screen(viewer) - frame_level(1)) <= 3
    assert viewer.slider.value() == 1


def test_playback_runs_at_the_takes_own_fps(setup, qtbot):
    session, viewer, shot_id, cams = setup
    fps, frames = 12, 18  # 1.5 s: a different rate from the project's 24
    take_id = add_take(session.project, shot_id, cams["A"], frames=frames, fps=fps)
    viewer.loop_box.setChecked(False)
    viewer.show_take(take_id)
    shown(viewer, 0, qtbot)
    seen: list[tuple[int, float, int]] = []
    viewer.player.frame_shown.connect(lambda i, img: seen.append((i, time.perf_counter(), img.pixelColor(4, 4).red())))
    start = time.perf_counter()
    with qtbot.waitSignal(viewer.player.playing_changed, timeout=10_000, check_params_cb=lambda playing: not playing):
        qtbot.keyClick(viewer, Qt.Key.Key_Space)
    indices = [i for i, _, _ in seen]
    assert indices[-1] == frames - 1
    assert indices == sorted(indices)
    assert len(set(indices)) >= frames - 4  # at most a few dropped on a busy machine
    # every frame shown is the frame it claims to be
    assert all(abs(level - frame_level(i)) <= 3 for i, _, level in seen)
    # never faster than the take's rate: frame i appears no earlier than i / fps after play
    for i, at, _ in seen:
        assert at - start >= i / fps - 0.02, (i, at - start)
    duration = seen[-1][1] - start
    assert (frames - 1) / fps - 0.02 <= duration <= (frames - 1) / fps + 1.0


def test_loop_wraps_back_to_the_first_frame(setup, qtbot):
    session, viewer, shot_id, cams = setup
    take_id = add_take(session.project, shot_id, cams["A"], frames=6, fps=24)
    viewer.show_take(take_id)
    shown(viewer, 0, qtbot)
    assert viewer.loop_box.isChecked()
    viewer.play()
    shown(viewer, 5, qtbot)
    shown(viewer, 0, qtbot)  # wrapped
    assert viewer.player.is_playing()
    viewer.player.pause()


def test_shows_prompt_with_camera_seed_preset_format_timings_and_cost(setup, qtbot):
    session, viewer, shot_id, cams = setup
    project = session.project
    prompt = prompts.current_prompt(project, shot_id)
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=cams["B"], prompt_id=prompt.id, preset="tiny-t2v", params={"steps": 4}, seeds=[7, 8],
                                recipe=queued_recipe(project, prompt, cams["B"], "tiny-t2v", {"steps": 4}, [7, 8]))
    jobs.mark_running(project, job_id)
    # 144 GPU seconds at 2.50 per GPU hour = 0.10, split over the job's two takes
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 144.0, "load_s": 1.5, "wall_s": 150.0})
    take_id = add_take(project, shot_id, cams["B"], seed=7, frames=8, fps=24, job_id=job_id)
    add_take(project, shot_id, cams["B"], seed=8, frames=8, fps=24, job_id=job_id, offset=3)
    viewer.show_take(take_id)
    f = {k: label.text() for k, label in viewer.fields.items()}
    assert "a red kite" in f["prompt"] and "close-up" in f["prompt"]  # composed with camera B
    assert "camera B" in f["prompt"] and "prompt v1" in f["prompt"]
    assert f["seed"] == "7"
    assert "tiny-t2v" in f["preset"] and "random weights" in f["preset"]
    assert f["format"] == "64×48 · 8 frames · 24 fps"
    assert f["timings"] == "load 1.5 s · GPU 144.0 s · wall 150.0 s"
    assert f["cost"].startswith("0.05 USD")


def test_actions_fit_the_media_and_reveal_opens_the_folder(setup, qtbot, monkeypatch):
    session, viewer, shot_id, cams = setup
    still = add_take(session.project, shot_id, cams["A"], video=False, colour=(10, 200, 30))
    clip = add_take(session.project, shot_id, cams["A"], frames=4)
    viewer.show_take(still)
    shown(viewer, 0, qtbot)
    assert viewer.current_image().pixelColor(5, 5).green() > 180
    assert viewer.buttons["i2v"].isEnabled() and not viewer.buttons["extend"].isEnabled()
    assert not viewer.play_button.isEnabled()
    with qtbot.waitSignal(viewer.action_requested) as promoted:
        viewer.buttons["promote"].click()
    assert promoted.args == ["promote", still]
    viewer.show_take(clip)
    assert viewer.buttons["extend"].isEnabled() and not viewer.buttons["i2v"].isEnabled()
    with qtbot.waitSignal(viewer.action_requested) as extended:
        viewer.buttons["extend"].click()
    assert extended.args == ["extend", clip]
    opened = []
    monkeypatch.setattr(take_viewer, "reveal_in_file_manager", opened.append)
    with qtbot.assertNotEmitted(viewer.action_requested):
        viewer.buttons["reveal"].click()
    assert opened and opened[0].is_file() and opened[0].suffix == ".mp4"


def test_switching_takes_never_shows_a_late_frame_of_the_previous_one(setup, qtbot):
    session, viewer, shot_id, cams = setup
    first = add_take(session.project, shot_id, cams["A"], frames=30, offset=0)
    second = add_take(session.project, shot_id, cams["A"], frames=30, offset=10)
    viewer.show_take(first)
    viewer.slider.setValue(20)
    viewer.show_take(second)  # before the first take's frame 20 arrives
    viewer.slider.setValue(20)  # the same index: a late frame of the first take must not pass for it
    shown(viewer, 20, qtbot)
    qtbot.wait(150)  # let any late frame of the first take arrive
    assert viewer.player.take.id == second
    assert abs(level_on_screen(viewer) - frame_level(30)) <= 3
    viewer.slider.setValue(0)
    shown(viewer, 0, qtbot)
    assert abs(level_on_screen(viewer) - frame_level(10)) <= 3


def test_rating_elsewhere_updates_the_review_line(setup, qtbot):
    from director.store.edits import SetTakeFields

    session, viewer, shot_id, cams = setup
    take_id = add_take(session.project, shot_id, cams["A"], frames=3)
    viewer.show_take(take_id)
    session.push(SetTakeFields(take_id, rating=4))
    # Read again on the reads thread, so a rating never waits on the viewer's facts.
    qtbot.waitUntil(lambda: viewer.fields["review"].text().startswith("★★★★☆"), timeout=5000)


def test_take_info_shows_the_recorded_recipe_after_the_camera_is_edited(setup, qtbot):
    """The prompt beside a take is what the model received, not the camera's setup of today."""
    from director.core.prompt import CameraSetup
    from director.core.recipe import Recipe
    from director.store import cameras, takes

    session, viewer, shot_id, cams = setup
    project = session.project
    prompt = prompts.current_prompt(project, shot_id)
    sent = "a red kite, rises, a windy beach, close-up, 85mm"
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=cams["B"], prompt_id=prompt.id, preset="tiny-t2v", params={"steps": 4}, seeds=[7],
                                recipe=Recipe(prompt=sent, negative="blurry", camera="B", camera_setup={"shot_size": "close-up", "lens": "85mm"},
                                              preset="tiny-t2v", params={"steps": 4}, seeds=(7,)))
    take_id = add_take(project, shot_id, cams["B"], seed=7, frames=4, job_id=job_id)
    # After the take: the camera is reframed, and the shot prompt gets a new version.
    session.announce(cameras.update_camera(project, cams["B"], setup=CameraSetup(shot_size="extreme wide shot", lens="14mm")))
    viewer.show_take(take_id)
    text = viewer.fields["prompt"].text()
    assert sent in text and "negative: blurry" in text and "sent to the model (camera B)" in text
    assert "extreme wide" not in text and "14mm" not in text
    info = take_info(project, take_id)
    assert (info.prompt, info.negative, info.camera, info.recipe_note) == (sent, "blurry", "B", "")
    # The viewer already showing the take keeps the recorded text when the camera changes again.
    session.announce(cameras.update_camera(project, cams["B"], setup=CameraSetup(shot_size="medium shot")))
    assert sent in viewer.fields["prompt"].text() and "medium shot" not in viewer.fields["prompt"].text()
    assert takes.get_take(project, take_id).job_id == job_id


def test_a_take_made_before_recipes_says_so_and_shows_its_prompt_version_labelled(setup, qtbot):
    from director.core.prompt import CameraSetup, PromptFields
    from director.store import cameras

    session, viewer, shot_id, cams = setup
    project = session.project
    take_id = add_take(project, shot_id, cams["B"], frames=4, recipe=False)  # pointed at prompt v1
    prompts.write_prompt(project, shot_id, PromptFields(subject="a green kite", action="falls"))  # v2, after the take
    session.announce(cameras.update_camera(project, cams["B"], setup=CameraSetup(shot_size="extreme wide shot")))
    viewer.show_take(take_id)
    text = viewer.fields["prompt"].text()
    assert "recipe not recorded: made before Director 0.2" in text
    assert "prompt v1 as written" in text and "a red kite, rises, a windy beach" in text
    # Never recomposed with a camera's setup, of then (unknown) or of now, nor the newer version.
    assert "extreme wide" not in text and "close-up" not in text and "green kite" not in text
    info = take_info(project, take_id)
    assert info.recipe is None and info.prompt_version == 1 and info.recipe_note == "recipe not recorded: made before Director 0.2"
