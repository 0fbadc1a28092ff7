"""What a job uses, measured in the worker: device seconds (a clock that runs while the device
works, and a heartbeat that reports it), peak memory and energy.

Part of the worker process (`engine.worker` is its entry point); torch and psutil are imported
inside the functions.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from director.engine.messages import Meter, Metered


class DeviceMeter:
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


METER_EVERY_S = 1.0  # how often a generating job reports the device seconds it has used


class DeviceClock:
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


class Heartbeat:
    """Emits Metered(job, seconds so far) every METER_EVERY_S while the job's device clock
    runs: a step can take minutes on a large model and decoding reports no steps, and a worker
    killed in either must still have said what it used."""

    def __init__(self, emit, job_id: int, clock: DeviceClock) -> None:
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


def spent(meter: Meter, clock: DeviceClock, t0: float) -> Meter:
    """A failed job's meter: the device seconds it used until it stopped are still spent."""
    seconds = clock.seconds()
    return replace(meter, gpu_s=seconds if seconds > 0 else meter.gpu_s, wall_s=time.perf_counter() - t0)
