"""SAM 2 video segmentation: load `Sam2VideoModel` through the real loading rules and turn a take's
frames plus roto prompts into one matte per object and frame.

Loading follows `engine.loading`: a local folder or a hub id (`facebook/sam2.1-hiera-*`),
safetensors only, the hub cache read offline unless `director models pull` asked to download.
The prompts go in through `Sam2VideoProcessor.add_inputs_to_inference_session` on their frames,
each prompted frame is run once, then `propagate_in_video_iterator` carries the masks forward and
backward through the take. A matte is the sigmoid of SAM 2's mask logits at the take's size as
uint8 (0 outside, 255 inside, soft only along the edge), which is what a compositor wants as alpha.

The processor's image and video halves need torchvision; where it cannot be imported (no CPU
build exists for every torch), `TorchSam2VideoProcessor` does the same resize and normalisation
in torch from the checkpoint's own processor settings, and inherits every prompt method from
`Sam2VideoProcessor` itself. Torch and transformers are imported inside the functions.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Callable

import numpy as np

from director.core.errors import InvalidInput
from director.engine.presets import Preset

log = logging.getLogger("director.engine.segment")

LABELS = {"positive": 1, "negative": 0}


def load_segmenter(preset: Preset, device: str, allow_download: bool = False):
    """(model on the device in eval mode, processor, weights revision). Raises MissingWeights or
    UnsafeWeights (from `loading.resolve`) with how to get the weights."""
    from transformers import Sam2VideoModel

    from director.engine.loading import load_transformers_model

    model, folder, revision = load_transformers_model(preset, Sam2VideoModel, device, allow_download)
    return model, sam2_processor(folder), revision


def sam2_processor(folder: Path):
    """transformers' own processor where its torchvision half imports, else the torch one."""
    try:
        import torchvision  # noqa: F401  (the processor's image and video halves need it)
    except Exception:  # absent, or a build for another torch ('operator torchvision::nms does not exist')
        return torch_processor(folder)
    from transformers import Sam2VideoProcessor

    return Sam2VideoProcessor.from_pretrained(str(folder), local_files_only=True)


def processor_settings(folder: Path) -> dict:
    """The checkpoint's processor settings (size, mean, std, target size), from its JSON files."""
    settings: dict = {}
    for name in ("preprocessor_config.json", "video_preprocessor_config.json", "processor_config.json"):
        try:
            settings.update(json.loads((Path(folder) / name).read_text()))
        except (OSError, ValueError):
            continue
    size = settings.get("size") or {"height": 1024, "width": 1024}
    return {"size": (int(size["height"]), int(size["width"])),
            "mean": list(settings.get("image_mean", [0.485, 0.456, 0.406])),
            "std": list(settings.get("image_std", [0.229, 0.224, 0.225])),
            "target_size": int(settings.get("target_size") or size["height"]),
            "point_pad_value": int(settings.get("point_pad_value", -10))}


def torch_processor(folder: Path):
    return _torch_processor_class()(**processor_settings(folder))


@functools.cache
def _torch_processor_class():
    """Made on first use, so importing this module never imports transformers (or torch)."""
    import torch
    import torch.nn.functional as F
    from transformers import Sam2VideoProcessor
    from transformers.models.sam2_video.modeling_sam2_video import Sam2VideoInferenceSession

    class TorchSam2VideoProcessor(Sam2VideoProcessor):
        """Sam2VideoProcessor without torchvision: frames resized (bilinear, antialiased),
        rescaled and normalised with the checkpoint's settings, masks scaled back to the frame
        size; points and boxes go through Sam2VideoProcessor's own methods."""

        def __init__(self, *, size, mean, std, target_size, point_pad_value=-10):
            # No ProcessorMixin.__init__: it insists on the torchvision sub-processors. The
            # inherited prompt methods read only target_size and point_pad_value.
            self.size, self.mean, self.std = size, mean, std
            self.target_size, self.point_pad_value = target_size, point_pad_value

        def init_video_session(self, video, inference_device="cpu", dtype=torch.float32, **_kwargs):
            frames = torch.from_numpy(np.ascontiguousarray(video)).permute(0, 3, 1, 2).float()
            height, width = frames.shape[-2:]
            frames = F.interpolate(frames, self.size, mode="bilinear", align_corners=False, antialias=True) / 255.0
            pixels = (frames - torch.tensor(self.mean).view(1, 3, 1, 1)) / torch.tensor(self.std).view(1, 3, 1, 1)
            return Sam2VideoInferenceSession(video=pixels, video_height=int(height), video_width=int(width),
                                             inference_device=inference_device, inference_state_device=inference_device,
                                             video_storage_device=inference_device, dtype=dtype)

        def post_process_masks(self, masks, original_sizes, mask_threshold=0.0, binarize=True, **_kwargs):
            out = []
            for mask, size in zip(masks, original_sizes):
                scaled = F.interpolate(mask.float(), [int(s) for s in size], mode="bilinear", align_corners=False)
                out.append(scaled > mask_threshold if binarize else scaled)
            return out

    return TorchSam2VideoProcessor


def segment(model, processor, frames: np.ndarray, objects: list[dict], device: str, *,
            on_frame: Callable[[int, int], None] | None = None) -> dict[int, np.ndarray]:
    """object id → its matte (frames × height × width, uint8) for a take's RGB frames (T×H×W×3).

    `objects` are a segment job's checked objects (`segment_params`): id, name, prompts. Each
    prompted frame runs once per object (a box first, then that frame's points), then the masks
    propagate forward from the earliest prompted frame and backward from it. `on_frame(done,
    total)` is called after every frame that SAM 2 ran, and may raise to stop (cancel)."""
    import torch

    total_frames = int(frames.shape[0])
    height, width = int(frames.shape[1]), int(frames.shape[2])
    late = [p["frame"] for o in objects for p in o["prompts"] if p["frame"] >= total_frames]
    if late:  # the take's row and its file disagree: say so rather than fail inside SAM 2
        raise InvalidInput(f"a roto prompt is on frame {max(late)}, but the take's file has {total_frames} frames")
    dtype = next(model.parameters()).dtype
    session = processor.init_video_session(video=frames, inference_device=device, dtype=dtype)
    prompted = sorted({p["frame"] for o in objects for p in o["prompts"]})
    runs = sum(len({p["frame"] for p in o["prompts"]}) for o in objects)
    first = prompted[0]
    total = runs + (total_frames - first) + (first + 1 if first > 0 else 0)  # forward, then backward
    done = 0
    mattes = {o["id"]: np.zeros((total_frames, height, width), np.uint8) for o in objects}

    def keep(output) -> None:
        logits = processor.post_process_masks([output.pred_masks], original_sizes=[[height, width]], binarize=False)[0]
        alpha = (torch.sigmoid(logits.float()) * 255.0).round().to(torch.uint8).cpu().numpy()
        for index, obj_id in enumerate(output.object_ids):
            mattes[obj_id][output.frame_idx] = alpha[index, 0]

    def step() -> None:
        nonlocal done
        done += 1
        if on_frame is not None:
            on_frame(done, total)

    with torch.inference_mode():
        for obj in objects:
            for frame in sorted({p["frame"] for p in obj["prompts"]}):
                here = [p for p in obj["prompts"] if p["frame"] == frame]
                boxes = [p for p in here if p["kind"] == "box"]
                points = [p for p in here if p["kind"] != "box"]
                inputs = {}
                if boxes:  # SAM 2 takes one box per object and frame: the latest one drawn
                    b = boxes[-1]
                    inputs["input_boxes"] = [[[b["x0"], b["y0"], b["x1"], b["y1"]]]]
                if points:
                    inputs["input_points"] = [[[[p["x0"], p["y0"]] for p in points]]]
                    inputs["input_labels"] = [[[LABELS[p["kind"]] for p in points]]]
                processor.add_inputs_to_inference_session(inference_session=session, frame_idx=frame,
                                                          obj_ids=obj["id"], **inputs)
                keep(model(inference_session=session, frame_idx=frame))
                step()
        for reverse in (False, True):
            for output in model.propagate_in_video_iterator(session, start_frame_idx=first, reverse=reverse):
                keep(output)
                step()
    return mattes
