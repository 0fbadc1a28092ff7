"""Timeline ▸ Compare Cuts… (#18): two cuts side by side from the cut bar, read off the UI thread."""

from __future__ import annotations

from test_timeline_fixtures import film

from director.store import cuts
from director.store import timeline as st


def test_compare_cuts_from_the_cut_bar_shows_length_shots_and_cost(window, tmp_path, qtbot):
    project, ids = film(tmp_path)
    st.insert_shot(project, ids["s1"], duration=48).apply(project)
    dup = cuts.duplicate_cut(project, None, "Longer")
    dup.apply(project)
    st.insert_shot(project, ids["s2"], duration=24, timeline_id=dup.timeline_id).apply(project)
    path = project.path
    project.close()

    assert window.open_project(path)
    bar = window.panel("timeline").cut_bar
    assert bar.compare_action in window.timeline_menu.actions() and bar.compare_action.isEnabled()
    bar.compare_action.trigger()
    dialog = bar.compare_dialog
    qtbot.waitUntil(lambda: dialog.comparison is not None, timeout=5000)
    found = dialog.comparison
    assert (found.a.name, found.b.name) == ("Longer", "Cut")  # the current cut against another
    assert (found.a.frames, found.b.frames) == (72, 48)
    table = dialog.table
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert labels[:5] == ["Length", "Shots used", "Takes shown", "Cost of the takes shown", "Spent on the shots used"]
    assert table.item(1, 0).text() == "2" and table.item(1, 1).text() == "1"
    assert "24 frames shorter" in dialog.status.text()

    # Choosing the other way round compares again.
    dialog.a_box.setCurrentIndex(dialog.a_box.findText("Cut"))
    dialog.b_box.setCurrentIndex(dialog.b_box.findText("Longer"))
    qtbot.waitUntil(lambda: dialog.comparison.a.name == "Cut" and dialog.comparison.b.name == "Longer", timeout=5000)
    assert "24 frames longer" in dialog.status.text()
    dialog.close()
