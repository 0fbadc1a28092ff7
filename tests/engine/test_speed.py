"""Speed options: checked before a job is queued, applied in the worker where the device allows,
recorded in the run facts with whether they change pixels; GPU-only ones are skipped on a CPU."""

from __future__ import annotations

from dataclasses import replace

import pytest

from director.core.errors import InvalidInput
from director.core.recipe import Option
from director.engine import speed
from director.engine.messages import Finished, TakeWritten

from .conftest import request_for, run_to_end


def test_the_registry_refuses_what_cannot_run():
    assert speed.check(["taylorseer", "fp8_layerwise"]) == ("taylorseer", "fp8_layerwise")
    with pytest.raises(InvalidInput, match="unknown speed option"):
        speed.check(["warp_drive"])
    with pytest.raises(InvalidInput, match="both step caches; pick one"):
        speed.check(["first_block_cache", "taylorseer"])
    with pytest.raises(InvalidInput, match="MagCache needs the model's calibrated magnitude ratios"):
        speed.check(["mag_cache"], "LTX")
    assert speed.check(["mag_cache"], "FLUX") == ("mag_cache",)
    assert {n for n, o in speed.OPTIONS.items() if o.cuda_only} == {
        "group_offload_streams", "regional_compile", "fp8_layerwise", "torchao_int8"}
    assert [n for n, o in speed.OPTIONS.items() if not o.changes_pixels] == ["group_offload_streams"]
    assert speed.key(()) == "" and speed.key(("mag_cache",), 8) != speed.key(("mag_cache",), 4)


def test_cpu_applies_the_caches_and_skips_gpu_only_options_with_a_note():
    from director.engine.tiny import build_t2v

    pipe = build_t2v()
    applied, notes = speed.apply(pipe, ["taylorseer", "regional_compile", "fp8_layerwise"], "cpu", family="LTX", steps=4)
    assert applied == ["taylorseer"] and pipe.transformer.is_cache_enabled
    assert notes == ["regional_compile skipped: it needs CUDA, this job ran on cpu",
                     "fp8_layerwise skipped: it needs CUDA, this job ran on cpu"]
    with pytest.raises(InvalidInput, match="already switches on a step cache"):
        speed.apply(pipe, ["first_block_cache"], "cpu", family="LTX")


def test_fp8_layerwise_casting_stores_the_transformer_in_fp8():
    """The FP8 path itself (no CUDA kernel involved): weights stored as float8_e4m3fn."""
    import torch

    from director.engine.tiny import build_t2v

    pipe = build_t2v()
    applied, _ = speed.apply(pipe, ["fp8_layerwise"], "cuda", family="LTX")  # as on a GPU, on CPU tensors
    assert applied == ["fp8_layerwise"]
    assert pipe.transformer.transformer_blocks[0].attn1.to_q.weight.dtype == torch.float8_e4m3fn


_ids = iter(range(160000, 170000))


def test_a_cache_through_the_worker_is_recorded_as_changing_pixels_and_reproduces(engine, tmp_path):
    def run(options):
        request = replace(request_for("tiny-t2v", next(_ids), tmp_path, seeds=(9,), steps=4), speed=options)
        events = run_to_end(engine, request)
        assert isinstance(events[-1], Finished), events[-1]
        return events[-1], next(e for e in events if isinstance(e, TakeWritten)).extra["frames_sha256"]

    finished, cached = run(("first_block_cache",))
    assert Option("first_block_cache", True) in finished.run_facts.options
    again, cached_again = run(("first_block_cache",))
    assert cached_again == cached  # the warm, cached pipeline's state starts fresh each job
    plain, _ = run(())
    assert plain.run_facts.options == ()  # a job without options gets the pipeline without the cache


def test_a_cache_a_family_lacks_is_refused_with_the_reason():
    """diffusers 0.42 registers no FirstBlockCache for LTX-2's blocks: said, not a crash mid-job."""
    import diffusers

    transformer = diffusers.LTX2VideoTransformer3DModel(
        num_attention_heads=2, attention_head_dim=16, cross_attention_dim=32, num_layers=2, caption_channels=32,
        audio_num_attention_heads=2, audio_attention_head_dim=16, audio_cross_attention_dim=32)

    class Pipe:
        pass

    pipe = Pipe()
    pipe.transformer = transformer
    with pytest.raises(InvalidInput, match="first_block_cache is not available for LTX2VideoTransformer3DModel"):
        speed.apply(pipe, ["first_block_cache"], "cpu", family="LTX-2")
    assert speed.apply(pipe, ["taylorseer"], "cpu", family="LTX-2")[0] == ["taylorseer"]
