"""The engine worker: a spawned process that owns torch and the GPU and runs one job at a time.

This module is the process's entry point (`worker_main`): it sets up the process (signals,
priority, logging, offline mode, torch threads), reads commands on a thread so a Cancel arrives
while a job runs, and hands each job to `worker_run.Worker`. A job's takes are written on the
worker's writer thread (`take_writer`), so the next job starts on the device as soon as the last
one is decoded (`Decoded`). What a job uses is measured in `worker_meter`; logging is `worker_log`.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading

from director.engine.messages import Cancel, Shutdown, Submit
from director.engine.worker_log import log_to_file
from director.engine.worker_run import Worker

__all__ = ["Worker", "worker_main"]


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
    # The writer thread's encoders, so the first take is not the one that waits for their import.
    import av  # noqa: F401
    import cv2  # noqa: F401

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
    try:
        while True:
            msg = inbox.get()
            if isinstance(msg, Shutdown):
                break
            if isinstance(msg, Submit):
                worker.run(msg.request, overlap=True)
    finally:
        worker.close()  # the takes being written are finished (or discarded) and reported
