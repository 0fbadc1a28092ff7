"""LTX family twins (LTX-2 with sound, LTX-Video 0.9.8 as one original-format file), loaded the
way a download is and run through the worker."""

from __future__ import annotations

from tests.engine.twin_cache import built
from tests.engine.twin_runs import reproduces, take_of


def test_ltx2_text_to_video_twin_makes_a_take_and_its_seed_reproduces(engine, tmp_path):
    reproduces(engine, "tiny-ltx2-t2v", tmp_path)


def test_ltx2_image_to_video_twin_animates_a_still(engine, tmp_path):
    take = take_of(engine, "tiny-ltx2-i2v", tmp_path)
    assert (take["width"], take["height"], take["frames"]) == (32, 32, 9)


def test_ltx2_twin_makes_sound_with_its_sample_rate():
    import torch

    from director.engine.loading import av_output, load_pipeline

    pipe, _ = load_pipeline(built("tiny-ltx2-t2v"), "cpu")
    pipe.set_progress_bar_config(disable=True)
    kwargs = dict(prompt="a bell rings", width=32, height=32, num_frames=9, frame_rate=12.0, num_inference_steps=2,
                  guidance_scale=1.0, output_type="pt", max_sequence_length=16)
    with torch.inference_mode():
        frames, audio, rate = av_output(pipe, pipe(**kwargs, generator=torch.Generator().manual_seed(3)), True)
        again = av_output(pipe, pipe(**kwargs, generator=torch.Generator().manual_seed(3)), True)[1]
    assert tuple(frames.shape) == (9, 3, 32, 32)
    assert rate == 16000 and audio.shape[0] == 2 and audio.shape[-1] > 0
    assert torch.equal(audio, again)  # the sound reproduces from the seed as the picture does


def test_a_pipeline_without_sound_says_so():
    from types import SimpleNamespace

    from director.engine.loading import av_output

    frames, audio, rate = av_output(SimpleNamespace(), SimpleNamespace(frames=["clip"]), True)
    assert (frames, audio, rate) == ("clip", None, None)


def test_ltx_video_098_twin_is_one_original_checkpoint_loaded_with_from_single_file(engine, tmp_path):
    from safetensors import safe_open

    preset = built("tiny-ltxv098")
    assert preset.source.endswith(".safetensors") and preset.config.endswith("config")
    with safe_open(preset.source, "pt") as f:
        keys = set(f.keys())
    # The original names Lightricks' file uses, which diffusers converts on load.
    assert "model.diffusion_model.patchify_proj.weight" in keys and "model.diffusion_model.adaln_single.linear.weight" in keys
    assert any(k.startswith("vae.decoder.up_blocks.9.") for k in keys)
    reproduces(engine, "tiny-ltxv098", tmp_path)


def test_the_single_file_twin_loads_back_bit_exactly_with_its_config_folders_text_encoder():
    import torch

    from director.engine.loading import load_pipeline
    from director.engine.twins import build_pipeline

    loaded, revision = load_pipeline(built("tiny-ltxv098"), "cpu")
    reference = build_pipeline("tiny-ltxv098")
    for name in ("transformer", "vae", "text_encoder"):
        a, b = reference.components[name].state_dict(), loaded.components[name].state_dict()
        assert set(a) == set(b), name
        assert all(torch.equal(a[k], b[k]) for k in a), name
    assert revision.startswith("sha256:")
