"""Running one job in the engine worker: load (or reuse) the pipeline, generate each variant with
its own seed, hand its frames to the writer thread and report typed events.

It keeps pipelines warm (LRU within a memory budget), honours cancel between steps, survives
out-of-memory, and never touches the project database: the app process records what the events
report. After the last denoising step the device only turns the frames into uint8
(`device_frames`); encoding, digests and adopting the files into the store happen on the writer
thread (`take_writer`) while the device already runs the next variant, or the next job
(`run(..., overlap=True)`, as the worker process does). The Ray actor (`engine.ray_actor`) hosts
the same `Worker`. Torch is imported inside the functions (worker process only).
"""

from __future__ import annotations

import gc
import inspect
import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import nullcontext
from dataclasses import replace
from fractions import Fraction
from functools import partial
from pathlib import Path

from director.core.audio import SAMPLE_RATE
from director.core.enums import FailureKind, MediaKind
from director.core.errors import InvalidInput
from director.core.recipe import RunFacts
from director.core.timecode import Rate
from director.engine import encoders, lora
from director.engine.messages import Decoded, Failed, Finished, JobRequest, Meter, Progress, Started, TakeWritten
from director.engine.presets import nearest_frames
from director.engine.steering import steer
from director.engine.step_watch import needs_watch, scheduler_steps
from director.engine.take_writer import JobWrite, TakeWriter
from director.engine.worker_log import current_log_path, quiet_truncation_warnings, truncation_notes
from director.engine.worker_meter import DeviceClock, DeviceMeter, Heartbeat, spent
from director.store.media import MediaStore

log = logging.getLogger("director.engine.worker")


class JobCancelled(Exception):
    """Raised from the step callback: the only way to stop a diffusers pipeline mid-run."""


# What allocators say when memory runs out, besides torch.OutOfMemoryError (CUDA) and Python's
# MemoryError: torch's CPU allocator ("DefaultCPUAllocator: can't allocate memory", "not enough
# memory: you tried to allocate …") and MPS ("MPS backend out of memory").
RAM_MARKS = ("cpuallocator", "not enough memory", "can't allocate memory", "cannot allocate memory")
OOM_MARKS = ("out of memory", *RAM_MARKS)


def is_out_of_memory(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, (MemoryError, torch.OutOfMemoryError)):
        return True
    return isinstance(exc, RuntimeError) and any(mark in str(exc).lower() for mark in OOM_MARKS)


def is_out_of_ram(exc: BaseException) -> bool:
    """Main memory ran out (not the GPU's): the advice differs."""
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return False
    return isinstance(exc, MemoryError) or any(mark in str(exc).lower() for mark in RAM_MARKS)


def pick_device() -> str:
    """cuda → mps → cpu; DIRECTOR_DEVICE forces one (e.g. to re-render on the CPU)."""
    import torch

    forced = os.environ.get("DIRECTOR_DEVICE")
    if forced:
        return forced
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
    elif device == "mps":
        torch.mps.synchronize()


def _pipeline_bytes(pipe) -> int:
    import torch

    total = 0
    for component in getattr(pipe, "components", {}).values():
        if isinstance(component, torch.nn.Module):
            total += sum(p.numel() * p.element_size() for p in component.parameters())
    return total


def _default_budget(device: str) -> int:
    import psutil
    import torch

    if device == "cuda":
        return int(torch.cuda.get_device_properties(0).total_memory * 0.9)
    return int(psutil.virtual_memory().total * 0.5)


# The text arguments of a pipeline call that `Finished.received` reports, as passed.
TEXT_ARGUMENTS = ("prompt", "negative_prompt")


class Worker:
    """Runs jobs; `emit` sends an event to the app. Used in-process by the benchmark too.

    Settings (all optional): memory_budget_gb; encoder (`engine.encoders`: draft and final);
    write_queue, how many variants may wait for the writer before the device waits (2)."""

    def __init__(self, emit, settings: dict | None = None):
        self.emit = emit
        self.settings = settings or {}
        self.device = pick_device()
        budget_gb = self.settings.get("memory_budget_gb")
        self.budget = int(budget_gb * 2**30) if budget_gb else _default_budget(self.device)
        # preset key → (pipeline, revision, bytes, applied options, run facts)
        self.pipelines: OrderedDict[str, tuple[object, str, int, list[str], RunFacts]] = OrderedDict()
        self.cancelled: set[int] = set()
        self._lock = threading.Lock()
        self.writer = TakeWriter(self.emit, int(self.settings.get("write_queue") or 2))
        quiet_truncation_warnings()

    def close(self) -> None:
        """Let the writer finish what it holds (their final events are sent), then stop it."""
        self.writer.close()

    # -- cancel (called from the reader thread) -------------------------------------------------

    def request_cancel(self, job_id: int) -> None:
        with self._lock:
            self.cancelled.add(job_id)

    def _check_cancel(self, job_id: int) -> None:
        if self._is_cancelled(job_id):
            raise JobCancelled()

    def _is_cancelled(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self.cancelled

    def _forget_cancel(self, job_id: int) -> None:
        with self._lock:
            self.cancelled.discard(job_id)

    # -- pipelines --------------------------------------------------------------------------------

    def _pipeline(self, request: JobRequest):
        """(pipe, revision, applied options, run facts, load seconds): warm if cached, else loaded now."""
        from director.engine import speed
        from director.engine.loading import apply_memory, load_pipeline, run_facts

        key = request.preset.cache_key + speed.key(request.speed, request.params["steps"])
        if key in self.pipelines:
            self.pipelines.move_to_end(key)
            pipe, revision, _size, applied, facts = self.pipelines[key]
            return pipe, revision, applied, facts, 0.0
        t0 = time.perf_counter()
        pipe, revision = load_pipeline(request.preset, self.device, request.allow_download)
        applied = apply_memory(pipe, request.preset, self.device)
        speed_on, speed_notes = speed.apply(pipe, request.speed, self.device, family=request.preset.family,
                                            steps=request.params["steps"])
        applied = applied + speed_on
        truncation_notes.notes.extend(speed_notes)  # said in this job's warnings
        _sync(self.device)
        load_s = time.perf_counter() - t0
        facts = run_facts(pipe, self.device, revision, applied)
        size = _pipeline_bytes(pipe)
        while self.pipelines and sum(v[2] for v in self.pipelines.values()) + size > self.budget:
            self._evict_oldest()
        self.pipelines[key] = (pipe, revision, size, applied, facts)
        return pipe, revision, applied, facts, load_s

    def _evict_oldest(self) -> None:
        self.pipelines.popitem(last=False)
        gc.collect()
        if self.device == "cuda":
            import torch

            torch.cuda.empty_cache()

    def warm(self) -> bool:
        return bool(self.pipelines)

    # -- a job ------------------------------------------------------------------------------------

    def run(self, request: JobRequest, *, overlap: bool = False) -> None:
        """Run one job to a final event (Finished or Failed); never raises. While it generates,
        Progress and Metered events say how many device seconds it has used, so a job whose
        worker dies is still charged for them.

        The writer thread writes its takes; the final event comes from there once every file is
        adopted (or discarded). With `overlap` this returns as soon as the device is done with
        the job, after a `Decoded` event, so the next job can start while the takes are written;
        without it (the Ray actor, benchmarks) it returns after the final event."""
        if request.preset.kind == "previz":  # no pipeline: numpy draws the blocking (engine.previz)
            from director.engine.previz.job import run_previz

            return run_previz(self, request, overlap=overlap)
        if request.preset.kind == "segment":  # SAM 2 mattes of a take, not a pipeline call
            from director.engine.segment_run import run_segment

            return run_segment(self, request, overlap=overlap)
        job_id = request.job_id
        t0 = time.perf_counter()
        meter = Meter(device=self.device, node=os.uname().nodename)
        clock = DeviceClock()
        truncation_notes.notes.clear()
        self.emit(Started(job_id, self.device, loading=request.preset.cache_key not in self.pipelines))
        heartbeat = Heartbeat(self.emit, job_id, clock)
        job = JobWrite(job_id, MediaStore(Path(request.media_root)), lambda: self._is_cancelled(job_id))
        failed: Failed | None = None
        detach_loras = None
        try:
            self._check_cancel(job_id)
            request = self._fitted(request)
            pipe, revision, applied, facts, load_s = self._pipeline(request)
            detach_loras = lora.attach(pipe, request.loras)
            encoder = self._encoder(request)
            facts = replace(facts, encoder=encoder.facts() if encoder else encoders.still_facts(request.quality))
            meter = replace(meter, load_s=load_s, model_revision=revision)
            m = DeviceMeter(self.device)
            self._check_cancel(job_id)
            received: dict = {}
            drive = None
            if request.audio:  # audio to video: the same components, the DFR call (engine.audio_drive)
                from director.engine.audio_drive import prepare

                drive = prepare(pipe, request.audio, request.params)
            for variant, seed in enumerate(request.seeds):
                frames, received, sound = self._generate(pipe, request, variant, seed, m, clock, drive)
                write = partial(self._write_take, request=request, variant=variant, seed=seed, frames=frames,
                                encoder=encoder, applied=applied, revision=revision, sound=sound)
                self.writer.put(job, variant, write)
                if job.error is not None:  # a write failed (a full disk): the job fails with it
                    raise job.error
            meter = replace(meter, gpu_s=clock.seconds(), peak_mem_bytes=m.peak_bytes(), energy_wh=m.energy_wh(),
                            warnings=tuple(truncation_notes.notes))
            heartbeat.stop()  # the device is done with the job: no heartbeat after this
            if overlap:
                self.emit(Decoded(job_id, meter.gpu_s))
            self.writer.end(job, partial(self._ending, request=request, meter=meter, facts=facts, received=received, t0=t0))
        except JobCancelled:
            failed = Failed(job_id, FailureKind.CANCELLED, "cancelled; no takes were written", spent(meter, clock, t0))
        except Exception as exc:
            if is_out_of_memory(exc):
                # Not a bug to report but a size to change: advice, and the details in the log.
                log.warning("job %s ran out of memory on %s", job_id, self.device, exc_info=True)
                ram = is_out_of_ram(exc)
                self._recover_from_oom()
                failed = Failed(job_id, FailureKind.OOM, self._oom_advice(request, ram=ram), spent(meter, clock, t0))
            else:
                failed = self._failure(job_id, exc, spent(meter, clock, t0))
        finally:
            heartbeat.stop()  # no heartbeat after the final event
            if detach_loras is not None:
                detach_loras()  # the warm pipeline is the same for the next job
        if failed is not None:
            self._forget_cancel(job_id)
            # Its files are gone before the event: whoever hears "failed" or "cancelled" finds no
            # leftovers. Only its own write in progress is waited for, never another job's.
            self.writer.fail(job, [failed])
        if not overlap:
            job.done.wait()

    def _fitted(self, request: JobRequest) -> JobRequest:
        """The request with the memory options that fit this device now (`engine.fit`); refused
        (InvalidInput) before loading when nothing fits. What was switched on is said in the
        job's warnings and recorded in its run facts' options."""
        from director.engine.fit import fit_preset
        from director.engine.loading import resolve

        if not request.preset.builder and not request.allow_download:
            resolve(request.preset)  # missing or unsafe weights are said first: no size would help
        fit = fit_preset(request.preset, request.params, self.device, held=sum(v[2] for v in self.pipelines.values()))
        if not fit.switched_on:
            return request
        truncation_notes.notes.append(fit.note())
        return replace(request, preset=replace(request.preset, memory=fit.memory))

    def _ending(self, job: JobWrite, *, request: JobRequest, meter: Meter, facts: RunFacts, received: dict, t0: float) -> list:
        """The final events of a job whose device part went through (on the writer thread)."""
        meter = replace(meter, write_s=job.write_s, wall_s=time.perf_counter() - t0)
        self._forget_cancel(request.job_id)
        if job.written is not None:
            return [*job.written, Finished(request.job_id, meter, facts, received)]
        if job.error is not None:
            exc = job.error
            if is_out_of_memory(exc):
                log.warning("job %s ran out of memory writing its takes", request.job_id, exc_info=exc)
                return [Failed(request.job_id, FailureKind.OOM, self._oom_advice(request, ram=is_out_of_ram(exc)), meter)]
            return [self._failure(request.job_id, exc, meter)]
        return [Failed(request.job_id, FailureKind.CANCELLED, "cancelled; no takes were written", meter)]

    def _failure(self, job_id: int, exc: Exception, meter: Meter) -> Failed:
        from director.engine.loading import MissingWeights, UnsafeWeights

        if isinstance(exc, MissingWeights):
            return Failed(job_id, FailureKind.MISSING_WEIGHTS, str(exc), meter)
        if isinstance(exc, (UnsafeWeights, InvalidInput)):  # InvalidInput: the encoder settings
            return Failed(job_id, FailureKind.INVALID_PARAMS, str(exc), meter)
        # The worker loop is a boundary: the traceback goes to the log once, the user gets a line.
        log.error("job %s failed", job_id, exc_info=exc)
        where = f" (details in {current_log_path()})" if current_log_path() else ""
        return Failed(job_id, FailureKind.ERROR, f"{type(exc).__name__}: {exc}{where}", meter)

    def _recover_from_oom(self) -> None:
        # Drop every warm pipeline but the one in use was not enough: free them all, so the next
        # job (perhaps smaller) starts from a clean device.
        while self.pipelines:
            self._evict_oldest()

    @staticmethod
    def _oom_advice(request: JobRequest, ram: bool = False) -> str:
        p, c = request.params, request.preset.constraints
        w = max(c.min_size, (p["width"] // 2) // c.size_multiple * c.size_multiple)
        h = max(c.min_size, (p["height"] // 2) // c.size_multiple * c.size_multiple)
        size = f"{p['width']}×{p['height']}" + (f"×{p['frames']} frames" if request.preset.is_video else "")
        tips = [f"a smaller size such as {w}×{h}"]
        if request.preset.is_video and p["frames"] > c.min_frames:
            tips.append(f"fewer frames (e.g. {nearest_frames(p['frames'] // 2, c)})")
        if ram:
            # CPU offload moves weights *to* main memory; it cannot help here.
            tips.append("VAE tiling for this preset (Settings → Models)")
            tips.append("closing other programs to free memory, or running it on a GPU (--engine)")
            return f"out of memory (RAM) at {size} with {request.preset.id}. Try " + ", or ".join(tips) + "."
        tips.append("CPU offload and VAE tiling for this preset (Settings → Models)")
        return f"out of memory at {size} with {request.preset.id}. Try " + ", or ".join(tips) + "."

    def _call_kwargs(self, pipe, request: JobRequest, variant: int, seed: int, m: DeviceMeter, clock: DeviceClock):
        """(the pipeline call's arguments, a context that reports steps for a pipeline with no step callback)."""
        import torch

        p, preset = request.params, request.preset
        accepted = inspect.signature(pipe.__call__).parameters
        n = len(request.seeds)

        def on_step(step: int, per: int) -> None:
            self.emit(Progress(request.job_id, variant * per + step + 1, n * per, variant, clock.seconds()))
            m.sample()
            self._check_cancel(request.job_id)

        def on_step_end(pipeline, step, timestep, callback_kwargs):
            on_step(step, pipeline.num_timesteps)
            return callback_kwargs

        kwargs = dict(
            prompt=request.prompt,
            width=p["width"],
            height=p["height"],
            num_inference_steps=p["steps"],
            guidance_scale=p["guidance"],
            generator=torch.Generator("cpu").manual_seed(int(seed)),
            # Tensors, left on the device: the worker makes the uint8 frames there (device_frames).
            output_type="pt",
            callback_on_step_end=on_step_end,
        )
        if request.negative and "negative_prompt" in accepted:
            kwargs["negative_prompt"] = request.negative
        if preset.is_video:
            kwargs["num_frames"] = p["frames"]
            if "frame_rate" in accepted:
                kwargs["frame_rate"] = p["fps"]
        if request.init_image:
            from PIL import Image

            from director.engine.media_out import read_still

            still = read_still(Path(request.init_image), request.init_frame)
            kwargs["image"] = Image.fromarray(still).resize((p["width"], p["height"]), Image.LANCZOS)
        kwargs.update(preset.call_args)
        steer(kwargs, request, self.device)  # keyframes and control (engine.steering)
        # No step callback (HunyuanVideo 1.5): the scheduler's steps report and cancel instead.
        watch = scheduler_steps(pipe, lambda step: on_step(step, p["steps"])) if needs_watch(accepted) else nullcontext()
        return {k: v for k, v in kwargs.items() if k in accepted}, watch

    def _generate(self, pipe, request: JobRequest, variant: int, seed: int, m: DeviceMeter, clock: DeviceClock,
                  drive=None):
        """(uint8 frames in host memory, the text arguments the pipeline received, its sound or
        None) for one variant with its own generator: variant i equals a single run with seed i.
        `drive` (engine.audio_drive.Drive): the job's audio to video, its pipeline and sound.
        The clock runs while the device works on it, the uint8 conversion included (and stays
        running if the call fails); the copy to the host is the device's last work for the
        variant. The sound (`take_sound.from_device`: samples and the model's rate) is what a
        family like LTX-2 returns beside the picture; a silent family gives None."""
        import torch

        from director.engine.device_frames import to_host
        from director.engine.loading import av_output
        from director.engine.take_sound import from_device

        if drive is not None:
            pipe = drive.pipe
        kwargs, watch = self._call_kwargs(pipe, request, variant, seed, m, clock)
        if drive is not None:
            kwargs.update(drive.kwargs)
        received = {k: kwargs[k] for k in TEXT_ARGUMENTS if k in kwargs}
        _sync(self.device)
        log.debug("denoise start job %d variant %d", request.job_id, variant)
        clock.start()
        with torch.inference_mode(), watch:
            out = pipe(**kwargs)
            picture, audio, audio_rate = av_output(pipe, out, request.preset.is_video)
            frames = to_host(picture)
            # A driven take keeps the sound it was made to, sample for sample (engine.audio_drive).
            sound = (drive.sound.T.copy(), SAMPLE_RATE) if drive is not None else from_device(audio, audio_rate)
        del out, picture, audio
        _sync(self.device)
        clock.stop()
        log.debug("denoise end job %d variant %d", request.job_id, variant)
        m.sample()
        return frames, received, sound

    # -- the takes' files (on the writer thread) -------------------------------------------------

    def _encoder(self, request: JobRequest) -> encoders.VideoEncoder | None:
        """The video encoder for this job's role (its recipe's quality) from the worker's
        settings; None for stills (PNG), whose settings are checked all the same."""
        section = self.settings.get("encoder")
        if request.preset.is_video:
            return encoders.choose(section, request.quality, cuda=self.device == "cuda")
        encoders.encoder_settings(section)
        encoders.check_role(request.quality)
        return None

    def _write_take(self, job: JobWrite, *, request: JobRequest, variant: int, seed: int, frames, encoder,
                    applied: list[str], revision: str, sound=None) -> dict:
        """Encode one variant's frames, writing each file once with its SHA-256 taken on the way;
        the frames' own SHA-256 (`frames_sha256`) is taken frame by frame as they are encoded.
        Its sound, if the model made one, becomes a 48 kHz stereo WAV adopted with the take
        (`take_sound`), and the take's facts say its rates, channels and SHA-256."""
        import hashlib

        from director.engine import take_sound
        from director.engine.media_out import encode_mp4, encode_png, encode_thumb, write_hashed

        pixels = frames.wait()
        p = request.params
        rate = Rate.parse(str(p["fps"]))
        video = request.preset.is_video
        digest = hashlib.sha256()

        def on_frame(_i, frame) -> None:
            job.check()
            digest.update(frame)

        if video:
            data = encode_mp4(pixels, Fraction(rate.num, rate.den), encoder, on_frame)
            poster = pixels[len(pixels) // 2]
        else:
            on_frame(0, pixels)
            data = encode_png(pixels)
            poster = pixels
        job.check()
        media = job.temp(".mp4" if video else ".png")
        media_digest = write_hashed(media, data)
        thumb = job.temp(".jpg")
        thumb_digest = write_hashed(thumb, encode_thumb(poster))
        h, w = pixels.shape[-3], pixels.shape[-2]
        extra = {
            "frames_sha256": digest.hexdigest(),
            "preset": request.preset.id,
            "steps": p["steps"],
            "guidance": p["guidance"],
            "device": self.device,
            "dtype": request.preset.dtype if self.device != "cpu" else "float32",
            "model_revision": revision,
            "memory": applied,
        }
        stored_sound = {}
        if sound is not None:
            model_samples, model_rate = sound
            data, n = take_sound.wav_bytes(take_sound.to_stored(model_samples, model_rate))
            job.check()
            wav = job.temp(".wav")
            sound_digest = write_hashed(wav, data)
            extra["sound"] = take_sound.facts(model_samples, model_rate, n, sound_digest)
            if request.audio:
                extra["sound"]["driven_by"] = {"name": request.audio.get("name", ""), "from_sample": request.audio["from_sample"]}
            stored_sound = dict(sound=wav, sound_digest=sound_digest, sound_samples=n)
        return dict(
            media=media, media_ext="mp4" if video else "png", media_digest=media_digest,
            thumb=thumb, thumb_digest=thumb_digest, **stored_sound,
            event=TakeWritten(
                request.job_id, variant, int(seed), "", "",
                (MediaKind.VIDEO if video else MediaKind.IMAGE).value, int(w), int(h),
                int(pixels.shape[0]) if video else 1, rate.num, rate.den, extra,
            ),
        )
