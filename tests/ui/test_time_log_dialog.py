"""Log Time: manual entries typed in the dialog, refusals that write nothing, corrections in place,
deletes, the model under qtmodeltester, and a read-only project that offers no editing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from director.core.changes import Changes
from director.store import ledger, shots, timelog
from director.store.project import Project
from director.ui.cost_dashboard import CostDashboard
from director.ui.models.cost_model import RAW_ROLE as COST_RAW, CostModel
from director.ui.models.time_model import COL_MINUTES, COL_NOTE, COL_SHOT, COL_SOURCE, ID_ROLE, RAW_ROLE, TimeModel, duration_text, parse_minutes_cell
from director.ui.time_log_dialog import TimeLogDialog, open_time_log
from director.ui.undo import ProjectSession


@pytest.fixture
def film(tmp_path):
    p = Project.create(tmp_path / "time.director")
    a, _ = shots.add_shot(p, "1A", "Harbour at dawn")
    b, _ = shots.add_shot(p, "2A")
    timelog.log_time(p, a.id, 600, source="auto", started_at="2025-01-01T10:00:00.000+00:00")
    timelog.log_time(p, b.id, 1200, source="manual", note="blocking", started_at="2025-01-02T10:00:00.000+00:00")
    timelog.log_time(p, None, 300, source="auto", started_at="2025-01-03T10:00:00.000+00:00")
    yield p, a.id, b.id
    p.close()


@pytest.fixture
def dialog(film, qtbot):
    p, a, _ = film
    session = ProjectSession(p)
    d = TimeLogDialog(session, a)
    qtbot.addWidget(d)
    d.show()
    yield d


def time_rows(p):
    return timelog.list_time(p)


def type_entry(qtbot, d, shot_id, duration, note=""):
    qtbot.mouseClick(d.add_button, Qt.MouseButton.LeftButton)
    assert d.editor.isVisible()
    d.shot_combo.setCurrentIndex(d.shot_combo.findData(shot_id))
    qtbot.keyClicks(d.duration, duration)
    if note:
        qtbot.keyClicks(d.note, note)
    qtbot.mouseClick(d.log_button, Qt.MouseButton.LeftButton)


def test_shows_every_entry_newest_first_and_filters_to_the_current_shot(dialog, film):
    p, a, _ = film
    m = dialog.model
    assert m.rowCount() == 3
    whens = [m.index(r, 0).data(RAW_ROLE) for r in range(3)]
    assert whens == sorted(whens, reverse=True)
    assert [m.index(r, COL_SHOT).data() for r in range(3)] == ["(project)", "2A", "1A"]
    assert [m.index(r, COL_SOURCE).data() for r in range(3)] == ["auto", "manual", "auto"]
    assert m.index(1, COL_MINUTES).data() == "20.0"
    assert m.index(1, COL_NOTE).data() == "blocking"
    dialog.this_shot.setChecked(True)
    assert m.rowCount() == 1 and m.index(0, COL_SHOT).data(RAW_ROLE) == a
    assert "1 entry" in dialog.summary.text()
    dialog.this_shot.setChecked(False)
    assert m.rowCount() == 3


def test_typed_manual_entry_is_written_announced_and_shown(dialog, film, qtbot):
    p, a, b = film
    announced: list[Changes] = []
    dialog.session.changed.connect(announced.append)
    with qtbot.waitSignal(dialog.time_changed) as sig:
        type_entry(qtbot, dialog, b, "1h30m", "grading")
    new = [r for r in time_rows(p) if r["note"] == "grading"]
    assert len(new) == 1
    assert new[0]["source"] == "manual" and new[0]["seconds"] == 5400.0 and new[0]["shot_id"] == b
    assert sig.args[0].time_log and sig.args[0].costs
    assert announced and announced[-1].time_log and announced[-1].costs
    assert not dialog.editor.isVisible() and dialog.error_text() == ""
    assert dialog.model.rowCount() == 4
    assert dialog.selected_ids() == [new[0]["id"]]


def test_add_defaults_to_the_current_shot(dialog, film, qtbot):
    p, a, _ = film
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.shot_combo.currentData() == a
    qtbot.keyClicks(dialog.duration, "1:30:00")
    assert "1h30m" in dialog.duration_preview.text()
    dialog.duration.returnPressed.emit()
    assert [r["seconds"] for r in time_rows(p) if r["shot_id"] == a and r["source"] == "manual"] == [5400.0]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("banana", "not a duration"), ("0m", "more than 0"), ("25h", "at most 24 hours"), ("", "give a duration")],
)
def test_bad_duration_is_refused_with_the_stores_message_and_nothing_written(dialog, film, qtbot, typed, message):
    p, a, _ = film
    before = time_rows(p)
    announced: list[Changes] = []
    dialog.session.changed.connect(announced.append)
    with qtbot.assertNotEmitted(dialog.time_changed):
        type_entry(qtbot, dialog, a, typed)
    assert message in dialog.error_text()
    assert dialog.error.isVisible()
    assert dialog.editor.isVisible()  # the typed entry stays, to be fixed
    assert time_rows(p) == before and not announced
    dialog.duration.clear()
    qtbot.keyClicks(dialog.duration, "25m")
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text() == ""
    assert len(time_rows(p)) == len(before) + 1


def test_editing_a_duration_updates_the_store_and_the_ledger_totals(dialog, film, qtbot):
    p, _, b = film
    dashboard = CostDashboard(dialog.session)  # follows the session's changes, as in the window
    qtbot.addWidget(dashboard)
    with qtbot.waitSignal(dashboard.refreshed):
        dashboard.show()
    entry = next(r for r in time_rows(p) if r["shot_id"] == b)
    before = ledger.totals(p)
    assert before.human_s == 2100 and before.manual_s == 1200
    row = dialog.model.row_of(entry["id"])
    index = dialog.model.index(row, COL_MINUTES)
    assert index.data(Qt.ItemDataRole.EditRole) == "20m"

    # typed into the cell through the view's editor, as a user does
    dialog.table.setCurrentIndex(index)
    dialog.table.edit(index)
    editor = dialog.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "45")  # a bare number in the minutes column is minutes
    with qtbot.waitSignal(dashboard.refreshed), qtbot.waitSignal(dialog.time_changed):
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    assert timelog.list_time(p, b)[0]["seconds"] == 2700.0
    after = ledger.totals(p)
    assert after.human_s == before.human_s + 1500 and after.manual_s == 2700
    assert dialog.model.index(dialog.model.row_of(entry["id"]), COL_MINUTES).data() == "45.0"
    # the dashboard refreshed from the announcement, and its human hours equal the ledger's
    shown = sum(dashboard.model.data(dashboard.model.index(r, 6), COST_RAW) for r in range(dashboard.model.rowCount()))
    assert shown == pytest.approx(after.human_s / 3600)
    cost = CostModel(p, "shot")
    assert dashboard.model.totals() == cost.totals()

    assert dialog.edit_entry(entry["id"], duration="1h", note="blocking + notes")
    row = timelog.list_time(p, b)[0]
    assert row["seconds"] == 3600.0 and row["note"] == "blocking + notes"
    assert ledger.totals(p).human_s == before.human_s + 2400


def test_a_bad_correction_is_refused_and_writes_nothing(dialog, film):
    p, _, b = film
    entry = next(r for r in time_rows(p) if r["shot_id"] == b)
    before = time_rows(p)
    assert not dialog.edit_entry(entry["id"], duration="30h")
    assert "at most 24 hours" in dialog.error_text()
    assert not dialog.edit_entry(entry["id"], duration="soon")
    assert "not a duration" in dialog.error_text()
    assert time_rows(p) == before


def test_delete_an_entry_after_confirming(dialog, film, qtbot, monkeypatch):
    p, _, b = film
    entry = next(r for r in time_rows(p) if r["shot_id"] == b)
    assert dialog.select_entry(entry["id"])
    assert dialog.delete_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert dialog.delete_selected() == 0 and len(time_rows(p)) == 3
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.time_changed):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert entry["id"] not in [r["id"] for r in time_rows(p)]
    assert dialog.model.rowCount() == 2
    assert ledger.totals(p).manual_s == 0


def test_time_model_passes_qtmodeltester(film, qtmodeltester):
    p, a, _ = film
    session = ProjectSession(p)
    model = TimeModel(session)
    qtmodeltester.check(model, force_py=True)
    model.set_shot_filter(a)
    assert model.rowCount() == 1
    timelog.log_time(p, a, 60)
    session.announce(Changes(time_log=True, costs=True))
    assert model.rowCount() == 2
    model.set_shot_filter(None)
    first = model.index(0, 0).data(ID_ROLE)
    assert model.setData(model.index(0, COL_NOTE), "checked")
    assert model.index(0, COL_NOTE).data() == "checked" and model.index(0, 0).data(ID_ROLE) == first


def test_read_only_project_disables_editing(film, qtbot):
    p, a, _ = film
    p.close()
    ro = Project.open(p.path, readonly=True)
    try:
        d = TimeLogDialog(ProjectSession(ro), a)
        qtbot.addWidget(d)
        d.show()
        assert d.model.rowCount() == 3
        assert not d.add_button.isEnabled()
        d.start_add()
        assert not d.editor.isVisible()
        d.table.selectRow(0)
        assert not d.delete_button.isEnabled()
        index = d.model.index(0, COL_MINUTES)
        assert not (d.model.flags(index) & Qt.ItemFlag.ItemIsEditable)
        assert not d.model.setData(index, "5m")
    finally:
        ro.close()


def test_open_time_log_reuses_the_dialog_and_follows_the_shot(film, qtbot):
    from PySide6.QtWidgets import QWidget

    p, a, b = film
    parent = QWidget()
    qtbot.addWidget(parent)
    session = ProjectSession(p)
    first = open_time_log(parent, session, a)
    assert first.isVisible() and not first.isModal()
    again = open_time_log(parent, session, b)
    assert again is first and again.shot_id == b


def test_duration_text_round_trips():
    for seconds in (45, 1500, 5400, 5415, 86400):
        assert timelog.parse_duration(duration_text(seconds)) == seconds
    assert parse_minutes_cell("25") == 1500 and parse_minutes_cell("25m") == 1500 and parse_minutes_cell("1:00:00") == 3600
