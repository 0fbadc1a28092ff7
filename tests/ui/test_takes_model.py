"""TakesModel: a shot's takes, filtered and sorted, refreshed row by row from Changes."""

from __future__ import annotations

import json

import pytest

from director.core.changes import Changes
from director.core.enums import TakeFlag
from director.store.edits import DeleteTake, SetTakeFields
from director.ui.models.takes_model import TAKE_MIME, TakeFilter, TakesModel
from director.ui.undo import ProjectSession

try:
    from .test_gallery_media import add_take, make_shot
except ImportError:
    from test_gallery_media import add_take, make_shot


@pytest.fixture
def review(project, qtbot):
    session = ProjectSession(project)
    shot_id, cams = make_shot(project)
    ids = [
        add_take(project, shot_id, cams["A"], seed=11, video=False, colour=(255, 0, 0)),
        add_take(project, shot_id, cams["B"], seed=22, video=False, colour=(0, 255, 0)),
        add_take(project, shot_id, cams["A"], seed=33, video=True, frames=4),
    ]
    model = TakesModel(session)
    model.set_shot(shot_id)
    return session, model, shot_id, cams, ids


def test_model_passes_qtmodeltester_with_takes_and_after_edits(review, qtmodeltester):
    session, model, shot_id, cams, ids = review
    qtmodeltester.check(model)
    session.push(SetTakeFields(ids[0], rating=4))
    session.push(DeleteTake(ids[1]))
    model.set_sort("rating")
    qtmodeltester.check(model, force_py=True)


def test_newest_first_with_camera_letters_and_badges(review):
    _, model, _, _, ids = review
    assert model.take_ids() == list(reversed(ids))
    row = model.row_of(ids[1])
    index = model.index(row)
    assert index.data(TakesModel.CameraRole) == "B"
    assert index.data(TakesModel.SeedRole) == 22
    assert index.data(TakesModel.RandomWeightsRole) is True


def test_rating_a_take_refreshes_only_its_row(review, qtbot):
    session, model, _, _, ids = review
    resets, changed = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    session.push(SetTakeFields(ids[0], rating=3))
    row = model.row_of(ids[0])
    assert changed == [(row, row)]
    assert not resets
    assert model.index(row).data(TakesModel.RatingRole) == 3


def test_rating_under_rating_sort_moves_the_row_and_keeps_selection_indexes(review, qtmodeltester):
    session, model, _, _, ids = review
    model.set_sort("rating")
    session.push(SetTakeFields(ids[0], rating=2))
    assert model.take_ids()[0] == ids[0]
    session.push(SetTakeFields(ids[2], rating=5))
    assert model.take_ids()[:2] == [ids[2], ids[0]]
    qtmodeltester.check(model, force_py=True)


def test_filters_by_camera_rating_and_flag(review):
    session, model, _, cams, ids = review
    model.set_filter(TakeFilter(camera_id=cams["A"]))
    assert sorted(model.take_ids()) == [ids[0], ids[2]]
    model.set_filter(TakeFilter(min_rating=1))
    assert model.take_ids() == []
    session.push(SetTakeFields(ids[1], rating=4))
    assert model.take_ids() == [ids[1]]  # a take rising above the bar appears
    model.set_filter(TakeFilter(flag=TakeFlag.REJECTED))
    session.push(SetTakeFields(ids[2], flag=TakeFlag.REJECTED))
    assert model.take_ids() == [ids[2]]
    model.set_filter(TakeFilter(hide_rejected=True))
    assert ids[2] not in model.take_ids() and len(model.take_ids()) == 2
    session.undo_stack.undo()  # un-reject: it comes back without a reload
    assert ids[2] in model.take_ids()


def test_new_take_and_bin_insert_and_remove_rows(review, qtbot):
    session, model, shot_id, cams, ids = review
    with qtbot.waitSignal(model.rowsInserted):
        new_id = add_take(session.project, shot_id, cams["B"], seed=44, video=False)
        session.announce(Changes.of(takes=[new_id]))  # what the engine runner announces
    assert model.take_ids()[0] == new_id
    with qtbot.waitSignal(model.rowsRemoved):
        session.push(DeleteTake(ids[1]))
    assert ids[1] not in model.take_ids()
    session.undo_stack.undo()
    assert ids[1] in model.take_ids()


def test_other_shots_changes_leave_the_model_alone(review, qtbot):
    session, model, _, _, ids = review
    other_shot, cams = make_shot(session.project, "2B", ("A",))
    other = add_take(session.project, other_shot, cams["A"], video=False)
    before = model.take_ids()
    session.push(SetTakeFields(other, rating=5))
    assert model.take_ids() == before


def test_drag_carries_the_take_id_as_json(review):
    _, model, _, _, ids = review
    mime = model.mimeData([model.index(0)])
    assert json.loads(bytes(mime.data(TAKE_MIME)).decode()) == {"take_id": model.take_ids()[0]}


@pytest.mark.parametrize("sort", ["newest", "oldest", "rating"])
def test_a_take_landing_is_inserted_in_place_without_reading_the_shots_other_takes(review, qtbot, monkeypatch, sort):
    """A job finishing on a shot of 2,000 takes used to re-read all of them on the UI thread; the new
    take is read alone and inserted where the store's order puts it (one rowsInserted, no reset)."""
    from director.store import takes as store_takes

    session, model, shot_id, cams, ids = review
    model.set_sort(sort)
    session.push(SetTakeFields(ids[1], rating=5))
    listed: list[int] = []
    real = store_takes.list_takes
    monkeypatch.setattr(store_takes, "list_takes", lambda *a, **k: listed.append(1) or real(*a, **k))
    structure: list[str] = []
    model.modelReset.connect(lambda: structure.append("reset"))
    model.layoutChanged.connect(lambda *a: structure.append("layout"))
    model.rowsInserted.connect(lambda _p, first, last: structure.append(f"insert {first}-{last}"))
    new = add_take(session.project, shot_id, cams["B"], seed=44, video=False, colour=(0, 0, 255))
    session.push(SetTakeFields(new, rating=3))  # a rating between the others: not simply first or last
    session.announce(Changes.of(takes=[new]))
    assert listed == [] and structure and all(s.startswith("insert") for s in structure)
    assert model.take_ids() == [t.id for t in real(session.project, shot_id, sort=sort)]  # exactly the store's order
