"""After the last denoising step (#23): uint8 frames made on the device, takes written on the
worker's writer thread while the device runs the next variant or job, the encoder chosen per
role, digests taken while writing. Runs the real worker (in this process, or the spawned one)
on the tiny pipelines."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import torch

from director.core.enums import FailureKind
from director.core.errors import InvalidInput
from director.engine import encoders
from director.engine.device_frames import to_host, to_uint8
from director.engine.media_out import HashingFile, encode_mp4, frames_digest, read_frames, write_hashed
from director.engine.media_out import to_uint8 as numpy_to_uint8
from director.engine.messages import Decoded, Failed, Finished, Progress, Started, TakeWritten
from director.engine.presets import get_preset
from director.engine.worker_run import Worker
from director.store.media import MediaStore, sha256_file

from .conftest import request_for, run_to_end

_ids = iter(range(200000, 300000))
CUDA = torch.cuda.is_available()


def _job_id() -> int:
    return next(_ids)


class Events:
    """What an in-process worker emits, with the time each arrived (time.time, as log records)."""

    def __init__(self):
        self.items: list[tuple[float, object]] = []
        self.lock = threading.Lock()
        self.on_event = None

    def __call__(self, event):
        with self.lock:
            self.items.append((time.time(), event))
        if self.on_event:
            self.on_event(event)

    def of(self, job_id, kind=object):
        with self.lock:
            return [(t, e) for t, e in self.items if e.job_id == job_id and isinstance(e, kind)]

    def final(self, job_id, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.of(job_id, (Finished, Failed))
            if done:
                return done[-1][1]
            time.sleep(0.01)
        raise TimeoutError(f"job {job_id} did not end")


class WorkerLog(logging.Handler):
    """The worker's own record of when the device denoises each variant (start of the call to
    its decode) and when the writer thread starts and ends writing it."""

    LOGGERS = ("director.engine.writer", "director.engine.worker")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.on_record = None

    def emit(self, record):
        self.records.append(record)
        if self.on_record:
            self.on_record(record)

    def spans(self, job_id, what="write"):
        """variant → (start, end) in time.time seconds, for "write" or "denoise"."""
        out: dict[int, list[float]] = {}
        for r in self.records:
            words = r.msg.split()
            if words[0] == what and r.args[0] == job_id:
                out.setdefault(r.args[1], [0.0, 0.0])[0 if words[1] == "start" else 1] = r.created
        return {v: tuple(s) for v, s in out.items()}


@pytest.fixture
def worker_log():
    handler = WorkerLog()
    loggers = [logging.getLogger(name) for name in WorkerLog.LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler
    for lg, level in zip(loggers, levels):
        lg.removeHandler(handler)
        lg.setLevel(level)


def _worker(settings=None):
    events = Events()
    return Worker(events, settings), events


# A slow encoder, so that the writer is still busy when the device has moved on (the overlap
# and the cancel are then certain, not a race the test might lose on a fast machine).
SLOW = {"encoder": {"draft": {"codec": "libx264", "preset": "veryslow", "threads": 1},
                    "final": {"codec": "libx264", "preset": "veryslow", "threads": 1}}}
# Today's encoder before #23 (x264 medium, one thread): slower than the drafts' by design.
MEDIUM = {"encoder": {"draft": {"codec": "libx264", "preset": "medium", "threads": 1}}}


# -- frames ------------------------------------------------------------------------------------


def _old_and_new_frames(preset_id: str, seed: int, **params):
    """The same seeded call made the old way (output_type='np', then numpy's uint8) and the new
    way (output_type='pt', then the device's uint8), through the worker's own kwargs."""
    from director.engine.loading import load_pipeline
    from director.engine.worker_meter import DeviceClock, DeviceMeter

    worker = Worker(lambda e: None)
    request = request_for(preset_id, 1, "/nonexistent", seeds=(seed,), **params)
    pipe, _ = load_pipeline(request.preset, "cpu")
    clock, meter = DeviceClock(), DeviceMeter("cpu")
    out = {}
    for output_type in ("np", "pt"):
        kwargs, _watch = worker._call_kwargs(pipe, request, 0, seed, meter, clock)
        kwargs["output_type"] = output_type
        with torch.inference_mode():
            result = pipe(**kwargs)
        frames = result.frames[0] if request.preset.is_video else result.images[0]
        out[output_type] = numpy_to_uint8(np.asarray(frames)) if output_type == "np" else to_host(frames).wait()
    worker.close()
    return out["np"], out["pt"]


@pytest.mark.parametrize("preset_id, params", [("tiny-t2v", {"steps": 2}), ("tiny-t2i", {"steps": 2})])
def test_frames_made_on_the_device_equal_the_old_path_for_the_same_seed(preset_id, params, tmp_path):
    old, new = _old_and_new_frames(preset_id, 5, **params)
    assert new.dtype == np.uint8 and new.shape == old.shape and new.flags.c_contiguous
    assert np.array_equal(new, old)
    # And the worker records those frames: its frames_sha256 is the old path's digest.
    worker, events = _worker()
    job = _job_id()
    worker.run(request_for(preset_id, job, tmp_path, seeds=(5,), **params))
    worker.close()
    take = events.of(job, TakeWritten)[0][1]
    assert take.extra["frames_sha256"] == frames_digest(old)


def _edges() -> np.ndarray:
    """Every value where float → uint8 may round differently: k/255 and (k ± 0.5)/255 with the
    float32 values a few ulps around them, the ends, values outside [0, 1] and random ones."""
    base = np.concatenate([np.arange(256) / 255.0, (np.arange(256) + 0.5) / 255.0, (np.arange(256) - 0.5) / 255.0])
    values = [base.astype(np.float32)]
    for direction in (np.inf, -np.inf):
        v = base.astype(np.float32)
        for _ in range(4):
            v = np.nextafter(v, np.float32(direction))
            values.append(v)
    values.append(np.array([0.0, -0.0, 1.0, -1e-7, -0.3, 1.0000001, 1.7, 1e-45, 0.5], np.float32))
    values.append(np.random.default_rng(3).random(20000, dtype=np.float32))
    flat = np.concatenate(values)
    return np.pad(flat, (0, (-len(flat)) % 12))  # 12 = 2 frames × 3 channels × 2 pixels


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_the_device_conversion_rounds_every_edge_value_as_numpy_did(dtype):
    flat = torch.from_numpy(_edges()).to(dtype)
    video = flat.reshape(-1, 3, 2, 2)  # (F, C, H, W), what a video pipeline returns
    # The old path: diffusers' pt_to_numpy (permute to channels last, float32) then numpy.
    expected = numpy_to_uint8(video.permute(0, 2, 3, 1).float().numpy())
    assert np.array_equal(to_uint8(video).numpy(), expected)
    assert np.array_equal(to_host(video).wait(), expected)
    still = video[7]  # (C, H, W), what an image pipeline returns
    assert np.array_equal(to_host(still).wait(), expected[7])


def test_the_device_conversion_works_a_few_frames_at_a_time(monkeypatch):
    from director.engine import device_frames

    video = torch.rand((9, 3, 4, 6), generator=torch.Generator().manual_seed(1))
    whole = to_uint8(video).numpy()
    monkeypatch.setattr(device_frames, "CPU_CHUNK_BYTES", 2 * 3 * 4 * 6 * 4)  # two frames per step (of 9)
    assert np.array_equal(to_uint8(video).numpy(), whole)
    assert np.array_equal(whole, numpy_to_uint8(video.permute(0, 2, 3, 1).numpy()))


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_on_cuda_the_frames_are_made_on_the_device_and_copied_through_pinned_memory(dtype):
    flat = torch.from_numpy(_edges()).to(dtype)
    video = flat.reshape(-1, 3, 2, 2)
    expected = numpy_to_uint8(video.permute(0, 2, 3, 1).float().numpy())
    host = to_host(video.cuda())
    assert host.owner.is_pinned() and host.ready is not None
    assert np.array_equal(host.wait(), expected)


# -- digests -----------------------------------------------------------------------------------


def test_the_digest_taken_while_writing_is_the_sha256_of_the_file(tmp_path):
    data = np.random.default_rng(0).integers(0, 256, 3 * (1 << 20) + 12345, dtype=np.uint8).tobytes()
    digest = write_hashed(tmp_path / "a.bin", data)
    assert digest == sha256_file(tmp_path / "a.bin") == hashlib.sha256(data).hexdigest()
    with HashingFile(tmp_path / "b.bin") as f:
        for part in (b"", b"abc", memoryview(data)[:1000], bytearray(b"xyz")):
            f.write(part)
    assert f.hexdigest() == sha256_file(tmp_path / "b.bin") and f.tell() == 1006
    with pytest.raises(FileExistsError):  # a temporary name is never written twice
        HashingFile(tmp_path / "b.bin")


def test_adopt_trusts_a_digest_taken_while_writing_and_hashes_when_given_none(tmp_path):
    store = MediaStore(tmp_path)
    temp = store.temp_path(".bin")
    digest = write_hashed(temp, b"frames")
    assert store.adopt(temp, "bin", digest=digest) == f"{digest[:2]}/{digest[2:]}.bin"
    # Trusted, not read again: a digest that is not the file's still names it.
    other = store.temp_path(".bin")
    write_hashed(other, b"other")
    claimed = "0" * 64
    assert store.adopt(other, "bin", digest=claimed) == f"00/{'0' * 62}.bin"
    # Without one, the store hashes the file as before.
    third = store.temp_path(".bin")
    third.write_bytes(b"third")
    assert store.adopt(third, "bin") == f"{hashlib.sha256(b'third').hexdigest()[:2]}/{hashlib.sha256(b'third').hexdigest()[2:]}.bin"
    with pytest.raises(ValueError):
        store.adopt(store.temp_path(".bin"), "bin", digest="../../etc")


def test_every_file_the_worker_stores_is_named_by_the_sha256_of_its_bytes(tmp_path):
    worker, events = _worker()
    job = _job_id()
    worker.run(request_for("tiny-t2v", job, tmp_path, seeds=(1, 2), steps=2))
    worker.run(request_for("tiny-t2i", job + 1, tmp_path, seeds=(3,), steps=2))
    worker.close()
    store = MediaStore(tmp_path)
    stored = store.stored()
    assert len(stored) == 6 and store.verify(stored).ok
    for rel in stored:
        assert rel.replace("/", "").rsplit(".", 1)[0] == sha256_file(store.path(rel))


# -- the writer thread -------------------------------------------------------------------------


def test_two_variants_encode_while_the_next_one_denoises(tmp_path, worker_log):
    worker, events = _worker(MEDIUM)
    job = _job_id()
    worker.run(request_for("tiny-t2v", job, tmp_path, seeds=(1, 2, 3), steps=3))
    worker.close()
    assert isinstance(events.final(job), Finished)
    writes, denoising = worker_log.spans(job, "write"), worker_log.spans(job, "denoise")
    steps = {v: [t for t, e in events.of(job, Progress) if e.variant == v] for v in (0, 1, 2)}
    for v in (0, 1):
        (w0, w1), (d0, d1) = writes[v], denoising[v + 1]
        both = min(w1, d1) - max(w0, d0)
        # Most of variant v's writing happened while variant v + 1 was on the device.
        assert both > 0.5 * (w1 - w0), f"variant {v} written {w0:.3f}–{w1:.3f}, variant {v + 1} denoised {d0:.3f}–{d1:.3f}"
        assert d0 < w1 and min(steps[v + 1]) < d1
    # Each variant is written only once its own frames were made, in order.
    assert all(writes[v][0] >= denoising[v][1] >= max(steps[v]) for v in (0, 1, 2))
    assert writes[0][1] <= writes[1][0] and writes[1][1] <= writes[2][0]
    meter = events.final(job).meter
    assert meter.write_s > 0 and meter.wall_s >= meter.gpu_s


def test_the_next_job_denoises_while_the_last_one_is_written(tmp_path, worker_log):
    worker, events = _worker(SLOW)
    first, second = _job_id(), _job_id()
    worker.run(request_for("tiny-t2v", first, tmp_path, seeds=(1,), steps=2, width=128, height=128), overlap=True)
    decoded = events.of(first, Decoded)
    assert decoded and not events.of(first, (Finished, Failed))  # returned with the takes still being written
    worker.run(request_for("tiny-t2v", second, tmp_path, seeds=(2,), steps=6), overlap=True)
    done_first, done_second = events.final(first), events.final(second)
    worker.close()
    assert isinstance(done_first, Finished) and isinstance(done_second, Finished)
    finished_at = events.of(first, Finished)[0][0]
    second_steps = [t for t, _ in events.of(second, Progress)]
    assert min(second_steps) < finished_at, "the second job waited for the first one's takes"
    # The first job's device seconds stopped at its last decode: its Decoded said them already.
    assert done_first.meter.gpu_s == decoded[0][1].gpu_s and done_first.meter.write_s > 0


def test_a_cancel_during_encoding_leaves_no_take_and_no_temporary_file(tmp_path, worker_log):
    worker, events = _worker(MEDIUM)
    job = _job_id()
    store = MediaStore(tmp_path)
    seen: dict = {}

    def cancel_when_the_second_variant_is_being_written(record):
        if record.args == (job, 1) and record.msg.startswith("write start"):
            seen["temps"] = sorted(p.name for p in store.tmp.iterdir())  # the first variant's files
            seen["steps"] = max((e.step, e.total) for _, e in events.of(job, Progress))
            worker.request_cancel(job)

    worker_log.on_record = cancel_when_the_second_variant_is_being_written
    worker.run(request_for("tiny-t2v", job, tmp_path, seeds=(1, 2), steps=2, width=128, height=128), overlap=True)
    final = events.final(job)
    assert isinstance(final, Failed) and final.kind is FailureKind.CANCELLED, final
    assert seen["steps"] == (4, 4) and len(seen["temps"]) == 2  # the device was done; variant 0 was on disk
    assert not events.of(job, TakeWritten)
    assert store.stored() == [] and list(store.tmp.iterdir()) == []
    writes = worker_log.spans(job, "write")
    assert writes[1][1] - writes[1][0] < 0.5 * (writes[0][1] - writes[0][0])  # stopped at its first frame, not finished
    # The worker goes on: the next job is written in full.
    after = _job_id()
    worker.run(request_for("tiny-t2i", after, tmp_path, steps=2))
    worker.close()
    assert isinstance(events.final(after), Finished)


def test_a_job_cancelled_on_the_device_ends_at_once_while_the_last_jobs_takes_are_still_written(tmp_path, worker_log):
    # The client restarts a worker that takes over 5 s to stop a cancelled job: that job's end
    # must not wait behind the previous job's encode, and the previous job keeps its takes.
    worker, events = _worker(SLOW)
    first, second = _job_id(), _job_id()
    events.on_event = lambda e: worker.request_cancel(second) if isinstance(e, Progress) and e.job_id == second else None
    worker.run(request_for("tiny-t2v", first, tmp_path, seeds=(1,), steps=2, width=128, height=128), overlap=True)
    worker.run(request_for("tiny-t2v", second, tmp_path, seeds=(2,), steps=20), overlap=True)
    cancelled, finished = events.final(second), events.final(first)
    worker.close()
    assert isinstance(cancelled, Failed) and cancelled.kind is FailureKind.CANCELLED
    assert isinstance(finished, Finished) and len(events.of(first, TakeWritten)) == 1
    assert events.of(second, Failed)[0][0] < events.of(first, Finished)[0][0]
    first_write = worker_log.spans(first, "write")[0]
    assert events.of(second, Failed)[0][0] < first_write[1]  # while the first job was still being written
    assert MediaStore(tmp_path).verify(MediaStore(tmp_path).stored()).ok and list(MediaStore(tmp_path).tmp.iterdir()) == []


def test_a_failure_on_the_device_while_a_variant_is_written_leaves_nothing_behind(tmp_path, worker_log):
    from . import doubles

    # Variant 0 is made and handed to the writer; variant 1's pipeline call fails meanwhile.
    failing = replace(get_preset("tiny-t2v"), id="fails-second", builder=f"{doubles.__name__}:build_fails_on_its_second_call_pipeline")
    worker, events = _worker(MEDIUM)
    job = _job_id()
    worker.run(request_for("", job, tmp_path, preset=failing, seeds=(1, 2), steps=2, width=128, height=128))
    worker.close()
    final = events.final(job)
    assert isinstance(final, Failed) and final.kind is FailureKind.ERROR and "not aligned" in final.message
    assert 0 in worker_log.spans(job, "write")  # the first variant's write had begun
    store = MediaStore(tmp_path)
    assert not events.of(job, TakeWritten) and store.stored() == [] and list(store.tmp.iterdir()) == []


def test_a_write_that_fails_fails_the_job_with_no_takes(tmp_path):
    (tmp_path / "tmp").write_text("not a folder")  # the store's tmp/ cannot be made: every write fails
    worker, events = _worker()
    job = _job_id()
    worker.run(request_for("tiny-t2v", job, tmp_path, seeds=(1, 2), steps=2))
    after = _job_id()
    worker.run(request_for("tiny-t2i", after, tmp_path / "fine", steps=2))
    worker.close()
    final = events.final(job)
    assert isinstance(final, Failed) and final.kind is FailureKind.ERROR and "FileExistsError" in final.message
    assert not events.of(job, TakeWritten) and MediaStore(tmp_path).stored() == []
    assert isinstance(events.final(after), Finished)


# -- through the worker process ----------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_engine():
    from director.engine.client import LocalEngineClient

    client = LocalEngineClient(SLOW)
    client.start()
    yield client
    client.shutdown()


def test_the_worker_process_starts_the_next_job_while_it_writes_the_last_ones_takes(slow_engine, tmp_path):
    from director.engine.messages import FINAL_EVENTS

    first, second = _job_id(), _job_id()
    slow_engine.submit(request_for("tiny-t2v", first, tmp_path, seeds=(1, 2), steps=2, width=128, height=128))
    slow_engine.submit(request_for("tiny-t2v", second, tmp_path, seeds=(3,), steps=4))
    events, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline and sum(isinstance(e, FINAL_EVENTS) for e in events) < 2:
        events += slow_engine.poll_events(0.2)
    kinds = [(type(e).__name__, e.job_id) for e in events]
    assert kinds.index(("Decoded", first)) < kinds.index(("Started", second)) < kinds.index(("Finished", first))
    assert ("Finished", second) in kinds and not slow_engine.busy


def test_a_job_cancelled_while_the_worker_process_writes_its_takes_leaves_nothing(slow_engine, tmp_path):
    job = _job_id()

    def cancel_once_decoded(e):
        if isinstance(e, Decoded):
            slow_engine.cancel(job)

    events = run_to_end(slow_engine, request_for("tiny-t2v", job, tmp_path, seeds=(1, 2), steps=2, width=128, height=128),
                        timeout=120, on_event=cancel_once_decoded)
    final = events[-1]
    assert isinstance(final, Failed) and final.kind is FailureKind.CANCELLED, final
    assert any(isinstance(e, Decoded) for e in events) and not any(isinstance(e, TakeWritten) for e in events)
    store = MediaStore(tmp_path)
    assert store.stored() == [] and (not store.tmp.exists() or list(store.tmp.iterdir()) == [])
    assert final.meter.gpu_s > 0  # the device seconds it used are still charged
    after = run_to_end(slow_engine, request_for("tiny-t2i", _job_id(), tmp_path, steps=2), timeout=120)
    assert isinstance(after[-1], Finished) and not slow_engine.busy


# -- the encoder -------------------------------------------------------------------------------


def test_drafts_get_a_fast_encoder_on_every_core_and_finals_the_chosen_quality():
    cores = encoders.usable_threads()
    draft = encoders.choose(None, "draft", cuda=False)
    assert (draft.codec, draft.preset, draft.crf, draft.threads) == ("libx264", "veryfast", 18, cores)
    final = encoders.choose(None, "final", cuda=False)
    assert (final.codec, final.preset, final.crf, final.threads) == ("libx264", "medium", 18, cores)
    chosen = encoders.choose({"final": {"preset": "slow", "crf": 16, "threads": 3}}, "final", cuda=False)
    assert (chosen.preset, chosen.crf, chosen.threads) == ("slow", 16, 3)
    assert chosen.av_options() == {"preset": "slow", "crf": "16", "threads": "3"}
    assert chosen.facts()["thread_type"] == "frame" and chosen.facts()["pyav"]


def test_drafts_use_nvenc_where_cuda_and_the_codec_work_and_libx264_elsewhere():
    # The same rule the CUDA machine runs (nvenc_opens is what the probe would say there).
    on_gpu = encoders.choose(None, "draft", cuda=True, nvenc_opens=lambda: True)
    assert (on_gpu.codec, on_gpu.preset, on_gpu.crf) == ("h264_nvenc", "p4", 18)
    assert on_gpu.av_options() == {"preset": "p4", "rc": "vbr", "cq": "18", "b": "0"}
    assert on_gpu.facts()["cq"] == 18 and "threads" not in on_gpu.facts()
    assert encoders.choose(None, "draft", cuda=True, nvenc_opens=lambda: False).codec == "libx264"
    assert encoders.choose(None, "draft", cuda=False, nvenc_opens=lambda: True).codec == "libx264"
    assert encoders.choose(None, "final", cuda=True, nvenc_opens=lambda: True).codec == "libx264"
    forced = {"final": {"codec": "h264_nvenc", "nvenc_preset": "p7"}}
    assert encoders.choose(forced, "final", cuda=True, nvenc_opens=lambda: True).preset == "p7"
    with pytest.raises(InvalidInput, match="h264_nvenc, which needs a CUDA device"):
        encoders.choose(forced, "final", cuda=False)


@pytest.mark.parametrize("section, message", [
    ({"draft": {"preset": "turbo"}}, "encoder.draft.preset 'turbo' is not an x264 preset"),
    ({"final": {"crf": 60}}, "encoder.final.crf must be a whole number from 0 to 51"),
    ({"draft": {"threads": -1}}, "encoder.draft.threads must be a whole number from 0 to 256"),
    ({"draft": {"codec": "vp9"}}, "encoder.draft.codec must be one of auto, libx264, h264_nvenc"),
    ({"preview": {}}, "unknown role(s) preview"),
    ({"draft": {"bitrate": 5}}, "unknown key(s) bitrate"),
])
def test_encoder_settings_that_break_a_rule_are_refused_with_it(section, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        encoders.choose(section, "draft", cuda=False)


def test_a_job_with_bad_encoder_settings_fails_with_the_rule_and_writes_nothing(tmp_path):
    worker, events = _worker({"encoder": {"draft": {"preset": "turbo"}}})
    job = _job_id()
    worker.run(request_for("tiny-t2v", job, tmp_path, steps=2))
    worker.close()
    final = events.final(job)
    assert isinstance(final, Failed) and final.kind is FailureKind.INVALID_PARAMS and "not an x264 preset" in final.message
    assert MediaStore(tmp_path).stored() == []


def test_the_run_facts_record_the_encoder_and_a_final_is_written_at_final_quality(tmp_path):
    worker, events = _worker({"encoder": {"final": {"preset": "slow", "threads": 1}}})
    draft, final = _job_id(), _job_id()
    worker.run(request_for("tiny-t2v", draft, tmp_path, seeds=(4,), steps=2))
    worker.run(replace(request_for("tiny-t2v", final, tmp_path, seeds=(4,), steps=2), quality="final"))
    worker.close()
    a, b = events.final(draft), events.final(final)
    assert a.run_facts.encoder["role"] == "draft" and a.run_facts.encoder["preset"] == "veryfast"
    assert b.run_facts.encoder == {**b.run_facts.encoder, "role": "final", "codec": "libx264", "preset": "slow",
                                   "crf": 18, "threads": 1}
    assert "encoder: " in " ".join(a.run_facts.differences(b.run_facts))
    ta, tb = events.of(draft, TakeWritten)[0][1], events.of(final, TakeWritten)[0][1]
    # The same frames; another file, since another encoder wrote it.
    assert ta.extra["frames_sha256"] == tb.extra["frames_sha256"] and ta.media_path != tb.media_path


def test_the_same_frames_give_the_same_file_under_load():
    frames = (np.random.default_rng(2).random((17, 64, 96, 3)) * 255).astype(np.uint8)
    stop = threading.Event()

    def burn():
        a = np.random.default_rng(0).random((300, 300))
        while not stop.is_set():
            a @ a

    burners = [threading.Thread(target=burn, daemon=True) for _ in range(2)]
    for t in burners:
        t.start()
    try:
        draft = encoders.choose({"draft": {"threads": 2}}, "draft", cuda=False)
        final = encoders.choose({"final": {"threads": 1}}, "final", cuda=False)
        for encoder in (draft, final):
            digests = {hashlib.sha256(encode_mp4(frames, Fraction(12), encoder)).hexdigest() for _ in range(15)}
            assert len(digests) == 1, f"{encoder}: {len(digests)} different files from the same frames"
    finally:
        stop.set()


def test_odd_sizes_are_padded_and_decoded_back(tmp_path):
    frames = (np.random.default_rng(4).random((5, 33, 47, 3)) * 255).astype(np.uint8)
    data = encode_mp4(frames, Fraction(24), encoders.choose(None, "final", cuda=False))
    write_hashed(tmp_path / "a.mp4", data)
    back = read_frames(tmp_path / "a.mp4")
    assert back.shape == (5, 34, 48, 3)


@pytest.mark.skipif(not (CUDA and encoders.nvenc_usable()), reason="needs CUDA and an FFmpeg with a working NVENC")
def test_nvenc_writes_a_draft_that_decodes_to_the_frames(tmp_path):
    rng = np.random.default_rng(5)
    base = rng.integers(0, 256, (1, 1, 1, 3), dtype=np.uint8)
    frames = np.broadcast_to(base, (9, 256, 256, 3)).copy()
    encoder = encoders.choose(None, "draft", cuda=True)
    assert encoder.codec == "h264_nvenc"
    write_hashed(tmp_path / "a.mp4", encode_mp4(frames, Fraction(24), encoder))
    back = read_frames(tmp_path / "a.mp4")
    assert back.shape == frames.shape and np.abs(back.astype(int) - frames).mean() < 4


def test_a_worker_started_without_encoder_settings_reads_them_from_the_engine_settings_file():
    import json

    from director.engine.client import LocalEngineClient
    from director.engine.presets import config_dir

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "engine.json").write_text(json.dumps({"encoder": {"draft": {"preset": "faster"}}}))
    assert LocalEngineClient()._worker_settings()["encoder"] == {"draft": {"preset": "faster"}}
    given = {"encoder": {"draft": {"preset": "fast"}}}
    assert LocalEngineClient(given)._worker_settings() == given  # what the caller says wins
    assert get_preset("tiny-t2v")  # the presets still read the same file


def test_decoded_is_sent_only_where_the_caller_overlaps(tmp_path):
    worker, events = _worker()
    job, overlapped = _job_id(), _job_id()
    worker.run(request_for("tiny-t2i", job, tmp_path, steps=2))
    worker.run(request_for("tiny-t2i", overlapped, tmp_path, steps=2), overlap=True)
    events.final(overlapped)
    worker.close()
    assert not events.of(job, Decoded) and events.of(overlapped, Decoded)
    order = [type(e).__name__ for _, e in events.of(overlapped)]
    assert order[0] == "Started" and order.index("Decoded") < order.index("TakeWritten") < order.index("Finished")
    assert isinstance(events.of(job)[0][1], Started)
