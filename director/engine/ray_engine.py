"""The engine on a Ray cluster: the same `EngineClient` as the local worker, many machines behind it.

One actor per GPU (`num_gpus=1`), or CPU actors where the cluster has no GPU, each running the
local worker's job code (`ray_actor.GenerationActor`). The client keeps the queue itself and
hands a job to an idle actor, preferring one that already holds the job's model warm. Events
stream back through one long-poll call in flight per busy actor; `poll_events(0)` only asks Ray
which calls are done (`ray.wait(timeout=0)`), so a UI timer never blocks on the network.
Finished media arrives as bytes and is written into the app's media store on a background
thread (`MediaStore.put_bytes`), so the app alone writes the project and its media.

Connecting happens on a background thread: until it is done `poll_events` returns nothing and
`state` says "connecting"; an unreachable cluster fails the waiting jobs with a
`ClusterUnreachable` message and `wait_ready` raises it. A lost actor or node fails its attempt
with kind `crashed`; the job runs again on another actor (`retries`, default once), announced by a
`Retrying` event, and only when retries are spent does the job end in `Failed(crashed)`.

Before the first actor, the cluster is checked (`ray_auth.check_cluster`): one that does not
enforce token authentication is refused unless `allow_unauthenticated`, a missing or wrong token
is refused, and every finished job's run facts record the check (`RunFacts.cluster`).

Neither Ray nor torch is imported until a client connects, so the app starts without them.
"""

from __future__ import annotations

import logging
import importlib.util
import socket
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from director.core.enums import FailureKind
from director.core.errors import DirectorError
from director.engine.client import CANCEL_GRACE_S, EngineClient
from director.core.recipe import RunFacts
from director.engine.messages import Event, Failed, Finished, JobRequest, Meter, Metered, Progress, Retrying, Started
from director.engine.ray_auth import ClusterCheck, ClusterRefused, scrub
from director.store.media import MediaStore

log = logging.getLogger("director.engine.ray")

HOW_TO_START = (
    "Start a cluster with 'ray start --head --port=6379' on one machine and "
    "'ray start --address=HEAD_IP:6379' on each GPU machine with Director installed "
    "(see docs/ray.md), or choose the local engine."
)


MAX_START_FAILURES = 3


class ClusterUnreachable(DirectorError):
    """The Ray cluster named in settings or on the command line could not be reached."""


@dataclass
class _Attempt:
    request: JobRequest
    number: int = 1
    avoid_nodes: frozenset = frozenset()
    started_at: float = 0.0
    takes: list = field(default_factory=list)
    lost: list[Meter] = field(default_factory=list)  # where earlier attempts died, for the final meter
    gpu_s: float = 0.0  # device seconds this attempt reported so far (Progress, Metered)


@dataclass(eq=False)  # identity: a replaced actor's slot must not equal its successor
class _Slot:
    """One actor as the dispatcher sees it."""

    handle: Any
    describe_ref: Any = None  # in flight until the actor is placed and constructed
    machine: dict | None = None
    job: _Attempt | None = None
    events_ref: Any = None
    run_ref: Any = None
    warm: set = field(default_factory=set)
    cancel_sent_at: float | None = None

    @property
    def idle(self) -> bool:
        return self.machine is not None and self.job is None


def _split_address(address: str) -> tuple[str, int] | None:
    """(host, port) of `ray://HOST:PORT` or `HOST:PORT`, for a quick reachability check."""
    rest = address.split("://", 1)[-1]
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


class RayEngineClient(EngineClient):
    """Jobs on a Ray cluster at `address` (`ray://HOST:PORT` through Ray Client, `HOST:PORT` for
    a machine inside the cluster network, or "auto").

    settings: passed to each actor's worker (memory_budget_gb, torch_threads); `actors`,
    `num_cpus` and `num_gpus` override the one-actor-per-GPU plan (tests, CPU clusters);
    `allow_unauthenticated` accepts a cluster without token authentication (recorded per job).
    """

    def __init__(
        self,
        address: str,
        settings: dict | None = None,
        *,
        actors: int | None = None,
        num_cpus: float | None = None,
        num_gpus: float | None = None,
        retries: int = 1,
        cancel_grace_s: float = CANCEL_GRACE_S,
        connect_timeout_s: float = 10.0,
        long_poll_s: float = 0.5,
        connect: bool = True,
        allow_unauthenticated: bool = False,
    ):
        self.address = address
        self.allow_unauthenticated = allow_unauthenticated
        self.check: ClusterCheck | None = None  # what check_cluster found, once connected
        self.settings = dict(settings or {})
        self.retries = retries
        self.cancel_grace_s = cancel_grace_s
        self.connect_timeout_s = connect_timeout_s
        self.long_poll_s = long_poll_s
        self._plan = {"actors": actors, "num_cpus": num_cpus, "num_gpus": num_gpus}
        self.state = "idle"  # → connecting → ready | failed; closed after shutdown
        self.error: ClusterUnreachable | ClusterRefused | None = None
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._ray = None
        self._actor_cls = None
        self._actor_options: dict = {}
        self._slots: list[_Slot] = []
        self._pending: deque[_Attempt] = deque()
        self._outbox: deque[Event | Future] = deque()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="director-ray-media")
        self._owns_ray = False
        self.lost_actors = 0
        self._start_failures = 0
        if connect:
            self.connect()

    # -- connecting -------------------------------------------------------------------------------

    def connect(self) -> None:
        """Start connecting on a background thread (returns at once)."""
        with self._lock:
            if self.state != "idle":
                return
            self.state = "connecting"
        threading.Thread(target=self._connect, name="director-ray-connect", daemon=True).start()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until connected (the CLI's choice); raises ClusterUnreachable."""
        if self.state == "idle":
            self.connect()
        if not self._connected.wait(timeout):
            raise ClusterUnreachable(f"still connecting to the Ray cluster at {self.address} after {timeout:g} s. {HOW_TO_START}")
        if self.error is not None:
            raise self.error

    def _connect(self) -> None:
        try:
            self._connect_and_start_actors()
        except (ClusterUnreachable, ClusterRefused) as exc:
            self._fail_connect(exc)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, gRPC errors…
            log.debug("connecting to %s failed: %s", self.address, scrub(repr(exc)))
            self._fail_connect(ClusterUnreachable(f"cannot reach the Ray cluster at {self.address}: {scrub(str(exc))}. {HOW_TO_START}"))
        self._connected.set()

    def _connect_and_start_actors(self) -> None:
        target = _split_address(self.address)
        if target is not None:
            # Ray retries an unreachable address for a minute or more; a plain TCP connect gives
            # the user the answer in seconds.
            try:
                socket.create_connection(target, timeout=self.connect_timeout_s).close()
            except OSError as exc:
                raise ClusterUnreachable(
                    f"cannot reach the Ray cluster at {self.address} ({exc.strerror or exc}). {HOW_TO_START}"
                ) from None
        if importlib.util.find_spec("ray") is None:  # found, not imported: Ray reads its settings on import
            raise ClusterUnreachable(
                "Ray is not installed here: install Director with the ray extra (pip install 'director[ray]')."
            )
        from director.engine.ray_auth import check_cluster, prepare_driver

        check = check_cluster(self.address, allow_unauthenticated=self.allow_unauthenticated, timeout_s=self.connect_timeout_s)
        for warning in check.warnings:
            log.warning("%s", warning)
        prepare_driver(check)  # before Ray reads its settings: the token goes only where it is required
        self.check = check
        try:
            import ray
        except ImportError:
            raise ClusterUnreachable(
                "Ray is not installed here: install Director with the ray extra (pip install 'director[ray]')."
            ) from None
        if not ray.is_initialized():
            ray.init(address=self.address, namespace="director", log_to_driver=False, logging_level=logging.WARNING)
            self._owns_ray = True
        from director.engine.ray_actor import GenerationActor

        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        plan = self._plan
        num_gpus = plan["num_gpus"] if plan["num_gpus"] is not None else (1 if gpus else 0)
        if plan["actors"] is not None:
            count = plan["actors"]
        elif num_gpus:
            count = int(gpus // num_gpus)
        else:
            count = max(1, sum(1 for n in ray.nodes() if n.get("Alive")))  # one CPU actor a machine
        options = dict(num_gpus=num_gpus, num_cpus=plan["num_cpus"] if plan["num_cpus"] is not None else 1, max_concurrency=4)
        if not num_gpus:
            options["scheduling_strategy"] = "SPREAD"
        self._ray = ray
        self._actor_cls = ray.remote(GenerationActor)
        self._actor_options = options
        slots = [self._new_slot() for _ in range(count)]
        with self._lock:
            if self.state == "closed":  # shut down while we were connecting
                for slot in slots:
                    ray.kill(slot.handle)
                self._release_ray()
                return
            self._slots = slots
            self.state = "ready"
        log.info("connected to %s with %d actor(s) %s", self.address, count, options)

    def _fail_connect(self, error: ClusterUnreachable) -> None:
        with self._lock:
            if self.state == "closed":
                return
            self.error = error
            self.state = "failed"
            for attempt in self._pending:
                self._outbox.append(Failed(attempt.request.job_id, FailureKind.ERROR, str(error)))
            self._pending.clear()

    def _new_slot(self) -> _Slot:
        handle = self._actor_cls.options(**self._actor_options).remote(self.settings)
        return _Slot(handle=handle, describe_ref=handle.describe.remote())

    def _release_ray(self) -> None:
        if self._owns_ray and self._ray is not None:
            self._ray.shutdown()
            self._owns_ray = False

    # -- EngineClient -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._pending) or bool(self._outbox) or any(s.job is not None for s in self._slots)

    @property
    def capacity(self) -> int:
        """How many jobs can run at once (the actors that are placed); 0 while connecting."""
        return sum(1 for s in self._slots if s.machine is not None)

    @property
    def planned(self) -> int:
        """How many actors the cluster was given (placed or still starting)."""
        return len(self._slots)

    def machines(self) -> list[dict]:
        """The placed actors' machines (node, node_id, device, gpu_type), for a status line."""
        return [dict(s.machine) for s in self._slots if s.machine is not None]

    def where(self, job_id: int) -> dict | None:
        """The machine a running job is on (Started and Progress carry only the device)."""
        for s in self._slots:
            if s.job is not None and s.job.request.job_id == job_id:
                return dict(s.machine or {})
        return None

    def submit(self, request: JobRequest) -> None:
        if self.state == "idle":
            self.connect()
        if self.state == "failed":
            self._outbox.append(Failed(request.job_id, FailureKind.ERROR, str(self.error)))
            return
        with self._lock:
            self._pending.append(_Attempt(request))
        if self.state == "ready":
            self._dispatch()

    def cancel(self, job_id: int) -> None:
        with self._lock:
            for attempt in list(self._pending):
                if attempt.request.job_id == job_id:
                    self._pending.remove(attempt)
                    self._outbox.append(Failed(job_id, FailureKind.CANCELLED, "cancelled before it started"))
                    return
        for slot in self._slots:
            if slot.job is not None and slot.job.request.job_id == job_id and slot.cancel_sent_at is None:
                slot.cancel_sent_at = time.monotonic()
                slot.handle.cancel.remote(job_id)

    def poll_events(self, timeout: float = 0.0) -> list[Event]:
        deadline = time.monotonic() + max(0.0, timeout)
        out: list = []
        while True:
            if self.state == "connecting" and not self._outbox:
                self._connected.wait(max(0.0, min(deadline - time.monotonic(), 0.05)))
            if self.state == "ready":
                self._pump(max(0.0, min(deadline - time.monotonic(), self.long_poll_s)), bool(out or self._outbox))
            out.extend(self._take_outbox())
            if out or time.monotonic() >= deadline:
                return out
            if self.state in ("failed", "closed", "idle") and not self._outbox:
                time.sleep(max(0.0, min(deadline - time.monotonic(), 0.05)))

    def shutdown(self) -> None:
        with self._lock:
            self._pending.clear()
            was_ready = self.state == "ready"
            self.state = "closed"
        if was_ready:
            # Let placed actors remove their scratch folders, briefly: a lost node must not
            # hold up quitting.
            closing = [s.handle.close.remote() for s in self._slots if s.machine is not None]
            if closing:
                self._ray.wait(closing, num_returns=len(closing), timeout=2.0)
            for slot in self._slots:
                try:
                    self._ray.kill(slot.handle)
                except Exception:  # already gone with its node
                    pass
            self._slots = []
            self._release_ray()
        self._writer.shutdown(wait=True)
        self._outbox.clear()

    # -- the dispatcher -----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Jobs start in submission order; each goes to the best idle actor: not on a machine
        where this job was lost, then one holding the job's model warm, then the one holding the
        fewest other models (so actors keep different models warm for the jobs that follow)."""
        while True:
            with self._lock:
                idle = [s for s in self._slots if s.idle]
                if not idle or not self._pending:
                    return
                attempt = self._pending.popleft()
            key = attempt.request.preset.cache_key
            slot = max(idle, key=lambda s: (s.machine["node_id"] not in attempt.avoid_nodes, key in s.warm, -len(s.warm)))
            self._start(slot, attempt)

    def _start(self, slot: _Slot, attempt: _Attempt) -> None:
        request = attempt.request
        init = None
        if request.init_image:
            init = Path(request.init_image).read_bytes()  # the actor's machine cannot see our disk
        elif request.segment is not None:
            init = Path(request.segment["video"]).read_bytes()  # the take a segment job cuts mattes of
        attempt.started_at = time.monotonic()
        slot.job = attempt
        slot.cancel_sent_at = None
        slot.run_ref = slot.handle.run.remote(request, init)
        slot.events_ref = slot.handle.events.remote(self.long_poll_s)

    def _pump(self, wait_s: float, have_events: bool) -> None:
        """Collect finished Ray calls (waiting at most `wait_s` for the first) and act on them."""
        self._check_cancel_deadlines()
        refs = {}
        for slot in self._slots:
            for role in ("describe_ref", "events_ref", "run_ref"):
                ref = getattr(slot, role)
                if ref is not None:
                    refs[ref] = (slot, role)
        if not refs:
            return
        ready, _ = self._ray.wait(list(refs), num_returns=len(refs), timeout=0)
        if not ready and not have_events and wait_s > 0:
            self._ray.wait(list(refs), num_returns=1, timeout=wait_s)
            ready, _ = self._ray.wait(list(refs), num_returns=len(refs), timeout=0)
        for ref in ready:
            slot, role = refs[ref]
            # Skip a call made stale earlier in this loop: its actor was replaced, or its job
            # ended (a final event makes the run call's answer moot).
            if slot in self._slots and getattr(slot, role) == ref:
                self._on_ready(slot, role, ref)
        self._dispatch()

    def _on_ready(self, slot: _Slot, role: str, ref) -> None:
        ray = self._ray
        try:
            value = ray.get(ref, timeout=0)
        except ray.exceptions.RayActorError as exc:
            self._lost(slot, exc)
            return
        except ray.exceptions.RayError as exc:
            log.warning("a call to a Director actor failed: %s", exc)
            self._lost(slot, exc)
            return
        if role == "describe_ref":
            slot.describe_ref, slot.machine = None, value
            return
        if role == "run_ref":
            slot.run_ref = None  # the final event comes through the event stream
            return
        slot.events_ref = None
        for item in value:
            self._on_actor_event(slot, item)
        if slot.job is not None:
            slot.events_ref = slot.handle.events.remote(self.long_poll_s)

    def _on_actor_event(self, slot: _Slot, item) -> None:
        from director.engine.ray_actor import RemoteTake

        attempt = slot.job
        if attempt is None:
            return
        if isinstance(item, RemoteTake):
            attempt.takes.append(item)  # held until Finished, then written in one go
            return
        if isinstance(item, (Started, Progress, Metered)):
            if isinstance(item, (Progress, Metered)):
                attempt.gpu_s = max(attempt.gpu_s, item.gpu_s)
            self._outbox.append(item)
            return
        meter = replace(item.meter, attempts=attempt.number, lost_attempts=tuple(attempt.lost))
        if isinstance(item, Finished):
            # The recipe's run half says where the job ran, and whether that cluster was open to anyone.
            item = replace(item, run_facts=replace(item.run_facts or RunFacts(), cluster=self.check.facts() if self.check else {}))
            media_root = Path(attempt.request.media_root)
            self._outbox.append(self._writer.submit(_store_takes, media_root, attempt.takes, replace(item, meter=meter)))
            if meter.gpu_s is not None:
                slot.warm.add(attempt.request.preset.cache_key)
        else:
            self._outbox.append(replace(item, meter=meter))
            if item.kind is FailureKind.OOM:
                slot.warm.clear()  # the worker dropped every pipeline to recover
        slot.job = None
        slot.run_ref = None
        slot.cancel_sent_at = None

    def _lost(self, slot: _Slot, exc: Exception) -> None:
        """An actor died (killed, its process crashed, or its node went away): replace it and
        retry or fail its job."""
        self.lost_actors += 1
        machine = slot.machine or {}
        attempt = slot.job
        index = self._slots.index(slot)
        try:
            self._ray.kill(slot.handle)
        except Exception:
            pass
        if slot.machine is None:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                # Actors that die before they ever start usually mean a machine without Director
                # (or torch) installed; replacing them forever would hide that. Good actors stay.
                self._slots.pop(index)
                if not self._slots:
                    self._fail_connect(ClusterUnreachable(
                        f"the Ray cluster at {self.address} could not start Director's actors ({exc}). "
                        "Install Director, the same version, on every machine of the cluster."
                    ))
                return
        self._slots[index] = self._new_slot()
        if attempt is None:
            return
        job_id = attempt.request.job_id
        if slot.cancel_sent_at is not None:
            self._outbox.append(Failed(job_id, FailureKind.CANCELLED, "cancelled (its actor stopped)", Meter(node=machine.get("node"))))
            return
        # Where the attempt ran, how long, and the device seconds it reported using before it died.
        where = Meter(node=machine.get("node"), node_id=machine.get("node_id"), device=machine.get("device"),
                      gpu_type=machine.get("gpu_type"), wall_s=time.monotonic() - attempt.started_at, gpu_s=attempt.gpu_s)
        what = f"the actor running job {job_id} on {machine.get('node', 'an unplaced actor')} ({machine.get('gpu_type', '?')}) was lost"
        log.warning("%s: %s", what, exc)
        if attempt.number <= self.retries:
            retry = _Attempt(
                attempt.request,
                number=attempt.number + 1,
                avoid_nodes=attempt.avoid_nodes | {machine.get("node_id")},
                lost=attempt.lost + [where],
            )
            self._outbox.append(Retrying(job_id, FailureKind.CRASHED, f"{what}; running it again on another actor", retry.number, where))
            with self._lock:
                self._pending.appendleft(retry)
        else:
            tries = f" after {attempt.number} attempts" if attempt.number > 1 else ""
            lost = attempt.lost + [where]
            # Charged for every attempt's device seconds: they were spent though nothing came of them.
            meter = replace(where, gpu_s=sum(a.gpu_s or 0.0 for a in lost), attempts=attempt.number, lost_attempts=tuple(lost))
            self._outbox.append(Failed(job_id, FailureKind.CRASHED, f"{what}{tries}; nothing else was lost", meter))

    def _check_cancel_deadlines(self) -> None:
        """An actor that ignores a cancel for `cancel_grace_s` is killed and replaced."""
        now = time.monotonic()
        for index, slot in enumerate(self._slots):
            if slot.job is None or slot.cancel_sent_at is None or now - slot.cancel_sent_at < self.cancel_grace_s:
                continue
            job_id = slot.job.request.job_id
            try:
                self._ray.kill(slot.handle)
            except Exception:
                pass
            self._slots[index] = self._new_slot()
            self._outbox.append(Failed(
                job_id, FailureKind.CANCELLED,
                f"cancelled: the actor did not stop within {self.cancel_grace_s:g} s, so it was replaced",
            ))

    def _take_outbox(self) -> list:
        """Events in order; a Finished whose media is still being written holds back what follows."""
        out = []
        while self._outbox:
            head = self._outbox[0]
            if isinstance(head, Future):
                if not head.done():
                    break
                out.extend(head.result())
            else:
                out.append(head)
            self._outbox.popleft()
        return out


def _store_takes(media_root: Path, takes: list, finished: Finished) -> list:
    """Write a finished job's media into the app's store (background thread): its TakeWritten
    events with the app-side paths, then Finished; or one Failed if the disk refused."""
    store = MediaStore(media_root)
    events = []
    try:
        for take in takes:
            media = store.put_bytes(take.media, take.media_ext)
            thumb = store.put_bytes(take.thumb, "jpg")
            sound = store.put_bytes(take.sound, "wav") if getattr(take, "sound", b"") else ""  # content-addressed like the picture
            sound_field = {"sound_path": sound} if hasattr(take.event, "sound_path") else {}  # a MatteWritten has none
            events.append(replace(take.event, media_path=media, thumb_path=thumb, **sound_field))
    except OSError as exc:
        return [Failed(finished.job_id, FailureKind.ERROR, f"the takes could not be stored in {media_root}: {exc}", finished.meter)]
    return events + [finished]
