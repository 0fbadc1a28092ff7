"""TakeGallery: thumbnails off the UI thread, keyboard review through the undo stack, filters, drag."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from director.core.enums import TakeFlag
from director.store import takes
from director.ui.gallery.take_gallery import TakeGallery
from director.ui.models.takes_model import TAKE_MIME, TakesModel
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
        add_take(project, shot_id, cams["A"], seed=101, video=True, frames=6),
        add_take(project, shot_id, cams["B"], seed=102, video=False, colour=(0, 200, 0)),
        add_take(project, shot_id, cams["A"], seed=103, video=False, colour=(0, 0, 200), preset="wan-2.1-t2v"),
        add_take(project, shot_id, cams["B"], seed=104, video=True, frames=6, offset=5),
    ]
    gallery = TakeGallery(session)
    qtbot.addWidget(gallery)
    gallery.resize(900, 600)
    gallery.show()
    qtbot.waitExposed(gallery)
    return session, gallery, shot_id, cams, ids


def db_take(session, take_id):
    return takes.get_take(session.project, take_id)


def test_gallery_shows_every_take_and_loads_thumbnails_off_the_ui_thread(review, qtbot):
    session, gallery, shot_id, _, ids = review
    with qtbot.waitSignal(gallery.thumbnails.idle, timeout=10_000):
        gallery.set_shot(shot_id)
    model = gallery.model
    assert model.rowCount() == 4
    assert gallery.count_label.text() == "4 takes"
    qtbot.waitUntil(lambda: all(model.index(r).data(TakesModel.ThumbnailReadyRole) for r in range(4)), timeout=5000)
    # a real decoded frame, not the grey placeholder: the green still's tile is green
    green = model.index(model.row_of(ids[1])).data(TakesModel.ThumbnailRole).toImage().pixelColor(10, 10)
    assert green.green() > 150 and green.red() < 60
    # a clip's thumbnail is its first frame (grey level 12)
    clip = model.index(model.row_of(ids[0])).data(TakesModel.ThumbnailRole).toImage().pixelColor(10, 10)
    assert abs(clip.red() - 12) <= 4
    assert not gallery.thumbnails.error(takes.get_take(session.project, ids[0]).media_path)


def test_keyboard_review_rates_flags_and_undo_reverts_the_database(review, qtbot):
    session, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    gallery.select_takes([ids[2]])
    view = gallery.view
    qtbot.keyClick(view, Qt.Key.Key_5)
    assert db_take(session, ids[2]).rating == 5
    qtbot.keyClick(view, Qt.Key.Key_P)
    assert db_take(session, ids[2]).flag is TakeFlag.SELECTED
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert db_take(session, ids[2]).flag is TakeFlag.REJECTED
    qtbot.keyClick(view, Qt.Key.Key_U)
    assert db_take(session, ids[2]).flag is TakeFlag.NONE
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert db_take(session, ids[2]).rating == 0
    stack = session.undo_stack
    stack.undo()  # un-clear: 5 again
    assert db_take(session, ids[2]).rating == 5
    stack.undo()  # un-unflag: rejected again
    assert db_take(session, ids[2]).flag is TakeFlag.REJECTED
    stack.undo()
    stack.undo()
    stack.undo()
    t = db_take(session, ids[2])
    assert (t.rating, t.flag) == (0, TakeFlag.NONE)
    # and the tile follows the database after undo, without a reload
    assert gallery.model.index(gallery.model.row_of(ids[2])).data(TakesModel.RatingRole) == 0


def test_rating_several_selected_takes_is_one_undo_step(review, qtbot):
    session, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    gallery.select_takes([ids[0], ids[1], ids[3]])
    qtbot.keyClick(gallery.view, Qt.Key.Key_3)
    assert [db_take(session, i).rating for i in ids] == [3, 3, 0, 3]
    session.undo_stack.undo()
    assert [db_take(session, i).rating for i in ids] == [0, 0, 0, 0]


def test_arrow_keys_move_and_activate_space_asks_to_play(review, qtbot):
    _, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    first = gallery.current_take_id()
    with qtbot.waitSignal(gallery.take_activated) as moved:
        qtbot.keyClick(gallery.view, Qt.Key.Key_Right)
    assert moved.args[0] != first and moved.args[0] == gallery.current_take_id()
    with qtbot.waitSignal(gallery.action_requested) as play:
        qtbot.keyClick(gallery.view, Qt.Key.Key_Space)
    assert play.args == ["play", gallery.current_take_id()]


def test_n_edits_a_note_through_a_small_dialog(review, qtbot):
    session, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    gallery.select_takes([ids[1]])
    with qtbot.waitSignal(gallery.note_dialog_opened) as opened:
        qtbot.keyClick(gallery.view, Qt.Key.Key_N)
    dialog = opened.args[0]
    dialog.editor.setPlainText("hair too red; keep framing")
    dialog.accept()
    assert db_take(session, ids[1]).notes == "hair too red; keep framing"
    session.undo_stack.undo()
    assert db_take(session, ids[1]).notes == ""


def test_c_compares_two_to_four_selected_takes_only(review, qtbot):
    _, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    gallery.select_takes([ids[0]])
    with qtbot.assertNotEmitted(gallery.compare_requested):
        qtbot.keyClick(gallery.view, Qt.Key.Key_C)
    assert "2–4" in gallery.count_label.text()
    gallery.select_takes([ids[0], ids[3]])
    with qtbot.waitSignal(gallery.compare_requested) as compare:
        qtbot.keyClick(gallery.view, Qt.Key.Key_C)
    assert sorted(compare.args[0]) == sorted([ids[0], ids[3]])


def test_delete_moves_to_the_bin_and_undo_restores(review, qtbot):
    session, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    gallery.select_takes([ids[1]])
    qtbot.keyClick(gallery.view, Qt.Key.Key_Delete)
    assert db_take(session, ids[1]).deleted
    assert ids[1] not in gallery.model.take_ids()
    session.undo_stack.undo()
    assert ids[1] in gallery.model.take_ids()


def test_toolbar_filters_and_sort(review, qtbot):
    session, gallery, shot_id, cams, ids = review
    gallery.set_shot(shot_id)
    gallery.camera_box.setCurrentIndex(gallery.camera_box.findData(cams["B"]))
    assert sorted(gallery.model.take_ids()) == [ids[1], ids[3]]
    gallery.camera_box.setCurrentIndex(0)
    gallery.select_takes([ids[0]])
    qtbot.keyClick(gallery.view, Qt.Key.Key_4)
    gallery.select_takes([ids[2]])
    qtbot.keyClick(gallery.view, Qt.Key.Key_2)
    gallery.rating_box.setCurrentIndex(gallery.rating_box.findData(2))
    assert sorted(gallery.model.take_ids()) == [ids[0], ids[2]]
    gallery.rating_box.setCurrentIndex(0)
    gallery.sort_box.setCurrentIndex(gallery.sort_box.findData("rating"))
    assert gallery.model.take_ids()[:2] == [ids[0], ids[2]]
    gallery.select_takes([ids[3]])
    qtbot.keyClick(gallery.view, Qt.Key.Key_X)
    gallery.set_filter(hide_rejected=True)
    assert ids[3] not in gallery.model.take_ids()
    gallery.set_filter(flag=TakeFlag.REJECTED)
    assert gallery.model.take_ids() == [ids[3]]
    assert gallery.flag_box.currentText() == "Rejected"


def test_badges_paint_random_weights_only_for_tiny_presets(review):
    _, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    m = gallery.model
    assert m.index(m.row_of(ids[0])).data(TakesModel.RandomWeightsRole) is True
    assert m.index(m.row_of(ids[2])).data(TakesModel.RandomWeightsRole) is False
    gallery.grab()  # paints every tile with its badges without error


def test_dragging_a_take_out_carries_its_id(review):
    _, gallery, shot_id, _, ids = review
    gallery.set_shot(shot_id)
    index = gallery.model.index_of(ids[2])
    mime = gallery.model.mimeData([index])
    assert mime.hasFormat(TAKE_MIME)
    assert json.loads(bytes(mime.data(TAKE_MIME))) == {"take_id": ids[2]}
    assert gallery.view.dragEnabled()
