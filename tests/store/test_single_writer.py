"""Only one Director writes a project; a second one is told who holds it and may read."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from director.store import Project, shots
from director.store.errors import ProjectLocked

HOLDER = textwrap.dedent(
    """
    import sys, time
    from director.store import Project
    p = Project.open(sys.argv[1])
    print("ready", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def holder(tmp_path):
    Project.create(tmp_path / "film").close()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "film.director")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


def test_a_second_process_is_told_who_has_the_project_open(tmp_path, holder):
    with pytest.raises(ProjectLocked) as info:
        Project.open(tmp_path / "film.director")
    err = info.value
    assert err.pid == holder.pid and err.host == socket.gethostname()
    assert f"pid {holder.pid}" in str(err) and "read-only" in str(err)


def test_a_locked_project_opens_read_only_and_refuses_writes(tmp_path, holder):
    from director.core.errors import Refused

    with Project.open(tmp_path / "film.director", readonly=True) as p:
        assert shots.list_shots(p) == []
        with pytest.raises(Refused, match="read-only"):
            shots.add_shot(p, "1A")


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path, holder):
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    lock_file = tmp_path / "film.director.lock"
    assert json.loads(lock_file.read_text())["pid"] == holder.pid  # the dead holder's note is still there
    with Project.open(tmp_path / "film.director") as p:
        assert p.took_over_lock_from.pid == holder.pid
        shots.add_shot(p, "1A")
    assert lock_file.read_text() == ""


def test_closing_releases_the_lock(tmp_path):
    Project.create(tmp_path / "film").close()
    Project.open(tmp_path / "film.director").close()
    with Project.open(tmp_path / "film.director") as p:
        assert p.took_over_lock_from is None
