"""A project survives what happens to files on a real machine: kills mid-checkpoint, a full disk,
links and other names, read-only files, half-made projects, and damage — and `check --repair`
keeps every row SQLite can still read."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from director.cli import main
from director.store import shots, timelog
from director.store.errors import DamagedProject, ProjectLocked, ReadOnlyProject
from director.store.project import Project
from director.store.rows import scalar

ROOT = Path(__file__).resolve().parents[2]
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _wal_frames(wal: Path) -> dict[int, bytes]:
    """The newest image of each page in a WAL file (what a checkpoint copies into the main file)."""
    data = wal.read_bytes()
    page_size = int.from_bytes(data[8:12], "big")
    frames: dict[int, bytes] = {}
    offset = 32
    while offset + 24 + page_size <= len(data):
        page_no = int.from_bytes(data[offset:offset + 4], "big")
        frames[page_no] = data[offset + 24:offset + 24 + page_size]
        offset += 24 + page_size
    return frames


def _project_with_rows_only_in_the_wal(tmp_path: Path, n: int) -> Path:
    """A project whose last n shots were committed to the WAL, then the process was killed."""
    path = tmp_path / "film.director"
    Project.create(path).close()
    script = (
        "import os, sys\n"
        "from director.store.project import Project\n"
        "from director.store import shots\n"
        f"p = Project.open({str(path)!r})\n"
        "p.db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        f"for i in range({n}):\n"
        "    shots.add_shot(p, f'{i + 1}', 'row')\n"
        "print('committed', flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], env=CHILD_ENV, capture_output=True, text=True, timeout=60)
    assert "committed" in run.stdout, run.stderr
    return path


def test_a_kill_during_a_checkpoint_leaves_a_project_that_opens_with_every_row(tmp_path):
    path = _project_with_rows_only_in_the_wal(tmp_path, 150)
    wal = path.with_name(path.name + "-wal")
    frames = _wal_frames(wal)
    # The checkpoint had copied the first half of the pages into the main file when the kill came:
    # the main file alone is now inconsistent; the main file plus the WAL is whole.
    with open(path, "r+b") as f:
        page_size = len(next(iter(frames.values())))
        for page_no in sorted(frames)[: len(frames) // 2]:
            f.seek((page_no - 1) * page_size)
            f.write(frames[page_no])
    with Project.open(path, readonly=True) as project:
        assert scalar(project.db, "SELECT count(*) FROM shots") == 150
    with Project.open(path) as project:
        assert scalar(project.db, "SELECT count(*) FROM shots") == 150
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_real_kills_during_checkpoints_never_lose_or_refuse(tmp_path):
    """A few real trials here; bench/faults.py runs thirty and more."""
    path = tmp_path / "film.director"
    Project.create(path).close()
    script = (
        "import sys\n"
        "from director.store.project import Project\n"
        "from director.store import shots\n"
        f"p = Project.open({str(path)!r})\n"
        "i = int(sys.argv[1])\n"
        "while True:\n"
        "    shots.add_shot(p, f'{i + 1}', 'x' * 2000)\n"
        "    print(i, flush=True)\n"
        "    i += 1\n"
        "    if i % 7 == 0:\n"
        "        p.checkpoint()\n"
    )
    acknowledged: set[str] = set()
    start = 0
    for trial in range(4):
        child = subprocess.Popen([sys.executable, "-c", script, str(start)], env=CHILD_ENV, stdout=subprocess.PIPE, text=True)
        for line in child.stdout:
            acknowledged.add(str(int(line) + 1))
            if len(acknowledged) >= start + 30 + trial * 3:
                break
        child.send_signal(signal.SIGKILL)
        child.wait()
        with Project.open(path, readonly=True) as project:
            codes = {s.code for s in shots.list_shots(project)}
        assert acknowledged <= codes
        start = max(int(c) for c in codes)


def test_a_reader_beside_a_writer_is_never_told_the_project_is_damaged(tmp_path):
    path = tmp_path / "film.director"
    Project.create(path).close()
    script = (
        "from director.store.project import Project\n"
        "from director.store import shots\n"
        f"p = Project.open({str(path)!r})\n"
        "print('open', flush=True)\n"
        "i = 0\n"
        "while True:\n"
        "    shots.add_shot(p, f'{i + 1}', 'y' * 3000)\n"
        "    i += 1\n"
        "    if i % 5 == 0:\n"
        "        p.checkpoint()\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script], env=CHILD_ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        for _ in range(40):
            with Project.open(path, readonly=True) as project:
                assert scalar(project.db, "SELECT count(*) FROM shots") >= 0
    finally:
        writer.kill()
        writer.wait()


def _time_log_until_the_disk_is_full(path: Path, extra_bytes: int) -> list[int]:
    """Run `director time log` in children whose file size limit is the project's size + extra.

    Returns the exit codes; SIGXFSZ is ignored so a write past the limit fails with EFBIG,
    which is what a full disk looks like to SQLite.
    """
    limit = path.stat().st_size + extra_bytes
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        limit = max(limit, wal.stat().st_size + extra_bytes)

    def limited():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    codes = []
    for i in range(6):
        run = subprocess.run(
            [sys.executable, "-m", "director", "time", "log", str(path), "-", f"{i + 1}m", "--note", "n" * 4000],
            env=CHILD_ENV, preexec_fn=limited, capture_output=True, text=True, timeout=60,
        )
        codes.append(run.returncode)
    return codes


@pytest.mark.parametrize("extra_bytes", [0, 6000, 20000])
def test_a_full_disk_reports_failure_if_and_only_if_the_write_was_not_committed(tmp_path, extra_bytes):
    path = tmp_path / "film.director"
    Project.create(path).close()
    codes = _time_log_until_the_disk_is_full(path, extra_bytes)
    assert set(codes) <= {0, 1}
    # Space is freed: the project opens (never 'damaged') and holds exactly the writes reported ok.
    with Project.open(path) as project:
        count = len(timelog.list_time(project))
    assert count == codes.count(0), (codes, count)


def test_a_symlink_to_the_project_does_not_let_a_second_writer_in(tmp_path):
    path = tmp_path / "film.director"
    first = Project.create(path)
    link = tmp_path / "elsewhere"
    link.mkdir()
    (link / "same.director").symlink_to(path)
    try:
        with pytest.raises(ProjectLocked):
            Project.open(link / "same.director")
    finally:
        first.close()


def test_a_hard_link_to_the_project_does_not_let_a_second_writer_in(tmp_path):
    path = tmp_path / "film.director"
    first = Project.create(path)
    other = tmp_path / "other"
    other.mkdir()
    os.link(path, other / "copy.director")
    try:
        with pytest.raises(ProjectLocked, match="another name"):
            Project.open(other / "copy.director")
    finally:
        first.close()
    Project.open(other / "copy.director").close()  # once the first writer closes, it opens


def test_a_read_only_project_file_opens_read_only_and_closes_cleanly(tmp_path, capsys):
    path = tmp_path / "film.director"
    with Project.create(path) as p:
        shots.add_shot(p, "1A", "rooftop")
    path.chmod(0o444)
    with pytest.raises(ReadOnlyProject, match="read-only"):
        Project.open(path)
    project = Project.open(path, readonly=True)
    assert project.readonly_reason and "read-only" in project.readonly_reason
    project.close()
    assert main(["info", str(path)]) == 0
    assert main(["shot", "add", str(path), "2B", "--title", "x"]) == 1
    assert "read-only" in capsys.readouterr().err


def test_a_read_only_folder_still_lets_you_look(tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    with Project.create(folder / "film.director") as p:
        shots.add_shot(p, "1A", "rooftop")
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        assert main(["info", str(folder / "film.director")]) == 0
        assert main(["shot", "list", str(folder / "film.director")]) == 0
        assert "1A" in capsys.readouterr().out
        with pytest.raises(ReadOnlyProject, match="folder"):
            Project.open(folder / "film.director")
    finally:
        folder.chmod(0o755)


def test_a_new_project_killed_half_way_never_blocks_its_name(tmp_path):
    name = tmp_path / "film.director"
    for delay in (0.3, 0.5, 0.7, 0.9):
        child = subprocess.Popen([sys.executable, "-m", "director", "new", str(name)], env=CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.kill()
        child.wait()
        if name.exists():  # finished before the kill: then it is a whole project
            Project.open(name).close()
            for p in tmp_path.glob("film.director*"):
                if p.is_file():
                    p.unlink()
    assert main(["new", str(name)]) == 0
    Project.open(name).close()


def _damage_one_table(path: Path) -> None:
    """Scribble over one leaf page holding shot rows, keeping the schema page intact."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'shots'").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    # A leaf page of the shots table: walk from its root (an interior page) to its first child.
    root_off = (root - 1) * page_size
    assert data[root_off] == 0x05, "shots needs an interior root page for this test"
    cell_ptr = int.from_bytes(data[root_off + 12:root_off + 14], "big")
    child = int.from_bytes(data[root_off + cell_ptr:root_off + cell_ptr + 4], "big")
    off = (child - 1) * page_size
    for i in range(off, off + page_size):
        data[i] = 0xA5
    path.write_bytes(bytes(data))


def test_check_repair_keeps_every_readable_row_and_a_copy_of_the_damaged_file(tmp_path, capsys):
    path = tmp_path / "film.director"
    with Project.create(path) as p:
        for i in range(150):
            shots.add_shot(p, f"{i + 1}", "t" * 200)
        timelog.log_time(p, None, 600, note="prep")
    _damage_one_table(path)
    damaged_bytes = path.read_bytes()
    with pytest.raises(DamagedProject, match="check --repair"):
        Project.open(path)
    assert main(["check", str(path), "--repair"]) == 0
    out = capsys.readouterr().out
    assert "shots:" in out and "rows kept" in out
    backups = list((tmp_path / "film.director-backups").glob("film.damaged.*.director"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged_bytes
    with Project.open(path) as project:
        kept = scalar(project.db, "SELECT count(*) FROM shots")
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert scalar(project.db, "SELECT count(*) FROM project") == 1
    assert 100 <= kept < 150, kept  # one leaf page lost, everything else kept
    assert main(["check", str(path), "--repair"]) == 0
    assert "nothing was changed" in capsys.readouterr().out


def test_the_demo_never_deletes_a_project_that_is_open(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--no-generate"]) == 0
    project = Project.open(out / "demo.director")
    try:
        shots.add_shot(project, "999", "the director's own shot")
        assert main(["demo", "--out", str(out), "--no-generate"]) == 1
        assert "already exists" in capsys.readouterr().err
        assert main(["demo", "--out", str(out), "--no-generate", "--force"]) == 1
        assert "open in another Director" in capsys.readouterr().err
        assert any(s.code == "999" for s in shots.list_shots(project))
    finally:
        project.close()
    assert main(["demo", "--out", str(out), "--no-generate", "--force"]) == 0
    with Project.open(out / "demo.director", readonly=True) as fresh:
        assert not any(s.code == "999" for s in shots.list_shots(fresh))


@pytest.mark.parametrize(
    "argv, rule",
    [
        (["settings", "{p}", "--gpu-price", "1e400"], "at most 10,000"),
        (["settings", "{p}", "--gpu-price", "nan"], "must be a number"),
        (["settings", "{p}", "--gpu-price", "-1"], "nearest valid: 0"),
        (["settings", "{p}", "--budget", "-5"], "nearest valid"),
        (["settings", "{p}", "--budget", "inf"], "nearest valid: 1000000000000"),
        (["settings", "{p}", "--budget-gpu-minutes", "nan"], "must be a number"),
        (["settings", "{p}", "--budget-gpu-minutes", "-3"], "nearest valid"),
        (["settings", "{p}", "--fps", "0"], "nearest valid: 1"),
        (["settings", "{p}", "--energy-price", "1e30"], "at most"),
        (["shot", "set", "{p}", "1A", "--budget", "nan"], "must be a number"),
        (["shot", "set", "{p}", "1A", "--frames", "0"], "nearest valid: 1"),
    ],
)
def test_bad_numbers_are_refused_with_the_rule_and_change_nothing(tmp_path, capsys, argv, rule):
    path = tmp_path / "film.director"
    with Project.create(path) as p:
        shots.add_shot(p, "1A", "rooftop")
    before = subprocess.run(["sqlite3", str(path), ".dump"], capture_output=True, text=True).stdout if _has_sqlite3() else None
    code = main([a.replace("{p}", str(path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 1 and rule in err, err
    with Project.open(path, readonly=True) as p:
        s = p.settings()
        assert str(s.gpu_price_per_hour) == "2.50" and s.budget_money is None and s.budget_gpu_s is None
        assert shots.list_shots(p)[0].budget_money is None
    if before is not None:
        assert subprocess.run(["sqlite3", str(path), ".dump"], capture_output=True, text=True).stdout == before


def test_a_new_project_with_a_zero_size_is_refused_not_defaulted(tmp_path, capsys):
    assert main(["new", str(tmp_path / "f.director"), "--size", "0x512"]) == 1
    assert "nearest valid: 64" in capsys.readouterr().err
    assert not (tmp_path / "f.director").exists()


def _has_sqlite3() -> bool:
    from shutil import which

    return which("sqlite3") is not None


def test_a_gpu_type_price_is_bounded_like_the_projects(project):
    from director.core.errors import InvalidInput
    from director.store.gpu_prices import gpu_prices, set_gpu_price

    for bad in ("1e400", "nan", "-2", "inf"):
        with pytest.raises(InvalidInput):
            set_gpu_price(project, "H100", bad)
    set_gpu_price(project, "H100", "3.20")
    assert str(gpu_prices(project)["H100"]) == "3.20"
