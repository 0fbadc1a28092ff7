"""The window's Workspace (current shot, camera, take, playhead) and its EngineDriver (#13).

Panels follow the workspace instead of each other; the engine driver pumps the runner, announces
what changed and says when a job ends, apart from the window's docks and menus.
"""

from __future__ import annotations

from test_targeted_refresh import ScriptedEngine
from test_timeline_fixtures import RED, make_take, solid_png

from director.engine.messages import Finished, Started, TakeWritten
from director.engine.runner import JobRunner
from director.store import jobs, shots
from director.store.takes import takes_of_job
from director.store import timeline as st
from director.store.cameras import add_camera, list_cameras
from director.ui.engine_driver import EngineDriver
from director.ui.workspace import Workspace


def test_the_workspace_announces_only_real_changes_and_a_new_shot_forgets_camera_and_take(qtbot):
    ws = Workspace()
    seen: list = []
    for name in ("shot_changed", "camera_changed", "take_changed", "playhead_changed"):
        getattr(ws, name).connect(lambda value, n=name: seen.append((n, value)))
    ws.set_shot(3)
    ws.set_camera(7)
    ws.set_take(11)
    ws.set_shot(3)  # the same shot: nothing
    ws.set_playhead(24)
    ws.set_playhead(24)
    ws.set_playhead(-5)  # before the start is the start
    assert seen == [("shot_changed", 3), ("camera_changed", 7), ("take_changed", 11), ("playhead_changed", 24), ("playhead_changed", 0)]
    seen.clear()
    ws.set_shot(4)
    # The camera and take are cleared first, so a panel picking the new shot's camera keeps it.
    assert seen == [("camera_changed", None), ("take_changed", None), ("shot_changed", 4)]
    assert (ws.shot, ws.camera, ws.take) == (4, None, None)


def test_panels_follow_the_workspace(window, project_file, qtbot):
    window.new_project(project_file)
    project = window.session.project
    s1, _ = shots.add_shot(project, "1", cameras=("A",))
    add_camera(project, s1.id, "B")
    a, b = [c.id for c in list_cameras(project, s1.id)]
    take = make_take(project, s1.id, a, RED, frames=48)
    window.session.push(st.insert_shot(project, s1.id))
    shot_list = window.panel("shots")
    shot_list.model.reload()
    shot_list.select_shot(s1.id)
    assert window.workspace.shot == s1.id
    window.panel("cameras").select_camera(b)
    assert window.workspace.camera == b and window.panel("generate").camera_id == b
    window.panel("gallery").take_activated.emit(take)
    assert window.workspace.take == take and window.panel("viewer").take_id == take
    # One playhead: the program viewer moves it, the timeline follows, and back.
    with qtbot.waitSignal(window.panel("program").cut_loaded):  # it builds its cut once on screen
        window.show_panel("program")
    window.panel("program").seek(12)
    assert window.workspace.playhead == 12 and window.panel("timeline").playhead == 12
    window.panel("timeline").set_playhead(30)
    assert window.workspace.playhead == 30 and window.panel("program").frame == 30
    window.close_project()
    assert (window.workspace.shot, window.workspace.take, window.workspace.playhead) == (None, None, 0)


def test_the_engine_driver_pumps_announces_and_says_when_a_job_ends(session, qtbot):
    project = session.project
    shot, _ = shots.add_shot(project, "1", cameras=("A",))
    from director.core.prompt import PromptFields
    from director.store import prompts

    prompt, _ = prompts.write_prompt(project, shot.id, PromptFields(subject="a lighthouse"))
    driver = EngineDriver(session)
    engine = ScriptedEngine()
    driver.runner = JobRunner(project, engine)
    said: list = []
    events: list = []
    announced: list = []
    driver.notified.connect(lambda text, error: said.append((text, error)))
    driver.job_event.connect(events.append)
    session.changed.connect(announced.append)
    camera = list_cameras(project, shot.id)[0].id
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=camera, prompt_id=prompt.id, preset="tiny-t2i",
                                params={"steps": 2, "width": 64, "height": 64}, seeds=[3])
    driver.pump()
    assert [r.job_id for r in engine.submitted] == [job_id] and driver.counts() == (1, 0)
    still = solid_png(project, RED, (64, 64))
    engine.events = [Started(job_id, "cpu", False), TakeWritten(job_id, 0, 3, still, still, "image", 64, 64, 1, 24, 1), Finished(job_id, {"gpu_s": 1.0})]
    driver.pump()
    assert [type(e).__name__ for e in events] == ["Started", "TakeWritten", "Finished"]
    assert any(job_id in c.jobs and c.takes for c in announced)
    assert said == [(f"Job {job_id} finished (1 take)", False)]
    driver.pump()  # nothing new: no second notification
    assert len(said) == 1
    assert not driver.take_action("levitate", 1)
    assert said[-1] == ("unknown take action 'levitate'", True)
    driver.stop()
    assert driver.runner is None and not driver.timer.isActive()


def test_a_finished_rerender_says_what_it_found(session, qtbot):
    """After a re-render finishes, the driver says what `rerender_result(...).describe()` says: here
    the worker wrote the very same file, so the new take is bit-identical to the original."""
    from director.core.prompt import PromptFields
    from director.engine import actions
    from director.store import prompts

    project = session.project
    shot, _ = shots.add_shot(project, "1", cameras=("A",))
    prompt, _ = prompts.write_prompt(project, shot.id, PromptFields(subject="a lighthouse"))
    driver = EngineDriver(session)
    engine = ScriptedEngine()
    driver.runner = JobRunner(project, engine)
    said: list = []
    driver.notified.connect(lambda text, error: said.append((text, error)))
    camera = list_cameras(project, shot.id)[0].id
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=camera, prompt_id=prompt.id, preset="tiny-t2i",
                                params={"steps": 2, "width": 64, "height": 64}, seeds=[3])
    driver.pump()
    still = solid_png(project, RED, (64, 64))
    engine.events = [Started(job_id, "cpu", False), TakeWritten(job_id, 0, 3, still, still, "image", 64, 64, 1, 24, 1), Finished(job_id, {"gpu_s": 1.0})]
    driver.pump()
    (original,) = [t.id for t in takes_of_job(project, job_id)]

    assert driver.take_action("rerender", original)
    rerender_job = engine.submitted[-1].job_id
    assert rerender_job != job_id
    engine.events = [Started(rerender_job, "cpu", False), TakeWritten(rerender_job, 0, 3, still, still, "image", 64, 64, 1, 24, 1),
                     Finished(rerender_job, {"gpu_s": 1.0})]
    driver.pump()
    expected = actions.rerender_result(project, original, rerender_job).describe()
    assert "bit-identical" in expected
    assert (f"Re-render: {expected}", False) in said
    assert said[-1] == (f"Job {rerender_job} finished (1 take)", False)
    driver.pump()
    assert sum(text.startswith("Re-render:") for text, _ in said) == 1  # said once
    driver.stop()
