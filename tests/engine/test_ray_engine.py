"""Generating on a Ray cluster as a studio meets it: jobs spread over the machines' actors, warm
models are reused, cancel works, a lost actor costs one retry, and the ledger knows where and at
what price each job ran. A real cluster on loopback (two CPU actors of half a core each) runs the
real tiny pipelines."""

from __future__ import annotations

import socket
import time
from decimal import Decimal

import pytest

from director.core.enums import FailureKind, JobState
from director.engine.messages import FINAL_EVENTS, Failed, Finished, Progress, Started, TakeWritten
from director.store.media import MediaStore

from .conftest import request_for
from .test_ray_loopback import loopback_cluster

import ray  # noqa: E402  (after test_ray_loopback set Ray's loopback environment; the ray extra is installed by packaging/bootstrap.sh)

pytestmark = pytest.mark.slow

_ids = iter(range(5000, 100000))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with loopback_cluster(num_cpus=2, log_path=tmp_path_factory.mktemp("ray") / "head.log") as address:
        yield address


@pytest.fixture(scope="module")
def client(cluster):
    from director.engine.ray_engine import RayEngineClient

    c = RayEngineClient(cluster, actors=2, num_cpus=0.5, retries=1, cancel_grace_s=20)
    c.wait_ready(60)
    deadline = time.monotonic() + 90
    while c.capacity < 2 and time.monotonic() < deadline:  # both actors placed and constructed
        c.poll_events(0.2)
    assert c.capacity == 2
    yield c
    c.shutdown()


def _drain(client, job_ids, timeout=90.0, on_event=None, seen=()) -> dict[int, list]:
    """Every event of these jobs (after those already `seen`) until each has its final one."""
    events: dict[int, list] = {j: [] for j in job_ids}
    open_jobs, deadline = set(job_ids), time.monotonic() + timeout
    batch = list(seen)
    while open_jobs and time.monotonic() < deadline:
        for e in batch:
            if e.job_id in events:
                events[e.job_id].append(e)
                if on_event:
                    on_event(e)
                if isinstance(e, FINAL_EVENTS):
                    open_jobs.discard(e.job_id)
        batch = client.poll_events(0.2)
    assert not open_jobs, f"jobs {sorted(open_jobs)} did not finish in {timeout} s"
    return events


def _wait_for_actors(client, count, timeout=90.0) -> None:
    deadline = time.monotonic() + timeout
    while client.capacity < count and time.monotonic() < deadline:
        client.poll_events(0.2)
    assert client.capacity == count


def _wait_for_progress(client, job_id, events, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in client.poll_events(0.2):
            events.append(e)
            if isinstance(e, Progress) and e.job_id == job_id:
                return
    raise TimeoutError(f"job {job_id} made no progress in {timeout} s")


def test_jobs_spread_over_both_actors_and_takes_land_in_the_apps_media_store(client, tmp_path):
    requests = [request_for("tiny-t2i", next(_ids), tmp_path, seeds=(i,), steps=2, width=64, height=64) for i in range(4)]
    for r in requests:
        client.submit(r)
    started = time.monotonic()
    first = client.poll_events(0)
    assert time.monotonic() - started < 0.5  # never blocks a UI timer
    events = _drain(client, [r.job_id for r in requests], seen=first)
    store = MediaStore(tmp_path)
    actors = set()
    for job_events in events.values():
        assert isinstance(job_events[0], Started) and isinstance(job_events[-1], Finished)
        meter = job_events[-1].meter
        assert meter.node == socket.gethostname() and meter.gpu_type == "cpu" and meter.gpu_s > 0
        actors.add(meter.actor_pid)
        takes = [e for e in job_events if isinstance(e, TakeWritten)]
        assert len(takes) == 1 and store.verify([takes[0].media_path, takes[0].thumb_path]).ok
    assert len(actors) == 2, "four jobs on two idle actors use both"
    assert not list((tmp_path / "tmp").glob("*")), "no temporary files are left in the store"


def test_an_idle_actor_that_holds_the_model_warm_gets_the_job(client, tmp_path):
    video = request_for("tiny-t2v", next(_ids), tmp_path, steps=1)
    image = request_for("tiny-t2i", next(_ids), tmp_path, steps=1, width=64, height=64)
    client.submit(video)
    client.submit(image)
    first = _drain(client, [video.job_id, image.job_id])
    on = {j: evs[-1].meter.actor_pid for j, evs in first.items()}
    # Submitted in the other order: a plain round-robin would swap the actors and load both again.
    again_image = request_for("tiny-t2i", next(_ids), tmp_path, steps=1, width=64, height=64, seeds=(7,))
    again_video = request_for("tiny-t2v", next(_ids), tmp_path, steps=1, seeds=(7,))
    client.submit(again_image)
    client.submit(again_video)
    second = _drain(client, [again_image.job_id, again_video.job_id])
    assert second[again_video.job_id][-1].meter.actor_pid == on[video.job_id]
    assert second[again_image.job_id][-1].meter.actor_pid == on[image.job_id]
    for evs in second.values():
        assert evs[0].loading is False and evs[-1].meter.load_s == 0.0


def test_cancelling_running_and_waiting_jobs_on_the_cluster(client, tmp_path):
    running = [request_for("tiny-t2v", next(_ids), tmp_path, steps=100) for _ in range(2)]
    waiting = request_for("tiny-t2i", next(_ids), tmp_path, steps=1, width=64, height=64)
    for r in running + [waiting]:
        client.submit(r)
    seen: list = []
    _wait_for_progress(client, running[0].job_id, seen)
    client.cancel(waiting.job_id)
    for r in running:
        client.cancel(r.job_id)
    events = _drain(client, [r.job_id for r in running] + [waiting.job_id], timeout=30, seen=seen)
    for r in running + [waiting]:
        final = events[r.job_id][-1]
        assert isinstance(final, Failed) and final.kind is FailureKind.CANCELLED
        assert not any(isinstance(e, TakeWritten) for e in events[r.job_id])
    assert "before it started" in events[waiting.job_id][-1].message
    assert client.lost_actors == 0, "a cancel stops the job between steps; the actor stays warm"


def test_an_actor_killed_mid_job_fails_that_attempt_as_crashed_and_the_job_runs_again(client, tmp_path):
    from director.engine.ray_engine import Retrying

    request = request_for("tiny-t2v", next(_ids), tmp_path, steps=25)
    client.submit(request)
    seen: list = []
    _wait_for_progress(client, request.job_id, seen)
    victim = client.where(request.job_id)
    [slot] = [s for s in client._slots if s.job is not None and s.job.request.job_id == request.job_id]
    ray.kill(slot.handle)
    events = _drain(client, [request.job_id], timeout=120, seen=seen)[request.job_id]
    [retry] = [e for e in events if isinstance(e, Retrying)]
    assert retry.kind is FailureKind.CRASHED and retry.attempt == 2 and victim["node"] in retry.message
    final = events[-1]
    assert isinstance(final, Finished) and final.meter.attempts == 2
    assert final.meter.actor_pid != victim["pid"]
    assert final.meter.lost_attempts[0].node_id == victim["node_id"]
    assert len([e for e in events if isinstance(e, TakeWritten)]) == 1


def test_with_no_retries_left_a_lost_actor_fails_the_job_as_crashed(client, tmp_path):
    request = request_for("tiny-t2v", next(_ids), tmp_path, steps=25)
    client.retries = 0
    try:
        client.submit(request)
        seen: list = []
        _wait_for_progress(client, request.job_id, seen)
        [slot] = [s for s in client._slots if s.job is not None]
        ray.kill(slot.handle)
        final = _drain(client, [request.job_id], timeout=30, seen=seen)[request.job_id][-1]
    finally:
        client.retries = 1
    assert isinstance(final, Failed) and final.kind is FailureKind.CRASHED
    assert "was lost" in final.message and final.meter.node == socket.gethostname()
    # The device seconds the lost actor reported before it died are charged.
    reported = max(e.gpu_s for e in seen if isinstance(e, Progress) and e.job_id == request.job_id)
    assert final.meter.gpu_s >= reported > 0


def test_the_runner_runs_a_job_on_each_actor_at_once_and_charges_each_its_gpu_types_price(client, shot_project):
    from director.core.cost import from_micros, job_money, to_micros
    from director.engine import actions
    from director.engine.runner import JobRunner
    from director.store import jobs as store_jobs
    from director.store.gpu_prices import set_gpu_price
    from director.store.takes import takes_of_job

    project = shot_project
    set_gpu_price(project, "cpu", "0.40")
    set_gpu_price(project, "H100", "3.10")
    queued = actions.queue_generation(project, "12A", "tiny-t2i", all_cameras=True, variants=1,
                                      params={"steps": 6, "width": 64, "height": 64})
    ids = set(queued.job_ids)
    assert len(ids) == 2
    _wait_for_actors(client, 2)  # an earlier test's killed actor may still be being replaced
    runner = JobRunner(project, client)
    assert runner.capacity == 2
    events, both_running, deadline = [], False, time.monotonic() + 120
    while not all(store_jobs.get_job(project, j).state.finished for j in ids) and time.monotonic() < deadline:
        events += runner.pump(0.1).events
        states = {store_jobs.get_job(project, j).state for j in ids}
        both_running |= states == {JobState.RUNNING} and set(runner.running_job_ids) == ids
    assert both_running, "the runner keeps both jobs on the engine at once"
    first_final = next(i for i, e in enumerate(events) if isinstance(e, FINAL_EVENTS))
    assert {e.job_id for e in events[:first_final] if isinstance(e, Started)} == ids, "both started before either ended"
    finals = {e.job_id: e for e in events if isinstance(e, Finished)}
    assert len({f.meter.actor_pid for f in finals.values()}) == 2, "one job on each actor"
    assert runner.running_job_ids == () and runner.running_job_id is None and runner.idle
    for job_id in ids:
        job = store_jobs.get_job(project, job_id)
        assert job.state is JobState.DONE and job.node == socket.gethostname() and job.device == "cpu"
        assert len(takes_of_job(project, job_id)) == 1
        # The runner charged the job at the price of its GPU type ("cpu"), not the project's 2.50.
        [price] = project.db.execute("SELECT gpu_price_per_hour FROM jobs WHERE id = ?", [job_id]).fetchone()
        assert Decimal(price) == Decimal("0.40")
        assert job.money == from_micros(to_micros(job_money(job.gpu_s, Decimal("0.40")))) and job.money > 0


def test_the_runner_keeps_a_job_running_through_a_retry_and_records_one_result(client, shot_project):
    from director.engine import actions
    from director.engine.ray_engine import Retrying
    from director.engine.runner import JobRunner
    from director.store import jobs as store_jobs
    from director.store.takes import takes_of_job

    project = shot_project
    [job_id] = actions.queue_generation(project, "12A", "tiny-t2v", variants=1, params={"steps": 25}).job_ids
    runner = JobRunner(project, client)
    deadline = time.monotonic() + 60
    while job_id not in runner.progress and time.monotonic() < deadline:
        runner.pump(0.1)
    assert job_id in runner.progress
    [slot] = [s for s in client._slots if s.job is not None and s.job.request.job_id == job_id]
    ray.kill(slot.handle)
    retried, deadline = False, time.monotonic() + 120
    while not store_jobs.get_job(project, job_id).state.finished and time.monotonic() < deadline:
        batch = runner.pump(0.1).events
        if any(isinstance(e, Retrying) for e in batch):
            retried = True
            after = batch[[isinstance(e, Retrying) for e in batch].index(True) + 1:]
            # Not final: the job stays running, nothing is recorded, its progress starts over.
            assert store_jobs.get_job(project, job_id).state is JobState.RUNNING and runner.running_job_id == job_id
            if not any(isinstance(e, Progress) for e in after):
                assert job_id not in runner.progress
    assert retried
    job = store_jobs.get_job(project, job_id)
    assert job.state is JobState.DONE and job.error is None
    assert len(takes_of_job(project, job_id)) == 1
