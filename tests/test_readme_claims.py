"""The README's keyboard table and undo claims, checked against the real window (offscreen), so the
README cannot drift from the app: every window shortcut it lists is a QAction with that key whose
name matches the README's words, and the timeline's Delete keys do what the README says."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def key_table() -> list[tuple[str, str]]:
    """(keys, what) for each row of the '| keys | what |' table."""
    lines = README.split("| keys | what |", 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        keys, what = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((keys, what))
    return rows


def window_rows() -> list[tuple[str, str]]:
    """Rows of window-wide shortcuts: 'Ctrl+N / Ctrl+O / Ctrl+W' with 'new, open, close project'."""
    return [(k, w) for k, w in key_table() if ":" not in k and "…" not in k]


def pairs(keys: str, what: str) -> list[tuple[str, str]]:
    """Each key with its own words: keys split on '/', words on '/' (or ',' when the keys have no
    '/' words to match)."""
    ks = [k.strip() for k in keys.split("/")]
    ws = [w.strip() for w in (what.split("/") if "/" in what else what.split(","))]
    assert len(ks) == len(ws), f"README row {keys!r} has {len(ks)} keys but {len(ws)} meanings: {what!r}"
    return list(zip(ks, ws))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower().replace("&", "")) if len(w) >= 3 and w not in {"the", "for", "and"}}


@pytest.fixture
def window(qtbot):
    """The real main window with no project (as tests/ui/conftest.py makes it)."""
    from director.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def actions(window):
    """Every QAction of the window (menus, panels' toggles, the export menu) by its shortcuts."""
    found: dict[str, list[QAction]] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            found.setdefault(seq.toString(QKeySequence.SequenceFormat.PortableText), []).append(action)
    return found


def test_the_readme_has_a_key_table_with_the_window_rows():
    keys = " ".join(k for k, _ in window_rows())
    for expected in ("Ctrl+N", "Ctrl+Z", "Ctrl+G", "Ctrl+E"):
        assert expected in keys


@pytest.mark.parametrize("keys, what", window_rows())
def test_each_window_shortcut_in_the_readme_is_a_real_action_named_alike(actions, keys, what):
    for key, meaning in pairs(keys, what):
        found = actions.get(QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText), [])
        assert found, f"README says {key} does {meaning!r}, but no action of the window has {key}"
        names = set().union(*(_words(a.text() + " " + a.statusTip()) for a in found))
        assert _words(meaning) & names, f"README says {key} is {meaning!r}; the window's {key} is {[a.text() for a in found]}"


def test_ctrl_digits_show_the_panels_as_the_readme_says(window, actions):
    row = next((k, w) for k, w in key_table() if k.startswith("Ctrl+1…"))
    assert "panel" in row[1]
    docks = {d.toggleViewAction() for d in window.docks.values()}
    for n in "1234567890":
        assert any(a in docks for a in actions.get(f"Ctrl+{n}", [])), f"Ctrl+{n} shows no panel"


def test_the_timeline_delete_keys_do_what_the_readme_says(qtbot, tmp_path):
    keys, what = next((k, w) for k, w in key_table() if k.startswith("timeline:"))
    meaning = dict(zip([k.strip() for k in keys.removeprefix("timeline:").split(",")], [w.strip() for w in what.split(",")]))
    assert meaning["Delete"].startswith("lift") and meaning["Shift+Delete"].startswith("ripple delete")

    sys.path.insert(0, str(ROOT / "tests" / "ui"))
    try:
        from test_timeline_fixtures import film
        from test_timeline_view import fill
    finally:
        sys.path.remove(str(ROOT / "tests" / "ui"))
    from director.core.timeline import Gap
    from director.ui.timeline_view import TimelineView
    from director.ui.undo import ProjectSession

    project, ids = film(tmp_path)
    try:
        session = ProjectSession(project)
        view = TimelineView(session)
        view.resize(900, 260)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
        first, second = fill(view, qtbot, session, ids)
        length = view.timeline.duration
        view.select(first)
        with qtbot.waitSignal(view.cut_changed):
            qtbot.keyClick(view, Qt.Key.Key_Delete)  # README: lift, leaving a gap
        assert isinstance(view.timeline.track(1).items[0], Gap) and view.timeline.duration == length
        view.select(second)
        with qtbot.waitSignal(view.cut_changed):
            qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)  # README: ripple delete
        assert second not in [i.id for i in view.timeline.track(1).items] and view.timeline.duration < length
    finally:
        project.close()


def test_the_readme_says_what_is_not_undoable():
    """Settings, the time log and queue actions are plain writes in the code (no QUndoCommand);
    promote, extend, image-to-video and re-render make jobs. The README must say so, not claim
    that every edit is undoable."""
    assert "Every edit is undoable" not in README
    said = README.split("Not undoable:", 1)[1].split("\n\n", 1)[0].replace("\n", " ")
    for thing in ("Settings", "time log", "queue actions", "promote", "extend", "image-to-video", "re-render"):
        assert thing in said, thing
    import inspect

    from director.ui import queue_panel, settings_dialog, time_log_dialog

    for module in (settings_dialog, time_log_dialog, queue_panel):  # the code agrees: no undo stack there
        assert "session.push(" not in inspect.getsource(module), module.__name__
