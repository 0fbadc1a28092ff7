"""The Timeline panel's cut switcher: alternate cuts of one project (new, duplicate, rename, delete,
switch), each an undoable edit from `store.cuts` pushed on the project's undo stack.

The bar sits above the timeline's ruler. Which cut the timeline and the program viewer show is the
project's *current* cut (the one `director timeline switch` and every command use), so switching
here is a `SwitchCut` edit: Ctrl+Z switches back, and the choice is in the file for next time.
A deleted cut comes back row for row on undo, under its own ids.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from director.core.errors import DirectorError
from director.store import cuts
from director.ui.undo import ProjectSession


def _frames_text(frames: int, rate) -> str:
    return rate.timecode(frames) if frames else "empty"


class CutBar(QWidget):
    """`cut_switched(timeline_id)` after the current cut changed (here, by undo, or by a command)."""

    cut_switched = Signal(int)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cutBar")
        self.session = session
        self.project = session.project
        self._cuts: list[cuts.CutInfo] = []
        self._current: int | None = None

        label = QLabel("C&ut:", self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("cutCombo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumContentsLength(14)
        self.combo.setToolTip("Which cut the timeline and the program viewer show (undoable)")
        self.combo.activated.connect(self._on_activated)
        label.setBuddy(self.combo)

        self.new_action = self._action("&New Cut…", "Ctrl+Alt+C", self.ask_new, "Start an empty cut beside this one")
        self.duplicate_action = self._action("&Duplicate Cut…", "Ctrl+Alt+Shift+C", self.ask_duplicate, "Copy this cut to try another version")
        self.rename_action = self._action("&Rename Cut…", "Ctrl+Alt+R", self.ask_rename, "Rename this cut")
        self.delete_action = self._action("De&lete Cut", "Ctrl+Alt+X", lambda: self.delete_cut(), "Delete this cut (Undo brings it back)")
        self.next_action = self._action("Ne&xt Cut", "Ctrl+Alt+PgDown", lambda: self.step(1), "Show the next cut")
        self.previous_action = self._action("Pre&vious Cut", "Ctrl+Alt+PgUp", lambda: self.step(-1), "Show the previous cut")
        self.compare_action = QAction("Co&mpare Cuts…", self)
        self.compare_action.setStatusTip("Two cuts side by side: length, shots used, cost of the takes used")
        self.compare_action.setToolTip(self.compare_action.statusTip())
        self.compare_action.triggered.connect(lambda: self.compare_cuts())
        self.compare_dialog = None

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 1, 4, 1)
        layout.setSpacing(4)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        short = {self.new_action: "New", self.duplicate_action: "Duplicate", self.rename_action: "Rename", self.delete_action: "Delete",
                 self.compare_action: "Compare"}
        for action, text in short.items():
            action.setIconText(text)
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            layout.addWidget(button)
        self.info = QLabel(self)
        self.info.setObjectName("cutInfo")
        layout.addWidget(self.info)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(True)
        self.reload()

    def _action(self, text: str, shortcut: str, slot, tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        return action

    def actions_for_menu(self) -> list[QAction | None]:
        """The Timeline menu's cut entries (None: a separator)."""
        return [self.new_action, self.duplicate_action, self.rename_action, self.delete_action, None, self.next_action, self.previous_action,
                None, self.compare_action]

    # -- reading ---------------------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self._current

    def cut_names(self) -> list[str]:
        return [c.name for c in self._cuts]

    def current_name(self) -> str:
        return next((c.name for c in self._cuts if c.id == self._current), "")

    def reload(self) -> None:
        """Re-read the cuts (names, clip counts, which is current) into the combo."""
        previous = self._current
        self._cuts = cuts.list_cuts(self.project)
        self._current = next((c.id for c in self._cuts if c.current), self._cuts[0].id if self._cuts else None)
        rate = self.project.settings().rate
        self.combo.blockSignals(True)
        self.combo.clear()
        for c in self._cuts:
            self.combo.addItem(c.name, c.id)
            self.combo.setItemData(self.combo.count() - 1, f"{c.clips} clip{'s' if c.clips != 1 else ''}, {_frames_text(c.frames, rate)}",
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(max(0, self.combo.findData(self._current)))
        self.combo.blockSignals(False)
        current = next((c for c in self._cuts if c.id == self._current), None)
        self.info.setText(f"{current.clips} clip{'s' if current.clips != 1 else ''} · {_frames_text(current.frames, rate)}" if current else "")
        self._update_actions()
        if previous is not None and self._current != previous:
            self.cut_switched.emit(self._current)

    def _update_actions(self) -> None:
        writable = not self.project.readonly
        for action in (self.new_action, self.duplicate_action, self.rename_action):
            action.setEnabled(writable)
        self.delete_action.setEnabled(writable and len(self._cuts) > 1)
        for action in (self.next_action, self.previous_action):
            action.setEnabled(writable and len(self._cuts) > 1)
        self.combo.setEnabled(writable and len(self._cuts) > 1)
        self.compare_action.setEnabled(len(self._cuts) > 1)  # reading only: a read-only project compares too
        if self.project.readonly:
            self.combo.setToolTip("Read-only: the project's current cut is shown")

    # -- edits -----------------------------------------------------------------------------------

    def _free_name(self, base: str) -> str:
        names = {n.casefold() for n in self.cut_names()}
        if base.casefold() not in names:
            return base
        n = 2
        while f"{base} {n}".casefold() in names:
            n += 1
        return f"{base} {n}"

    def _ask(self, title: str, label: str, suggestion: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, label, text=suggestion)
        return name if ok and name.strip() else None

    def ask_new(self) -> None:
        name = self._ask("New Cut", "Name of the new, empty cut:", self._free_name("New cut"))
        if name is not None:
            self.new_cut(name)

    def ask_duplicate(self) -> None:
        name = self._ask("Duplicate Cut", f"Name of the copy of '{self.current_name()}':", self._free_name(f"{self.current_name()} copy"))
        if name is not None:
            self.duplicate_cut(name)

    def ask_rename(self) -> None:
        name = self._ask("Rename Cut", f"New name for '{self.current_name()}':", self.current_name())
        if name is not None:
            self.rename_cut(name)

    def new_cut(self, name: str) -> int | None:
        """An empty cut, switched to (one undo step); None if refused (the reason is said)."""
        name = name.strip()
        return self._push_new(cuts.new_cut(self.project, name))

    def duplicate_cut(self, name: str, source: int | None = None) -> int | None:
        """A copy of the current cut (or `source`), switched to; None if refused."""
        try:
            edit = cuts.duplicate_cut(self.project, source if source is not None else self._current, name.strip())
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return None
        return self._push_new(edit)

    def _push_new(self, edit: cuts.NewCut) -> int | None:
        return edit.timeline_id if self.session.push(edit) else None

    def rename_cut(self, name: str, timeline_id: int | None = None) -> bool:
        tid = timeline_id if timeline_id is not None else self._current
        old = next((c.name for c in self._cuts if c.id == tid), "")
        if tid is None or " ".join(name.split()) == old:
            return False
        return self.session.push(cuts.RenameCut(tid, name, text=f"Rename cut '{old}' to '{' '.join(name.split())}'"))

    def delete_cut(self, timeline_id: int | None = None) -> bool:
        """Delete a cut (the current one by default); Undo brings it back. The last cut stays."""
        tid = timeline_id if timeline_id is not None else self._current
        if tid is None:
            return False
        name = next((c.name for c in self._cuts if c.id == tid), "")
        return self.session.push(cuts.DeleteCut(tid, text=f"Delete cut '{name}'"))

    def switch_cut(self, timeline_id: int) -> bool:
        if timeline_id == self._current:
            return False
        name = next((c.name for c in self._cuts if c.id == timeline_id), "")
        return self.session.push(cuts.SwitchCut(timeline_id, text=f"Switch to cut '{name}'"))

    def step(self, delta: int) -> bool:
        ids = [c.id for c in self._cuts]
        if len(ids) < 2 or self._current not in ids:
            return False
        return self.switch_cut(ids[(ids.index(self._current) + delta) % len(ids)])

    def compare_cuts(self, cut_a: int | None = None, cut_b: int | None = None):
        """Open Compare Cuts (the current cut against another); returns the dialog."""
        from director.ui.cut_compare_dialog import CompareCutsDialog

        if self.compare_dialog is not None:
            self.compare_dialog.close()
        self.compare_dialog = CompareCutsDialog(self.session, self.window(), cut_a=cut_a, cut_b=cut_b)
        self.compare_dialog.setModal(False)
        self.compare_dialog.show()
        return self.compare_dialog

    def _on_activated(self, index: int) -> None:
        tid = self.combo.itemData(index)
        if tid is not None and not self.switch_cut(int(tid)):
            self.combo.setCurrentIndex(max(0, self.combo.findData(self._current)))  # refused: show the real one
