"""The Generate panel's LoRA list (#14): the chosen preset's LoRAs with their strengths, Add… (a local
.safetensors file, the store's own checks), Remove, every change undoable and made by the same
store calls as `director lora add|remove`; disabled with the reason for a preset that takes no
LoRAs; and a job queued from the panel records the LoRA and its strength in its recipe."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from director.core.prompt import PromptFields
from director.store import loras as store_loras
from director.store.jobs import job_recipe
from director.store.prompts import write_prompt
from director.store.shots import add_shot


@pytest.fixture
def panel(session, qtbot):
    from director.ui.generate_panel import GeneratePanel

    host = QWidget()
    QVBoxLayout(host).addWidget(p := GeneratePanel(session))
    host.resize(420, 900)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    p.set_preset("tiny-t2v")  # LTXPipeline: takes LoRAs
    yield p
    host.close()


@pytest.fixture
def lora_file(tmp_path):
    path = tmp_path / "noir style.safetensors"
    path.write_bytes(b"a LoRA's bytes")  # the app side checks the suffix and hashes the file
    return path


def settled(panel, qtbot):
    qtbot.waitUntil(lambda: not panel.session.busy() and not panel.loras.freshness.stale, timeout=10_000)


def shown(panel) -> list[tuple[str, float]]:
    """What the user sees: each row's name and the strength in its spin box."""
    table = panel.loras.table
    return [(table.item(r, 0).text(), table.cellWidget(r, 1).value()) for r in range(table.rowCount())]


def test_a_lora_added_in_the_panel_is_the_presets_and_undo_takes_it_off(panel, lora_file, qtbot):
    session, project = panel.session, panel.session.project
    assert shown(panel) == [] and panel.loras.add_button.isEnabled()
    assert panel.loras.add_file(str(lora_file))
    assert shown(panel) == [("noir_style", 1.0)]
    [lora] = store_loras.list_loras(project, "tiny-t2v")  # what `director lora list` reads
    assert (lora.name, lora.path, lora.strength) == ("noir_style", str(lora_file), 1.0)
    assert session.undo_stack.undoText() == "Add LoRA noir_style (1)"
    session.undo_stack.undo()
    settled(panel, qtbot)
    assert shown(panel) == [] and store_loras.list_loras(project, "tiny-t2v") == []
    session.undo_stack.redo()
    settled(panel, qtbot)
    assert shown(panel) == [("noir_style", 1.0)]
    assert store_loras.list_loras(project, "tiny-t2v")[0].id == lora.id  # back under its own id


def test_the_strength_spin_box_sets_the_strength_and_undo_puts_it_back(panel, lora_file, qtbot):
    session, project = panel.session, panel.session.project
    panel.loras.add_file(str(lora_file))
    box = panel.loras.table.cellWidget(0, 1)
    assert (box.minimum(), box.maximum()) == store_loras.STRENGTH_RANGE
    box.setValue(0.5)
    assert store_loras.list_loras(project, "tiny-t2v")[0].strength == 0.5
    assert session.undo_stack.undoText() == "LoRA noir_style strength 0.5"
    session.undo_stack.undo()
    settled(panel, qtbot)
    assert store_loras.list_loras(project, "tiny-t2v")[0].strength == 1.0
    assert shown(panel) == [("noir_style", 1.0)]
    assert panel.loras.table.cellWidget(0, 1) is box  # updated in place, not rebuilt under the user


def test_remove_takes_the_selected_lora_off_and_undo_puts_it_back(panel, lora_file, tmp_path, qtbot):
    session, project = panel.session, panel.session.project
    other = tmp_path / "grain.safetensors"
    other.write_bytes(b"grain")
    panel.loras.add_file(str(lora_file))
    panel.loras.add_file(str(other), 0.25)
    assert shown(panel) == [("noir_style", 1.0), ("grain", 0.25)]
    assert not panel.loras.remove_button.isEnabled()  # nothing selected
    panel.loras.table.selectRow(0)
    assert panel.loras.remove_button.isEnabled()
    qtbot.mouseClick(panel.loras.remove_button, Qt.MouseButton.LeftButton)
    assert shown(panel) == [("grain", 0.25)]
    assert [x.name for x in store_loras.list_loras(project, "tiny-t2v")] == ["grain"]
    session.undo_stack.undo()
    settled(panel, qtbot)
    assert shown(panel) == [("noir_style", 1.0), ("grain", 0.25)]


def test_add_asks_for_safetensors_only_and_refuses_any_other_file_with_the_stores_reason(panel, tmp_path, qtbot, monkeypatch):
    from director.ui import lora_list

    asked = []
    pickle = tmp_path / "style.ckpt"
    pickle.write_bytes(b"pickled code")
    monkeypatch.setattr(lora_list.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args: asked.append(args[3]) or (str(pickle), "")))
    with qtbot.waitSignal(panel.session.error_raised) as said:
        qtbot.mouseClick(panel.loras.add_button, Qt.MouseButton.LeftButton)
    assert asked == ["LoRA weights (*.safetensors)"]
    assert "only as .safetensors" in said.args[0] and "convert it to safetensors" in said.args[0]
    assert panel.loras.message.text() == said.args[0] and not panel.loras.message.isHidden()
    assert not panel.loras.add_file(str(tmp_path / "gone.safetensors"))
    assert "no LoRA file at" in panel.loras.message.text()
    assert shown(panel) == [] and panel.session.undo_stack.count() == 0


def test_the_list_follows_the_preset_and_is_disabled_for_a_preset_that_takes_no_loras(panel, lora_file, qtbot):
    panel.loras.add_file(str(lora_file))
    panel.set_preset("tiny-t2i")  # another preset, its own (empty) list
    assert shown(panel) == [] and panel.loras.add_button.isEnabled()
    panel.set_preset("previz")  # numpy draws it: no pipeline to load a LoRA into
    assert not panel.loras.add_button.isEnabled()
    reason = panel.loras.reason
    assert not reason.isHidden() and "takes no LoRAs" in reason.text()
    with qtbot.waitSignal(panel.session.error_raised):
        assert not panel.loras.add_file(str(lora_file))
    assert store_loras.list_loras(panel.session.project, "previz") == []
    panel.set_preset("tiny-t2v")
    assert shown(panel) == [("noir_style", 1.0)] and reason.isHidden()


def test_loras_a_preset_cannot_take_are_shown_and_can_only_be_removed(panel, lora_file, qtbot):
    """`director lora add` does not ask the pipeline; the worker would refuse such a job, so the
    panel shows those LoRAs, says why, and offers Remove only."""
    store_loras.add_lora(panel.session.project, "previz", lora_file)
    panel.set_preset("previz")
    assert shown(panel) == [("noir_style", 1.0)]
    assert "takes no LoRAs; remove its LoRAs" in panel.loras.reason.text()
    assert not panel.loras.table.cellWidget(0, 1).isEnabled() and not panel.loras.add_button.isEnabled()
    panel.loras.table.selectRow(0)
    assert panel.loras.remove_selected()
    assert shown(panel) == [] and store_loras.list_loras(panel.session.project, "previz") == []


def test_a_lora_added_by_another_path_shows_up_when_its_changes_are_announced(panel, lora_file, qtbot):
    """The list refreshes from Changes like the other panels: a LoRA the store added elsewhere
    (a script in this process, an undo) appears once its Changes reach the session."""
    session = panel.session
    _lora, changes = store_loras.add_lora(session.project, "tiny-t2v", lora_file, 0.75, "look")
    assert shown(panel) == []
    session.announce(changes)
    settled(panel, qtbot)
    assert shown(panel) == [("look", 0.75)]


def test_queueing_from_the_panel_records_the_lora_and_its_strength_in_the_recipe(panel, lora_file, qtbot):
    project = panel.session.project
    shot, _ = add_shot(project, "1")
    write_prompt(project, shot.id, PromptFields(subject="a lighthouse at dusk"))
    panel.set_shot(shot.id)
    panel.loras.add_file(str(lora_file))
    panel.loras.table.cellWidget(0, 1).setValue(0.4)
    panel.variants.setValue(1)
    [job_id] = panel.queue(all_cameras=True)
    [recorded] = job_recipe(project, job_id).loras
    assert (recorded["name"], recorded["strength"], recorded["path"]) == ("noir_style", 0.4, str(lora_file))
    assert len(recorded["sha256"]) == 64


def test_the_presets_that_take_loras_are_the_pipelines_diffusers_gives_lora_loading():
    """engine.lora.LORA_PIPELINES is read without importing diffusers; it must say what diffusers does."""
    import diffusers

    from director.engine.lora import takes_loras
    from director.engine.presets import BUILTIN, RETIRED

    def loads_loras(cls) -> bool:
        return hasattr(cls, "load_lora_weights") and hasattr(cls, "set_adapters")

    checked = 0
    for preset in (*BUILTIN, *RETIRED):
        cls = getattr(diffusers, preset.pipeline, None)
        if preset.pipeline == "AutoPipelineForText2Image":  # SD-Turbo and SDXL-Turbo load these
            expected = loads_loras(diffusers.StableDiffusionPipeline) and loads_loras(diffusers.StableDiffusionXLPipeline)
        else:
            expected = cls is not None and loads_loras(cls)
        assert (takes_loras(preset) == "") == expected, preset.id
        checked += 1
    assert checked > 20


def test_undoing_a_remove_after_the_name_was_taken_again_is_refused_with_the_reason(panel, lora_file, tmp_path, qtbot):
    session = panel.session
    panel.loras.add_file(str(lora_file))
    panel.loras.table.selectRow(0)
    assert panel.loras.remove_selected()
    again = tmp_path / "noir_style.safetensors"  # another file that gets the same name
    again.write_bytes(b"another LoRA")
    _lora, changes = store_loras.add_lora(session.project, "tiny-t2v", again)
    session.announce(changes)
    with qtbot.waitSignal(session.error_raised) as said:
        session.undo_stack.undo()
    assert "already has another LoRA called 'noir_style'" in said.args[0]
    settled(panel, qtbot)
    [kept] = store_loras.list_loras(session.project, "tiny-t2v")
    assert kept.path == str(again)
