"""Every refusal leaves the file byte-identical and says what it is and what to do."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from director.store import Project
from director.store.errors import DamagedProject, NewerProject, NotADirectorProject, NotSQLiteFile
from director.store.schema import SCHEMA_VERSION


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def assert_refused_untouched(path: Path, error, match: str):
    before, names = digest(path), siblings(path)
    with pytest.raises(error, match=match) as info:
        Project.open(path)
    assert digest(path) == before
    assert siblings(path) == names, "no lock, -wal, -shm or media folder may appear"
    return str(info.value)


def test_a_text_file_is_not_a_project(tmp_path):
    path = tmp_path / "notes.director"
    path.write_text("shot list\n12A rooftop\n" * 20)
    msg = assert_refused_untouched(path, NotSQLiteFile, "not a SQLite database")
    assert "Choose a .director file" in msg


def test_an_empty_file_is_not_a_project(tmp_path):
    path = tmp_path / "empty.director"
    path.write_bytes(b"")
    assert_refused_untouched(path, NotSQLiteFile, "empty file")


def test_a_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.director"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ada')")
    conn.commit()
    conn.close()
    msg = assert_refused_untouched(path, NotADirectorProject, "not a Director project")
    assert "left untouched" in msg


def _closed_project(tmp_path: Path) -> Path:
    p = Project.create(tmp_path / "film")
    from director.store import shots

    shots.add_shot(p, "1A", "opening")
    p.close()
    return p.path


def test_a_file_from_a_newer_director_is_refused(tmp_path):
    path = _closed_project(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    msg = assert_refused_untouched(path, NewerProject, "newer Director")
    assert "update Director" in msg


def test_a_damaged_file_is_refused(tmp_path):
    path = _closed_project(tmp_path)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Scribble over the second page (a b-tree page) but keep the header intact.
    for i in range(page_size + 8, min(len(data), 3 * page_size)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    msg = assert_refused_untouched(path, DamagedProject, "damaged")
    assert "director check --repair" in msg


def test_a_missing_file_says_how_to_create_one(tmp_path):
    from director.core.errors import NotFound

    with pytest.raises(NotFound, match="director new"):
        Project.open(tmp_path / "nothing.director")
