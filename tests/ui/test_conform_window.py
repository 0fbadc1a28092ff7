"""Timeline ▸ Conform to Final (#17) in the real window: priced first, queued as jobs the window's
engine runs, the cut switched in one undoable step, a per-clip draft/final toggle, badges on the
clips, and drafts against finals in the Costs panel. The engine is the real worker (tiny presets)."""

from __future__ import annotations

import pytest

from director.store import finals as store_finals
from director.store.project import Project
from director.store.takes import get_take
from director.store.timeline import build_cut

pytestmark = pytest.mark.slow
JOB_TIMEOUT_MS = 240_000


@pytest.fixture
def cut_file(project_file):
    """Shot 12A with two tiny-t2v drafts (96×64, seeds 11 and 22) side by side in the cut."""
    from director.core.prompt import PromptFields
    from director.engine.actions import queue_generation
    from director.engine.client import LocalEngineClient
    from director.engine.runner import JobRunner
    from director.store.prompts import write_prompt
    from director.store.shots import add_shot
    from director.store.takes import takes_of_job
    from director.store.timeline import insert_take

    with Project.create(project_file) as p:
        shot, _ = add_shot(p, "12A", "Rooftop")
        write_prompt(p, shot.id, PromptFields(subject="a woman in a red coat", setting="rooftop at night"))
        queued = queue_generation(p, "12A", "tiny-t2v", seed_mode="list", seeds=[11, 22], variants=2, params={"steps": 2})
        client = LocalEngineClient()
        client.start()
        try:
            runner = JobRunner(p, client)
            runner.run_until_idle(lambda _e: None, job_ids=set(queued.job_ids))
            runner.close()
        finally:
            client.shutdown()
        drafts = sorted(takes_of_job(p, queued.job_ids[0]), key=lambda t: t.seed)
        for t in drafts:
            insert_take(p, t.id).apply(p)
        ids = [t.id for t in drafts]
    return project_file, ids


def _shown(window) -> list[int]:
    return [s.take_id for s in build_cut(window.session.project).segments]


def _timeline_item(timeline, clip_id):
    return timeline._items[clip_id]


def test_conform_in_the_window_prices_queues_switches_undoes_and_toggles(window, cut_file, qtbot):
    path, drafts = cut_file
    assert window.open_project(path)
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
    assert window.conform_action in window.timeline_menu.actions() and window.conform_action.isEnabled()

    dialog = window.conform_cut()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    assert dialog.model.rowCount() == 2
    assert [dialog.model.item(r, 2).text() for r in range(2)] == ["render", "render"]
    assert "GPU s" in dialog.summary.text() and "2 render(s)" in dialog.summary.text()
    assert dialog.go.isEnabled() and dialog.go.text() == "Queue 2 Finals"

    controller = window._conformer
    switched: list[int] = []
    controller.landed.connect(lambda landed: switched.extend(c for c, _ in landed.switch.edits))
    stack = window.session.undo_stack
    before = stack.count()
    dialog.go.click()
    assert controller.waiting  # queued as ordinary jobs, which the window's engine runs
    qtbot.waitUntil(lambda: not controller.waiting and controller.plan is None, timeout=JOB_TIMEOUT_MS)
    assert sorted(switched) == sorted(s.clip_id for s in build_cut(window.session.project).segments)
    finals = _shown(window)
    assert [store_finals.final_of_take(window.session.project, t).draft_take_id for t in finals] == drafts
    assert [get_take(window.session.project, t).width for t in finals] == [192, 192]  # 2× the draft
    steps = stack.count() - before  # one per landing: each final switched its clip as it landed
    assert 1 <= steps <= 2 and stack.undoText().startswith("conform ")

    # Undo puts the drafts back; redo the finals.
    for _ in range(steps):
        window.undo()
    assert _shown(window) == drafts
    for _ in range(steps):
        window.redo()
    assert _shown(window) == finals

    # The clips say they are finals; the context menu shows one clip's draft again (undoable).
    timeline = window.panel("timeline")
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
    clip_ids = [s.clip_id for s in build_cut(window.session.project).segments]
    assert [timeline.clip_info(_timeline_item(timeline, c).item)["conform"] for c in clip_ids] == ["final", "final"]
    gi = _timeline_item(timeline, clip_ids[0])
    pos = timeline.mapFromScene(gi.rect().center())
    menu = timeline.context_menu(pos)
    show_draft = next(a for a in menu.actions() if a.text().replace("&", "") == "Show Draft")
    assert show_draft.isEnabled()
    show_draft.trigger()
    assert _shown(window) == [drafts[0], finals[1]]
    qtbot.waitUntil(lambda: timeline.clip_info(_timeline_item(timeline, clip_ids[0]).item)["conform"] == "draft", timeout=10_000)
    window.undo()
    assert _shown(window) == finals

    # The Costs panel sets what the drafts cost against the finals.
    window.show_panel("costs")
    costs = window.panel("costs")
    qtbot.waitUntil(lambda: "against finals" in costs.totals_label.text(), timeout=30_000)


def test_a_hard_cap_below_the_estimate_refuses_the_conform_in_the_dialog(window, cut_file, qtbot):
    path, _drafts = cut_file
    with Project.open(path) as p:
        from director.store.jobs import list_jobs

        spent = sum(j.gpu_s or 0 for j in list_jobs(p))
        p.update_settings(budget_gpu_s=spent + 0.001)
    assert window.open_project(path)
    dialog = window.conform_cut()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    assert dialog.plan.verdict.refused
    assert not dialog.go.isEnabled()
    assert "budget would be passed" in dialog.summary.text()
    # Changing the handles prices it again: still refused, nothing queued.
    dialog.handles.setValue(2)
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.plan.handles == 2, timeout=30_000)
    assert not dialog.go.isEnabled()
    dialog.reject()
    assert store_finals.list_finals(window.session.project) == []
