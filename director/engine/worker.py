"""The engine worker: a spawned process that owns torch and the GPU and runs one job at a time.

It keeps pipelines warm (LRU within a memory budget), streams typed events, honours cancel
between steps, survives out-of-memory, and writes media into the project's store. It never
touches the project database: the app process records what the events report.
"""

from __future__ import annotations

import gc
import inspect
import logging
import os
import queue
import signal
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from director.core.enums import FailureKind, MediaKind
from director.core.recipe import RunFacts
from director.core.timecode import Rate
from director.engine.messages import (
    Cancel,
    Failed,
    Finished,
    JobRequest,
    Meter,
    Metered,
    Progress,
    Shutdown,
    Started,
    Submit,
    TakeWritten,
)
from director.engine.presets import nearest_frames
from director.store.media import MediaStore

log = logging.getLogger("director.engine.worker")

TRUNCATION_MARK = "part of your input was truncated"
# Director reads and writes images with PIL; transformers' PIL image processors are the ones meant.
BENIGN_MARKS = ("requires torchvision (not installed); falling back to",)


class _TruncationNotes(logging.Filter):
    """Text encoders cut a prompt at their token limit by design (the tiny presets' tokenizer at
    128 characters), and diffusers warns about it on stderr at every job, which the CLI and the
    demo would show to users. The warning is kept off stderr; the first one of a job goes into
    its meter (`warnings`) instead. Notices that never concern a user (BENIGN_MARKS) are dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TRUNCATION_MARK not in message:
            return not any(mark in message for mark in BENIGN_MARKS)
        if not self.notes:
            # "…truncated because `max_sequence_length` is set to 128 tokens: ['the cut text']"
            reason = " ".join(message.split(":", 1)[0].split()).partition(" because ")[2]
            self.notes.append(f"the prompt was truncated because {reason}" if reason else "the prompt was truncated")
        return False


_truncation_notes = _TruncationNotes()


def quiet_truncation_warnings() -> None:
    """Put the filter on the handlers diffusers and transformers log to stderr with (configured
    first, so the handlers exist), and on the root logger's in case a library propagates."""
    import importlib

    targets = list(logging.getLogger().handlers)
    for lib in ("diffusers", "transformers"):
        try:
            lib_logging = importlib.import_module(f"{lib}.utils.logging")
        except ImportError:
            continue
        library_logger = lib_logging.get_logger(lib)
        targets += [library_logger, *library_logger.handlers]
    for target in targets:
        if _truncation_notes not in target.filters:
            target.addFilter(_truncation_notes)


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


_log_path: Path | None = None  # where this process writes tracebacks (set by log_to_file)


def engine_log_path() -> Path:
    """The engine's log: in Director's settings folder, beside engine.json and the presets."""
    from director.engine.presets import config_dir

    return config_dir() / "logs" / "engine.log"


class _NoTracebacks(logging.Filter):
    """On the terminal a failure is the one line the app prints; its traceback is in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is None


def log_to_file() -> Path | None:
    """Tracebacks go to the engine log, once; the terminal gets only warnings without them."""
    global _log_path
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger()
    for path in (engine_log_path(), Path(tempfile.gettempdir()) / f"director-engine-{os.getuid() if hasattr(os, 'getuid') else 0}.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(path, maxBytes=2**20, backupCount=3, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        _log_path = path
        break
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.addFilter(_NoTracebacks())
    return _log_path


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


class _Meter:
    """Peak memory and energy for one job: CUDA peak or sampled RSS; NVML energy when present."""

    def __init__(self, device: str):
        import psutil

        self.device = device
        self.process = psutil.Process()
        self.peak_rss = self.process.memory_info().rss
        self.nvml = None
        self.energy_start = None
        if device == "cuda":
            import torch

            torch.cuda.reset_peak_memory_stats()
            try:
                import pynvml  # nvidia-ml-py, optional

                pynvml.nvmlInit()
                self.nvml = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
                self.energy_start = pynvml.nvmlDeviceGetTotalEnergyConsumption(self.nvml)  # mJ
            except Exception:  # no NVML, or a driver without the energy counter
                self.nvml = None

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, self.process.memory_info().rss)

    def peak_bytes(self) -> int:
        if self.device == "cuda":
            import torch

            return int(torch.cuda.max_memory_allocated())
        self.sample()
        return int(self.peak_rss)

    def energy_wh(self) -> float | None:
        if self.nvml is None:
            return None
        import pynvml

        try:
            return (pynvml.nvmlDeviceGetTotalEnergyConsumption(self.nvml) - self.energy_start) / 3.6e6
        except Exception:
            return None


def _discard(temps: list[Path]) -> None:
    for t in temps:
        t.unlink(missing_ok=True)
    temps.clear()


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

METER_EVERY_S = 1.0  # how often a generating job reports the device seconds it has used


class _DeviceClock:
    """The device seconds one job has used: its finished variants plus the one generating now.
    Read from the heartbeat thread while the job thread runs it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = 0.0
        self._since: float | None = None

    def start(self) -> None:
        with self._lock:
            self._since = time.perf_counter()

    def stop(self) -> None:
        with self._lock:
            if self._since is not None:
                self._done += time.perf_counter() - self._since
                self._since = None

    def seconds(self) -> float:
        with self._lock:
            running = time.perf_counter() - self._since if self._since is not None else 0.0
            return self._done + running


class _Heartbeat:
    """Emits Metered(job, seconds so far) every METER_EVERY_S while the job's device clock
    runs: a step can take minutes on a large model and decoding reports no steps, and a worker
    killed in either must still have said what it used."""

    def __init__(self, emit, job_id: int, clock: _DeviceClock) -> None:
        self._emit, self._job_id, self._clock = emit, job_id, clock
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"director-meter-{job_id}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        said = 0.0
        while not self._stopped.wait(METER_EVERY_S):
            seconds = self._clock.seconds()
            if seconds > said:  # only while the device works (not between variants)
                said = seconds
                try:
                    self._emit(Metered(self._job_id, seconds))
                except Exception:  # the app went away; the job's own events will say so
                    return

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


def _spent(meter: Meter, clock: _DeviceClock, t0: float) -> Meter:
    """A failed job's meter: the device seconds it used until it stopped are still spent."""
    seconds = clock.seconds()
    return replace(meter, gpu_s=seconds if seconds > 0 else meter.gpu_s, wall_s=time.perf_counter() - t0)


class Worker:
    """Runs jobs; `emit` sends an event to the app. Used in-process by the benchmark too."""

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
        quiet_truncation_warnings()

    # -- cancel (called from the reader thread) -------------------------------------------------

    def request_cancel(self, job_id: int) -> None:
        with self._lock:
            self.cancelled.add(job_id)

    def _check_cancel(self, job_id: int) -> None:
        with self._lock:
            if job_id in self.cancelled:
                raise JobCancelled()

    # -- pipelines --------------------------------------------------------------------------------

    def _pipeline(self, request: JobRequest):
        """(pipe, revision, applied options, run facts, load seconds): warm if cached, else loaded now."""
        from director.engine.loading import apply_memory, load_pipeline, run_facts

        key = request.preset.cache_key
        if key in self.pipelines:
            self.pipelines.move_to_end(key)
            pipe, revision, _size, applied, facts = self.pipelines[key]
            return pipe, revision, applied, facts, 0.0
        t0 = time.perf_counter()
        pipe, revision = load_pipeline(request.preset, self.device, request.allow_download)
        applied = apply_memory(pipe, request.preset, self.device)
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

    def run(self, request: JobRequest) -> None:
        """Run one job to a final event (Finished or Failed); never raises. While it generates,
        Progress and Metered events say how many device seconds it has used, so a job whose
        worker dies is still charged for them."""
        job_id = request.job_id
        t0 = time.perf_counter()
        meter = Meter(device=self.device, node=os.uname().nodename)
        temps: list[Path] = []
        clock = _DeviceClock()
        final: list = []
        _truncation_notes.notes.clear()
        self.emit(Started(job_id, self.device, loading=request.preset.cache_key not in self.pipelines))
        heartbeat = _Heartbeat(self.emit, job_id, clock)
        try:
            self._check_cancel(job_id)
            pipe, revision, applied, facts, load_s = self._pipeline(request)
            meter = replace(meter, load_s=load_s, model_revision=revision)
            m = _Meter(self.device)
            self._check_cancel(job_id)
            store = MediaStore(Path(request.media_root))
            outputs = []
            received: dict = {}
            for variant, seed in enumerate(request.seeds):
                frames, received = self._generate(pipe, request, variant, seed, m, clock)
                outputs.append(self._write_temp(store, request, variant, seed, frames, temps, applied, revision))
            meter = replace(meter, gpu_s=clock.seconds(), peak_mem_bytes=m.peak_bytes(), energy_wh=m.energy_wh(),
                            warnings=tuple(_truncation_notes.notes))
            # Adopt only once every variant is done: a cancelled or failed job leaves no takes.
            written = [self._adopt(store, out) for out in outputs]
            temps.clear()
            meter = replace(meter, wall_s=time.perf_counter() - t0)
            final = [*written, Finished(job_id, meter, facts, received)]
        except JobCancelled:
            _discard(temps)  # before the event: whoever hears "cancelled" finds no leftovers
            final = [Failed(job_id, FailureKind.CANCELLED, "cancelled; no takes were written", _spent(meter, clock, t0))]
        except Exception as exc:
            _discard(temps)
            if is_out_of_memory(exc):
                # Not a bug to report but a size to change: advice, and the details in the log.
                log.warning("job %s ran out of memory on %s", job_id, self.device, exc_info=True)
                ram = is_out_of_ram(exc)
                self._recover_from_oom()
                final = [Failed(job_id, FailureKind.OOM, self._oom_advice(request, ram=ram), _spent(meter, clock, t0))]
            else:
                final = [self._failure(job_id, exc, _spent(meter, clock, t0))]
        finally:
            heartbeat.stop()  # no heartbeat after the final event
            _discard(temps)
            with self._lock:
                self.cancelled.discard(job_id)
        for event in final:
            self.emit(event)

    def _failure(self, job_id: int, exc: Exception, meter: Meter) -> Failed:
        from director.engine.loading import MissingWeights, UnsafeWeights

        if isinstance(exc, MissingWeights):
            return Failed(job_id, FailureKind.MISSING_WEIGHTS, str(exc), meter)
        if isinstance(exc, UnsafeWeights):
            return Failed(job_id, FailureKind.INVALID_PARAMS, str(exc), meter)
        # The worker loop is a boundary: the traceback goes to the log once, the user gets a line.
        log.exception("job %s failed", job_id)
        where = f" (details in {_log_path})" if _log_path else ""
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

    def _call_kwargs(self, pipe, request: JobRequest, variant: int, seed: int, m: _Meter, clock: _DeviceClock) -> dict:
        import torch

        p, preset = request.params, request.preset
        accepted = inspect.signature(pipe.__call__).parameters
        n = len(request.seeds)

        def on_step_end(pipeline, step, timestep, callback_kwargs):
            per = pipeline.num_timesteps
            self.emit(Progress(request.job_id, variant * per + step + 1, n * per, variant, clock.seconds()))
            m.sample()
            self._check_cancel(request.job_id)
            return callback_kwargs

        kwargs = dict(
            prompt=request.prompt,
            width=p["width"],
            height=p["height"],
            num_inference_steps=p["steps"],
            guidance_scale=p["guidance"],
            generator=torch.Generator("cpu").manual_seed(int(seed)),
            output_type="np",
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
        return {k: v for k, v in kwargs.items() if k in accepted}

    def _generate(self, pipe, request: JobRequest, variant: int, seed: int, m: _Meter, clock: _DeviceClock):
        """(frames, the text arguments the pipeline received) for one variant with its own
        generator: variant i equals a single run with seed i. The clock runs while the device
        works on it (and stays running if the call fails)."""
        import torch

        kwargs = self._call_kwargs(pipe, request, variant, seed, m, clock)
        received = {k: kwargs[k] for k in TEXT_ARGUMENTS if k in kwargs}
        _sync(self.device)
        clock.start()
        with torch.inference_mode():
            out = pipe(**kwargs)
        _sync(self.device)
        clock.stop()
        m.sample()
        return (out.frames[0] if request.preset.is_video else out.images[0]), received

    def _write_temp(self, store, request, variant, seed, frames, temps, applied, revision) -> dict:
        import numpy as np

        from director.engine.media_out import frames_digest, to_uint8, write_mp4, write_png, write_thumb

        frames = to_uint8(np.asarray(frames))
        p = request.params
        rate = Rate.parse(str(p["fps"]))
        video = request.preset.is_video
        media = store.temp_path(".mp4" if video else ".png")
        temps.append(media)
        if video:
            write_mp4(frames, media, Fraction(rate.num, rate.den))
            poster = frames[len(frames) // 2]
        else:
            write_png(frames, media)
            poster = frames
        thumb = store.temp_path(".jpg")
        temps.append(thumb)
        write_thumb(poster, thumb)
        h, w = frames.shape[-3], frames.shape[-2]
        extra = {
            "frames_sha256": frames_digest(frames),
            "preset": request.preset.id,
            "steps": p["steps"],
            "guidance": p["guidance"],
            "device": self.device,
            "dtype": request.preset.dtype if self.device != "cpu" else "float32",
            "model_revision": revision,
            "memory": applied,
        }
        return dict(
            media=media, thumb=thumb, video=video,
            event=TakeWritten(
                request.job_id, variant, int(seed), "", "",
                (MediaKind.VIDEO if video else MediaKind.IMAGE).value, int(w), int(h),
                int(frames.shape[0]) if video else 1, rate.num, rate.den, extra,
            ),
        )

    @staticmethod
    def _adopt(store: MediaStore, out: dict) -> TakeWritten:
        media = store.adopt(out["media"], "mp4" if out["video"] else "png")
        thumb = store.adopt(out["thumb"], "jpg")
        return replace(out["event"], media_path=media, thumb_path=thumb)


def worker_main(commands, events, settings: dict | None = None) -> None:
    """Entry point of the spawned process: a reader thread takes commands (so a Cancel arrives
    while a job runs); the main thread runs jobs one at a time."""
    # Ctrl-C at a terminal reaches the whole process group; the app decides what it means
    # (cancel the job, cleanly), so the worker must not die of it mid-step.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Below the window in the scheduler: on a CPU-bound machine the UI thread must win every time
    # (a frozen window costs the user more than a slightly slower take); idle cores still go here.
    if hasattr(os, "nice"):
        try:
            os.nice(int(os.environ.get("DIRECTOR_WORKER_NICE", "5")))
        except OSError:
            pass
    logging.basicConfig(level=logging.WARNING, format="director-engine: %(levelname)s %(message)s")
    log_to_file()
    threads = os.environ.get("DIRECTOR_TORCH_THREADS")
    from director.engine.loading import stay_offline

    # Before torch, diffusers and transformers are imported: they read HF_HUB_OFFLINE once.
    stay_offline()
    import torch  # noqa: F401  (import before the first job so load_s measures loading only)
    import diffusers  # noqa: F401

    if threads:
        torch.set_num_threads(int(threads))
    inbox: queue.Queue = queue.Queue()
    send_lock = threading.Lock()

    def emit(event) -> None:
        with send_lock:
            events.send(event)

    worker = Worker(emit, settings)

    def read() -> None:
        while True:
            try:
                msg = commands.recv()
            except (EOFError, OSError):  # the app went away
                inbox.put(Shutdown())
                return
            if isinstance(msg, Cancel):
                worker.request_cancel(msg.job_id)
            else:
                inbox.put(msg)
                if isinstance(msg, Shutdown):
                    return

    threading.Thread(target=read, name="director-engine-commands", daemon=True).start()
    while True:
        msg = inbox.get()
        if isinstance(msg, Shutdown):
            break
        if isinstance(msg, Submit):
            worker.run(msg.request)
