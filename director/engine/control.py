"""Control: a guide video (pose, depth, edges or layout) and reference images for a job, with a strength.

A guide comes from a take or a video file. Edges are made here with OpenCV (Canny on each frame);
depth is made with OpenCV's DNN module from a monocular depth model the user names in the engine
settings (`engine.json`: {"depth_model": "/path/midas_small.onnx"}), or taken as it is when the
video already is a depth render (a previz pass); pose and layout videos are used as they are
(`prepared=True`), since no pose model ships with Director. Reference images come from a cast
entry (`store.script`: its reference images), so a character looks the same across shots.

Only Wan VACE takes a control video and reference images (`video`, `mask`, `reference_images`,
`conditioning_scale`); other families are refused with the reason before a job is queued.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from director.core.errors import InvalidInput, NotFound
from director.engine.presets import Preset, load_settings
from director.store.media import sha256_file
from director.store.project import Project

MODES = ("pose", "depth", "edges", "layout")
MADE_HERE = ("edges", "depth")
STRENGTH_RANGE = (0.0, 2.0)
CONTROL_PIPELINES = ("WanVACEPipeline",)


def takes_control(preset: Preset) -> str:
    """'' when the preset's family takes a control video and references, else why not."""
    if preset.pipeline in CONTROL_PIPELINES:
        return ""
    return (f"{preset.label} ({preset.pipeline}) takes no control video or reference images; "
            "pick a Wan VACE preset")


def check_strength(value) -> float:
    lo, hi = STRENGTH_RANGE
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"a control's strength is a number from {lo:g} to {hi:g}; got {value!r}") from None
    if not lo <= x <= hi:  # NaN fails this too
        raise InvalidInput(f"control strength {value} is out of range ({lo:g} to {hi:g}); nearest valid: "
                           f"{max(lo, min(hi, x)) if x == x else 1.0:g}")
    return x


def edges(frames: np.ndarray, low: int = 100, high: int = 200) -> np.ndarray:
    """(F, H, W, 3) uint8 RGB → the Canny edges of each frame, white on black, as RGB."""
    import cv2

    out = np.empty_like(frames)
    for i, frame in enumerate(frames):
        e = cv2.Canny(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), low, high)
        out[i] = np.repeat(e[:, :, None], 3, axis=2)
    return out


def depth(frames: np.ndarray, model_path: str | None = None) -> np.ndarray:
    """(F, H, W, 3) uint8 RGB → near-is-bright depth per frame from an ONNX monocular depth model
    (MiDaS-style: 256² input, one inverse-depth map out) run by OpenCV's DNN module."""
    import cv2

    model_path = model_path or load_settings().get("depth_model")
    if not model_path:
        raise InvalidInput("making depth needs a depth model: set \"depth_model\" in engine.json to a MiDaS-style "
                           ".onnx file, or give a depth render with --prepared")
    path = Path(model_path).expanduser()
    if path.suffix.lower() != ".onnx" or not path.is_file():
        raise NotFound(f"no ONNX depth model at {path}")
    net = cv2.dnn.readNet(str(path))
    out = np.empty_like(frames)
    for i, frame in enumerate(frames):
        blob = cv2.dnn.blobFromImage(frame, 1 / 255.0, (256, 256), mean=(123.675, 116.28, 103.53), swapRB=False, crop=False)
        net.setInput(blob)
        d = net.forward()[0]
        d = d.reshape(d.shape[-2], d.shape[-1])
        d = cv2.resize(d, (frame.shape[1], frame.shape[0]))
        lo, hi = float(d.min()), float(d.max())
        d = ((d - lo) / (hi - lo or 1.0) * 255).astype(np.uint8)
        out[i] = np.repeat(d[:, :, None], 3, axis=2)
    return out


def make_guide(frames: np.ndarray, mode: str, prepared: bool = False) -> np.ndarray:
    """The guide frames for a mode from source frames: edges or depth made here, or the video as it is."""
    if mode not in MODES:
        raise InvalidInput(f"a control mode is one of {', '.join(MODES)}; got {mode!r}")
    if prepared:
        return frames
    if mode == "edges":
        return edges(frames)
    if mode == "depth":
        return depth(frames)
    raise InvalidInput(f"Director makes {' and '.join(MADE_HERE)} itself; a {mode} video must come prepared "
                       f"(a {mode} render from your previz or another tool): pass --prepared")


def store_guide(project: Project, guide: np.ndarray, fps: Fraction) -> str:
    """Write the guide frames into the media store as an MP4 (content-addressed); its name."""
    from director.engine import encoders
    from director.engine.media_out import encode_mp4

    data = encode_mp4(guide, fps, encoders.choose(None, "final", cuda=False))
    return project.media.put_bytes(data, "mp4")


def recipe_control(project: Project, *, video: str, mode: str, strength: float, references: tuple[str, ...] = (),
                   source: str = "", depth_model: str | None = None) -> dict:
    """The control as a recipe records it: the guide's and each reference's media path and SHA-256.
    With `depth_model` (a depth preset) the guide is the source frames and the worker makes the
    depth from them (engine.depth_model)."""
    check_strength(strength)
    if mode not in MODES:
        raise InvalidInput(f"a control mode is one of {', '.join(MODES)}; got {mode!r}")
    if depth_model is not None:
        from director.engine.depth_model import depth_preset

        if mode != "depth":
            raise InvalidInput(f"a depth model makes depth guides; the mode is {mode}")
        depth_model = depth_preset(depth_model).id

    def entry(relative: str) -> dict:
        path = project.media.path(relative)
        if not path.is_file():
            raise NotFound(f"{relative} is missing from the media store")
        return {"media_path": relative, "sha256": sha256_file(path)}

    out = {"mode": mode, "strength": float(strength), "source": source, "video": entry(video),
           "references": [entry(r) for r in references]}
    if depth_model:
        out["depth_model"] = depth_model
    return out


def request_control(project: Project, control: dict) -> dict:
    """The recipe's control with absolute paths, each file checked against its recorded hash."""
    from director.engine.steering import checked_path

    return {
        "mode": control["mode"],
        "strength": float(control["strength"]),
        "video": checked_path(project, control["video"]["media_path"], control["video"].get("sha256"), "control video"),
        "references": [checked_path(project, r["media_path"], r.get("sha256"), "reference image") for r in control.get("references", ())],
        "depth_model": control.get("depth_model"),
    }


# -- in the worker -----------------------------------------------------------------------------


def control_kwargs(preset: Preset, control: dict, params: dict, kwargs: dict, device: str = "cpu") -> dict:
    """VACE's arguments: the guide frames at the job's size and length (the last frame held when
    the guide is shorter), a mask that makes every frame, the references and the strength. A
    control naming a depth model gets its depth made here, from the guide's frames, on `device`."""
    from PIL import Image

    from director.engine.media_out import read_frames, read_still

    why = takes_control(preset)
    if why:
        raise InvalidInput(why)
    if "video" in kwargs:
        raise InvalidInput("VACE takes keyframes or a control video in one job, not both; remove one")
    w, h, n = params["width"], params["height"], params.get("frames", 1)
    frames = read_frames(Path(control["video"]))
    if control.get("depth_model"):
        from director.engine.depth_model import depth_frames, depth_preset

        frames = depth_frames(depth_preset(control["depth_model"]), frames[:n], device)
    picked = [frames[min(i, len(frames) - 1)] for i in range(n)]
    video = [Image.fromarray(f).convert("RGB").resize((w, h), Image.LANCZOS) for f in picked]
    out = {"video": video, "mask": [Image.new("L", (w, h), 255)] * n, "conditioning_scale": float(control["strength"])}
    if control.get("references"):
        out["reference_images"] = [Image.fromarray(read_still(Path(p))).convert("RGB").resize((w, h), Image.LANCZOS)
                                   for p in control["references"]]
    return out
