"""`director queue …` does what the window's queue panel does: list by shot code, reorder waiting
jobs, pause and resume (across processes), and it survives a reader that closes the pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from director.cli import main
from director.core.enums import JobState
from director.core.errors import Refused
from director.engine.runner import JobRunner
from director.store import jobs as store_jobs
from director.store import queue_state
from director.store.project import Project

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def film(tmp_path, capsys):
    """Shot 12A (cameras A and B) with a prompt and three waiting jobs, none run."""
    path = tmp_path / "film.director"
    for args in (("new", path), ("shot", "add", path, "12A"), ("prompt", "set", path, "12A", "--subject", "a lamp"),
                 ("camera", "add", path, "12A", "B")):
        assert run(capsys, *args)[0] == 0
    for camera in ("A", "B", "A"):
        assert run(capsys, "generate", path, "--shot", "12A", "--camera", camera, "--preset", "tiny-t2i",
                   "--variants", "1", "--no-wait")[0] == 0
    return path


def _waiting(path) -> list[int]:
    with Project.open(path, readonly=True) as project:
        return [j.id for j in store_jobs.list_jobs(project, states=(JobState.QUEUED,))]


def test_queue_list_names_jobs_by_shot_code_and_camera(film, capsys):
    code, out, _ = run(capsys, "queue", "list", film)
    rows = out.splitlines()[1:]
    assert code == 0 and len(rows) == 3
    assert [r.split()[2] for r in rows] == ["12A/A", "12A/B", "12A/A"]
    code, out, _ = run(capsys, "queue", "list", film, "--json")
    assert [j["shot_code"] for j in json.loads(out)] == ["12A/A", "12A/B", "12A/A"]


def test_reorder_moves_a_waiting_job_like_the_panel(film, capsys):
    first, second, third = _waiting(film)
    code, out, _ = run(capsys, "queue", "reorder", film, third, 1)
    assert code == 0 and "number 1 of 3" in out
    assert _waiting(film) == [third, first, second]
    code, _, err = run(capsys, "queue", "reorder", film, first, 0)
    assert code == 1 and "POSITION" in err and _waiting(film) == [third, first, second]
    run(capsys, "queue", "cancel", film, second)
    code, _, err = run(capsys, "queue", "reorder", film, second, 1)
    assert code == 1 and f"job {second} is not waiting" in err


def test_pause_stops_queue_run_and_any_runner_until_resumed(film, capsys):
    code, out, _ = run(capsys, "queue", "pause", film)
    assert code == 0 and "paused" in out
    code, _, err = run(capsys, "queue", "run", film)
    assert code == 1 and "queue is paused" in err and "director queue resume" in err
    _, _, err = run(capsys, "queue", "list", film)
    assert "queue is paused" in err
    with Project.open(film) as project:
        runner = JobRunner(project)
        assert runner.paused  # the window's runner reads the same pause
        with pytest.raises(Refused, match="queue is paused"):
            runner.run_until_idle(job_ids=set(_waiting(film)))
        runner.close()
    assert len(_waiting(film)) == 3  # nothing started, nothing lost
    assert run(capsys, "queue", "resume", film)[0] == 0
    with Project.open(film, readonly=True) as project:
        assert not queue_state.is_paused(project)


def test_pause_reaches_a_project_held_open_for_writing(film, capsys):
    """The window (or `queue run`) holds the writer's lock; pausing must not need it."""
    with Project.open(film) as writer:
        runner = JobRunner(writer)
        assert not runner.paused
        assert run(capsys, "queue", "pause", film)[0] == 0
        assert runner.paused
        assert run(capsys, "queue", "resume", film)[0] == 0
        assert not runner.paused
        runner.close()


def test_a_pause_left_beside_a_deleted_project_does_not_pause_a_new_one(film, capsys, tmp_path):
    assert run(capsys, "queue", "pause", film)[0] == 0
    marker = Path(str(film) + ".paused")
    assert marker.is_file()
    for leftover in tmp_path.glob("film.director*"):
        if leftover.is_file() and leftover != marker:
            leftover.unlink()
    assert marker.is_file()
    assert run(capsys, "new", film)[0] == 0
    with Project.open(film) as project:
        assert not JobRunner(project).paused


def test_queue_list_into_head_exits_0_without_a_traceback(tmp_path):
    """A real pipe: `director queue list --all | head -1` with far more rows than a pipe holds."""
    path = tmp_path / "big.director"
    with Project.create(path) as project:
        from director.store.shots import add_shot

        shot, _ = add_shot(project, "1A", "Busy")
        with project.atomic() as db:  # 6,000 waiting jobs in one transaction (fixture data)
            db["jobs"].insert_all(
                {"shot_id": shot.id, "preset": "tiny-t2i", "params": "{}", "seeds": "[1]", "state": "queued",
                 "queue_order": i, "created_at": "2025-01-01T00:00:00Z"} for i in range(1, 6001)
            )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = f"set -o pipefail; {sys.executable} -m director queue list --all {path} | head -1"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("JOB") and len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and done.stderr == ""
