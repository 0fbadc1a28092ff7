"""Distilled-step LoRA presets (Wan 2.2 A14B Lightning): the tiny twin is the base twin plus two
LoRA files in lightx2v's layout and key names; the real loader fuses the high-noise one into
`transformer` and the low-noise one into `transformer_2`, swaps in the recipe's sampler, and the
take runs through the worker in 4 steps."""

from __future__ import annotations

import pytest
import torch

from director.engine.loading import MissingWeights, load_pipeline, weights_present
from director.engine.presets import get_preset
from director.engine.step_loras import resolve_step_loras
from tests.engine.twin_cache import built
from tests.engine.twin_runs import reproduces, take_of


def _weights(module) -> dict:
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_lightning_loras_are_fused_into_both_experts_of_the_base_model():
    base, _ = load_pipeline(built("tiny-wan22-a14b-t2v"), "cpu")
    fast, revision = load_pipeline(built("tiny-wan22-a14b-t2v-lightning"), "cpu")
    for component in ("transformer", "transformer_2"):
        a, b = _weights(getattr(base, component)), _weights(getattr(fast, component))
        assert a.keys() == b.keys(), f"{component} kept LoRA layers after fusing"
        changed = [k for k in a if not torch.equal(a[k], b[k])]
        assert any(".attn1.to_q." in k for k in changed) and any(".ffn." in k for k in changed), component
        assert all("norm" not in k for k in changed)  # only the layers the LoRA names
    assert type(fast.scheduler).__name__ == "FlowMatchEulerDiscreteScheduler" and fast.scheduler.config.shift == 5.0
    assert "+transformer:" in revision and "+transformer_2:" in revision


def test_a_lightning_take_runs_through_the_worker_in_four_steps(engine, tmp_path):
    reproduces(engine, "tiny-wan22-a14b-t2v-lightning", tmp_path)
    fast = take_of(engine, "tiny-wan22-a14b-t2v-lightning", tmp_path / "fast", seed=5, steps=4)
    plain = take_of(engine, "tiny-wan22-a14b-t2v", tmp_path / "plain", seed=5, steps=4)
    assert fast["frames_sha256"] != plain["frames_sha256"]  # the same seed, other weights
    assert fast["steps"] == 4
    i2v = take_of(engine, "tiny-wan22-a14b-i2v-lightning", tmp_path, seed=5, steps=4)
    assert i2v["frames"] == 9


def test_the_real_presets_name_both_files_and_say_how_to_get_them_when_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    preset = get_preset("wan22-a14b-t2v-lightning")
    assert (preset.defaults.steps, preset.defaults.guidance) == (4, 1.0)
    assert [c for _s, c in preset.step_loras] == ["transformer", "transformer_2"]
    assert all(s.startswith("lightx2v/Wan2.2-Lightning::") and s.endswith(".safetensors") for s, _c in preset.step_loras)
    with pytest.raises(MissingWeights, match="high_noise_model.safetensors from lightx2v/Wan2.2-Lightning is not in the Hugging Face cache"):
        resolve_step_loras(preset)
    assert not weights_present(preset)
    assert [p.name for p, _c in resolve_step_loras(built("tiny-wan22-a14b-i2v-lightning"))] == [
        "high_noise_model.safetensors", "low_noise_model.safetensors"]
