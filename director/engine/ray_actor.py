"""The Ray actor that runs generation jobs on a cluster machine.

It hosts the local worker's job code (`director.engine.worker_run.Worker.run`) unchanged, so a job
on the cluster loads, steps, cancels and meters exactly as on this machine. What differs is only
where things go: media is written into a scratch store on the actor's machine and sent back as
bytes (the app alone writes the project's media store; the scratch copies are deleted when the
job ends, and a killed actor's folder by the next actor on that machine), events wait in a buffer that the app
long-polls, and final meters name the node and GPU type so the ledger can price each machine.

The class is plain Python; `ray_engine` wraps it with `ray.remote`, so this module imports
neither Ray nor torch until an actor is constructed on a cluster machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from director.engine.messages import Failed, Finished, JobRequest, MatteWritten, TakeWritten


SCRATCH_PREFIX = "director-ray-"


def remove_orphaned_scratch(root: Path | None = None) -> list[Path]:
    """Delete the scratch folders of Director actors on this machine whose process is gone (killed
    mid-job, or its node restarted), so no copy of a director's media outlives its actor; a folder
    whose process still runs (another actor on this machine) is left alone. Returns what went."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


@dataclass(frozen=True)
class RemoteTake:
    """A take made on a cluster machine: its event plus the files' bytes, to be stored by the app."""

    event: TakeWritten
    media: bytes
    media_ext: str
    thumb: bytes
    sound: bytes = b""  # the take's own sound (a stored WAV) when the model made one


def describe_machine(device: str) -> dict:
    """Where jobs on this actor run: host name, Ray node id, device and GPU type (price-table key)."""
    gpu_type = "cpu"
    if device == "cuda":
        import torch

        gpu_type = torch.cuda.get_device_name(0)
    elif device == "mps":
        gpu_type = "mps"
    node_id = ""
    try:
        import ray

        node_id = ray.get_runtime_context().get_node_id()
    except Exception:  # constructed outside Ray (a test of the class itself)
        pass
    return {"node": socket.gethostname(), "node_id": node_id, "device": device, "gpu_type": gpu_type, "pid": os.getpid()}


class GenerationActor:
    """One per GPU (or per CPU slot): runs one job at a time and keeps its pipelines warm.

    Ray runs it with max_concurrency > 1 so that `cancel` and `events` are served on other
    threads while `run` is busy in the pipeline; the client never sends a second `run` while one
    is going.
    """

    def __init__(self, settings: dict | None = None):
        settings = dict(settings or {})
        threads = settings.pop("torch_threads", None) or os.environ.get("DIRECTOR_TORCH_THREADS")
        from director.engine.loading import stay_offline

        stay_offline()  # like the local worker: no hub traffic unless a request asks to download
        import torch  # noqa: F401  (before the first job, so its load_s measures loading only)

        if threads:
            torch.set_num_threads(int(threads))
        from director.engine.worker_run import Worker

        self._cond = threading.Condition()
        self._buffer: list = []
        remove_orphaned_scratch()
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.worker = Worker(self._emit, settings)
        self.machine = describe_machine(self.worker.device)

    # -- called by the client ---------------------------------------------------------------------

    def describe(self) -> dict:
        """The machine facts; also the client's sign that the actor is placed and constructed."""
        return self.machine

    def run(self, request: JobRequest, init_image: bytes | None = None) -> None:
        """Run one job to its final event, which (like every event) arrives through `events`."""
        local = replace(request, media_root=str(self.scratch / "media"))
        init_path = None
        if init_image is not None:
            source = request.init_image or (request.segment or {}).get("video")  # a segment job's take
            suffix = Path(source or "init.png").suffix or ".png"
            init_path = self.scratch / f"init-{request.job_id}{suffix}"
            init_path.write_bytes(init_image)
            if request.segment is not None and not request.init_image:
                local = replace(local, segment={**request.segment, "video": str(init_path)})
            else:
                local = replace(local, init_image=str(init_path))
        try:
            self.worker.run(local)
        finally:
            if init_path is not None:
                init_path.unlink(missing_ok=True)
            # The bytes are in the buffer by now; the scratch copies are not needed again.
            shutil.rmtree(self.scratch / "media", ignore_errors=True)
            with self._cond:
                self._cond.notify_all()

    def cancel(self, job_id: int) -> None:
        self.worker.request_cancel(job_id)

    def events(self, wait_s: float = 0.5) -> list:
        """Everything buffered, waiting up to `wait_s` for the first event (a long poll: the
        client keeps one call in flight per busy actor, so events stream without busy polling)."""
        with self._cond:
            if not self._buffer:
                self._cond.wait(wait_s)
            out, self._buffer = self._buffer, []
        return out

    def close(self) -> None:
        self.worker.close()  # its writer thread: idle here, since `run` waits for each job's end
        shutil.rmtree(self.scratch, ignore_errors=True)

    # -- the worker's emit --------------------------------------------------------------------------

    def _emit(self, event) -> None:
        if isinstance(event, (TakeWritten, MatteWritten)):  # a matte's files cross like a take's
            event = self._collect(event)
        elif isinstance(event, (Finished, Failed)):
            event = replace(event, meter=replace(event.meter, **self._where()))
        with self._cond:
            self._buffer.append(event)
            self._cond.notify_all()

    def _where(self) -> dict:
        m = self.machine
        return {"node": m["node"], "node_id": m["node_id"], "gpu_type": m["gpu_type"], "actor_pid": m["pid"]}

    def _collect(self, event: TakeWritten) -> RemoteTake:
        """Read a take's files out of the scratch store (deleted when the job ends: the app's
        store is the only lasting copy)."""
        root = self.scratch / "media"
        media, thumb = root / event.media_path, root / event.thumb_path
        take = RemoteTake(
            event=replace(event, media_path="", thumb_path="", **({"sound_path": ""} if isinstance(event, TakeWritten) else {})),
            media=media.read_bytes(),
            media_ext=media.suffix.lstrip("."),
            thumb=thumb.read_bytes(),
            sound=(root / event.sound_path).read_bytes() if getattr(event, "sound_path", "") else b"",
        )
        return take
