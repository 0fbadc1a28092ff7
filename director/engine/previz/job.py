"""A previz job in the engine worker: render each seed's clip from the recipe's scene, hand the
picture, depth and layout to the writer thread, and report the same events as a model job.

It needs no pipeline, no torch and no weights. It is metered in the CPU seconds its render
threads used (the device is "cpu"), honours cancel between frames, and is written like any take:
the picture is the take's media, and its depth and layout videos are adopted into the media
store with it (`store.artifacts`), all of them or none of them.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from fractions import Fraction
from functools import partial
from pathlib import Path

import numpy as np

from director.core.enums import FailureKind, MediaKind
from director.core.recipe import RunFacts
from director.core.timecode import Rate
from director.engine.messages import Decoded, Failed, Finished, JobRequest, Meter, Progress, Started, TakeWritten
from director.engine.previz import LABEL
from director.engine.previz.clip import caption
from director.engine.previz.feed import FrameFeed, RenderStopped
from director.engine.previz.guides import colour_tables, encode_guide, grey_tables
from director.engine.previz.render import Renderer, layout_colours
from director.engine.previz.spec import read_spec
from director.engine.take_writer import JobWrite, WriteStopped
from director.store.media import MediaStore

RENDER_THREADS = max(1, min(4, os.cpu_count() or 1))
PIPELINE_CLASS = "PrevizRenderer"
GUIDE_INPUT = "yuv420p planes from the depth and label maps (BT.601 limited)"


class Cancelled(Exception):
    pass


class Clip:
    """One variant's frames as the render fills them: the picture, the depth map and the labels
    (the layout video is made from the labels), with the feed the encoders follow."""

    def __init__(self, frames: int, height: int, width: int):
        self.rgb = np.empty((frames, height, width, 3), np.uint8)
        self.depth = np.empty((frames, height, width), np.uint8)
        self.labels = np.empty((frames, height, width), np.uint8)
        self.feed = FrameFeed(frames)


def render_clip_into(spec: dict, params: dict, seed: int, clip: Clip, check, on_frame=None,
                     threads: int = RENDER_THREADS) -> float:
    """Render one clip into `clip`, marking each frame on its feed; its CPU seconds. Frames are
    rendered on `threads` threads (numpy and OpenCV let go of the GIL), each frame alone, so the
    result never depends on them. A failure or cancel is told to the feed before it is raised."""
    from director.core.blocking import camera_pose

    scene, camera, room = read_spec(spec)
    w, h, n, fps = params["width"], params["height"], params["frames"], float(params["fps"])
    renderer = Renderer(scene, w, h, room)
    text = caption(spec)
    done = [0]
    lock = threading.Lock()

    def one(i: int) -> float:
        check()
        c0 = time.thread_time()
        t = i / (n - 1) if n > 1 else 0.0
        pose = camera_pose(scene, camera, t, width=w, height=h, seed=seed, frames=n, fps=fps)
        renderer.render(pose, True, text, out=(clip.rgb[i], clip.depth[i], clip.labels[i]))
        spent = time.thread_time() - c0
        clip.feed.done(i)
        if on_frame is not None:
            with lock:
                done[0] += 1
                count = done[0]
            on_frame(count, n)
        return spent

    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="director-previz") as pool:
            return sum(pool.map(one, range(n)))
    except BaseException as exc:
        clip.feed.fail(exc)
        raise


def render_arrays(spec: dict, params: dict, seed: int, check, on_frame=None, threads: int = RENDER_THREADS):
    """(picture, depth, labels, CPU seconds) of one clip, rendered whole (bench, tests)."""
    clip = Clip(params["frames"], params["height"], params["width"])
    cpu_s = render_clip_into(spec, params, seed, clip, check, on_frame, threads)
    return clip.rgb, clip.depth, clip.labels, cpu_s


def run_previz(worker, request: JobRequest, *, overlap: bool = False) -> None:
    """Run one previz job to its final event (never raises); the Worker's `run` hands it over."""
    job_id = request.job_id
    t0 = time.perf_counter()
    meter = Meter(device="cpu", node=os.uname().nodename, load_s=0.0, model_revision=f"{PIPELINE_CLASS}/1")
    worker.emit(Started(job_id, "cpu", loading=False))
    job = JobWrite(job_id, MediaStore(Path(request.media_root)), lambda: worker._is_cancelled(job_id))
    cpu_s = 0.0
    failed: Failed | None = None

    def check() -> None:
        if worker._is_cancelled(job_id):
            raise Cancelled()

    try:
        if request.scene is None:
            raise _invalid("this previz job's recipe has no scene; queue it again")
        encoder = worker._encoder(request)
        facts = RunFacts(device="cpu", dtype="uint8", pipeline_class=PIPELINE_CLASS, weights="none (no model)",
                         versions={"numpy": np.__version__}, encoder=encoder.facts())
        n = len(request.seeds)
        p = request.params
        colours = layout_colours(read_spec(request.scene)[0])

        def check_render() -> None:  # a cancel, or a write that failed meanwhile, stops the render
            check()
            if job.error is not None:
                raise job.error

        for variant, seed in enumerate(request.seeds):
            def progress(done: int, total: int, variant=variant) -> None:
                worker.emit(Progress(job_id, variant * total + done, n * total, variant, cpu_s))

            # the writer encodes this variant while it renders (engine.previz.feed)
            clip = Clip(int(p["frames"]), int(p["height"]), int(p["width"]))
            write = partial(_write_take, request=request, variant=variant, seed=int(seed), clip=clip, encoder=encoder,
                            colours=colours)
            worker.writer.put(job, variant, write)
            cpu_s += render_clip_into(request.scene, p, int(seed), clip, check_render, progress)
            if job.error is not None:
                raise job.error
        meter = replace(meter, gpu_s=cpu_s)
        if overlap:
            worker.emit(Decoded(job_id, cpu_s))
        worker.writer.end(job, partial(_ending, worker=worker, request=request, meter=meter, facts=facts, t0=t0))
    except Cancelled:
        failed = Failed(job_id, FailureKind.CANCELLED, "cancelled; no takes were written",
                        replace(meter, gpu_s=cpu_s, wall_s=time.perf_counter() - t0))
    except Exception as exc:
        failed = worker._failure(job_id, exc, replace(meter, gpu_s=cpu_s, wall_s=time.perf_counter() - t0))
    if failed is not None:
        worker._forget_cancel(job_id)
        worker.writer.fail(job, [failed])
    if not overlap:
        job.done.wait()


def _invalid(message: str):
    from director.core.errors import InvalidInput

    return InvalidInput(message)


def _ending(job: JobWrite, *, worker, request: JobRequest, meter: Meter, facts: RunFacts, t0: float) -> list:
    meter = replace(meter, write_s=job.write_s, wall_s=time.perf_counter() - t0)
    worker._forget_cancel(request.job_id)
    if job.written is not None:
        try:
            written = [_with_artifacts(job.store, event, out) for event, out in zip(job.written, job.outputs)]
        except Exception as exc:  # a full disk: the takes are not reported; `purge` removes what was adopted
            return [worker._failure(request.job_id, exc, meter)]
        return [*written, Finished(request.job_id, meter, facts, {})]
    if job.error is not None:
        return [worker._failure(request.job_id, job.error, meter)]
    return [Failed(request.job_id, FailureKind.CANCELLED, "cancelled; no takes were written", meter)]


def _with_artifacts(store: MediaStore, event: TakeWritten, out: dict) -> TakeWritten:
    """Adopt a take's depth and layout videos beside its picture (the writer adopted the picture
    and the thumbnail just before) and name them in the take's extra (`store.artifacts`)."""
    adopted = {role: store.adopt(path, ext, digest=digest) for role, (path, ext, digest) in out["artifacts"].items()}
    return replace(event, extra={**event.extra, "artifacts": adopted})


def no_pipeline(*_args, **_kwargs):
    """The previz preset's builder: there is no pipeline to build (the worker renders it with numpy)."""
    from director.core.errors import InvalidInput

    raise InvalidInput("the previz preset has no model to build or download; queue it like any preset")


def guide_encoder_of(encoder):
    """The depth and layout videos are flat regions that guide a model, not pictures to watch:
    x264's ultrafast preset at the same CRF on one thread each (the two are encoded side by side,
    which costs less CPU than frame threads); a GPU encoder is kept as it is."""
    return encoder if encoder.nvenc else replace(encoder, preset="ultrafast", threads=1)


def _write_take(job: JobWrite, *, request: JobRequest, variant: int, seed: int, clip: Clip, encoder, colours) -> dict:
    """Encode the picture (its frames' SHA-256 taken on the way) on this thread and the depth and
    layout videos on two more, each following the render frame by frame (`clip.feed`)."""
    from director.engine.media_out import encode_mp4, encode_thumb, write_hashed

    p = request.params
    rate = Rate.parse(str(p["fps"]))
    fps = Fraction(rate.num, rate.den)
    size = (int(p["width"]), int(p["height"]))
    digest = hashlib.sha256()
    given_up = threading.Event()  # the picture's encode failed: the guides stop too

    def check() -> None:
        job.check()
        if given_up.is_set():
            raise WriteStopped()

    def on_frame(_i, frame) -> None:
        job.check()
        digest.update(frame)

    def stop(_i, _frame) -> None:
        check()

    guide_encoder = guide_encoder_of(encoder)
    guides = (("depth", clip.depth, grey_tables()), ("layout", clip.labels, colour_tables(colours)))
    paths = {role: job.temp(".mp4") for role, _maps, _tables in guides}

    def guide(role: str, maps, tables) -> str:
        data = encode_guide(clip.feed.frames_of(maps, check), size, fps, guide_encoder, tables, stop)
        return write_hashed(paths[role], data)

    media = job.temp(".mp4")
    try:
        with ThreadPoolExecutor(max_workers=len(guides), thread_name_prefix="director-previz-guide") as pool:
            futures = {role: pool.submit(guide, role, maps, tables) for role, maps, tables in guides}
            try:
                media_digest = write_hashed(media, encode_mp4(clip.feed.frames_of(clip.rgb, job.check), fps, encoder, on_frame))
            except BaseException:
                given_up.set()
                raise
            artifacts = {role: (paths[role], "mp4", future.result()) for role, future in futures.items()}
    except RenderStopped:  # the render was cancelled or failed: the job thread reports it
        raise WriteStopped() from None
    rgb = clip.rgb
    thumb = job.temp(".jpg")
    thumb_digest = write_hashed(thumb, encode_thumb(rgb[len(rgb) // 2]))
    extra = {
        "frames_sha256": digest.hexdigest(),
        "preset": request.preset.id,
        "previz": LABEL,
        "camera": request.scene["camera"]["name"],
        "device": "cpu",
        "dtype": "uint8",
        "model_revision": f"{PIPELINE_CLASS}/1",
        "memory": [],
        "artifact_encoder": {**guide_encoder.facts(), "input": GUIDE_INPUT},
    }
    return dict(
        media=media, media_ext="mp4", media_digest=media_digest, thumb=thumb, thumb_digest=thumb_digest,
        artifacts=artifacts,
        event=TakeWritten(request.job_id, variant, seed, "", "", MediaKind.VIDEO.value, int(p["width"]), int(p["height"]),
                          int(rgb.shape[0]), rate.num, rate.den, extra),
    )
