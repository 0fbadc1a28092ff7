"""The previz render's shortcuts give exactly the numbers of the arithmetic they replace (#15):
a re-render of an old previz take stays bit-identical after the render got faster."""

from __future__ import annotations

import numpy as np

from director.engine.previz.render import _SKY_FIRST, _exit, _parity, _sky_step


def _power_step(e: np.ndarray) -> np.ndarray:
    return (e ** np.float32(0.6) * np.float32(255.99)).astype(np.int32)


def test_the_sky_step_table_matches_the_float32_power_everywhere_it_could_differ():
    rng = np.random.default_rng(7)
    e = rng.random(2_000_000, dtype=np.float32)
    samples = [e, e ** 6, np.array([0.0, 1.0, 1e-30, 1 - 6e-8], np.float32)]
    # every step's first elevation and the 2000 float32 values either side of it
    first = _SKY_FIRST[1:256].view(np.int32)
    near = (first[:, None] + np.arange(-2000, 2000)[None, :]).ravel().astype(np.int32).view(np.float32)
    samples.append(near[(near >= 0) & (near <= 1)])
    for values in samples:
        assert np.array_equal(_sky_step(values), _power_step(values))


def test_one_division_leaves_a_slab_where_two_did_signed_zeros_and_infinities_included():
    d = np.array([0.5, -0.5, 0.0, -0.0, 1e-30, -1e-30, np.inf, 3.0], np.float32)
    for lo, hi in ((np.float32(-2.0), np.float32(3.0)), (np.float32(1.0), np.float32(3.0)), (np.float32(-2.0), np.float32(-1.0))):
        with np.errstate(divide="ignore", invalid="ignore"):
            want = np.maximum(lo / d, hi / d)
        assert np.array_equal(_exit(lo, hi, d), want, equal_nan=True), (lo, hi)


def test_the_checker_parity_matches_two_integer_floors():
    rng = np.random.default_rng(3)
    x, z = (rng.uniform(-900, 900, 100_000).astype(np.float32) for _ in range(2))
    want = (np.floor(x).astype(np.int32) + np.floor(z).astype(np.int32)) & 1
    assert np.array_equal(_parity(x, z), want)


def test_shrinking_a_figure_part_to_its_outline_leaves_every_pixel_as_it_was(monkeypatch):
    from director.core.blocking import CameraPlan, build_scene, default_camera_placement
    from director.core.prompt import CameraSetup, PromptFields
    from director.engine.previz import render

    scene = build_scene(PromptFields(subject="a woman in a red coat and a dog", setting="a rooftop at dusk"))
    shrunk = []
    real = render.Renderer._ellipse_roi

    def counted(self, roi, *args):
        out = real(self, roi, *args)
        shrunk.append(out != roi)
        return out

    def frames():
        out = []
        for i, setup in enumerate((CameraSetup(shot_size="close-up", lens="85mm", movement="handheld"),
                                   CameraSetup(shot_size="extreme close-up", angle="low angle"),
                                   CameraSetup(shot_size="medium shot", angle="dutch angle", movement="orbit"))):
            for t in (0.0, 0.5, 1.0):
                frame = render.render_view(scene, CameraPlan("A", setup, default_camera_placement(i)), t,
                                           width=384, height=256, seed=2, frames=24)
                out.append((frame.rgb, frame.depth, frame.labels))
        return out

    monkeypatch.setattr(render.Renderer, "_ellipse_roi", counted)
    tight = frames()
    assert sum(shrunk) > 20  # the outline boxes were used, and smaller than the sphere's
    monkeypatch.setattr(render, "TIGHTEN_PX", 10**9)
    loose = frames()
    for a, b in zip(tight, loose):
        for x, y in zip(a, b):
            assert np.array_equal(x, y)
