"""Actions that make takes (#21, item 3): a promote's take is selected when it lands, carries the
chain badge, lists its source in the viewer (and the source lists it), and Use in Cut swaps the
clip to it as one undoable edit. The engine is the real worker with the tiny image model."""

from __future__ import annotations

import pytest

from director.engine.messages import Failed, Finished
from director.store import lineage
from director.store import timeline as st
from director.store.takes import get_take
from director.ui.models.takes_model import TakesModel

pytestmark = pytest.mark.slow


def _clip_take(project, shot_id, camera_id):
    timeline = st.load_timeline(project)
    clip = next(i for t in timeline.tracks for i in t.items if getattr(i, "shot_id", None) == shot_id)
    return clip.takes.get(camera_id)


def test_promote_selects_the_new_take_shows_lineage_and_use_in_cut_is_undoable(window, project_file, qtbot):
    assert window.new_project(project_file)
    sid = window.panel("shots").add_shot("1A", "Kite")
    window.panel("prompt").field_edit("subject").setText("a red kite")
    generate = window.panel("generate")
    generate.set_preset("tiny-t2i")
    generate.variants.setValue(1)
    generate.steps.setValue(2)
    with qtbot.waitSignal(window.job_event, timeout=240_000, check_params_cb=lambda e: isinstance(e, (Finished, Failed))) as ended:
        window.generate()
    assert isinstance(ended.args[0], Finished), ended.args[0]
    gallery = window.panel("gallery")
    qtbot.waitUntil(lambda: gallery.model.rowCount() == 1, timeout=10_000)
    draft = gallery.model.take_at(0).id
    assert gallery.add_to_timeline(draft)
    project = window.session.project
    camera = get_take(project, draft).camera_id
    before = _clip_take(project, sid, camera)

    with qtbot.waitSignal(window.job_event, timeout=240_000, check_params_cb=lambda e: isinstance(e, (Finished, Failed))) as ended:
        window.on_take_action("promote", draft)
    assert isinstance(ended.args[0], Finished), ended.args[0]
    qtbot.waitUntil(lambda: gallery.model.rowCount() == 2, timeout=10_000)
    final = next(t for t in gallery.model.take_ids() if t != draft)
    assert get_take(project, final).parent_take_id == draft
    # Selected where the director is looking, and shown in the viewer.
    assert gallery.current_take_id() == final and gallery.selected_take_ids() == [final]
    viewer = window.panel("viewer")
    assert viewer.take_id == final
    # Lineage: the chain badge on both tiles, the parent in the viewer, the version under the source.
    model = gallery.model
    assert model.data(model.index_of(final), TakesModel.LineageRole) == "version"
    assert model.data(model.index_of(draft), TakesModel.LineageRole) == "source"
    assert f"take:{draft}" in viewer.fields["lineage"].text()
    assert [t.id for t in lineage.lineage(project, draft).children] == [final]

    # Use in Cut: the clip shows the final; undo puts the draft's clip back as it was.
    viewer.buttons["use_in_cut"].click()
    assert _clip_take(project, sid, camera) == final
    window.undo()
    assert _clip_take(project, sid, camera) == before
    window.redo()
    assert _clip_take(project, sid, camera) == final
    # The notifications history holds both jobs, each a link to its take.
    notices = window.panel("notifications").model.notices()
    assert sorted(n.kind for n in notices if n.job_id is not None) == ["finished", "finished"]
