"""Engine fixtures: one real worker process for the session (it keeps the tiny pipelines warm),
and a project with a shot, a prompt and two cameras."""

from __future__ import annotations

import os

import pytest

# One torch thread per worker: the tiny models gain nothing from more, and CI machines are shared.
os.environ.setdefault("DIRECTOR_TORCH_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def engine():
    from director.engine.client import LocalEngineClient

    client = LocalEngineClient()
    client.start()
    yield client
    client.shutdown()


@pytest.fixture
def shot_project(project):
    """Shot 12A with a prompt and cameras A (wide) and B (close-up)."""
    from director.core.prompt import CameraSetup, PromptFields
    from director.store.cameras import add_camera, find_camera, update_camera
    from director.store.prompts import write_prompt
    from director.store.shots import add_shot

    shot, _ = add_shot(project, "12A", "Rooftop")
    write_prompt(project, shot.id, PromptFields(subject="a woman in a red coat", setting="rooftop at night", negative="blurry"))
    update_camera(project, find_camera(project, shot.id, "A").id, setup=CameraSetup(shot_size="wide shot"))
    add_camera(project, shot.id, "B", CameraSetup(shot_size="close-up", lens="85mm"))
    return project


@pytest.fixture
def runner(shot_project, engine):
    from director.engine.runner import JobRunner

    r = JobRunner(shot_project, engine)
    yield r
    # Leave the shared worker idle for the next test.
    if r.running_job_id is not None:
        r.cancel(r.running_job_id)
        while r.running_job_id is not None:
            r.pump(0.2)


def request_for(preset_id: str, job_id: int, media_root, seeds=(1,), prompt="a red car at night", preset=None, **params):
    from director.engine.messages import JobRequest
    from director.engine.presets import get_preset, validate_params

    preset = preset or get_preset(preset_id)
    return JobRequest(job_id=job_id, preset=preset, prompt=prompt, params=validate_params(preset, params),
                      seeds=tuple(seeds), media_root=str(media_root))


def run_to_end(client, request, timeout=60.0, on_event=None):
    """Submit and collect this job's events until its final one."""
    import time

    from director.engine.messages import FINAL_EVENTS

    client.submit(request)
    events, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in client.poll_events(0.2):
            if e.job_id != request.job_id:
                continue
            events.append(e)
            if on_event:
                on_event(e)
            if isinstance(e, FINAL_EVENTS):
                return events
    raise TimeoutError(f"job {request.job_id} did not finish in {timeout} s")
