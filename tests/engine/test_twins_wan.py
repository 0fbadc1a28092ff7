"""Wan family twins (2.1, 2.2 A14B's two experts, 2.2 TI2V 5B, FLF2V, VACE), loaded the way a
download is and run through the worker."""

from __future__ import annotations

import pytest

from tests.engine.twin_cache import built, still
from tests.engine.twin_runs import reproduces, take_of


def test_wan22_a14b_twin_has_two_experts_and_reproduces(engine, tmp_path):
    import json
    from pathlib import Path

    folder = Path(built("tiny-wan22-a14b-t2v").source)
    index = json.loads((folder / "model_index.json").read_text())
    assert list(folder.rglob("*.safetensors")) and not [p for p in folder.rglob("*") if p.suffix in (".bin", ".pt", ".ckpt")]
    assert index["transformer"] == ["diffusers", "WanTransformer3DModel"] == index["transformer_2"]
    assert index["boundary_ratio"] == 0.875
    reproduces(engine, "tiny-wan22-a14b-t2v", tmp_path)


@pytest.mark.parametrize("twin", ["tiny-wan21-t2v", "tiny-wan22-a14b-i2v", "tiny-wan22-ti2v-t2v",
                                  "tiny-wan22-ti2v-i2v", "tiny-wan21-vace"])
def test_each_wan_twin_makes_a_take_through_the_worker(engine, tmp_path, twin):
    take = take_of(engine, twin, tmp_path)
    assert (take["width"], take["height"], take["frames"]) == (32, 32, 9)


def test_flf2v_twin_takes_a_first_and_a_last_frame(tmp_path):
    """Through the real loader; the worker's end-keyframe mapping belongs to the keyframes work."""
    import torch
    from PIL import Image

    from director.engine.loading import load_pipeline

    pipe, _ = load_pipeline(built("tiny-wan21-flf2v"), "cpu")
    pipe.set_progress_bar_config(disable=True)
    first, last = Image.open(still(tmp_path / "a.png", 1)), Image.open(still(tmp_path / "b.png", 2))
    kwargs = dict(prompt="a door opens", height=32, width=32, num_frames=9, num_inference_steps=2,
                  guidance_scale=1.0, output_type="pt", max_sequence_length=16)
    with torch.inference_mode():
        video = pipe(image=first, last_image=last, generator=torch.Generator().manual_seed(1), **kwargs).frames[0]
        other = pipe(image=first, last_image=first, generator=torch.Generator().manual_seed(1), **kwargs).frames[0]
    assert tuple(video.shape) == (9, 3, 32, 32)
    assert not torch.equal(video, other)  # the last frame reaches the pipeline
