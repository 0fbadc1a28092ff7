"""A segment (SAM 2) job in the engine worker: the same life as a generation job — Started, Progress
per frame SAM 2 runs, Metered heartbeats, cancel between frames, out-of-memory advice, a warm
model kept by the worker — but its results are mattes, not takes.

The take's frames are decoded here, `engine.segment` makes one matte per roto object, and the
worker's writer thread writes each as a content-addressed `.npz` (`store.matte_file`) with a
thumbnail, adopting them only when the job finishes: a cancelled or failed job leaves no files
and the runner records no mattes. Torch is imported inside the functions (worker process only).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from director.core.enums import FailureKind
from director.core.recipe import RunFacts
from director.engine.messages import Decoded, Failed, JobRequest, MatteWritten, Meter, Progress, Started
from director.engine.take_writer import JobWrite
from director.engine.worker_meter import DeviceClock, DeviceMeter, Heartbeat, spent
from director.store.matte_file import EXT, encode_matte
from director.store.media import MediaStore


def _model_bytes(model) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


def _segmenter(worker, request: JobRequest):
    """((model, processor), revision, run facts, load seconds): warm if the worker holds it."""
    from director.engine.loading import library_versions
    from director.engine.segment import load_segmenter
    from director.engine.worker_run import _sync

    key = request.preset.cache_key
    if key in worker.pipelines:
        worker.pipelines.move_to_end(key)
        pair, revision, _size, _applied, facts = worker.pipelines[key]
        return pair, revision, facts, 0.0
    t0 = time.perf_counter()
    model, processor, revision = load_segmenter(request.preset, worker.device, request.allow_download)
    _sync(worker.device)
    load_s = time.perf_counter() - t0
    dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
    facts = RunFacts(device=worker.device, dtype=dtype, pipeline_class=type(model).__name__,
                     weights=revision, versions=library_versions())
    size = _model_bytes(model)
    while worker.pipelines and sum(v[2] for v in worker.pipelines.values()) + size > worker.budget:
        worker._evict_oldest()
    worker.pipelines[key] = ((model, processor), revision, size, [], facts)
    return (model, processor), revision, facts, load_s


def run_segment(worker, request: JobRequest, *, overlap: bool = False) -> None:
    """Run one segment job to a final event (Finished or Failed); never raises."""
    from director.engine.media_out import read_frames
    from director.engine.segment import segment
    from director.engine.worker_run import JobCancelled, _sync, is_out_of_memory, is_out_of_ram

    job_id = request.job_id
    t0 = time.perf_counter()
    meter = Meter(device=worker.device, node=os.uname().nodename)
    clock = DeviceClock()
    worker.emit(Started(job_id, worker.device, loading=request.preset.cache_key not in worker.pipelines))
    heartbeat = Heartbeat(worker.emit, job_id, clock)
    job = JobWrite(job_id, MediaStore(Path(request.media_root)), lambda: worker._is_cancelled(job_id))
    failed: Failed | None = None
    try:
        worker._check_cancel(job_id)
        (model, processor), revision, facts, load_s = _segmenter(worker, request)
        meter = replace(meter, load_s=load_s, model_revision=revision)
        frames = read_frames(Path(request.segment["video"]))
        objects = request.segment["objects"]
        worker._check_cancel(job_id)
        m = DeviceMeter(worker.device)

        def on_frame(done: int, total: int) -> None:
            worker.emit(Progress(job_id, done, total, 0, clock.seconds()))
            m.sample()
            worker._check_cancel(job_id)

        clock.start()
        try:
            mattes = segment(model, processor, frames, objects, worker.device, on_frame=on_frame)
            _sync(worker.device)
        finally:
            clock.stop()
        names = {o["id"]: o["name"] for o in objects}
        for index, (object_id, alpha) in enumerate(mattes.items()):
            worker.writer.put(job, index, partial(_write_matte, job_id=job_id, object_id=object_id,
                                                  name=names[object_id], alpha=alpha))
            if job.error is not None:
                raise job.error
        meter = replace(meter, gpu_s=clock.seconds(), peak_mem_bytes=m.peak_bytes(), energy_wh=m.energy_wh())
        heartbeat.stop()
        if overlap:
            worker.emit(Decoded(job_id, meter.gpu_s))
        worker.writer.end(job, partial(worker._ending, request=request, meter=meter, facts=facts, received={}, t0=t0))
    except JobCancelled:
        failed = Failed(job_id, FailureKind.CANCELLED, "cancelled; no mattes were written", spent(meter, clock, t0))
    except Exception as exc:
        if is_out_of_memory(exc):
            worker._recover_from_oom()
            where = "RAM" if is_out_of_ram(exc) else worker.device
            failed = Failed(job_id, FailureKind.OOM,
                            f"out of memory ({where}) segmenting {request.segment and len(request.segment['objects'])} "
                            f"object(s) with {request.preset.id}; try a smaller SAM 2 (sam2.1-hiera-tiny) or fewer objects",
                            spent(meter, clock, t0))
        else:
            failed = worker._failure(job_id, exc, spent(meter, clock, t0))
    finally:
        heartbeat.stop()
    if failed is not None:
        worker._forget_cancel(job_id)
        worker.writer.fail(job, [failed])
    if not overlap:
        job.done.wait()


def _write_matte(job: JobWrite, *, job_id: int, object_id: int, name: str, alpha) -> dict:
    """Write one object's matte and its thumbnail (the middle frame) on the writer thread."""
    import numpy as np

    from director.engine.media_out import encode_thumb, write_hashed

    job.check()
    media = job.temp(f".{EXT}")
    media_digest = write_hashed(media, encode_matte(alpha))
    job.check()
    poster = alpha[len(alpha) // 2]
    thumb = job.temp(".jpg")
    thumb_digest = write_hashed(thumb, encode_thumb(np.repeat(poster[..., None], 3, axis=-1)))
    frames, height, width = (int(n) for n in alpha.shape)
    extra = {"alpha_sha256": hashlib.sha256(alpha.tobytes()).hexdigest(),
             "coverage": round(float(alpha.mean()) / 255.0, 6)}
    return dict(media=media, media_ext=EXT, media_digest=media_digest, thumb=thumb, thumb_digest=thumb_digest,
                event=MatteWritten(job_id, object_id, name, "", "", frames, width, height, extra))
