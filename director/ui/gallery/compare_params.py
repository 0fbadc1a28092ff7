"""The parameters of 2–4 takes side by side, and which of them differ.

Pure reads from the store, no Qt. Take fields (seed, size, frames, fps, camera, prompt version) and
the job's request (preset, steps, guidance, anything else the preset accepted) are compared as the
text a reviewer reads, so 1.0 and 1 count as the same guidance only if they print the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from director.ui.gallery.take_info import NOT_RECORDED, TakeInfo, take_info

# Job params shown by a take field already (the take records what was really made).
COVERED = {"width", "height", "frames", "fps", "negative"}
LEADING = ("steps", "guidance")


@dataclass(frozen=True)
class ParamRow:
    name: str
    values: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def compare_rows(project, take_ids: list[int]) -> tuple[list[TakeInfo], list[ParamRow]]:
    infos = [take_info(project, take_id) for take_id in take_ids]

    def row(name: str, get) -> ParamRow:
        return ParamRow(name, tuple(_text(get(i)) for i in infos))

    rows = [
        row("prompt version", lambda i: f"v{i.prompt_version}" if i.prompt_version is not None else None),
        row("prompt", lambda i: i.prompt),
        row("recipe", lambda i: "recorded" if i.recipe_recorded else NOT_RECORDED),
        row("negative", lambda i: i.negative or i.job.params.get("negative") or ""),
        row("camera", lambda i: i.camera),
        row("seed", lambda i: i.take.seed),
        row("preset", lambda i: i.take.preset),
    ]
    rows += [row(key, lambda i, k=key: i.job.params.get(k)) for key in LEADING]
    rows += [
        row("size", lambda i: f"{i.take.width}×{i.take.height}"),
        row("frames", lambda i: i.take.frames),
        row("fps", lambda i: str(i.take.rate)),
    ]
    extra = sorted({k for i in infos for k in i.job.params} - COVERED - set(LEADING))
    rows += [row(key, lambda i, k=key: i.job.params.get(k)) for key in extra]
    rows.append(row("parent take", lambda i: i.take.parent_take_id))
    return infos, rows
