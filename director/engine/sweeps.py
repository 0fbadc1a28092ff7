"""Sweeps: one request expanded into a grid of jobs — prompts × seeds × presets × cameras × one
numeric parameter — priced as a whole before anything is queued, then queued seed-major so every
cell of the grid gets its first result early.

Each cell is one job with one seed, so the grid view can place every take on its axes from the
job's recorded recipe alone. Prompt variants from a CSV are recorded in the recipe (the text sent),
so they never touch the shot's own prompt versions.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field, replace
from decimal import Decimal

from director.core.changes import Changes
from director.core.cost import format_money
from director.core.errors import InvalidInput, NotFound
from director.core.prompt import PromptFields
from director.engine.presets import Preset, draw_seeds, get_preset, validate_params
from director.engine.recipes import new_recipe
from director.store import jobs as store_jobs
from director.store import sweeps as store_sweeps
from director.store.budget import check_budget, estimate_job
from director.store.cameras import find_camera, list_cameras
from director.store.project import Project
from director.store.prompts import get_prompt, prompt_history
from director.store.shots import find_shot

SWEEPABLE = ("steps", "guidance")
MAX_CELLS = 256


@dataclass(frozen=True)
class PromptVariant:
    label: str  # 'v3', or 'csv 2'
    prompt_id: int  # the shot prompt version it starts from (its negative and fields)
    text: str | None = None  # a CSV line replaces the composed text's subject/action: see _with_text


@dataclass(frozen=True)
class Cell:
    prompt: PromptVariant
    seed: int
    preset: Preset
    camera_id: int | None
    camera: str
    value: float | int | None  # the swept parameter's value in this cell

    def axes(self, parameter: str | None) -> dict:
        out = {"prompt": self.prompt.label, "seed": self.seed, "preset": self.preset.id, "camera": self.camera}
        if parameter:
            out[parameter] = self.value
        return out


@dataclass(frozen=True)
class SweepPlan:
    shot_id: int
    shot_code: str
    parameter: str | None
    cells: tuple[Cell, ...]
    params: dict = field(default_factory=dict)  # per (preset id, value): validated parameters
    gpu_s: float | None = None  # the whole grid's estimate (None when a preset has no history)
    money: Decimal | None = None
    currency: str = ""
    verdict: object = None

    @property
    def axes(self) -> dict[str, list]:
        def distinct(values):
            return list(dict.fromkeys(values))

        out = {
            "prompt": distinct(c.prompt.label for c in self.cells),
            "seed": distinct(c.seed for c in self.cells),
            "preset": distinct(c.preset.id for c in self.cells),
            "camera": distinct(c.camera for c in self.cells),
        }
        if self.parameter:
            out[self.parameter] = distinct(c.value for c in self.cells)
        return out

    def describe(self) -> str:
        dims = " × ".join(f"{len(v)} {k}{'s' if len(v) != 1 and not k.endswith('s') else ''}" for k, v in self.axes.items())
        cost = "no history yet for a preset: run one job of it to price the grid" if self.gpu_s is None else f"≈ {self.gpu_s:.1f} GPU s ≈ {format_money(self.money, self.currency)}"
        return f"sweep of shot {self.shot_code}: {dims} = {len(self.cells)} jobs; {cost}"


def read_prompt_csv(text: str) -> list[str]:
    """One prompt per row: the first column (a header row named 'prompt' is skipped)."""
    out = []
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        if not row or not row[0].strip():
            continue
        if i == 0 and row[0].strip().lower() == "prompt":
            continue
        out.append(" ".join(row[0].split()))
    if not out:
        raise InvalidInput("the CSV has no prompts: put one prompt per row in its first column")
    return out


def plan_sweep(
    project: Project,
    shot_code: str,
    *,
    presets: list[str],
    seeds: list[int] | None = None,
    random_seeds: int = 0,
    cameras: list[str] | None = None,
    all_cameras: bool = False,
    prompt_versions: list[int] | None = None,
    csv_prompts: list[str] | None = None,
    parameter: str | None = None,
    values: list | None = None,
    base_params: dict | None = None,
) -> SweepPlan:
    """Validate every cell and price the whole grid; nothing is written."""
    shot = find_shot(project, shot_code)
    if not presets:
        raise InvalidInput("a sweep needs at least one preset (--presets a,b)")
    _no_repeats("preset", presets)
    if seeds and random_seeds:
        raise InvalidInput("give seeds or a number of random seeds, not both")
    seed_list = list(seeds) if seeds else draw_seeds(random_seeds or 1, "random")
    _no_repeats("seed", seed_list)
    if (parameter is None) != (values is None):
        raise InvalidInput("a swept parameter needs its values, e.g. --steps 4,8")
    if parameter is not None:
        if parameter not in SWEEPABLE:
            raise InvalidInput(f"a sweep varies one of {', '.join(SWEEPABLE)}, not {parameter!r}")
        _no_repeats(parameter, values)
    if shot.current_prompt_id is None:
        raise InvalidInput(f"shot {shot.code} has no prompt yet; write one first")
    variants = _prompt_variants(project, shot.id, shot.current_prompt_id, prompt_versions, csv_prompts)
    targets = _cameras(project, shot.id, cameras, all_cameras)
    preset_objs = [get_preset(p) for p in presets]
    cells = []
    params: dict = {}
    for seed, prompt, preset, (camera_id, camera), value in itertools.product(seed_list, variants, preset_objs, targets, values or [None]):
        key = (preset.id, value)
        if key not in params:
            asked = dict(base_params or {})
            if not preset.is_video:  # --frames and --fps are for the video presets of a mixed grid
                asked.pop("frames", None)
                asked.pop("fps", None)
            if parameter is not None:
                asked[parameter] = value
            params[key] = validate_params(preset, asked)
        cells.append(Cell(prompt, seed, preset, camera_id, camera, value))
    if len(cells) > MAX_CELLS:
        raise InvalidInput(f"the sweep has {len(cells)} cells; at most {MAX_CELLS} are queued at once — narrow an axis")
    gpu_s, money, currency, verdict = _price(project, shot.id, cells, params, parameter)
    return SweepPlan(shot.id, shot.code, parameter, tuple(cells), params, gpu_s, money, currency, verdict)


def _no_repeats(what: str, items) -> None:
    seen = set()
    for item in items:
        if item in seen:
            raise InvalidInput(f"the {what} {item} is given twice; each value of an axis once")
        seen.add(item)


def _prompt_variants(project, shot_id, current_id, versions, csv_prompts) -> list[PromptVariant]:
    if versions and csv_prompts:
        raise InvalidInput("sweep prompt versions or CSV prompts, not both")
    if csv_prompts:
        return [PromptVariant(f"csv {i}", current_id, text) for i, text in enumerate(csv_prompts, start=1)]
    if versions:
        _no_repeats("prompt version", versions)
        by_version = {p.version: p for p in prompt_history(project, shot_id)}
        missing = [v for v in versions if v not in by_version]
        if missing:
            raise NotFound(f"the shot has no prompt version {missing[0]}; versions: {', '.join(map(str, sorted(by_version)))}")
        return [PromptVariant(f"v{v}", by_version[v].id) for v in versions]
    return [PromptVariant(f"v{get_prompt(project, current_id).version}", current_id)]


def _cameras(project, shot_id, names, all_cameras) -> list[tuple[int | None, str]]:
    if all_cameras:
        found = [(c.id, c.name) for c in list_cameras(project, shot_id)]
        return found or [(None, "")]
    if names:
        _no_repeats("camera", [n.upper() for n in names])
        return [(find_camera(project, shot_id, n).id, n.upper()) for n in names]
    cam = list_cameras(project, shot_id)
    return [(cam[0].id, cam[0].name)] if cam else [(None, "")]


def _price(project, shot_id, cells, params, parameter):
    """The whole grid against the caps once: a sweep is refused whole, never half-queued."""
    totals_gpu, totals_money, unknown = 0.0, Decimal(0), False
    first = None
    for cell in cells:
        est = estimate_job(project, cell.preset.id, params[(cell.preset.id, cell.value)], 1)
        first = first or est
        if not est.known:
            unknown = True
            continue
        totals_gpu += est.gpu_s
        totals_money += est.money or Decimal(0)
    if unknown:
        return None, None, first.currency, None
    whole = replace(first, gpu_s=totals_gpu, money=totals_money)
    verdict = check_budget(project, shot_id, whole)
    return totals_gpu, totals_money, first.currency, verdict


@dataclass(frozen=True)
class SweepQueued:
    plan: SweepPlan
    job_ids: tuple[int, ...]  # in cell order: seed-major, so each cell's first result comes early
    changes: Changes
    sweep_id: int | None = None  # the sweep as recorded in the project (store.sweeps), for its grid view


def queue_sweep(project: Project, plan: SweepPlan) -> SweepQueued:
    """Queue every cell, refused whole if the grid would pass a hard budget cap."""
    if plan.verdict is not None:
        plan.verdict.raise_if_refused()
    ids, changes = [], Changes()
    with project.atomic():
        for cell in plan.cells:
            checked = plan.params[(cell.preset.id, cell.value)]
            recipe = new_recipe(project, preset=cell.preset, params=checked, seeds=[cell.seed], prompt_id=cell.prompt.prompt_id, camera_id=cell.camera_id)
            if cell.prompt.text is not None:
                recipe = replace(recipe, prompt=_with_text(project, cell))
            est = estimate_job(project, cell.preset.id, checked, 1)
            job_id, ch = store_jobs.create_job(
                project, shot_id=plan.shot_id, camera_id=cell.camera_id, prompt_id=cell.prompt.prompt_id,
                preset=cell.preset.id, params={**checked, "sweep": cell.axes(plan.parameter)}, seeds=[cell.seed],
                estimate_gpu_s=est.gpu_s, recipe=recipe,
            )
            ids.append(job_id)
            changes = changes | ch
        sweep_id = store_sweeps.record_sweep(project, plan.shot_id, plan.parameter, plan.axes,
                                             [(job_id, cell.axes(plan.parameter)) for job_id, cell in zip(ids, plan.cells)])
    return SweepQueued(plan, tuple(ids), changes | Changes(costs=True), sweep_id)


def _with_text(project: Project, cell: Cell) -> str:
    """A CSV prompt sent as written, framed by the cell's camera (its shot size, angle, movement, lens)."""
    from director.store.cameras import get_camera

    setup = get_camera(project, cell.camera_id).setup if cell.camera_id is not None else None
    framing = PromptFields().compose(setup)
    return ", ".join(part for part in (cell.prompt.text, framing) if part)
