"""`director script seen|diff` and the cast verbs of #18: a re-import's flags are read (old → new),
then cleared; the cast's images come off and a shot chooses whose references it uses."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from director.cli import main
from director.store import cast as store_cast
from director.store.project import Project
from director.store.scenes import find_scene
from director.store.schema import SCHEMA_VERSION
from director.store.script import list_cast, shot_script
from director.store.shots import find_shot
from director.store.window_reads import scene_scripts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _run(capsys, *argv) -> str:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


@pytest.fixture
def rewritten(tmp_path, capsys):
    """The lighthouse imported, then its rewrite: 1A changed, scene 2 removed (2A binned)."""
    path = tmp_path / "film.director"
    Project.create(path).close()
    _run(capsys, "script", "import", str(path), str(FIXTURES / "lighthouse.fountain"))
    _run(capsys, "script", "import", str(path), str(FIXTURES / "lighthouse_rewrite.fountain"))
    return path


def test_diff_shows_old_and_new_then_seen_clears_the_shot_flag(rewritten, capsys):
    out = _run(capsys, "script", "diff", str(rewritten), "1a")
    assert "-Mara (to herself): One more night." in out and "+Mara (to herself): Just one more night." in out
    out = _run(capsys, "script", "seen", str(rewritten), "1A")
    assert "shot 1A: script change marked seen" in out
    with Project.open(rewritten, readonly=True) as p:
        flags = shot_script(p, find_shot(p, "1A").id)
        assert flags["status"] is None
        assert "Just one more night" in flags["note"]  # the diff stays readable
    assert "Shot 1A (changed, seen)" in _run(capsys, "script", "diff", str(rewritten), "1A")
    # Nothing left to mark: refused with the reason, nothing written.
    assert main(["script", "seen", str(rewritten), "1A"]) == 1
    assert "no script change to mark seen" in capsys.readouterr().err


def test_seen_on_a_removed_scene_clears_it_and_diff_lists_its_binned_shot(rewritten, capsys):
    diff = json.loads(_run(capsys, "script", "diff", str(rewritten), "2", "--json"))
    assert diff["status"] == "removed"
    labels = [p["label"] for p in diff["parts"]]
    assert labels[0].startswith("Scene 2") and any("Shot 2A" in x and "bin" in x for x in labels)
    assert "-TOMAS climbs the path" in diff["parts"][-1]["diff"]
    data = json.loads(_run(capsys, "script", "seen", str(rewritten), "2", "--json"))
    assert data == {"target": "scene 2", "cleared_shots": [], "cleared_scene": True}
    with Project.open(rewritten, readonly=True) as p:
        assert scene_scripts(p)[find_scene(p, "2").id].status is None


def test_a_changed_heading_keeps_the_old_one_in_its_diff(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    _run(capsys, "script", "import", str(path), str(FIXTURES / "lighthouse.fountain"))
    renamed = tmp_path / "renamed.fountain"
    renamed.write_text((FIXTURES / "lighthouse.fountain").read_text().replace("INT. KITCHEN - DAWN", "INT. KITCHEN - DUSK"))
    _run(capsys, "script", "import", str(path), str(renamed))
    out = _run(capsys, "script", "diff", str(path), "3", "--scene")
    assert "-INT. KITCHEN - DAWN" in out
    assert "+INT. KITCHEN - DUSK" in out
    _run(capsys, "script", "seen", str(path), "3", "--scene")
    with Project.open(path, readonly=True) as p:
        assert scene_scripts(p)[find_scene(p, "3").id].status is None


def test_seen_is_undoable_as_an_edit(rewritten):
    with Project.open(rewritten) as p:
        shot = find_shot(p, "1A").id
        edit = store_cast.MarkScriptSeen(scene_id=find_scene(p, "1").id)
        edit.apply(p)  # the scene has no flag of its own; its changed shot is cleared
        assert shot_script(p, shot)["status"] is None and not store_cast.scene_flagged(p, find_scene(p, "1").id)
        edit.revert(p)
        assert shot_script(p, shot)["status"] == "changed"
        edit.apply(p)
        assert shot_script(p, shot)["status"] is None


def test_a_target_that_is_nothing_or_both_is_refused(rewritten, capsys):
    assert main(["script", "seen", str(rewritten), "99Z"]) == 1
    assert "no shot or scene '99Z'" in capsys.readouterr().err
    _run(capsys, "scene", "add", str(rewritten), "1A")  # a scene coded like a live shot
    assert main(["script", "seen", str(rewritten), "1A"]) == 1
    assert "both a shot and a scene" in capsys.readouterr().err
    assert "marked seen" in _run(capsys, "script", "seen", str(rewritten), "1A", "--shot")


def test_cast_unimage_use_and_appears_in(rewritten, tmp_path, capsys):
    image = tmp_path / "mara.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n mara")
    _run(capsys, "cast", "image", str(rewritten), "mara", str(image))
    listed = json.loads(_run(capsys, "cast", "list", str(rewritten), "--json"))
    mara = next(c for c in listed if c["name"] == "Mara")
    assert mara["appears_in"] == ["1A", "3A"] and len(mara["images"]) == 1
    assert "shot 3A references: Mara" in _run(capsys, "cast", "use", str(rewritten), "3A", "Mara")
    with Project.open(rewritten, readonly=True) as p:
        assert store_cast.reference_images(p, find_shot(p, "3A").id) == mara["images"]
    # Tomas has no image yet: using him is refused with what to do.
    assert main(["cast", "use", str(rewritten), "3A", "Tomas"]) == 1
    assert "no reference images yet" in capsys.readouterr().err
    _run(capsys, "cast", "unimage", str(rewritten), "Mara", mara["images"][0])
    with Project.open(rewritten, readonly=True) as p:
        assert [c.images for c in list_cast(p) if c.name == "Mara"] == [()]
        assert store_cast.reference_images(p, find_shot(p, "3A").id) == []
    assert main(["cast", "unimage", str(rewritten), "Mara", mara["images"][0]]) == 1
    assert "no reference image" in capsys.readouterr().err


def test_migration_0019_on_an_old_file_keeps_its_flags_and_takes_diffs(tmp_path, capsys):
    path = tmp_path / "old.director"
    Project.create(path).close()
    _run(capsys, "script", "import", str(path), str(FIXTURES / "lighthouse.fountain"))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE shot_cast")
        conn.execute("ALTER TABLE scenes DROP COLUMN script_note")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0019_script_diff'")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.close()
    _run(capsys, "script", "import", str(path), str(FIXTURES / "lighthouse_rewrite.fountain"))
    assert "+Mara (to herself): Just one more night." in _run(capsys, "script", "diff", str(path), "1A")
    assert list((tmp_path / "old.director-backups").iterdir())
