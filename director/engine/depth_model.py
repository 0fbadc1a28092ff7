"""Depth guides made by a depth model in the worker (Depth Anything V2 through transformers).

A control job whose recipe names a depth preset (`control["depth_model"]`) stores the source
frames as its guide; the worker turns them into depth here before the pipeline call, so torch
stays in the worker and a re-render remakes the same depth from the same frames and weights.
Depth Anything predicts relative inverse depth (near is large); it is scaled to 0–255 over the
whole clip, not per frame, so the guide does not flicker as the nearest object changes.
"""

from __future__ import annotations

import numpy as np

from director.core.errors import InvalidInput
from director.engine.presets import Preset, get_preset

_LOADED: dict[tuple[str, str], tuple] = {}  # (preset id, device) → (model, processor): one per worker


def depth_preset(preset_id: str) -> Preset:
    """The depth preset a control names, refused when it is not one."""
    preset = get_preset(preset_id)
    if preset.kind != "depth":
        raise InvalidInput(f"{preset.id} is not a depth model; depth models: "
                           + ", ".join(p.id for p in _depth_presets()))
    return preset


def _depth_presets():
    from director.engine.presets import all_presets

    return [p for p in all_presets() if p.kind == "depth"]


def load_depth(preset: Preset, device: str, allow_download: bool = False):
    """(model on the device in eval mode, image processor). Raises MissingWeights or UnsafeWeights
    (from `loading.resolve`) with how to get the weights."""
    key = (preset.id, device)
    if key in _LOADED:
        return _LOADED[key]
    from transformers import AutoImageProcessor, DepthAnythingForDepthEstimation

    from director.engine.loading import _missing, load_transformers_model

    model, folder, _revision = load_transformers_model(preset, DepthAnythingForDepthEstimation, device, allow_download)
    try:
        processor = AutoImageProcessor.from_pretrained(str(folder), local_files_only=True)
    except OSError as exc:
        raise _missing(preset, f"loading {folder}'s image processor failed ({exc})") from exc
    _LOADED[key] = (model, processor)
    return _LOADED[key]


def depth_frames(preset: Preset, frames: np.ndarray, device: str, batch: int = 8) -> np.ndarray:
    """(F, H, W, 3) uint8 RGB → (F, H, W, 3) uint8 depth, near bright, scaled over the clip."""
    import torch
    import torch.nn.functional as F

    model, processor = load_depth(preset, device)
    h, w = frames.shape[1:3]
    maps = []
    with torch.inference_mode():
        for i in range(0, len(frames), batch):
            inputs = processor(images=list(frames[i:i + batch]), return_tensors="pt")
            pixels = inputs["pixel_values"].to(device, model.dtype)
            predicted = model(pixel_values=pixels).predicted_depth.float()
            maps.append(F.interpolate(predicted[:, None], size=(h, w), mode="bicubic", align_corners=False)[:, 0].cpu())
    depth = torch.cat(maps).numpy()
    lo, hi = float(depth.min()), float(depth.max())
    scaled = ((depth - lo) / (hi - lo or 1.0) * 255.0).round().clip(0, 255).astype(np.uint8)
    return np.repeat(scaled[..., None], 3, axis=3)
