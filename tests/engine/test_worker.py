"""The worker process as a user meets it: progress, cancel, seeds, crashes, memory, weights."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace

import diffusers
import numpy as np
import transformers

from director.core.enums import FailureKind
from director.engine.media_out import read_frames, read_still
from director.engine.messages import Failed, Finished, Meter, Metered, Progress, Started, TakeWritten
from director.engine.presets import get_preset
from director.store.media import MediaStore

from . import doubles
from .conftest import request_for, run_to_end

_ids = iter(range(1000, 100000))


def _job_id() -> int:
    return next(_ids)


def test_progress_is_complete_and_monotonic_across_variants(engine, tmp_path):
    events = run_to_end(engine, request_for("tiny-t2v", _job_id(), tmp_path, seeds=(1, 2), steps=3))
    assert isinstance(events[0], Started)
    steps = [(e.step, e.total) for e in events if isinstance(e, Progress)]
    assert steps == [(i, 6) for i in range(1, 7)]
    written = [e for e in events if isinstance(e, TakeWritten)]
    assert [w.variant for w in written] == [0, 1] and isinstance(events[-1], Finished)
    for w in written:
        frames = read_frames(MediaStore(tmp_path).path(w.media_path))
        assert frames.shape == (17, 64, 96, 3) and (w.width, w.height, w.frames) == (96, 64, 17)
        assert MediaStore(tmp_path).path(w.thumb_path).is_file()
    meter = events[-1].meter
    assert isinstance(meter, Meter) and meter.warnings == ()
    assert meter.gpu_s > 0 and meter.wall_s >= meter.gpu_s and meter.peak_mem_bytes > 0
    assert meter.device == "cpu" and meter.model_revision.startswith("tiny-v1")
    # What ran, and the text the pipeline call received.
    facts = events[-1].run_facts
    assert (facts.device, facts.dtype, facts.pipeline_class) == ("cpu", "float32", "LTXPipeline")
    assert facts.scheduler == "FlowMatchEulerDiscreteScheduler" and facts.scheduler_config["num_train_timesteps"] == 1000
    assert facts.weights == meter.model_revision and facts.options == ()
    assert facts.versions["diffusers"] == diffusers.__version__ and facts.versions["transformers"] == transformers.__version__
    assert events[-1].received == {"prompt": "a red car at night"}  # no negative was asked for


def test_the_same_seed_gives_identical_frames(engine, tmp_path):
    a = run_to_end(engine, request_for("tiny-t2i", _job_id(), tmp_path / "a", seeds=(7,)))
    b = run_to_end(engine, request_for("tiny-t2i", _job_id(), tmp_path / "b", seeds=(7,)))
    c = run_to_end(engine, request_for("tiny-t2i", _job_id(), tmp_path / "c", seeds=(8,)))
    ta, tb, tc = (next(e for e in ev if isinstance(e, TakeWritten)) for ev in (a, b, c))
    img_a = read_still(MediaStore(tmp_path / "a").path(ta.media_path))
    img_b = read_still(MediaStore(tmp_path / "b").path(tb.media_path))
    assert np.array_equal(img_a, img_b) and ta.media_path == tb.media_path
    assert tc.extra["frames_sha256"] != ta.extra["frames_sha256"]


def test_one_variant_rendered_alone_matches_its_batch_twin(engine, tmp_path):
    batch = run_to_end(engine, request_for("tiny-t2v", _job_id(), tmp_path, seeds=(11, 12, 13), steps=2))
    alone = run_to_end(engine, request_for("tiny-t2v", _job_id(), tmp_path, seeds=(12,), steps=2))
    twin = next(e for e in batch if isinstance(e, TakeWritten) and e.seed == 12)
    single = next(e for e in alone if isinstance(e, TakeWritten))
    assert single.extra["frames_sha256"] == twin.extra["frames_sha256"]
    assert single.media_path == twin.media_path  # the same bytes, so the same content address


def test_cancel_mid_job_stops_within_a_step_leaves_no_takes_and_the_worker_goes_on(engine, tmp_path):
    job = _job_id()
    seen: list = []

    def cancel_in_the_second_variant(e):
        seen.append(e)
        # Step 42 of 80: variant 0 is already encoded to a temp file, which must not survive.
        if isinstance(e, Progress) and e.step == 42:
            engine.cancel(job)

    events = run_to_end(engine, request_for("tiny-t2v", job, tmp_path, seeds=(1, 2), steps=40, width=64), on_event=cancel_in_the_second_variant)
    final = events[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.CANCELLED
    last_step = max(e.step for e in events if isinstance(e, Progress))
    assert last_step <= 43, f"the worker ran {last_step - 42} steps after the cancel"
    assert not any(isinstance(e, TakeWritten) for e in events)
    store = MediaStore(tmp_path)
    assert store.stored() == [] and (not store.tmp.exists() or list(store.tmp.iterdir()) == [])
    after = run_to_end(engine, request_for("tiny-t2i", _job_id(), tmp_path))
    assert isinstance(after[-1], Finished)


def test_out_of_memory_fails_with_a_suggestion_and_the_worker_stays_usable(engine, tmp_path):
    oom = replace(get_preset("tiny-t2v"), id="oom-double", builder=f"{doubles.__name__}:build_oom_pipeline")
    events = run_to_end(engine, request_for("", _job_id(), tmp_path, preset=oom, width=256, height=256))
    final = events[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.OOM
    assert "out of memory at 256×256×17 frames" in final.message
    assert "smaller size such as 128×128" in final.message and "offload" in final.message
    after = run_to_end(engine, request_for("tiny-t2v", _job_id(), tmp_path, steps=2))
    assert isinstance(after[-1], Finished)


def test_a_worker_killed_mid_job_fails_that_job_as_crashed_and_the_next_job_runs(engine, tmp_path):
    job = _job_id()
    engine.submit(request_for("tiny-t2v", job, tmp_path, steps=60))
    deadline = time.monotonic() + 60
    events = []
    while not any(isinstance(e, Progress) for e in events) and time.monotonic() < deadline:
        events += engine.poll_events(0.2)
    os.kill(engine.worker_pid, signal.SIGKILL)
    while not any(isinstance(e, Failed) for e in events) and time.monotonic() < deadline:
        events += engine.poll_events(0.2)
    final = events[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.CRASHED and final.job_id == job
    assert "SIGKILL" in final.message and "new worker" in final.message
    after = run_to_end(engine, request_for("tiny-t2i", _job_id(), tmp_path))
    assert isinstance(after[-1], Finished)


def test_missing_weights_name_the_model_and_how_to_get_it(engine, tmp_path):
    events = run_to_end(engine, request_for("wan21-t2v-1.3b", _job_id(), tmp_path))
    final = events[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.MISSING_WEIGHTS
    assert "Wan-AI/Wan2.1-T2V-1.3B-Diffusers" in final.message
    assert "director models pull wan21-t2v-1.3b" in final.message
    assert "hf download Wan-AI/Wan2.1-T2V-1.3B-Diffusers" in final.message


def test_a_local_folder_with_only_a_ckpt_is_refused(engine, tmp_path):
    folder = tmp_path / "old-model"
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    (folder / "unet" / "model.ckpt").write_bytes(b"\x80\x04pickle")
    preset = replace(get_preset("sd-turbo"), id="old-model", source=str(folder))
    final = run_to_end(engine, request_for("", _job_id(), tmp_path, preset=preset))[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.INVALID_PARAMS
    assert "model.ckpt" in final.message and "safetensors only" in final.message


def test_a_model_saved_to_a_folder_loads_back_through_from_pretrained(engine, tmp_path):
    from director.engine.tiny import build_t2v

    folder = tmp_path / "ltx-tiny"
    build_t2v().save_pretrained(folder, safe_serialization=True)
    assert any(folder.rglob("*.safetensors")) and not any(folder.rglob("*.bin"))
    preset = replace(get_preset("ltx-2b-distilled"), id="ltx-local", source=str(folder), config=None,
                     dtype="float32", defaults=get_preset("tiny-t2v").defaults, constraints=get_preset("tiny-t2v").constraints)
    from_folder = run_to_end(engine, request_for("", _job_id(), tmp_path, preset=preset, seeds=(3,), steps=2))
    built = run_to_end(engine, request_for("tiny-t2v", _job_id(), tmp_path, seeds=(3,), steps=2))
    assert isinstance(from_folder[-1], Finished), from_folder[-1]
    assert from_folder[-1].meter.model_revision.startswith("sha256:")
    assert from_folder[-1].meter.load_s > 0
    take_folder = next(e for e in from_folder if isinstance(e, TakeWritten))
    take_built = next(e for e in built if isinstance(e, TakeWritten))
    # The same weights through the real loading path give the same frames.
    assert take_folder.extra["frames_sha256"] == take_built.extra["frames_sha256"]


def test_running_out_of_ram_fails_as_oom_with_advice_and_tracebacks_go_to_the_log_not_the_terminal(
        tmp_path, capfd):
    # A worker of its own, started while this test captures the terminal (fd 2) it inherits.
    from director.engine.client import LocalEngineClient
    from director.engine.presets import config_dir

    tiny = get_preset("tiny-t2v")
    client = LocalEngineClient()
    try:
        finals = {}
        for name in ("build_ram_exhausted_pipeline", "build_cpu_allocator_full_pipeline"):
            preset = replace(tiny, id=name.removeprefix("build_").removesuffix("_pipeline").replace("_", "-"),
                             builder=f"{doubles.__name__}:{name}")
            finals[name] = run_to_end(client, request_for("", _job_id(), tmp_path, preset=preset, width=256, height=256))[-1]
        buggy = replace(tiny, id="buggy", builder=f"{doubles.__name__}:build_buggy_pipeline")
        bug = run_to_end(client, request_for("", _job_id(), tmp_path, preset=buggy))[-1]
        after = run_to_end(client, request_for("tiny-t2v", _job_id(), tmp_path, steps=2))
    finally:
        client.shutdown()
    log_path = config_dir() / "logs" / "engine.log"
    # A bug is one line for the user, with where its details are.
    assert isinstance(bug, Failed) and bug.kind is FailureKind.ERROR
    assert bug.message == f"ValueError: shapes (2,17) and (3,) not aligned (details in {log_path})"
    for final in finals.values():
        assert isinstance(final, Failed) and final.kind is FailureKind.OOM, final
        assert "out of memory (RAM) at 256×256×17 frames" in final.message
        assert "smaller size such as 128×128" in final.message and "fewer frames (e.g. 9)" in final.message
        assert "closing other programs" in final.message and "offload" not in final.message
    assert isinstance(after[-1], Finished)  # the worker stays usable
    terminal = capfd.readouterr().err
    assert "Traceback" not in terminal and "MemoryError" not in terminal and "DefaultCPUAllocator" not in terminal
    assert "not aligned" not in terminal
    log = log_path.read_text()
    assert log.count("Traceback") == 3 and "MemoryError" in log and "DefaultCPUAllocator: can't allocate memory" in log
    assert "ValueError: shapes (2,17) and (3,) not aligned" in log


def test_a_worker_killed_between_step_reports_still_said_how_long_the_job_had_used_the_device(engine, tmp_path):
    # Decoding reports no steps, and a big model's step can take minutes: a heartbeat says how
    # many device seconds the job has used, so a worker killed there leaves a charge behind.
    decoding = replace(get_preset("tiny-t2v"), id="long-decode", builder=f"{doubles.__name__}:build_long_decode_pipeline")
    job = _job_id()
    engine.submit(request_for("", job, tmp_path, preset=decoding))
    events, deadline = [], time.monotonic() + 60
    while not any(isinstance(e, Metered) for e in events) and time.monotonic() < deadline:
        events += engine.poll_events(0.2)
    assert not any(isinstance(e, Progress) for e in events)
    heard = max(e.gpu_s for e in events if isinstance(e, Metered))
    os.kill(engine.worker_pid, signal.SIGKILL)
    while not any(isinstance(e, Failed) for e in events) and time.monotonic() < deadline:
        events += engine.poll_events(0.2)
    final = events[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.CRASHED and final.job_id == job
    assert final.meter.gpu_s >= heard > 0 and final.meter.device == "cpu"
