"""The parameters of a segment (SAM 2) job, checked like any preset's before it is queued.

A segment job runs on one take: its size, length and rate come from the take, and its objects and
prompts from the project (`store.roto`) as they were when it was queued, so the recipe says exactly
what SAM 2 was asked. Pure Python (no torch): `presets.validate_params` calls this for kind
"segment".
"""

from __future__ import annotations

from typing import Any

from director.core.errors import InvalidInput
from director.core.roto import RotoPrompt, check_name, check_prompt

KNOWN = {"take_id", "width", "height", "frames", "fps", "steps", "objects"}


def _whole(params: dict, key: str, lo: int) -> int:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise InvalidInput(f"a segment job's {key} must be a whole number from {lo}, got {value!r}")
    return value


def validate_segment(preset, params: dict[str, Any]) -> dict[str, Any]:
    """The checked parameters: the take, its size/frames/fps, and ≥1 object with ≥1 prompt each."""
    if params.get("take_id") is None:
        raise InvalidInput(f"{preset.id} makes roto mattes of a take; add prompts with "
                           "`director roto add PROJECT TAKE --point x,y@frame` (it queues the job)")
    unknown = set(params) - KNOWN
    if unknown:
        raise InvalidInput(f"unknown parameter(s) {', '.join(sorted(unknown))} for {preset.id}; known: {', '.join(sorted(KNOWN))}")
    out: dict[str, Any] = {"take_id": _whole(params, "take_id", 1), "width": _whole(params, "width", 1),
                           "height": _whole(params, "height", 1), "frames": _whole(params, "frames", 1)}
    fps = params.get("fps")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 1000:
        raise InvalidInput(f"a segment job's fps must be a positive number, got {fps!r}")
    out["fps"] = float(fps)
    out["steps"] = 1
    objects = params.get("objects") or []
    if not objects:
        raise InvalidInput(f"take {out['take_id']} has no roto prompts yet; add one with --point, --negative or --box")
    checked, ids = [], set()
    for obj in objects:
        oid = obj.get("id")
        if isinstance(oid, bool) or not isinstance(oid, int) or oid in ids:
            raise InvalidInput(f"each roto object needs its own whole-number id, got {oid!r}")
        ids.add(oid)
        prompts = []
        for p in obj.get("prompts") or []:
            prompt = RotoPrompt(p.get("kind"), p.get("frame"), p.get("x0"), p.get("y0"), p.get("x1"), p.get("y1"))
            if isinstance(prompt.frame, bool) or not isinstance(prompt.frame, int):
                raise InvalidInput(f"a prompt's frame must be a whole number, got {prompt.frame!r}")
            prompts.append(check_prompt(prompt, out["width"], out["height"], out["frames"]).as_dict())
        if not prompts:
            raise InvalidInput(f"roto object {obj.get('name')!r} has no prompts; click a point or drag a box first")
        checked.append({"id": oid, "name": check_name(obj.get("name", "")), "prompts": prompts})
    out["objects"] = checked
    return out
