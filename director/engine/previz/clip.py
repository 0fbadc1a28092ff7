"""A previz clip: every frame of one camera's view over the clip, as picture, depth and layout."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from director.core.blocking import camera_pose, lens_mm, shot_size_of
from director.engine.previz import LABEL
from director.engine.previz.render import Frame, Renderer
from director.engine.previz.spec import read_spec


def caption(spec: dict) -> str:
    """The words burnt into the corner of every previz frame: what it is and which camera."""
    cam = spec["camera"]
    setup = cam["setup"]
    size = shot_size_of(setup.get("shot_size", ""))
    bits = [LABEL.upper(), f"cam {cam['name']}", size[0] if size else "", f"{lens_mm(setup.get('lens', '')):g}mm",
            setup.get("angle", ""), setup.get("movement", "")]
    return "  ".join(b for b in bits if b)


def frames_of(spec: dict, *, width: int, height: int, frames: int, fps: float, seed: int,
              check: Callable[[], None] = lambda: None) -> Iterator[tuple[int, Frame]]:
    """(index, frame) for each frame of the clip; `check` runs before each frame (cancel)."""
    scene, camera, room = read_spec(spec)
    renderer = Renderer(scene, width, height, room)
    text = caption(spec)
    for i in range(frames):
        check()
        t = i / (frames - 1) if frames > 1 else 0.0
        pose = camera_pose(scene, camera, t, width=width, height=height, seed=seed, frames=frames, fps=fps)
        yield i, renderer.render(pose, True, text)


def render_clip(spec: dict, *, width: int, height: int, frames: int, fps: float, seed: int,
                check: Callable[[], None] = lambda: None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(picture, depth as RGB, layout) arrays of the whole clip, each (F, H, W, 3) uint8."""
    scene, _camera, _room = read_spec(spec)
    rgb = np.empty((frames, height, width, 3), np.uint8)
    depth = np.empty_like(rgb)
    layout = np.empty_like(rgb)
    for i, frame in frames_of(spec, width=width, height=height, frames=frames, fps=fps, seed=seed, check=check):
        rgb[i] = frame.rgb
        depth[i] = frame.depth[:, :, None]
        layout[i] = frame.layout(scene)
    return rgb, depth, layout
