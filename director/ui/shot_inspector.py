"""The Shot panel: the current shot's status, target length, budgets and notes, and its script
(dialogue, and what the last screenplay re-import changed).

Every field is an undoable `SetShotFields` pushed through the session when it is committed (a
choice in the status box; Enter or leaving a field; Ctrl+Return or leaving the notes), so Ctrl+Z
takes back a status, a budget or a note like any other edit. Values are checked by the store
(`shots.clean_shot_fields`): a refusal says the rule and the field shows the stored value again.
A locked shot keeps its budget and length; only its status and notes can change.

It follows the workspace's shot like every other panel and refreshes from the ids a `Changes`
names.
"""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from director.core.cost import MAX_GPU_BUDGET_S
from director.core.enums import ShotStatus
from director.core.errors import DirectorError
from director.core.model import Shot
from director.store import edits
from director.store.shots import get_shot
from director.store.window_reads import ShotScript, shot_scripts
from director.ui.models.shots_model import dialogue_line
from director.ui.keyframe_strip import KeyframeStrip
from director.ui.undo import ProjectSession

STATUS_TIPS = {
    ShotStatus.DRAFT: "Being written and tried out",
    ShotStatus.REVIEW: "Ready for someone to look at",
    ShotStatus.APPROVED: "Signed off; still editable",
    ShotStatus.LOCKED: "Frozen: prompt, cameras, takes, budget and length cannot change and no new jobs start",
}
LOCKED_NOTE = ("Locked: its prompt, cameras, takes, budget and length are frozen and no new jobs start. "
               "Set the status back to approved to change them.")
SCRIPT_STATUS_TEXT = {
    "new": "From the screenplay, as imported.",
    "changed": "The screenplay changed for this shot at the last import:",
    "removed": "No longer in the screenplay; kept because the shot is locked.",
}


def diff_html(note: str) -> str:
    """A unified diff of script text, removed lines red and added lines green."""
    out = []
    for line in note.splitlines():
        if line.startswith(("---", "+++", "@@")):
            continue
        colour = "#e07070" if line.startswith("-") else "#70d080" if line.startswith("+") else "#b0b0b0"
        out.append(f"<div style='color:{colour};white-space:pre-wrap'>{html.escape(line)}</div>")
    return "".join(out) or "<i>no text difference recorded</i>"


def _number_text(value) -> str:
    """A stored figure as a person types it: 50 not 50.000000, 2.5 not 2.500."""
    if value is None:
        return ""
    text = f"{Decimal(str(value)).normalize():f}"
    return text


class ShotInspector(QWidget):
    """The current shot: status, target length, money and GPU budgets, notes, and its script."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self.shot: Shot | None = None
        self.script: ShotScript | None = None

        self.heading = QLabel(self)
        self.heading.setObjectName("inspectorHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.status_box = QComboBox(self)
        self.status_box.setObjectName("shotStatus")
        for status in ShotStatus:
            self.status_box.addItem(status.value, status.value)
            self.status_box.setItemData(self.status_box.count() - 1, STATUS_TIPS[status], Qt.ItemDataRole.ToolTipRole)
        self.status_box.setToolTip("draft → review → approved → locked; a locked shot is frozen and takes no new jobs")
        self.status_box.activated.connect(lambda _i: self.set_status(self.status_box.currentData()))
        self.target = QSpinBox(self)
        self.target.setObjectName("shotTarget")
        self.target.setRange(1, 10_000_000)
        self.target.setSuffix(" frames")
        self.target.setKeyboardTracking(False)
        self.target.setToolTip("How long the shot should run in the cut (Enter or leaving the field sets it)")
        self.target.editingFinished.connect(lambda: self.set_target(self.target.value()))
        self.target.valueChanged.connect(self._show_seconds)
        self.target_seconds = QLabel(self)
        self.budget = QLineEdit(self)
        self.budget.setObjectName("shotBudget")
        self.budget.setPlaceholderText("no cap")
        self.budget.setToolTip("The most this shot may spend; jobs that would pass it are refused. Empty: no cap.")
        self.budget.editingFinished.connect(lambda: self.set_budget(self.budget.text()))
        self.currency = QLabel(self)
        self.gpu_budget = QLineEdit(self)
        self.gpu_budget.setObjectName("shotGpuBudget")
        self.gpu_budget.setPlaceholderText("no cap")
        self.gpu_budget.setToolTip("The most GPU time this shot may use, in minutes. Empty: no cap.")
        self.gpu_budget.editingFinished.connect(lambda: self.set_gpu_budget(self.gpu_budget.text()))
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("shotNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("notes for this shot (Ctrl+Return or leaving the field keeps them)")
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)
        self.locked_note = QLabel(LOCKED_NOTE, self)
        self.locked_note.setObjectName("shotLockedNote")
        self.locked_note.setWordWrap(True)
        self.locked_note.setStyleSheet("QLabel { color: #8fb0ff; }")
        self.message = QLabel(self)
        self.message.setObjectName("shotMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("QLabel { color: #ff8080; }")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._buddy("&Status", self.status_box), self.status_box)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.target_seconds)
        form.addRow(self._buddy("&Length", self.target), target_row)
        budget_row = QHBoxLayout()
        budget_row.addWidget(self.budget, 1)
        budget_row.addWidget(self.currency)
        form.addRow(self._buddy("&Budget", self.budget), budget_row)
        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu_budget, 1)
        gpu_row.addWidget(QLabel("GPU minutes", self))
        form.addRow(self._buddy("&GPU budget", self.gpu_budget), gpu_row)
        form.addRow(self._buddy("&Notes", self.notes), self.notes)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.notes, self.commit_notes)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

        self.script_box = QGroupBox("Script", self)
        self.script_status = QLabel(self.script_box)
        self.script_status.setObjectName("scriptStatus")
        self.script_status.setWordWrap(True)
        self.script_diff = QTextBrowser(self.script_box)
        self.script_diff.setObjectName("scriptDiff")
        self.script_diff.setMaximumHeight(110)
        self.dialogue = QTextBrowser(self.script_box)
        self.dialogue.setObjectName("shotDialogue")
        sl = QVBoxLayout(self.script_box)
        sl.addWidget(self.script_status)
        sl.addWidget(self.script_diff)
        sl.addWidget(QLabel("Dialogue:", self.script_box))
        sl.addWidget(self.dialogue, 1)

        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.layout_.addWidget(self.heading)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.locked_note)
        self.layout_.addWidget(self.message)
        self.keyframe_box = QGroupBox("Keyframes", self)
        self.keyframes = KeyframeStrip(session, self.keyframe_box)
        QVBoxLayout(self.keyframe_box).addWidget(self.keyframes)
        self.layout_.addWidget(self.keyframe_box)
        self.layout_.addWidget(self.script_box, 1)
        self.layout_.addStretch(0)  # takes the room while a shot has no script, so the form stays compact
        session.changed.connect(self._on_changed)
        self.set_shot(None)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # -- shot ----------------------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        if shot_id != self.shot_id:
            self.commit_notes()  # a note typed for the old shot stays with it
            self.message.clear()
        self.shot_id = shot_id
        self.keyframes.set_shot(shot_id)
        self.reload()

    def reload(self) -> None:
        self.shot, self.script = None, None
        if self.shot_id is not None:
            try:
                self.shot = get_shot(self.session.project, self.shot_id)
                self.script = shot_scripts(self.session.project, [self.shot_id]).get(self.shot_id)
            except DirectorError:
                self.shot_id = None
        shot = self.shot
        self.heading.setText(f"<b>Shot {html.escape(shot.code)}</b> {html.escape(shot.title)}" if shot else "No shot selected")
        self._show_fields()
        self._show_script()

    def _show_fields(self) -> None:
        shot = self.shot
        project = self.session.project
        writable = shot is not None and not project.readonly
        frozen = shot is None or shot.locked or project.readonly
        for w in (self.status_box, self.target, self.budget, self.gpu_budget, self.notes):
            w.blockSignals(True)
        try:
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(shot.status.value)) if shot else 0)
            self.target.setValue(shot.target_frames if shot else 1)
            self.budget.setText(_number_text(shot.budget_money) if shot else "")
            self.gpu_budget.setText(_number_text(Decimal(repr(shot.budget_gpu_s)) / 60) if shot and shot.budget_gpu_s is not None else "")
            if shot is None or self.notes.toPlainText() != shot.notes:
                self.notes.setPlainText(shot.notes if shot else "")
        finally:
            for w in (self.status_box, self.target, self.budget, self.gpu_budget, self.notes):
                w.blockSignals(False)
        self._show_seconds()
        self.currency.setText(project.settings().currency)
        self.status_box.setEnabled(writable)
        self.notes.setReadOnly(not writable)
        self.notes.setEnabled(shot is not None)
        for w in (self.target, self.budget, self.gpu_budget):
            w.setEnabled(not frozen)
        self.locked_note.setVisible(shot is not None and shot.locked)

    def _show_seconds(self, *_args) -> None:
        rate = self.session.project.settings().rate
        self.target_seconds.setText(f"= {self.target.value() / rate.fps:.2f} s at {rate.fps:g} fps")

    # -- edits -----------------------------------------------------------------------------------

    def _push(self, values: dict, text: str) -> bool:
        """One undoable SetShotFields; a refusal is said here and the stored value shown again."""
        if self.shot is None or self.session.project.readonly:
            return False
        self.message.clear()
        reasons: list[str] = []

        def keep(reason: str) -> None:
            reasons.append(reason)

        self.session.error_raised.connect(keep)  # the store's reason, also said in the status bar
        try:
            ok = self.session.push(edits.SetShotFields(self.shot.id, values, text=text))
        finally:
            self.session.error_raised.disconnect(keep)
        if not ok:
            self.message.setText("; ".join(reasons))
            self.reload()
        return ok

    def set_status(self, status: str) -> bool:
        if self.shot is None or status == self.shot.status.value:
            return False
        return self._push({"status": status}, f"Set shot {self.shot.code} to {status}")

    def set_target(self, frames: int) -> bool:
        if self.shot is None or int(frames) == self.shot.target_frames:
            return False
        return self._push({"target_frames": int(frames)}, f"Set shot {self.shot.code} length to {int(frames)} frames")

    def set_budget(self, text: str) -> bool:
        """The money cap in the project's currency; empty clears it."""
        if self.shot is None:
            return False
        text = text.strip()
        if text == _number_text(self.shot.budget_money):
            return False
        what = f"Set shot {self.shot.code} budget to {text} {self.session.project.settings().currency}" if text else f"Clear shot {self.shot.code} budget"
        return self._push({"budget_money": text}, what)

    def set_gpu_budget(self, minutes: str) -> bool:
        """The GPU-time cap in minutes (stored in seconds); empty clears it."""
        if self.shot is None:
            return False
        text = minutes.strip()
        current = _number_text(Decimal(repr(self.shot.budget_gpu_s)) / 60) if self.shot.budget_gpu_s is not None else ""
        if text == current:
            return False
        if not text:
            return self._push({"budget_gpu_s": ""}, f"Clear shot {self.shot.code} GPU budget")
        try:
            minutes_value = Decimal(text)
        except ArithmeticError:
            minutes_value = Decimal("NaN")
        most = Decimal(MAX_GPU_BUDGET_S) / 60
        if not minutes_value.is_finite() or not 0 < minutes_value <= most:
            # Said in minutes, the unit of the field (the store's rule is in seconds).
            self.message.setText(f"a shot's GPU budget is a number of minutes, more than 0 and at most {most:,.0f}, "
                                 f"got {text!r}; clear the field for no cap")
            self.reload()
            return False
        seconds = minutes_value * 60
        return self._push({"budget_gpu_s": str(seconds)}, f"Set shot {self.shot.code} GPU budget to {text} minutes")

    def commit_notes(self) -> bool:
        if self.shot is None or self.session.project.readonly or self.notes.toPlainText() == self.shot.notes:
            return False
        return self._push({"notes": self.notes.toPlainText()}, f"Edit notes of shot {self.shot.code}")

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is self.notes and new is not self.notes:
            self.commit_notes()

    def _show_script(self) -> None:
        script = self.script
        imported = script is not None and script.from_script
        self.script_box.setVisible(imported)
        self.layout_.setStretch(self.layout_.count() - 1, 0 if imported else 1)
        if not imported:
            self.script_status.clear()
            self.script_diff.clear()
            self.dialogue.clear()
            return
        self.script_status.setText(SCRIPT_STATUS_TEXT.get(script.status or "", "From the screenplay."))
        changed = script.status == "changed"
        self.script_status.setStyleSheet("QLabel { color: #e0963c; }" if script.status in ("changed", "removed") else "")
        self.script_diff.setVisible(changed)
        self.script_diff.setHtml(diff_html(script.note) if changed else "")
        lines = [dialogue_line(d) for d in script.dialogue]
        self.dialogue.setHtml("".join(f"<p>{html.escape(line)}</p>" for line in lines) or "<i>No dialogue in this shot.</i>")

    def dialogue_text(self) -> str:
        return self.dialogue.toPlainText()

    def diff_text(self) -> str:
        return self.script_diff.toPlainText()

    def _on_changed(self, changes) -> None:
        if self.shot_id is not None and (self.shot_id in changes.shots or changes.shot_order or changes.project):
            self.reload()
