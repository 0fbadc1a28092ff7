"""Everything an export says about a take, read from the project in one place.

What made the take comes from its job's recorded recipe and nothing else: the exact text the model
received (the shot prompt composed with that camera's setup *when the job was queued*), the
negative, the camera and its setup as recorded, the preset, every parameter, the seeds and what
ran (device, scheduler, weights, versions). Editing the camera or the prompt afterwards changes no
export of a past take.

A job queued before recipes were recorded has none. Its takes say so in every output
(NOT_RECORDED) and show the prompt version the job pointed at, labelled as that: the shot prompt
alone, since the camera framing it was composed with was never kept. Nothing is recomposed from a
camera's current setup, which may have changed since.

Exporters that run off the UI thread get these plain values gathered first (a fast read on the
caller's thread), so the slow part touches files only, never the project database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from director.core.cost import from_micros, money_text, split_evenly
from director.core.blocking import PREVIZ_LABEL, PREVIZ_PRESET
from director.core.recipe import Recipe
from director.store.jobs import job_recipe
from director.store.project import Project
from director.store.roto import matte_refs
from director.store.takeinfo_rows import job_take_ids, take_row

NOT_RECORDED = "recipe not recorded: made before Director 0.2"
# The built-in tiny presets run on random weights (engine.presets marks them `tiny`). Export may not
# import the engine, so the rule reads what the recipe recorded: a tiny preset is built in-process
# by its `builder`, and such a preset's source is "builtin:<id>"; user presets may not name a
# builder, so no user preset can be one. A take without a recipe has only its preset id: the
# built-in tiny ones are "tiny-t2i", "tiny-t2v" and "tiny-i2v".
BUILTIN_SOURCE = "builtin:"
TINY_PREFIX = "tiny-"
RANDOM_WEIGHTS = "random weights"


def random_weights(preset: str, source: str = "") -> bool:
    """Whether a take was made with random weights (a tiny preset: for trying the workflow only).

    The one rule for it: the recorded source when there is one, else the preset id. A previz is
    drawn, not generated: it has no weights at all."""
    if preset == PREVIZ_PRESET:
        return False
    if source:
        return source.startswith(BUILTIN_SOURCE)
    return preset.startswith(TINY_PREFIX)


def _plain(value):
    """JSON-shaped (lists, dicts, str, numbers): what OTIO metadata and JSON sidecars accept."""
    return json.loads(json.dumps(value, ensure_ascii=False))


@dataclass(frozen=True)
class TakeInfo:
    take_id: int
    job_id: int
    shot_id: int
    shot_code: str
    shot_title: str
    camera: str  # the camera's name (as recorded in the recipe when there is one)
    kind: str  # 'video' | 'image'
    media_path: str  # relative to the media store
    thumb_path: str | None
    width: int
    height: int
    frames: int
    fps: str  # '24' or '30000/1001'
    seed: int
    variant: int
    preset: str
    model_revision: str | None
    params: dict
    prompt: str  # exactly the text the model received (the recipe's); "" when it was not recorded
    negative: str  # the recipe's negative; "" when it was not recorded
    prompt_version: int | None  # the shot prompt version the job pointed at
    rating: int
    flag: str
    notes: str
    created_at: str
    timings: dict = field(default_factory=dict)  # load_s, gpu_s, wall_s, energy_wh; started/finished
    job_money: str | None = None  # what the whole job cost, as a decimal string
    money: str | None = None  # this take's share of the job's money (core.cost.split_evenly)
    currency: str = ""
    recipe_recorded: bool = True
    camera_setup: dict = field(default_factory=dict)  # the camera's framing when the job was queued
    seeds: list = field(default_factory=list)  # every seed of the job, one per variant
    run: dict | None = None  # what ran: device, dtype, scheduler, weights, options, versions
    random_weights: bool = False
    recipe: dict | None = None  # the whole recorded recipe (run facts included); None when not recorded
    # Only for a take without a recipe: the prompt version its job pointed at, the shot prompt alone.
    version_prompt: str = ""
    version_negative: str = ""
    mattes: tuple = ()  # the take's current roto mattes (store.roto.matte_refs): name, media path, job, frames

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def recipe_note(self) -> str:
        """'' for a take with its recipe; otherwise the sentence that says it has none."""
        return "" if self.recipe_recorded else NOT_RECORDED

    @property
    def version_label(self) -> str:
        """How the pointed-at prompt version is labelled where a recipe is missing."""
        if self.prompt_version is None:
            return "no prompt version"
        return f"prompt version {self.prompt_version} (the shot prompt alone; its camera framing was not recorded)"

    @property
    def prompt_text(self) -> str:
        """The prompt as people read it in a panel or a description: the recorded text, or the
        plain statement that there is none followed by the labelled prompt version."""
        if self.recipe_recorded:
            return self.prompt
        if self.prompt_version is None:
            return f"{NOT_RECORDED}; {self.version_label}"
        return f"{NOT_RECORDED}; {self.version_label}: {self.version_prompt}"

    @property
    def facts(self) -> dict:
        """The recipe's facts every output carries (sidecar, OTIO metadata, MP4 comment, PNG text)."""
        if not self.recipe_recorded:
            return {
                "recipe": NOT_RECORDED,
                "prompt_version": self.prompt_version,
                "prompt_version_text": self.version_prompt,
                "prompt_version_negative": self.version_negative,
                "preset": self.preset,
                "params": self.params,
                "seed": self.seed,
                "seeds": self.seeds,
                "random_weights": self.random_weights,
            }
        return {
            "prompt": self.prompt,
            "negative": self.negative,
            "camera": self.camera,
            "camera_setup": self.camera_setup,
            "preset": self.preset,
            "params": self.params,
            "seed": self.seed,
            "seeds": self.seeds,
            "run": self.run,
            "random_weights": self.random_weights,
            **({"made_with": PREVIZ_LABEL} if self.preset == PREVIZ_PRESET else {}),
        }


def _recorded(r: dict, recipe: Recipe) -> dict:
    return dict(
        camera=recipe.camera or r["camera_name"] or "",
        preset=recipe.preset or r["preset"],
        params=_plain(recipe.params),
        prompt=recipe.prompt,
        negative=recipe.negative,
        camera_setup=_plain(recipe.camera_setup),
        seeds=list(recipe.seeds),
        run=_plain(asdict(recipe.run)) if recipe.run is not None else None,
        random_weights=random_weights(recipe.preset or r["preset"], recipe.source),
        recipe=_plain(asdict(recipe)),
    )


def _not_recorded(r: dict) -> dict:
    return dict(
        camera=r["camera_name"] or "",
        preset=r["preset"],
        params=json.loads(r["params"] or "{}"),
        prompt="",
        negative="",
        seeds=json.loads(r["seeds"] or "[]"),
        random_weights=random_weights(r["preset"]),
        recipe_recorded=False,
        version_prompt=r["version_text"] or "",
        version_negative=r["version_negative"] or "",
    )


def take_info(project: Project, take_id: int) -> TakeInfo:
    """Gather a take with its shot, its job's recipe, figures and money."""
    r = take_row(project, take_id)
    recipe = job_recipe(project, r["job_id"])
    money, share = None, None
    if r["money_micros"] is not None:
        siblings = job_take_ids(project, r["job_id"])
        shares = split_evenly(r["money_micros"], len(siblings) or 1)
        mine = siblings.index(r["id"]) if r["id"] in siblings else 0
        money, share = from_micros(r["money_micros"]), from_micros(shares[mine])
    fps = str(r["fps_num"]) if r["fps_den"] == 1 else f"{r['fps_num']}/{r['fps_den']}"
    what = _recorded(r, recipe) if recipe is not None else _not_recorded(r)
    return TakeInfo(
        take_id=r["id"],
        job_id=r["job_id"],
        shot_id=r["shot_id"],
        shot_code=r["shot_code"],
        shot_title=r["shot_title"] or "",
        kind=r["kind"],
        media_path=r["media_path"],
        thumb_path=r["thumb_path"],
        width=r["width"],
        height=r["height"],
        frames=r["frames"],
        fps=fps,
        seed=r["seed"],
        variant=r["variant"],
        model_revision=r["model_revision"],
        prompt_version=r["prompt_version"],
        rating=r["rating"],
        flag=r["flag"],
        notes=r["notes"] or "",
        created_at=r["created_at"],
        timings={k: r[k] for k in ("load_s", "gpu_s", "wall_s", "energy_wh", "started_at", "finished_at")},
        job_money=str(money) if money is not None else None,
        money=money_text(share) if share is not None else None,
        currency=r["job_currency"] or project.settings().currency,
        mattes=matte_refs(project, r["id"]),
        **what,
    )


def take_infos(project: Project, take_ids) -> dict[int, TakeInfo]:
    return {tid: take_info(project, tid) for tid in dict.fromkeys(take_ids) if tid is not None}
