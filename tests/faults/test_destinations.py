"""No export, report or take writer can replace a project, its journal, its lock or its media.

Each verb is aimed at the project file itself, its -wal, its lock, a file inside its media folder,
a symlink to the project and a hard link to it; every one exits 1 with a message, and the project
opens afterwards with every row still there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from director.cli import main
from director.store import check, timeline
from director.store.project import Project
from director.store.rows import scalar


@pytest.fixture
def cut_project(film):
    for name in ("red", "green"):
        timeline.insert_take(film.project, film.take_ids[name]).apply(film.project)
    path = film.project.path
    media_file = film.project.media.path(film.takes["red"].media_path)
    film.project.close()
    return path, media_file


def _intact(path: Path, media_file: Path, media_bytes: bytes) -> None:
    with Project.open(path, readonly=True) as project:
        assert scalar(project.db, "SELECT count(*) FROM takes") == 4
        assert check.check_project(project).ok
    assert media_file.read_bytes() == media_bytes


def _targets(path: Path, media_file: Path, tmp_path: Path) -> dict[str, Path]:
    link = tmp_path / "innocent.csv"
    link.symlink_to(path)
    hard = tmp_path / "also_innocent.otio"
    os.link(path, hard)
    return {
        "the project": path,
        "its wal": path.with_name(path.name + "-wal"),
        "its lock": path.with_name(path.name + ".lock"),
        "a take's media": media_file,
        "a new file in its media folder": media_file.parent / "new.mp4",
        "a symlink to it": link,
        "a hard link to it": hard,
    }


VERBS = {
    "report costs csv": ["report", "costs", "{p}", "--format", "csv", "-o", "{o}"],
    "report costs json": ["report", "costs", "{p}", "--format", "json", "-o", "{o}"],
    "export cut": ["export", "cut", "{p}", "--preset", "ultrafast", "-o", "{o}"],
    "export otio": ["export", "otio", "{p}", "-o", "{o}"],
    "export edl": ["export", "edl", "{p}", "-o", "{o}"],
    "export fcpxml": ["export", "fcpxml", "{p}", "-o", "{o}"],
    "export storyboard": ["export", "storyboard", "{p}", "-o", "{o}"],
}


@pytest.mark.parametrize("verb", VERBS)
def test_no_output_verb_can_overwrite_the_project_or_its_media(verb, cut_project, tmp_path, capsys):
    path, media_file = cut_project
    media_bytes = media_file.read_bytes()
    for what, target in _targets(path, media_file, tmp_path).items():
        argv = [a.replace("{p}", str(path)).replace("{o}", str(target)) for a in VERBS[verb]]
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 1, f"{verb} aimed at {what} exited {code}"
        assert "refusing to write" in err and "Nothing was written" in err, err
        _intact(path, media_file, media_bytes)


def test_export_takes_refuses_the_media_folder(cut_project, capsys):
    path, media_file = cut_project
    code = main(["export", "takes", str(path), "-o", str(media_file.parent.parent / "exported")])
    assert code == 1 and "inside a Director project's media folder" in capsys.readouterr().err


def test_interchange_media_folder_inside_the_project_media_is_refused(cut_project, tmp_path, capsys):
    path, media_file = cut_project
    code = main(["export", "otio", str(path), "-o", str(tmp_path / "cut.otio"), "--media-folder", str(media_file.parent)])
    assert code == 1 and "refusing to write" in capsys.readouterr().err


def test_overwriting_an_ordinary_earlier_export_is_allowed(cut_project, tmp_path, capsys):
    path, _ = cut_project
    target = tmp_path / "costs.csv"
    target.write_text("last week's costs")
    assert main(["report", "costs", str(path), "--format", "csv", "-o", str(target)]) == 0
    assert "last week" not in target.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("tampered", ["../../secret.txt", "/etc/hostname"])
@pytest.mark.parametrize("fmt", ["otioz", "edl", "otio", "cut"])
def test_a_tampered_media_path_is_never_copied_into_an_export(tampered, fmt, cut_project, tmp_path, capsys):
    path, _ = cut_project
    secret = tmp_path / "secret.txt"
    secret.write_text("the producer's bank details")
    # Someone edits the file with sqlite3 by hand: the red take now names a file outside the store.
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        take_id = conn.execute("SELECT t.id FROM takes t JOIN shots s ON s.id = t.shot_id WHERE s.code = '10'").fetchone()[0]
        conn.execute("UPDATE takes SET media_path = ? WHERE id = ?", [tampered, take_id])
    conn.close()
    out = tmp_path / "out"
    out.mkdir()
    suffix = {"cut": ".mp4", "otioz": ".otioz", "edl": ".edl", "otio": ".otio"}[fmt]
    code = main(["export", fmt, str(path), "-o", str(out / f"cut{suffix}")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"take {take_id} (shot 10)" in err and "not inside this project's media folder" in err
    leaked = [p for p in out.rglob("*") if p.is_file() and p.read_bytes() in (secret.read_bytes(), Path("/etc/hostname").read_bytes())]
    assert leaked == [] and not any(out.iterdir())
    # `director check` lists the row as tampered.
    assert main(["check", str(path)]) == 1
    assert f"take {take_id} (shot 10, camera A" in capsys.readouterr().out


def test_reports_are_written_with_the_usual_file_mode(cut_project, tmp_path):
    path, _ = cut_project
    old = os.umask(0o022)
    try:
        for fmt in ("csv", "json"):
            target = tmp_path / f"costs.{fmt}"
            assert main(["report", "costs", str(path), "--format", fmt, "-o", str(target)]) == 0
            assert target.stat().st_mode & 0o777 == 0o644, oct(target.stat().st_mode)
    finally:
        os.umask(old)
