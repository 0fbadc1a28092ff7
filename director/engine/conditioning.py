"""How each family takes a shot's keyframes, and the pipeline arguments built from them.

The rule (`rule_for`, `plan`) is plain Python: the app checks a strip against a preset before a
job is queued, so a family that cannot take it is refused with the reason, never run without it.
`keyframe_kwargs` runs in the worker and turns the planned stills into the call's arguments:

- LTX condition (0.9.x and LTX-2): one condition per keyframe at its frame
  (`LTXVideoCondition(image, frame_index)`, `LTX2VideoCondition(frames, index)`);
- Wan VACE: a guide video with the keyframes in place and a mask that keeps them;
- Wan 2.1 FLF2V: `image` and `last_image`;
- image-to-video families (Wan I2V, Wan 2.2 TI2V, HunyuanVideo 1.5 I2V, LTX I2V): the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from director.core.errors import InvalidInput
from director.core.keyframes import placed
from director.engine.presets import Preset

ANY, FIRST_LAST, FIRST, NONE = "frames", "first+last", "first", "none"

_AT_FRAMES = {"LTXConditionPipeline", "LTX2ConditionPipeline", "WanVACEPipeline"}
_FIRST_ONLY = {"WanImageToVideoPipeline", "LTXImageToVideoPipeline", "LTX2ImageToVideoPipeline",
               "HunyuanVideo15ImageToVideoPipeline", "HunyuanVideoImageToVideoPipeline", "CogVideoXImageToVideoPipeline",
               "HunyuanVideoFramepackPipeline"}


@dataclass(frozen=True)
class KeyframeRule:
    takes: str  # ANY, FIRST_LAST, FIRST or NONE
    why: str  # said when a strip asks for more than the family takes


def _is(preset: Preset, *marks: str) -> bool:
    text = f"{preset.id} {preset.label}".lower().replace(" ", "").replace(".", "")
    return any(m in text for m in marks)


def rule_for(preset: Preset) -> KeyframeRule:
    """What a preset's family does with keyframes."""
    cls = preset.pipeline
    if cls in _AT_FRAMES:
        return KeyframeRule(ANY, "")
    if cls == "WanImageToVideoPipeline" and _is(preset, "flf2v", "first-last", "firstlast"):
        return KeyframeRule(FIRST_LAST, f"{preset.label} takes a first and a last frame only")
    if cls == "WanImageToVideoPipeline" and _is(preset, "ti2v", "wan22-5b", "wan225b"):
        return KeyframeRule(FIRST, "Wan 2.2 TI2V takes a first frame only")
    if cls in _FIRST_ONLY:
        return KeyframeRule(FIRST, f"{preset.label} ({cls}) takes a first frame only")
    return KeyframeRule(NONE, f"{preset.label} ({cls}) makes {'images' if not preset.is_video else 'video'} from text "
                              "and takes no keyframes; pick an LTX condition, Wan FLF2V, VACE or image-to-video preset")


def plan(preset: Preset, keyframes, frames: int) -> list[tuple[int, str]]:
    """(frame index, media path) per keyframe for a clip of `frames` frames, or InvalidInput
    naming what this family takes."""
    where = placed(keyframes, frames)
    if not where:
        raise InvalidInput("the shot has no keyframes; add one with 'director keyframe add'")
    rule = rule_for(preset)
    indices = [i for i, _ in where]
    if rule.takes == NONE:
        raise InvalidInput(rule.why)
    if rule.takes == FIRST and indices != [0]:
        raise InvalidInput(f"{rule.why}; this strip has keyframes at frames {', '.join(map(str, indices))}")
    if rule.takes == FIRST_LAST:
        if 0 not in indices:
            raise InvalidInput(f"{preset.label} needs a first frame; this strip starts at frame {indices[0]}")
        if any(i not in (0, frames - 1) for i in indices):
            raise InvalidInput(f"{rule.why} (frames 0 and {frames - 1} of this clip); "
                               f"this strip has keyframes at frames {', '.join(map(str, indices))}")
    return where


# -- in the worker -----------------------------------------------------------------------------


def load_still(path: str, width: int, height: int):
    """A keyframe's still as an RGB PIL image at the job's size (the size the pipeline makes)."""
    from PIL import Image

    from director.engine.media_out import read_still

    return Image.fromarray(read_still(Path(path))).convert("RGB").resize((width, height), Image.LANCZOS)


def keyframe_kwargs(preset: Preset, keyframes: tuple[tuple[int, str], ...], params: dict) -> dict:
    """The pipeline call's arguments for planned keyframes ((frame index, absolute path) pairs)."""
    w, h, frames = params["width"], params["height"], params.get("frames", 1)
    images = [(i, load_still(path, w, h)) for i, path in keyframes]
    cls = preset.pipeline
    if cls == "LTXConditionPipeline":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        return {"conditions": [LTXVideoCondition(image=img, frame_index=i) for i, img in images]}
    if cls == "LTX2ConditionPipeline":
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        return {"conditions": [LTX2VideoCondition(frames=img, index=i) for i, img in images]}
    if cls == "WanVACEPipeline":
        return vace_keyframes(images, frames, w, h)
    by_index = dict(images)
    out = {"image": by_index[0]}
    if frames - 1 in by_index and frames > 1:
        out["last_image"] = by_index[frames - 1]
    return out


def vace_keyframes(images, frames: int, width: int, height: int) -> dict:
    """VACE's way to place stills: a guide video holding them at their frames (grey elsewhere)
    and a mask that is black (keep) on those frames and white (make) on the rest."""
    from PIL import Image

    grey = Image.new("RGB", (width, height), (127, 127, 127))
    keep, make = Image.new("L", (width, height), 0), Image.new("L", (width, height), 255)
    at = dict(images)
    return {"video": [at.get(i, grey) for i in range(frames)], "mask": [keep if i in at else make for i in range(frames)]}
