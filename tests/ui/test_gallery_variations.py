"""Group variations (#18): the gallery shows each take followed by the takes made from it
(store.lineage.group_variations), recursively, and a variation landing later goes under its source."""

from __future__ import annotations

from director.core.changes import Changes
from director.store.lineage import group_variations
from director.store.takes import get_take
from director.ui.gallery.take_gallery import TakeGallery
from director.ui.models.takes_model import TakesModel
from director.ui.undo import ProjectSession

try:
    from .test_gallery_media import add_take, make_shot
except ImportError:
    from test_gallery_media import add_take, make_shot


def _made_from(project, child: int, parent: int) -> None:
    """What a more-like-this job records on its take (the runner copies the job's parent)."""
    with project.atomic() as db:
        db.execute("UPDATE takes SET parent_take_id = ? WHERE id = ?", [parent, child])


def test_group_variations_puts_each_take_before_its_variations(project, qtbot):
    session = ProjectSession(project)
    shot_id, cams = make_shot(project)
    a = add_take(project, shot_id, cams["A"], seed=1, video=False)
    b = add_take(project, shot_id, cams["A"], seed=2, video=False)
    a1 = add_take(project, shot_id, cams["A"], seed=3, video=False)
    b1 = add_take(project, shot_id, cams["A"], seed=4, video=False)
    a1x = add_take(project, shot_id, cams["A"], seed=5, video=False)
    for child, parent in ((a1, a), (b1, b), (a1x, a1)):
        _made_from(project, child, parent)
    gallery = TakeGallery(session)
    qtbot.addWidget(gallery)
    gallery.set_shot(shot_id)
    model = gallery.model
    assert model.take_ids() == [a1x, b1, a1, b, a]  # newest first, ungrouped
    assert not gallery.group_box.isChecked()

    gallery.group_box.setChecked(True)
    assert model.group_variations
    # Roots in the sort's order (b newer than a), each followed by its variations, depth-first.
    assert model.take_ids() == [b, b1, a, a1, a1x]
    depths = [model.index(r).data(TakesModel.VariationDepthRole) for r in range(5)]
    assert depths == [0, 1, 0, 1, 2]
    assert model.index(4).data().startswith("↳↳ ")

    # A new variation of b lands: it goes under b, not at the top.
    b2 = add_take(project, shot_id, cams["A"], seed=6, video=False)
    _made_from(project, b2, b)
    session.announce(Changes.of(takes=[b2]))
    assert model.take_ids() == [b, b2, b1, a, a1, a1x]

    gallery.set_group_variations(False)
    assert not gallery.group_box.isChecked() and model.take_ids() == [b2, a1x, b1, a1, b, a]
    assert model.index(0).data(TakesModel.VariationDepthRole) == 0 and not model.index(0).data().startswith("↳")


def test_a_variation_whose_source_is_filtered_out_stays_a_root(project):
    shot_id, cams = make_shot(project)
    a = add_take(project, shot_id, cams["A"], seed=1, video=False)
    a1 = add_take(project, shot_id, cams["B"], seed=2, video=False)
    _made_from(project, a1, a)
    only_b = [get_take(project, a1)]
    assert [(t.id, d) for t, d in group_variations(only_b)] == [(a1, 0)]
    both = [get_take(project, a1), get_take(project, a)]
    assert [(t.id, d) for t, d in group_variations(both)] == [(a, 0), (a1, 1)]
