"""One truth (#13): every panel of the window shows the same chosen take and the same money per shot.

The shot list, the storyboard, the timeline and the program viewer read which take a shot shows
from `store.choice`; the shot list, the storyboard and the Costs panel read what a shot cost from
`ledger.spend_by_shot`. Before, the shot list had its own SQL for both (a rejected take could be a
shot's thumbnail; money left out expenses) and the storyboard its own sum of job money.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from test_timeline_fixtures import GREEN, RED, make_take

from director.core.cost import format_money
from director.store import edits, expenses, ledger, shots, takes
from director.store import timeline as st
from director.store.cameras import list_cameras
from director.store.choice import chosen_takes
from director.store.project import Project
from director.ui.models.cost_model import COL_MONEY
from director.ui.storyboard_view import PanelRole


@pytest.fixture
def film_file(tmp_path):
    """Shot 1: an older 5★ take and a newer 1★ take on camera A, plus an expense in USD and one in
    EUR. Shot 2: its only take rejected. Both shots on the cut."""
    project = Project.create(tmp_path / "film", width=128, height=96)
    s1, _ = shots.add_shot(project, "1", "Rooftop", cameras=("A",))
    s2, _ = shots.add_shot(project, "2", "Street", cameras=("A",))
    (a1,) = [c.id for c in list_cameras(project, s1.id)]
    (a2,) = [c.id for c in list_cameras(project, s2.id)]
    old = make_take(project, s1.id, a1, RED, flag=None)
    new = make_take(project, s1.id, a1, GREEN, flag=None)
    takes.set_take_fields(project, old, rating=5)
    takes.set_take_fields(project, new, rating=1)
    rejected = make_take(project, s2.id, a2, GREEN, flag="rejected")
    expenses.add_expense(project, s1.id, "1.00", note="location fee")
    expenses.add_expense(project, s1.id, "5.00", currency="EUR", note="paid in euros: never added to USD")
    st.insert_shot(project, s1.id, duration=24).apply(project)
    st.insert_shot(project, s2.id, duration=24).apply(project)
    ids = {"s1": s1.id, "s2": s2.id, "old": old, "new": new, "rejected": rejected}
    path = project.path
    project.close()
    return path, ids


def on_screen(window, qtbot) -> None:
    """Bring the panels that work only while shown to the front (the storyboard, the program viewer,
    the Costs panel) and wait until every panel has caught up."""
    for name in ("storyboard", "program", "costs"):
        window.show_panel(name)
    qtbot.waitUntil(lambda: not window.busy(), timeout=5000)


def shown_takes(window, qtbot, shot_id: int) -> dict[str, int | None]:
    """The take each panel shows for a shot (camera A's, for the per-camera panels)."""
    on_screen(window, qtbot)
    shot_list = window.panel("shots").model
    board = window.panel("storyboard").board
    timeline = window.panel("timeline")
    program = window.panel("program")
    panel = next(board.index(r).data(PanelRole) for r in range(board.rowCount()) if board.index(r).data(PanelRole)["shot_id"] == shot_id)
    clip = next(gi.item for gi in timeline._items.values() if getattr(gi.item, "shot_id", None) == shot_id)
    segment = next(s for s in program.cut.segments if s.clip_id == clip.id)
    return {
        "shot list": shot_list.data(shot_list.shot_index(shot_id), shot_list.ChosenTakeRole),
        "storyboard": panel["take_ids"][0],
        "timeline": timeline.clip_info(clip)["take_id"],
        "program": segment.take_id,
        "store.choice": chosen_takes(window.session.project).get(shot_id),
    }


def test_every_panel_shows_the_same_chosen_take(window, film_file, qtbot):
    path, ids = film_file
    assert window.open_project(path)
    # The older 5★ take beats the newer 1★ one everywhere.
    assert set(shown_takes(window, qtbot, ids["s1"]).values()) == {ids["old"]}, shown_takes(window, qtbot, ids["s1"])
    # A shot whose only take is rejected shows none anywhere (the shot list used to show the reject).
    assert set(shown_takes(window, qtbot, ids["s2"]).values()) == {None}, shown_takes(window, qtbot, ids["s2"])
    model = window.panel("shots").model
    assert model.data(model.shot_index(ids["s2"]), Qt.ItemDataRole.DecorationRole) is None

    # The director rates the newer take 5★ too: now the newest of the best wins, in every panel.
    assert window.session.push(edits.SetTakeFields(ids["new"], rating=5))
    assert set(shown_takes(window, qtbot, ids["s1"]).values()) == {ids["new"]}, shown_takes(window, qtbot, ids["s1"])
    # …and rejecting it hands the shot back to the older take everywhere.
    assert window.session.push(edits.SetTakeFields(ids["new"], flag="rejected"))
    assert set(shown_takes(window, qtbot, ids["s1"]).values()) == {ids["old"]}, shown_takes(window, qtbot, ids["s1"])


def test_the_shot_list_thumbnail_is_the_chosen_takes_picture(window, film_file, qtbot):
    path, ids = film_file
    assert window.open_project(path)
    model = window.panel("shots").model
    qtbot.waitUntil(lambda: model.is_filled)  # which take each shot shows is read on the reads thread
    index = model.shot_index(ids["s1"])
    if model.data(index, Qt.ItemDataRole.DecorationRole) is None:
        with qtbot.waitSignal(model.dataChanged, timeout=5000):
            pass
    colour = model.data(index, Qt.ItemDataRole.DecorationRole).toImage().pixelColor(4, 4)
    assert (colour.red(), colour.green()) > (200, 60) and colour.green() < 60  # red: the 5★ take, not the green 1★


def spend_shown(window, qtbot, shot_id: int, code: str) -> dict[str, str]:
    on_screen(window, qtbot)
    shot_list = window.panel("shots").model
    board = window.panel("storyboard").board
    costs = window.panel("costs").model
    panel = next(board.index(r).data(PanelRole) for r in range(board.rowCount()) if board.index(r).data(PanelRole)["shot_id"] == shot_id)
    row = next(r for r in range(costs.rowCount()) if costs.group(r).key == code)
    currency = window.session.project.settings().currency
    return {
        "shot list": shot_list.data(shot_list.shot_index(shot_id, 2)),
        "storyboard": panel["money"],
        "costs panel": costs.data(costs.index(row, COL_MONEY)),
        "ledger": format_money(ledger.spend_by_shot(window.session.project)[shot_id], currency),
    }


def test_money_per_shot_is_the_same_in_every_panel(window, film_file, qtbot):
    path, ids = film_file
    assert window.open_project(path)
    assert ledger.spend_by_shot(window.session.project)[ids["s1"]] == Decimal("1.50")  # two jobs at 0.25 + 1.00; EUR apart
    assert set(spend_shown(window, qtbot, ids["s1"], "1").values()) == {"1.50 USD"}, spend_shown(window, qtbot, ids["s1"], "1")

    # A new expense reaches every panel the same way.
    _, changes = expenses.add_expense(window.session.project, ids["s1"], "0.25")
    window.session.announce(changes)
    assert set(spend_shown(window, qtbot, ids["s1"], "1").values()) == {"1.75 USD"}, spend_shown(window, qtbot, ids["s1"], "1")
    assert set(spend_shown(window, qtbot, ids["s2"], "2").values()) == {"0.25 USD"}, spend_shown(window, qtbot, ids["s2"], "2")
