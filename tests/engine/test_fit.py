"""Fitting a job to the card: the estimate grows with size, the cheapest option that fits is
switched on and said, and a job that cannot fit is refused before loading with a size that fits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from director.core.enums import FailureKind
from director.core.errors import InvalidInput
from director.engine.fit import GB, choose, estimate, free_memory, model_of
from director.engine.messages import Failed, Finished, Started
from director.engine.presets import Memory, get_preset

from .conftest import request_for

LTX = replace(get_preset("ltx-2b-distilled"), memory=Memory())
SIZE = {"width": 768, "height": 512, "frames": 121, "guidance": 1.0}


def test_the_estimate_grows_with_size_and_guidance_and_tiling_caps_the_decode():
    small, big = estimate(LTX, 512, 320, 49), estimate(LTX, 768, 512, 121)
    assert small.activations < big.activations and small.decode < big.decode
    assert big.need(Memory(vae_tiling=True)) < big.need(Memory())
    assert estimate(LTX, 768, 512, 121, guidance=3.0).activations == 2 * big.activations  # CFG doubles the batch
    assert big.need(Memory(group_offload=True, vae_tiling=True)) < big.need(Memory(cpu_offload=True, vae_tiling=True)) < big.need(Memory())
    # The preset ids map to their models: LTX-Video 2B is not LTX-2, Wan's A14B holds two experts.
    assert model_of(get_preset("ltx-2b-distilled")).transformer_b == 2.0
    assert model_of(replace(LTX, id="ltx2-distilled")).transformer_b == 19.0
    assert model_of(replace(LTX, id="wan22-a14b-t2v", family="Wan")).transformer_b == 28.0


def test_a_roomy_card_changes_nothing_and_a_small_one_switches_on_the_cheapest_fit():
    assert choose(LTX, SIZE, 80 * GB, "cuda").switched_on == ()
    need = estimate(LTX, 768, 512, 121)
    just_tiled = int(need.need(Memory(vae_tiling=True)) / 0.9) + GB // 10
    assert need.need(Memory()) > just_tiled * 0.9  # too big as it is, small enough tiled
    fit = choose(LTX, SIZE, just_tiled, "cuda")
    assert fit.switched_on == ("VAE tiling",) and fit.memory.vae_tiling and not fit.memory.cpu_offload
    assert "switched on VAE tiling" in fit.note() and "GB free" in fit.note()
    fit = choose(LTX, SIZE, 5 * GB, "cuda")
    assert fit.memory.group_offload and not fit.memory.cpu_offload
    assert fit.switched_on == ("VAE tiling", "group offload with streams")
    # Offload helps only a GPU: on a CPU the same shortage is refused, never "fixed" by offload.
    with pytest.raises(InvalidInput):
        choose(LTX, SIZE, 5 * GB, "cpu")
    assert choose(LTX, SIZE, None, "mps").switched_on == ()  # free memory unknown: as the preset says


def test_a_job_that_cannot_fit_is_refused_with_a_size_that_would():
    with pytest.raises(InvalidInput) as refused:
        choose(LTX, SIZE, 2 * GB, "cuda")
    message = str(refused.value)
    assert message.startswith("ltx-2b-distilled at 768×512×121 frames needs about")
    assert "even with VAE tiling and group offload with streams" in message and "2.0 GB is free on this GPU" in message
    suggested = message.rsplit("it would fit at ", 1)[1].split(" or ")[-1]
    w, h, _frames = suggested.replace(" frames", "").split("×")
    assert choose(LTX, {**SIZE, "width": int(w), "height": int(h)}, 2 * GB, "cuda").memory.group_offload
    with pytest.raises(InvalidInput, match="no smaller size of this preset fits"):
        choose(LTX, SIZE, GB // 4, "cuda")


def test_free_memory_can_be_set_for_the_worker(monkeypatch):
    monkeypatch.setenv("DIRECTOR_FIT_FREE_GB", "12.5")
    assert free_memory("cuda") == int(12.5 * GB)
    monkeypatch.setenv("DIRECTOR_FIT_FREE_GB", "lots")
    with pytest.raises(InvalidInput, match="must be a number of GB"):
        free_memory("cpu")


def test_the_worker_refuses_before_loading_and_runs_what_fits(monkeypatch, tmp_path):
    from director.engine.worker_run import Worker

    events = []
    worker = Worker(events.append)
    try:
        monkeypatch.setenv("DIRECTOR_FIT_FREE_GB", "0.0001")
        worker.run(request_for("tiny-t2v", 1, tmp_path, steps=1))
        failed = events[-1]
        assert isinstance(failed, Failed) and failed.kind is FailureKind.INVALID_PARAMS
        assert "tiny-t2v at 96×64×17 frames needs about" in failed.message and "free on this cpu" in failed.message
        assert not worker.pipelines  # refused before anything was loaded
        monkeypatch.setenv("DIRECTOR_FIT_FREE_GB", "8")
        events.clear()
        worker.run(request_for("tiny-t2v", 2, tmp_path, steps=1))
        assert isinstance(events[0], Started) and isinstance(events[-1], Finished) and events[-1].meter.warnings == ()
    finally:
        worker.close()


def test_weights_on_disk_are_counted_from_their_headers_not_the_table(tmp_path):
    """A local folder (a fine-tune, a twin) is counted as it is: a tiny LTX folder under an LTX
    preset id fits where the 2B table entry would be refused."""
    from director.engine.fit import disk_params
    from director.engine.tiny import build_t2v

    pipe = build_t2v()
    pipe.save_pretrained(tmp_path / "ltx-tiny", safe_serialization=True)
    local = replace(LTX, id="ltx-local", source=str(tmp_path / "ltx-tiny"), config=None)
    counts = disk_params(local)
    for group, module in (("denoiser", pipe.transformer), ("text", pipe.text_encoder), ("vae", pipe.vae)):
        # Parameters (tied ones once) and the few buffers saved with them, from the headers alone.
        assert counts[group] == pytest.approx(sum(p.numel() for p in module.parameters()), rel=0.01)
    small = {"width": 96, "height": 64, "frames": 17, "guidance": 1.0}
    assert choose(local, small, GB, "cpu", counts).switched_on == ()
    with pytest.raises(InvalidInput):
        choose(local, small, GB, "cpu")  # without the count, the 2B table entry does not fit 1 GB of RAM
    assert disk_params(LTX) is None  # weights not here: the table stands in
