"""The storyboard: panels in cut order with stills, cost and prompt; dragging a panel reorders shots.

It reads in the background (issue #24), so each check waits until the session has settled."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex

from test_timeline_fixtures import film

from director.core.timeline import Clip
from director.store import shots
from director.store import timeline as st
from director.ui.storyboard_view import PanelRole, StoryboardView
from director.ui.timeline_view import shot_mime
from director.ui.undo import ProjectSession


@pytest.fixture
def board(qtbot, tmp_path):
    project, ids = film(tmp_path)
    session = ProjectSession(project)
    view = StoryboardView(session)
    view.resize(600, 400)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    settle(qtbot, session)
    yield session, view, ids
    session.shutdown()
    project.close()


def settle(qtbot, session):
    qtbot.waitUntil(lambda: not session.busy(), timeout=5000)


def codes(view):
    return [view.board.index(r).data(PanelRole)["code"] for r in range(view.board.rowCount())]


def test_the_model_passes_qtmodeltester(board, qtmodeltester):
    session, view, ids = board
    qtmodeltester.check(view.board)


def test_panels_show_shot_order_until_something_is_cut_then_cut_order(board, qtbot):
    session, view, ids = board
    assert codes(view) == ["1", "2"]
    panel = view.board.index(0).data(PanelRole)
    assert [name for name, _ in panel["stills"]] == ["A", "B"] and all(rel for _, rel in panel["stills"])
    assert panel["money"] == "0.50 USD"  # two finished jobs of 360 GPU s at 2.50 an hour
    assert panel["status"] == "draft" and not panel["in_cut"] and panel["duration"] == "4.0 s"
    session.push(st.insert_shot(session.project, ids["s2"], duration=12))
    session.push(st.insert_shot(session.project, ids["s1"], duration=24))
    settle(qtbot, session)
    assert codes(view) == ["2", "1"]
    assert view.board.index(0).data(PanelRole)["duration"] == "0.5 s"
    view.grab()  # paints every panel without error


def test_dragging_a_panel_reorders_shots_in_one_undo_step(board, qtbot):
    session, view, ids = board
    assert view.board.dropMimeData(shot_mime(ids["s2"]), None, 0, 0, QModelIndex())
    settle(qtbot, session)
    assert codes(view) == ["2", "1"] and shots.shot_order(session.project) == [ids["s2"], ids["s1"]]
    session.undo_stack.undo()
    settle(qtbot, session)
    assert codes(view) == ["1", "2"] and shots.shot_order(session.project) == [ids["s1"], ids["s2"]]


def test_dragging_a_cut_shot_moves_its_clip_too(board, qtbot):
    session, view, ids = board
    session.push(st.insert_shot(session.project, ids["s1"], duration=24))
    session.push(st.insert_shot(session.project, ids["s2"], duration=12))
    settle(qtbot, session)
    count = session.undo_stack.count()
    assert view.board.dropMimeData(shot_mime(ids["s1"]), None, 2, 0, QModelIndex())
    settle(qtbot, session)
    assert codes(view) == ["2", "1"]
    clips = st.load_timeline(session.project).track(1).items
    assert [c.shot_id for c in clips if isinstance(c, Clip)] == [ids["s2"], ids["s1"]]
    assert session.undo_stack.count() == count + 1
    session.undo_stack.undo()
    settle(qtbot, session)
    assert codes(view) == ["1", "2"]
    assert [c.shot_id for c in st.load_timeline(session.project).track(1).items] == [ids["s1"], ids["s2"]]
