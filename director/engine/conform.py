"""Draft → final conform (#17): cut with cheap drafts, then re-render only what the cut uses at
final quality, from each draft's own recorded recipe (same seed, same text), and switch the cut over.

1. `plan_conform` reads the cut, finds every draft take it shows and the take frames each clip
   uses, works out the final each draft needs (`engine.actions.promote_take`'s rules: the final
   preset's size and steps; within one preset, double size and steps), reuses a final already made
   from the same recipe that covers the used frames, and prices the rest from this project's
   history: per render, per shot and in total, judged against every shot's caps (with that shot's
   sum) and the project's caps (with the total). Nothing is written.
2. `queue_conform` queues the renders as ordinary jobs (each a promotion: the draft is its parent)
   and records each as a pending final (`store.finals`), refused whole past a hard cap.
3. When the jobs are done, `land` records each final's take and its drift from the draft
   (`engine.drift`) and switches every clip that shows the draft to its final, as one undoable edit
   of per-clip edits; a clip toggled back to its draft (`toggle`) is held and left alone.

Every preset here renders from frame 0 (text-to-video and image-to-video start at the first frame
and their noise depends on the frame count), so a final renders the whole take; the plan says so per
clip, with the used range and handles it would otherwise render.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal

from director.core.budget import BudgetVerdict, CapKind, check_caps
from director.core.changes import Changes
from director.core.cost import format_money, from_micros, to_micros
from director.core.cut import CutSegment, segment_frames
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.recipe import Recipe
from director.engine import drift as drift_mod
from director.engine.actions import _fit, promote_take
from director.engine.presets import Preset, get_preset, nearest_frames, validate_params
from director.engine.recipes import recipe_of_job
from director.store import finals as store_finals
from director.store import jobs as store_jobs
from director.store.budget import caps_for, estimate_job
from director.store.cuts import find_timeline
from director.store.project import Project
from director.store.takes import get_take, takes_of_job
from director.store.timeline import TimelineEdit, build_cut, set_clip_take

# -- the promoted recipe -------------------------------------------------------------------------

def promotion(project: Project, take_id: int, preset_id: str | None = None,
              overrides: dict | None = None) -> tuple[Preset, dict, Recipe]:
    """(final preset, its parameters, the key fields of its recipe) for promoting a draft, without
    queueing. Follows `engine.actions.promote_take` rule for rule; `queue_conform` checks that the
    recipe it queued has the same key, so the two cannot drift apart silently."""
    take = get_take(project, take_id)
    job = store_jobs.get_job(project, take.job_id)
    source = get_preset(job.preset)
    target = get_preset(preset_id) if preset_id else source
    if target.kind != source.kind:
        raise InvalidInput(f"cannot conform a {source.kind} take (take {take_id}) with the {target.kind} preset "
                           f"{target.id}; choose a {source.kind} preset")
    c = target.constraints
    if target.id == source.id:
        params = {
            "width": _fit(take.width * 2, c.size_multiple, c.min_size, c.max_width),
            "height": _fit(take.height * 2, c.size_multiple, c.min_size, c.max_height),
            "steps": min(c.max_steps, int(job.params.get("steps", target.defaults.steps)) * 2),
        }
    else:
        params = {"width": target.defaults.width, "height": target.defaults.height, "steps": target.defaults.steps}
    if target.is_video:
        params["frames"] = nearest_frames(take.frames, c)
        params["fps"] = job.params.get("fps", target.defaults.fps)
    for key in ("guidance", "negative", "init_image", "init_frame"):
        if key in job.params and target.id == source.id:
            params[key] = job.params[key]
    params.update({k: v for k, v in (overrides or {}).items() if v is not None})
    checked = validate_params(target, params)
    drawn = recipe_of_job(project, job)
    recipe = Recipe(prompt=drawn.prompt, negative=checked.get("negative") or drawn.negative, preset=target.id,
                    params=checked, seeds=(take.seed,))
    return target, checked, recipe


def recipe_key(recipe: Recipe) -> str:
    """What makes two finals the same render: the text, negative, preset, parameters and seeds."""
    body = {"prompt": recipe.prompt, "negative": recipe.negative, "preset": recipe.preset,
            "params": recipe.params, "seeds": list(recipe.seeds)}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


# -- the plan ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClipUse:
    """One clip's use of one draft take (a clip cut between cameras uses several)."""

    clip_id: int
    shot_code: str
    camera: str
    shown_take_id: int  # what the clip shows now: the draft, or a final of it
    record_start: int
    duration: int
    used: tuple[int, int]  # take frames [start, end) of the draft the clip shows


@dataclass
class Render:
    """The final of one draft take: made now (render), already made or on its way (reuse), or not
    needed because every clip using it is held on the draft."""

    draft_take_id: int
    shot_id: int
    shot_code: str
    camera: str
    preset: str
    params: dict
    seed: int
    key: str
    frames: int  # the draft's frame count
    used: tuple[int, int]  # union of what the clips use, in draft take frames
    wanted: tuple[int, int]  # used plus handles
    rendered: tuple[int, int]  # what the final renders
    why: str
    clips: list[ClipUse] = field(default_factory=list)
    action: str = "render"  # render | reuse | held
    final_id: int | None = None
    gpu_s: float | None = None
    money: Decimal | None = None

    @property
    def size(self) -> str:
        return f"{self.params.get('width')}x{self.params.get('height')}"


@dataclass
class ConformPlan:
    timeline_id: int
    preset: str | None
    handles: int
    renders: list[Render]
    currency: str
    verdict: BudgetVerdict
    remaining: list[str]
    overrides: dict = field(default_factory=dict)  # parameters given over the promotion's (tests, --size)

    @property
    def to_render(self) -> list[Render]:
        return [r for r in self.renders if r.action == "render"]

    @property
    def gpu_s(self) -> float | None:
        values = [r.gpu_s for r in self.to_render]
        return None if any(v is None for v in values) else float(sum(values))

    @property
    def money(self) -> Decimal | None:
        values = [r.money for r in self.to_render]
        return None if any(v is None for v in values) else sum(values, Decimal(0))

    def describe(self) -> list[str]:
        lines = []
        for r in self.renders:
            clips = ", ".join(f"clip {c.clip_id}" for c in r.clips)
            if r.action == "render":
                cost = "cost unknown (no history for this preset yet)" if r.gpu_s is None else \
                    f"≈ {r.gpu_s:.2f} GPU s ≈ {format_money(r.money, self.currency)}"
                lines.append(f"render  take {r.draft_take_id} ({r.shot_code} {r.camera}) → {r.preset} {r.size}, "
                             f"{r.params.get('steps')} steps, seed {r.seed}, frames {r.rendered[0]}–{r.rendered[1] - 1}; "
                             f"{cost}; for {clips}")
                lines.append(f"        {r.why}")
            elif r.action == "reuse":
                lines.append(f"reuse   take {r.draft_take_id} ({r.shot_code} {r.camera}): final {r.final_id} was made from "
                             f"the same recipe and covers frames {r.used[0]}–{r.used[1] - 1}; nothing to render; for {clips}")
            else:
                lines.append(f"held    take {r.draft_take_id} ({r.shot_code} {r.camera}): {clips} toggled back to the draft; "
                             "not rendered (toggle it to the final to conform it)")
        n = len(self.to_render)
        if self.gpu_s is None and n:
            total = "total unknown: a preset has no history yet; run one job of it to price the conform"
        else:
            total = f"total ≈ {self.gpu_s or 0:.2f} GPU s ≈ {format_money(self.money or Decimal(0), self.currency)}"
        lines.append(f"{n} render(s), {sum(1 for r in self.renders if r.action == 'reuse')} reused; {total}")
        lines.extend(self.remaining)
        message = self.verdict.message()
        if message:
            lines.append(message)
        return lines

    def to_dict(self) -> dict:
        return {
            "timeline_id": self.timeline_id, "handles": self.handles, "currency": self.currency,
            "gpu_s": self.gpu_s, "money": None if self.money is None else str(self.money),
            "refused": self.verdict.refused, "budget": self.verdict.message() or "within budget",
            "remaining": self.remaining,
            "renders": [{
                "draft_take_id": r.draft_take_id, "shot": r.shot_code, "camera": r.camera, "action": r.action,
                "preset": r.preset, "params": r.params, "seed": r.seed, "used": list(r.used), "wanted": list(r.wanted),
                "rendered": list(r.rendered), "why": r.why, "final_id": r.final_id, "gpu_s": r.gpu_s,
                "money": None if r.money is None else str(r.money), "clips": [c.clip_id for c in r.clips],
            } for r in self.renders],
        }


def _used(seg: CutSegment, rate) -> tuple[int, int]:
    frames = segment_frames(seg, rate)
    return (min(frames), max(frames) + 1) if frames else (0, 1)


def _why(preset: Preset, frames: int, used: tuple[int, int], wanted: tuple[int, int]) -> str:
    if not preset.is_video:
        return "a still has one frame: the final renders it whole"
    if wanted == (0, frames):
        return f"the cut uses frames {used[0]}–{used[1] - 1} of {frames}; with handles that is the whole take"
    return (f"the cut uses frames {used[0]}–{used[1] - 1} of {frames} (with handles {wanted[0]}–{wanted[1] - 1}), but "
            f"{preset.id} ({preset.pipeline}) always renders from frame 0 and its noise depends on the frame count, so "
            f"the whole take ({frames} frames) is rendered to keep the final the same shot as the draft")


def _draft_of(project: Project, take_id: int) -> int:
    """The draft a shown take stands for: itself, or the draft it is the final of."""
    final = store_finals.final_of_take(project, take_id)
    return final.draft_take_id if final is not None else take_id


def cut_uses(project: Project, timeline_id: int) -> list[ClipUse]:
    cut = build_cut(project, timeline_id)
    out = []
    for seg in cut.segments:
        if seg.take_id is None or seg.clip_id is None or not seg.enabled:
            continue
        out.append(ClipUse(seg.clip_id, seg.shot_code, seg.camera, seg.take_id, seg.record_start, seg.duration,
                           _used(seg, cut.rate)))
    return out


def plan_conform(project: Project, timeline: str | int | None = None, *, preset_id: str | None = None,
                 handles: int = 0, overrides: dict | None = None) -> ConformPlan:
    """What a conform of the cut would render, reuse or leave, and what it would cost; writes nothing."""
    if handles < 0:
        raise InvalidInput(f"handles must be 0 or more frames, got {handles}")
    timeline_id = find_timeline(project, timeline)
    held = store_finals.held_clips(project)
    by_draft: dict[int, Render] = {}
    uses = cut_uses(project, timeline_id)
    if not uses:
        raise Refused("the cut shows no takes: place takes on the timeline first (director timeline add …)")
    for use in uses:
        draft_id = _draft_of(project, use.shown_take_id)
        if draft_id != use.shown_take_id:
            # The clip shows a final: its used range is the same instant of the draft's frames.
            final = get_take(project, use.shown_take_id)
            draft = get_take(project, draft_id)
            scale = (draft.frames / final.frames) if final.frames else 1
            use = replace(use, used=(int(use.used[0] * scale), max(int(use.used[0] * scale) + 1, round(use.used[1] * scale))))
        render = by_draft.get(draft_id)
        if render is None:
            draft = get_take(project, draft_id)
            preset, params, recipe = promotion(project, draft_id, preset_id, overrides)
            render = Render(draft_id, draft.shot_id, use.shot_code, use.camera, preset.id, params, draft.seed,
                            recipe_key(recipe), draft.frames, use.used, use.used, (0, draft.frames), "")
            by_draft[draft_id] = render
        else:
            render.used = (min(render.used[0], use.used[0]), max(render.used[1], use.used[1]))
        render.clips.append(use)
    s = project.settings()
    for render in by_draft.values():
        preset = get_preset(render.preset)
        render.wanted = (max(0, render.used[0] - handles), min(render.frames, render.used[1] + handles))
        # No preset here can start mid-take: the final renders the whole take (see _why).
        render.rendered = (0, render.frames)
        render.why = _why(preset, render.frames, render.used, render.wanted)
        if all(held.get(c.clip_id) is not None and c.shown_take_id == render.draft_take_id for c in render.clips):
            render.action = "held"
            continue
        found = store_finals.reusable_final(project, render.draft_take_id, render.key, *render.wanted)
        if found is not None:
            render.action, render.final_id = "reuse", found.id
            continue
        est = estimate_job(project, render.preset, render.params, 1)
        render.gpu_s = est.gpu_s if est.known else None
        render.money = None if est.money is None else from_micros(to_micros(est.money))
    plan = ConformPlan(timeline_id, preset_id, handles, list(by_draft.values()), s.currency, BudgetVerdict(()), [],
                       dict(overrides or {}))
    plan.verdict, plan.remaining = _judge(project, plan)
    return plan


def _judge(project: Project, plan: ConformPlan) -> tuple[BudgetVerdict, list[str]]:
    """Each shot's caps against that shot's sum, the project's caps against the total."""
    def dec(x):
        return None if x is None else Decimal(repr(float(x)))

    per_shot: dict[int, list[Render]] = {}
    for r in plan.to_render:
        per_shot.setdefault(r.shot_id, []).append(r)
    judged = []
    for shot_id, renders in per_shot.items():
        gpu = None if any(r.gpu_s is None for r in renders) else sum(r.gpu_s for r in renders)
        money = None if any(r.money is None for r in renders) else sum((r.money for r in renders), Decimal(0))
        judged += [(cap, money if cap.kind is CapKind.MONEY else dec(gpu)) for cap in caps_for(project, shot_id)]
    project_caps = caps_for(project, None)
    judged += [(cap, plan.money if cap.kind is CapKind.MONEY else dec(plan.gpu_s)) for cap in project_caps]
    verdict = check_caps(judged)
    remaining = []
    for line in verdict.lines:
        if line.cap.scope == "project":
            left = line.cap.cap - line.cap.spent - line.cap.committed
            shown = line._fmt(left)
            remaining.append(f"project {'money' if line.cap.kind is CapKind.MONEY else 'GPU-time'} budget left before "
                             f"this conform: {shown}")
    if not project_caps:
        remaining.append("the project has no budget cap (director settings … --budget to set one)")
    return verdict, remaining


# -- queueing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConformQueued:
    plan: ConformPlan
    job_ids: tuple[int, ...]
    final_ids: tuple[int, ...]
    changes: Changes


def queue_conform(project: Project, plan: ConformPlan) -> ConformQueued:
    """Queue every render of the plan as a promotion job, refused whole past a hard cap."""
    plan.verdict.raise_if_refused()
    jobs, finals, changes = [], [], Changes()
    with project.atomic():
        for r in plan.to_render:
            queued = promote_take(project, r.draft_take_id, plan.preset, plan.overrides or None)
            made = recipe_key(queued.recipes[0])
            if made != r.key:
                raise Refused(f"the queued final of take {r.draft_take_id} has another recipe than the plan priced "
                              "(engine.actions.promote_take and engine.conform.promotion disagree); nothing was queued")
            final_id = store_finals.add_final(project, draft_take_id=r.draft_take_id, job_id=queued.job_ids[0],
                                              recipe_key=made, used=r.used, rendered=r.rendered)
            r.final_id = final_id
            jobs.extend(queued.job_ids)
            finals.append(final_id)
            changes = changes | queued.changes
    return ConformQueued(plan, tuple(jobs), tuple(finals), changes)


# -- landing ---------------------------------------------------------------------------------------

def measure_drifts(project: Project) -> dict[int, tuple[int, dict]]:
    """final id → (its take, its drift from the draft) for every final whose job has made its take
    and that is not recorded yet. Only reads (frames and rows), so the window runs it on its reads
    thread: comparing frames takes seconds at real sizes."""
    out = {}
    for f in store_finals.unlanded(project):
        made = takes_of_job(project, f.job_id)
        if not made:
            continue
        final = made[0]
        draft = get_take(project, f.draft_take_id)
        try:
            d = drift_mod.compare(project.media.path(draft.media_path), project.media.path(final.media_path),
                                  (f.used_start, f.used_end)).to_dict()
        except (ValueError, OSError) as exc:  # unreadable media: say so rather than guess
            d = {"error": f"could not compare the frames: {exc}", "flagged": True, "reasons": ["unreadable"]}
        out[f.id] = (final.id, d)
    return out


def land_finals(project: Project, measured: dict[int, tuple[int, dict]] | None = None) -> list[store_finals.Final]:
    """Record the take and the drift of every final whose job has finished since it was queued
    (`measured`: what `measure_drifts` found, when it ran elsewhere)."""
    if measured is None:
        measured = measure_drifts(project)
    landed = []
    unlanded = {f.id for f in store_finals.unlanded(project)}
    for final_id, (take_id, d) in measured.items():
        if final_id not in unlanded:  # landed meanwhile (a second window, the CLI)
            continue
        store_finals.land_final(project, final_id, take_id, d)
        landed.append(store_finals.get_final(project, final_id))
    return landed


@dataclass
class SwitchToFinals:
    """Every clip that shows a draft switched to its final: one undoable edit of per-clip edits."""

    edits: list[tuple[int, TimelineEdit]]

    @property
    def text(self) -> str:
        return f"conform {len(self.edits)} clip(s) to their finals"

    def apply(self, project: Project) -> Changes:
        with project.atomic():
            for _clip, edit in self.edits:
                edit.apply(project)
        return Changes(timeline=True)

    def revert(self, project: Project) -> Changes:
        with project.atomic():
            for _clip, edit in reversed(self.edits):
                edit.revert(project)
        return Changes(timeline=True)


def flag_sentence(project: Project, use: ClipUse, draft_frame: int, reason: str, draft_frames: int, rate_fps) -> str:
    """'the final changed the framing of 12A at 00:00:03:10' (the record timecode of that draft frame)."""
    s = project.settings()
    from director.core.timecode import Rate

    take_rate = rate_fps if isinstance(rate_fps, Rate) else Rate.parse(rate_fps)
    offset = take_rate.rescale(max(0, draft_frame - use.used[0]), s.rate)
    record = use.record_start + max(0, min(use.duration - 1, offset))
    return f"the final changed the {reason} of {use.shot_code}{' ' + use.camera if use.camera else ''} at {s.rate.timecode(record)}"


@dataclass
class Landed:
    switch: SwitchToFinals
    flags: list[str]
    waiting: list[int]  # finals whose job is not done yet
    failed: list[str]


def land(project: Project, plan: ConformPlan, measured: dict[int, tuple[int, dict]] | None = None) -> Landed:
    """Record finished finals, then switch every clip of the plan still showing its draft (and not
    held) to its landed final, applied now; the returned edit reverts it. Flags drifted finals."""
    land_finals(project, measured)
    held = store_finals.held_clips(project)
    # What each clip shows now (not when the plan was made): a clip switched by an earlier landing,
    # or edited since, is not switched again.
    showing = {(u.clip_id, u.shown_take_id) for u in cut_uses(project, plan.timeline_id)}
    edits, flags, waiting, failed = [], [], [], []
    for r in plan.renders:
        if r.action == "held" or r.final_id is None:
            continue
        f = store_finals.get_final(project, r.final_id)
        if not f.landed:
            # A job that is done but was not measured yet (its take arrived after the window's
            # read) is still on its way, not failed.
            measuring = f.job_state == "done" and measured is not None and f.id not in measured
            if f.job_state in ("queued", "running") or measuring:
                waiting.append(f.id)
            else:
                failed.append(f"the final of take {r.draft_take_id} ({r.shot_code}) did not finish: job {f.job_id} "
                              f"is {f.job_state}; conform again to retry it")
            continue
        draft = get_take(project, r.draft_take_id)
        for use in r.clips:
            if held.get(use.clip_id) is not None:
                continue
            if (use.clip_id, r.draft_take_id) in showing:
                edits.append((use.clip_id, f.final_take_id))
            if f.drift and f.drift.get("flagged"):
                reasons = f.drift.get("reasons") or ["picture"]
                frame = f.drift.get("worst_frame", use.used[0])
                if reasons == ["colour"]:
                    frame = f.drift.get("worst_colour_frame", frame)
                what = " and ".join(reasons)
                flags.append(flag_sentence(project, use, frame, what, draft.frames, draft.rate))
    switch = SwitchToFinals([])
    # Each edit is built on the timeline as the previous one left it (a clip cut between cameras
    # may switch two takes).
    with project.atomic():
        for clip_id, take_id in dict.fromkeys(edits):
            edit = set_clip_take(project, clip_id, take_id)
            edit.apply(project)
            switch.edits.append((clip_id, edit))
    return Landed(switch, flags, waiting, failed)


# -- the per-clip toggle ---------------------------------------------------------------------------

def toggle(project: Project, clip_id: int, to: str | None = None) -> tuple[store_finals.ToggleClip, str]:
    """The edit that shows a clip's draft instead of its final (holding it there), or its final
    again; `to` is 'draft', 'final' or None (the other one). Apply it to make it so."""
    uses = [u for u in cut_uses(project, _timeline_of_clip(project, clip_id)) if u.clip_id == clip_id]
    if not uses:
        raise NotFound(f"clip {clip_id} shows no take in the cut")
    shown = list(dict.fromkeys(u.shown_take_id for u in uses))
    finals = {t: store_finals.final_of_take(project, t) for t in shown}
    showing_final = any(f is not None for f in finals.values())
    target = to or ("draft" if showing_final else "final")
    if target == "draft":
        drafts = [f.draft_take_id for f in finals.values() if f is not None]
        if not drafts:
            raise Refused(f"clip {clip_id} already shows its draft")
        edit = store_finals.toggle_clip(project, clip_id, drafts, to_draft=True)
        return edit, f"clip {clip_id} shows its draft take {', '.join(map(str, drafts))} again (undo: toggle it back)"
    if target != "final":
        raise InvalidInput(f"toggle to 'draft' or 'final', not {to!r}")
    chosen = []
    for t in shown:
        if finals[t] is not None:
            continue
        landed = [f for f in store_finals.finals_of_draft(project, t) if f.landed]
        if landed:
            chosen.append(landed[0].final_take_id)
    if not chosen:
        raise Refused(f"clip {clip_id} has no final to show: conform the cut first (director conform {project.path.name})")
    edit = store_finals.toggle_clip(project, clip_id, chosen, to_draft=False)
    return edit, f"clip {clip_id} shows its final take {', '.join(map(str, chosen))}"


def _timeline_of_clip(project: Project, clip_id: int) -> int:
    from director.store.timeline import timeline_of_item

    return timeline_of_item(project, clip_id)


# -- the report ------------------------------------------------------------------------------------

CONFORM_COLUMNS = ["clip", "shot", "camera", "record_start", "frames", "draft_take", "final_take", "state", "preset",
                   "size", "gpu_s", "money", "currency", "ssim", "colour_delta_e", "motion", "flagged", "note"]


def report(project: Project, timeline: str | int | None = None) -> list[dict]:
    """One row per clip use: the draft, the final, what the final cost, its drift and the state."""
    timeline_id = find_timeline(project, timeline)
    held = store_finals.held_clips(project)
    s = project.settings()
    out = []
    for use in cut_uses(project, timeline_id):
        shown = store_finals.final_of_take(project, use.shown_take_id)
        draft_id = shown.draft_take_id if shown else use.shown_take_id
        finals = store_finals.finals_of_draft(project, draft_id)
        f = shown or next((x for x in finals if x.landed), None) or (finals[0] if finals else None)
        if shown is not None:
            state = "final"
        elif f is None:
            state = "draft (not conformed)"
        elif held.get(use.clip_id) is not None:
            state = "draft (held)"
        elif f.landed:
            state = "draft (final ready)"
        elif f.job_state in ("queued", "running"):
            state = "rendering"
        else:
            state = f"failed ({f.job_state})"
        row = {"clip": use.clip_id, "shot": use.shot_code, "camera": use.camera, "record_start": s.rate.timecode(use.record_start),
               "frames": use.duration, "draft_take": draft_id, "final_take": f.final_take_id if f else None, "state": state,
               "preset": None, "size": None, "gpu_s": None, "money": None, "currency": s.currency, "ssim": None,
               "colour_delta_e": None, "motion": None, "flagged": None, "note": ""}
        if f is not None:
            job = store_jobs.get_job(project, f.job_id)
            row.update(preset=job.preset, size=f"{job.params.get('width')}x{job.params.get('height')}",
                       gpu_s=job.gpu_s if job.gpu_s is not None else job.estimate_gpu_s,
                       money=str(job.money) if job.money is not None else None)
            if f.drift:
                row.update(ssim=f.drift.get("ssim"), colour_delta_e=f.drift.get("colour"), motion=f.drift.get("motion"),
                           flagged=bool(f.drift.get("flagged")))
                if f.drift.get("flagged"):
                    draft = get_take(project, draft_id)
                    reasons = " and ".join(f.drift.get("reasons") or ["picture"])
                    row["note"] = flag_sentence(project, use, f.drift.get("worst_frame", use.used[0]), reasons,
                                                draft.frames, draft.rate)
        out.append(row)
    return out
