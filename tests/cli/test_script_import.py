"""A screenplay becomes scenes, shots with prompt drafts, dialogue and a cast; a rewrite merges."""

from __future__ import annotations

import json
from pathlib import Path

from director.cli import main
from director.core.prompt import PromptFields
from director.store import prompts, scenes, shots
from director.store.project import Project
from director.store.script import list_cast, shot_script

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _import(path, capsys, name="lighthouse.fountain", *extra) -> dict:
    assert main(["script", "import", str(path), str(FIXTURES / name), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_screenplay_becomes_scenes_shots_prompt_drafts_dialogue_and_cast(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    plan = _import(path, capsys)
    assert plan["scenes"] == 3 and plan["shots"] == 4 and plan["cast"] == ["Mara", "Tomas"]
    with Project.open(path, readonly=True) as p:
        scene_rows = {s.code: s for s in scenes.list_scenes(p)}
        assert set(scene_rows) == {"1", "2", "3"}  # the script's numbers kept
        by_code = {s.code: s for s in shots.list_shots(p)}
        assert set(by_code) == {"1A", "1B", "2A", "3A"}
        first = prompts.current_prompt(p, by_code["1A"].id).fields
        assert first.subject == "Mara" and "polishes the great lens" in first.action
        assert first.setting == "interior, lighthouse lamp room" and first.lighting.startswith("night")
        assert prompts.current_prompt(p, by_code["2A"].id).fields.lighting == "natural daylight"
        assert prompts.current_prompt(p, by_code["3A"].id).fields.subject == "Mara, Tomas"
        dialogue = shot_script(p, by_code["1A"].id)["dialogue"]
        assert dialogue == [{"character": "Mara", "text": "One more night.", "parenthetical": "to herself"}]
        assert shot_script(p, by_code["2A"].id)["dialogue"][0]["character"] == "Tomas"
        assert [c.name for c in list_cast(p)] == ["Mara", "Tomas"]


def test_a_dry_run_reports_everything_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    plan = _import(path, capsys, "lighthouse.fountain", "--dry-run")
    assert plan["dry_run"] and len(plan["shots_added"]) == 4
    with Project.open(path, readonly=True) as p:
        assert shots.list_shots(p) == [] and scenes.list_scenes(p) == []


def test_reimporting_a_rewrite_merges_and_keeps_the_directors_edits(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    _import(path, capsys)
    with Project.open(path) as p:
        kitchen = next(s for s in shots.list_shots(p) if s.code == "3A")
        mine = PromptFields(subject="Mara and Tomas", action="share bread in silence", lighting="one candle")
        prompts.write_prompt(p, kitchen.id, mine)
    # Rewrite: scene 1's dialogue changed, scene 2 removed, scene 3 the same, scene 4 new.
    plan = _import(path, capsys, "lighthouse_rewrite.fountain")
    assert plan["shots_added"] == ["4A"]
    assert plan["shots_changed"] == ["1A"] and plan["shots_binned"] == ["2A"]
    assert "2" in plan["scenes_flagged"] and plan["unchanged"] == 2
    with Project.open(path, readonly=True) as p:
        live = {s.code: s for s in shots.list_shots(p)}
        assert set(live) == {"1A", "1B", "3A", "4A"}
        assert prompts.current_prompt(p, live["3A"].id).fields == mine  # the director's edit kept
        flagged = shot_script(p, live["1A"].id)
        assert flagged["status"] == "changed" and "-Mara (to herself): One more night." in flagged["note"]
        assert "+Mara (to herself): Just one more night." in flagged["note"]
        assert any(s.code == "2A" for s in shots.list_shots(p, deleted=True))  # binned, not deleted
    # The same script again changes nothing more.
    again = _import(path, capsys, "lighthouse_rewrite.fountain")
    assert again["shots_added"] == again["shots_changed"] == again["shots_binned"] == [] and again["unchanged"] == 4


def test_an_edited_shot_whose_script_changed_keeps_its_prompt_and_is_flagged(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    _import(path, capsys)
    with Project.open(path) as p:
        lamp = next(s for s in shots.list_shots(p) if s.code == "1A")
        mine = PromptFields(subject="Mara, weathered keeper", action="polishes the lens by lamplight")
        prompts.write_prompt(p, lamp.id, mine)
    plan = _import(path, capsys, "lighthouse_rewrite.fountain")
    assert plan["shots_kept"] == ["1A"] and plan["shots_changed"] == []
    with Project.open(path, readonly=True) as p:
        lamp = next(s for s in shots.list_shots(p) if s.code == "1A")
        assert prompts.current_prompt(p, lamp.id).fields == mine
        assert shot_script(p, lamp.id)["status"] == "changed"


def test_cast_look_notes_reach_prompt_drafts_of_later_imports(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    _import(path, capsys)
    assert main(["cast", "look", str(path), "Mara", "60s, yellow oilskin, grey braid"]) == 0
    capsys.readouterr()
    _import(path, capsys, "lighthouse_rewrite.fountain")
    with Project.open(path, readonly=True) as p:
        harbour = next(s for s in shots.list_shots(p) if s.code == "4A")
        assert prompts.current_prompt(p, harbour.id).fields.subject == ""  # no cast in that shot
        lamp = next(s for s in shots.list_shots(p) if s.code == "1A")
        assert "yellow oilskin" in prompts.current_prompt(p, lamp.id).fields.subject


def test_a_file_that_is_not_a_screenplay_is_refused_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    notes = tmp_path / "notes.fountain"
    notes.write_text("just some notes\nwithout any scene headings\n")
    assert main(["script", "import", str(path), str(notes)]) == 1
    assert "no scene headings" in capsys.readouterr().err
    with Project.open(path, readonly=True) as p:
        assert shots.list_shots(p) == []


def test_purge_keeps_cast_reference_images(tmp_path, capsys):
    path = tmp_path / "film.director"
    Project.create(path).close()
    _import(path, capsys)
    image = tmp_path / "mara.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n not really a picture")
    assert main(["cast", "image", str(path), "Mara", str(image)]) == 0
    assert main(["purge", str(path)]) == 0
    capsys.readouterr()
    with Project.open(path, readonly=True) as p:
        (mara,) = [c for c in list_cast(p) if c.name == "Mara"]
        assert p.media.path(mara.images[0]).read_bytes() == image.read_bytes()


def test_the_title_page_names_the_breakdown():
    from director.core.screenplay import parse_fountain

    text = (FIXTURES / "lighthouse.fountain").read_text()
    assert parse_fountain(text, title="file-stem").title == "The Lighthouse"
    assert parse_fountain(text.split("\n", 3)[3], title="file-stem").title == "file-stem"
