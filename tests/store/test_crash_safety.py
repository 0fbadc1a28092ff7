"""A Director killed mid-work loses nothing it committed and leaves a sound file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

from director.core.enums import JobState
from director.store import Project, jobs, shots, takes
from director.store.check import check_project, purge_media

WRITER = textwrap.dedent(
    """
    import sys
    from director.store import Project, shots, timelog
    p = Project.open(sys.argv[1])
    shot, _ = shots.add_shot(p, "1A")
    i = 0
    while True:
        i += 1
        timelog.log_time(p, shot.id, 1.0, note=f"entry {i}")
        print(i, flush=True)
    """
)


def test_kill_9_in_a_stream_of_writes_keeps_every_committed_row(tmp_path):
    Project.create(tmp_path / "film").close()
    path = tmp_path / "film.director"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    acknowledged = 0
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 300:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    notes = {r[0] for r in conn.execute("SELECT note FROM time_log")}
    conn.close()
    assert {f"entry {i}" for i in range(1, acknowledged + 1)} <= notes
    with Project.open(path) as p:
        assert check_project(p).ok


def test_jobs_running_at_a_crash_are_failed_as_interrupted(project):
    shot, _ = shots.add_shot(project, "1A")
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
    jobs.mark_running(project, job_id)
    path = project.path
    project.db.conn.close()  # simulate the process dying: no clean close, lock released by the OS
    project._lock.release()
    project.db = None
    with Project.open(path) as p:
        job = jobs.get_job(p, job_id)
        assert job.state is JobState.FAILED
        assert job.error_kind.value == "interrupted" and "interrupted" in job.error
        assert p.recovered_jobs == [job_id]


def _job(project):
    shot, _ = shots.add_shot(project, "2A")
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[7])
    return job_id


def test_media_is_renamed_into_place_before_the_row_naming_it(project):
    job_id = _job(project)
    temp = project.media.temp_path(".png")
    temp.write_bytes(b"\x89PNG fake pixels")
    # A crash here (before adopt) leaves only a temp file: no row names it.
    assert not project.media.stored()
    rel = project.media.adopt(temp, "png")
    take_id = takes.insert_take(project, job_id, {"seed": 7, "kind": "image", "media_path": rel, "width": 64, "height": 64})
    assert project.media.path(rel).read_bytes() == b"\x89PNG fake pixels"
    assert takes.get_take(project, take_id).media_path == rel
    assert check_project(project).ok


def test_a_take_naming_missing_media_is_never_recorded(project):
    import pytest

    from director.core.errors import NotFound

    job_id = _job(project)
    with pytest.raises(NotFound, match="not in the store"):
        takes.insert_take(project, job_id, {"seed": 7, "kind": "image", "media_path": "ab/cdef.png", "width": 64, "height": 64})
    assert project.db["takes"].count == 0


def test_verify_finds_missing_and_altered_files_and_purge_keeps_referenced_ones(project):
    job_id = _job(project)
    rels = [project.media.put_bytes(f"frame {i}".encode(), "png") for i in range(3)]
    for i, rel in enumerate(rels[:2]):
        takes.insert_take(project, job_id, {"seed": i, "kind": "image", "media_path": rel, "width": 64, "height": 64})
    orphan = rels[2]
    project.media.path(rels[0]).write_bytes(b"edited by hand")
    project.media.path(rels[1]).unlink()
    report = check_project(project)
    assert report.media.altered == [rels[0]] and report.media.missing == [rels[1]]
    files, _ = purge_media(project)
    assert files == 1 and not project.media.path(orphan).exists()
    assert project.media.path(rels[0]).exists()


def test_emptying_the_bin_lets_purge_remove_the_takes_media(project):
    job_id = _job(project)
    rel = project.media.put_bytes(b"a still", "png")
    take_id = takes.insert_take(project, job_id, {"seed": 1, "kind": "image", "media_path": rel, "width": 64, "height": 64})
    takes.set_take_deleted(project, take_id, True)
    assert purge_media(project)[0] == 0  # in the bin: still restorable
    count, _ = takes.empty_bin(project)
    assert count == 1
    assert purge_media(project)[0] == 1 and not project.media.path(rel).exists()


def test_purge_keeps_an_imported_image_that_only_a_job_names(project):
    from director.store import jobs, shots

    shot, _ = shots.add_shot(project, "1", "still to animate")
    rel = project.media.put_bytes(b"an imported photo", "png")
    jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-i2v", params={"init_image": rel}, seeds=[1])
    assert purge_media(project)[0] == 0 and project.media.path(rel).exists()
