"""`director queue list` shows elapsed and ETA from core.eta, the queue panel's own model (#21)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from director.cli import main
from director.core.enums import JobState
from director.store import jobs, shots
from director.store.project import Project


def _iso(seconds_ago: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)).isoformat()


def test_queue_list_shows_elapsed_and_eta_for_running_waiting_and_finished_jobs(tmp_path, capsys):
    path = tmp_path / "film.director"
    with Project.create(path) as p:
        shot, _ = shots.add_shot(p, "1", "roof")
        kw = dict(shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
        done, _ = jobs.create_job(p, **kw)
        jobs.mark_running(p, done)
        jobs.finish_job(p, done, JobState.DONE, {"gpu_s": 30.0, "wall_s": 41.0})
        p.db.execute("UPDATE jobs SET started_at = ?, finished_at = ? WHERE id = ?", [_iso(200), _iso(100), done])
        running, _ = jobs.create_job(p, **kw, estimate_gpu_s=100.0)
        jobs.mark_running(p, running)
        p.db.execute("UPDATE jobs SET started_at = ? WHERE id = ?", [_iso(60), running])
        waiting, _ = jobs.create_job(p, **kw, estimate_gpu_s=125.0)
    assert main(["queue", "list", str(path)]) == 0
    out = capsys.readouterr().out
    header, *lines = out.splitlines()
    assert "ELAPSED" in header and "ETA" in header
    rows = {int(line.split()[0]): line for line in lines if line.strip() and line.split()[0].isdigit()}
    assert "1:40" in rows[done] and "0:41" not in rows[done]  # stored start to finish, as the panel counts
    assert "1:00" in rows[running] or "1:01" in rows[running]
    assert "0:40" in rows[running] or "0:39" in rows[running]  # the estimate less the time spent
    assert "2:05" in rows[waiting]
