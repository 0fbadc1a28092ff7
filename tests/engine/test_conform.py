"""Draft → final conform (#17), end to end through the real worker with the tiny presets."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

from director.cli import main
from director.engine import conform
from director.engine.runner import JobRunner
from director.store import finals as store_finals
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.takes import get_take, takes_of_job
from director.store.timeline import build_cut, insert_take, set_clip_take, trim_clip

SEEDS = [11, 22, 33, 44, 55]


def _run(project, engine, job_ids):
    runner = JobRunner(project, engine)
    try:
        runner.run_until_idle(lambda _e: None, job_ids=set(job_ids))
    finally:
        runner.close()
    for j in job_ids:
        assert store_jobs.get_job(project, j).state.value == "done", store_jobs.get_job(project, j).error


@pytest.fixture
def cut(shot_project, engine):
    """Shot 12A, camera A: five tiny-t2v drafts (96×64, 17 frames at 12 fps, seeds 11…55) from one
    job; a cut of four clips showing drafts 1–4, the second using half its take (17 of 34 frames)."""
    from director.engine.actions import queue_generation

    p = shot_project
    queued = queue_generation(p, "12A", "tiny-t2v", seed_mode="list", seeds=SEEDS, variants=len(SEEDS),
                              params={"steps": 2})
    _run(p, engine, queued.job_ids)
    takes = sorted(takes_of_job(p, queued.job_ids[0]), key=lambda t: t.seed)
    for i, t in enumerate(takes[:4]):
        insert_take(p, t.id, duration=17 if i == 1 else None).apply(p)
    segs = build_cut(p).segments
    return p, takes, [s.clip_id for s in segs]


def _conform(p, engine, **kw):
    plan = conform.plan_conform(p, **kw)
    queued = conform.queue_conform(p, plan)
    if queued.job_ids:
        _run(p, engine, queued.job_ids)
    return plan, queued, conform.land(p, plan)


def test_a_cut_of_four_clips_conforms_to_2x_finals_and_plays_at_the_final_size(cut, engine):
    p, takes, clips = cut
    plan = conform.plan_conform(p)
    assert [r.action for r in plan.renders] == ["render"] * 4
    half = next(r for r in plan.renders if r.clips[0].clip_id == clips[1])
    assert half.used == (0, 9) and half.rendered == (0, 17)  # the cut uses half; tiny-t2v renders from frame 0
    assert "always renders from frame 0" in half.why
    assert plan.gpu_s is not None and plan.gpu_s > 0 and plan.money is not None
    full = next(r for r in plan.renders if r.clips[0].clip_id == clips[0])
    assert "whole take" in full.why
    queued = conform.queue_conform(p, plan)
    assert len(queued.job_ids) == 4
    for job_id, draft in zip(queued.job_ids, takes[:4]):
        job = store_jobs.get_job(p, job_id)
        assert job.parent_take_id == draft.id and job.seeds == [draft.seed]  # a version of its draft, same seed
        assert store_jobs.job_recipe(p, job_id).prompt == store_jobs.job_recipe(p, draft.job_id).prompt
    _run(p, engine, queued.job_ids)
    landed = conform.land(p, plan)
    assert [c for c, _ in landed.switch.edits] == clips and not landed.waiting and not landed.failed
    segs = build_cut(p).segments
    finals = [get_take(p, s.take_id) for s in segs]
    assert [(f.width, f.height) for f in finals] == [(192, 128)] * 4  # width doubled
    assert [store_finals.final_of_take(p, f.id).draft_take_id for f in finals] == [t.id for t in takes[:4]]
    assert segs[1].duration == 17 and segs[1].source_frames == 17
    # The switch is one undoable edit.
    landed.switch.revert(p)
    assert [s.take_id for s in build_cut(p).segments] == [t.id for t in takes[:4]]
    landed.switch.apply(p)
    assert [s.take_id for s in build_cut(p).segments] == [f.id for f in finals]


def test_toggle_back_to_the_draft_and_undo_and_a_rerun_leaves_the_held_clip(cut, engine, capsys):
    p, takes, clips = cut
    _conform(p, engine)
    final_ids = [s.take_id for s in build_cut(p).segments]
    edit, said = conform.toggle(p, clips[2])
    edit.apply(p)
    assert build_cut(p).segments[2].take_id == takes[2].id and "draft" in said
    assert store_finals.held_clips(p) == {clips[2]: takes[2].id}
    plan, queued, _landed = _conform(p, engine)  # a re-run renders nothing and leaves the held clip alone
    assert queued.job_ids == () and build_cut(p).segments[2].take_id == takes[2].id
    assert sorted(r.action for r in plan.renders) == ["held", "reuse", "reuse", "reuse"]
    edit.revert(p)  # undo the toggle: the final again, no hold
    assert build_cut(p).segments[2].take_id == final_ids[2] and store_finals.held_clips(p) == {}
    # The same through the command line (toggle twice).
    path = str(p.path)
    p.close()
    assert main(["conform", "toggle", path, str(clips[0])]) == 0
    with Project.open(path, readonly=True) as q:
        assert build_cut(q).segments[0].take_id == takes[0].id
    assert main(["conform", "toggle", path, str(clips[0])]) == 0
    with Project.open(path, readonly=True) as q:
        assert build_cut(q).segments[0].take_id == final_ids[0]
    assert main(["conform", "toggle", path, "999"]) == 1
    assert "clip 999" in capsys.readouterr().err


def test_a_rerun_after_a_trim_renders_nothing_and_a_new_draft_renders_only_that_clip(cut, engine):
    p, takes, clips = cut
    _conform(p, engine)
    trim_clip(p, clips[1], "tail", delta=-5).apply(p)
    plan, queued, _ = _conform(p, engine)
    # The final already covers the whole take (tiny-t2v renders all of it), so the trim renders nothing.
    assert queued.job_ids == () and [r.action for r in plan.renders] == ["reuse"] * 4
    # Another draft in clip 4: only that one is rendered.
    set_clip_take(p, clips[3], takes[4].id).apply(p)
    plan, queued, landed = _conform(p, engine)
    assert len(queued.job_ids) == 1 and store_jobs.get_job(p, queued.job_ids[0]).parent_take_id == takes[4].id
    assert [c for c, _ in landed.switch.edits] == [clips[3]]
    assert get_take(p, build_cut(p).segments[3].take_id).width == 192


def test_a_budget_cap_below_the_estimate_refuses_the_whole_conform_with_the_figures(cut, capsys):
    p, _takes, _clips = cut
    plan = conform.plan_conform(p)
    spent = sum(store_jobs.get_job(p, j.id).gpu_s or 0 for j in store_jobs.list_jobs(p))
    p.update_settings(budget_gpu_s=spent + plan.gpu_s / 2)
    path = str(p.path)
    p.close()
    assert main(["conform", path, "--json"]) == 1
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["refused"] is True and "project GPU-time budget would be passed" in captured.err
    assert "GPU min" in captured.err and "Raise the cap with" in captured.err
    assert any("budget left" in line for line in out["remaining"])
    with Project.open(path, readonly=True) as q:
        assert len(store_jobs.list_jobs(q)) == 1 and store_finals.list_finals(q) == []  # nothing queued


def test_a_final_from_another_seed_is_flagged_and_a_same_seed_final_is_not(cut, engine, tmp_path):
    p, takes, clips = cut
    # Same size as the draft (steps doubled): on random weights only a same-size final can keep the
    # draft's noise, so this is the honest same-seed comparison (see the module docstring of drift).
    same = {"width": 96, "height": 64}
    _plan, _queued, landed = _conform(p, engine, overrides=same)
    assert landed.flags == []
    for f in store_finals.list_finals(p):
        assert f.drift["flagged"] is False and f.drift["ssim"] > 0.9
    # Inject drift: the promoted recipe of draft 2 with another seed, recorded as its final.
    draft = takes[1]
    _preset, params, _ = conform.promotion(p, draft.id, None, same)
    job = store_jobs.get_job(p, draft.job_id)
    other = replace(store_jobs.job_recipe(p, draft.job_id), params=params, seeds=(999,), run=None)
    job_id, _ = store_jobs.create_job(p, shot_id=draft.shot_id, camera_id=draft.camera_id, prompt_id=job.prompt_id,
                                      preset="tiny-t2v", params=params, seeds=[999], parent_take_id=draft.id, recipe=other)
    store_finals.add_final(p, draft_take_id=draft.id, job_id=job_id, recipe_key=conform.recipe_key(other),
                           used=(0, 9), rendered=(0, 17))
    _run(p, engine, [job_id])
    (drifted,) = conform.land_finals(p)
    assert drifted.drift["flagged"] is True and "framing" in drifted.drift["reasons"] and drifted.drift["ssim"] < 0.5
    conform.toggle(p, clips[1], "draft")[0].apply(p)
    conform.toggle(p, clips[1], "final")[0].apply(p)  # the newest final: the other seed
    rows = {r["clip"]: r for r in conform.report(p)}
    assert rows[clips[1]]["flagged"] is True
    assert rows[clips[1]]["note"].startswith("the final changed the framing of 12A A at 00:00:")
    assert [rows[c]["flagged"] for c in (clips[0], clips[2], clips[3])] == [False] * 3
    # The report through the command line, written where the destination rule allows.
    path = str(p.path)
    p.close()
    out = tmp_path / "conform.csv"
    assert main(["conform", "report", path, "-o", str(out)]) == 0
    read = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["state"] for r in read] == ["final"] * 4 and read[1]["flagged"] in ("True", "true", "1")
    assert main(["conform", "report", path, "--format", "json", "-o", path]) == 1  # never onto the project


def test_the_storyboard_shows_the_chain_from_draft_to_final(cut, engine):
    """Each panel whose take is a final says which draft it replaced (the timeline says FINAL)."""
    from director.export.storyboard import build_storyboard

    p, takes, clips = cut
    _conform(p, engine)
    board = build_storyboard(p, "cut", build_cut(p))
    finals = [panel for panel in board.panels if panel.take_id is not None]
    assert [panel.final_of for panel in finals] == [t.id for t in takes[:4]]
    assert all(f"FINAL of take {panel.final_of}" in panel.badge for panel in finals)
    assert "random weights" in finals[0].badge  # the tiny preset's warning stays beside it
