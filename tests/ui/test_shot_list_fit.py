"""On a 1366-px screen the shot list keeps room for each shot's code beside its thumbnail (#21:
the Status and Spent columns took the dock and left the code column blank)."""

from __future__ import annotations

from director.store import cameras
from tests.ui.test_timeline_fixtures import make_take


def test_the_shot_code_stays_readable_in_the_default_layout_at_1366(window, project_file, qtbot):
    window.resize(1366, 738)
    window.new_project(project_file)
    project = window.session.project
    shot_id = window.panel("shots").add_shot("12A")
    make_take(project, shot_id, cameras.list_cameras(project, shot_id)[0].id, (200, 30, 30), frames=24)
    window.reset_layout()
    window._default_dock_sizes()
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)
    qtbot.wait(50)
    shot_list = window.panel("shots")
    view = shot_list.view
    header = view.header()
    needed = view.iconSize().width() + view.fontMetrics().horizontalAdvance("12A") + view.indentation() + 8
    assert header.sectionSize(0) >= needed, (header.sectionSize(0), needed, window.dock("shots").width())
    model = shot_list.model
    group = model.index(0, 0)
    assert model.rowCount(group) == 1, [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    index = model.index(0, 2, group)
    assert "Spent" in model.data(index, 3)  # the tooltip gives the amount whole
    status = shot_list.model.index(0, 1, shot_list.model.index(0, 0))
    assert shot_list.model.data(status, 3) == "Status: draft"
