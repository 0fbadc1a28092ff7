"""The prompt editor: structured fields, the composed prompt live, look presets, versions.

Typing does not write a version per keystroke. The fields commit as one new prompt version (an
undoable WritePrompt) when the user leaves the editor, presses Ctrl+Return, switches shot, or
generates; an unchanged prompt writes nothing. Versions are immutable, so history, diff and
restore (RestorePromptVersion) are all reads plus one pointer edit.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError
from director.core.model import Prompt
from director.core.prompt import PromptFields, diff_fields
from director.store import edits
from director.store.edits import SaveLook
from director.store.looks import list_looks
from director.store.prompts import current_prompt, get_prompt, prompt_history
from director.store.shots import get_shot
from director.ui.dock_fit import wrap_within
from director.ui.undo import ProjectSession

LABELS = {
    "subject": "Subject",
    "action": "Action",
    "setting": "Setting",
    "shot_size": "Shot size",
    "angle": "Angle",
    "movement": "Movement",
    "lens": "Lens",
    "lighting": "Lighting",
    "look": "Look",
    "negative": "Negative",
    "free_text": "Free text",
}
PLACEHOLDERS = {
    "subject": "who or what: an old lighthouse keeper in a yellow oilskin",
    "action": "what happens: climbs the spiral stairs",
    "setting": "where and when: inside a stone lighthouse at dusk",
    "shot_size": "wide, medium, close-up…",
    "angle": "eye level, low angle, overhead…",
    "movement": "static, slow push in, handheld…",
    "lens": "24mm, 50mm, 85mm…",
    "lighting": "warm lantern light",
    "look": "film stock, grade, grain",
    "negative": "what to avoid: text, watermark",
    "free_text": "anything else, appended last",
}


SAVE_LOOK = "save"  # the combo's last item: store the Look field as a new preset


def diff_html(old: PromptFields, new: PromptFields, old_label: str, new_label: str) -> str:
    """Changed fields only, old struck through in red, new in green."""
    changes = diff_fields(old, new)
    if not changes:
        return f"<p><i>{html.escape(old_label)} and {html.escape(new_label)} are the same.</i></p>"
    out = [f"<p><b>{html.escape(old_label)} → {html.escape(new_label)}</b></p><table cellspacing='4'>"]
    for name, a, b in changes:
        out.append(
            f"<tr><td><b>{LABELS.get(name, name)}</b></td>"
            f"<td><span style='color:#e07070;text-decoration:line-through'>{html.escape(a) or '∅'}</span></td>"
            f"<td><span style='color:#70d080'>{html.escape(b) or '∅'}</span></td></tr>"
        )
    out.append("</table>")
    return "".join(out)


class PromptEditor(QWidget):
    """Edits the current shot's prompt. `prompt_committed(prompt_id)` after a version is written."""

    prompt_committed = Signal(int)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self._current: Prompt | None = None
        self._loading = False

        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in PromptFields.names():
            if name == "free_text":
                widget: QLineEdit | QPlainTextEdit = QPlainTextEdit(self)
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(widget.fontMetrics().lineSpacing() * 3 + 12)
                widget.textChanged.connect(self._on_field_edited)
            else:
                widget = QLineEdit(self)
                widget.textEdited.connect(self._on_field_edited)
            widget.setObjectName(f"prompt_{name}")
            widget.setPlaceholderText(PLACEHOLDERS[name])
            self.edits[name] = widget
            if name == "look":
                self.look_combo = QComboBox(self)
                self.look_combo.setObjectName("lookPresetCombo")
                # Sized for "Look preset…", not the longest look name: the Look field keeps the room.
                self.look_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                self.look_combo.setMinimumContentsLength(6)
                self.look_combo.setToolTip("Apply a look preset stored in this project")
                self.look_combo.activated.connect(self._on_look_chosen)
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                row.addWidget(self.look_combo)
                form.addRow(f"&{LABELS[name]}", row)
                # a row with a layout has no buddy from the &-label; set it so Alt+L works
                label = form.labelForField(row)
                if isinstance(label, QLabel):
                    label.setBuddy(widget)
            else:
                form.addRow(f"&{LABELS[name]}" if name in ("subject", "action", "setting") else LABELS[name], widget)

        self.composed = QLabel(self)
        self.composed.setObjectName("composedPrompt")
        wrap_within(self.composed)  # a 300-character word must not widen the dock (issue #21)
        self.composed.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.composed.setStyleSheet("QLabel { background: palette(base); padding: 6px; }")
        self.status = wrap_within(QLabel(self))  # a long warning wraps beside the buttons
        self.status.setObjectName("promptStatus")
        self.commit_button = QPushButton("Commit Version", self)
        self.commit_button.setToolTip("Write these fields as a new prompt version (Ctrl+Return)")
        self.commit_button.clicked.connect(self.commit)
        self.revert_button = QPushButton("Revert", self)
        self.revert_button.setToolTip("Discard uncommitted changes")
        self.revert_button.clicked.connect(self.reload)

        fields_page = QWidget(self)
        fl = QVBoxLayout(fields_page)
        fl.addLayout(form)
        fl.addWidget(wrap_within(QLabel("Composed prompt (what the model reads):", self)))
        fl.addWidget(self.composed)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.commit_button)
        fl.addLayout(actions)
        fl.addStretch(1)

        # History: versions newest first; pick one to diff against the current version, or two
        # (Ctrl+click) to diff them with each other.
        self.history = QListWidget(self)
        self.history.setObjectName("promptHistory")
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.history.itemSelectionChanged.connect(self._show_diff)
        self.diff_view = QTextBrowser(self)
        self.diff_view.setObjectName("promptDiff")
        self.restore_button = QPushButton("Restore This Version", self)
        self.restore_button.clicked.connect(self.restore_selected)
        history_page = QWidget(self)
        hl = QVBoxLayout(history_page)
        split = QSplitter(Qt.Orientation.Vertical, history_page)
        split.addWidget(self.history)
        split.addWidget(self.diff_view)
        hl.addWidget(split)
        hl.addWidget(self.restore_button)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(fields_page, "&Fields")
        self.tabs.addTab(history_page, "&History")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tabs)

        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self, self.commit)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        session.changed.connect(self._on_changed)
        self._reload_looks()
        self.set_shot(None)

    # -- shot ------------------------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        """Show another shot's prompt, committing this one's pending edits first."""
        if shot_id == self.shot_id and shot_id is not None:
            return
        if self.shot_id is not None:
            self.commit()
        self.shot_id = shot_id
        self.reload()

    def reload(self) -> None:
        """Fields from the current version (discarding uncommitted edits) and the history list."""
        self._current = None
        if self.shot_id is not None:
            try:
                self._current = current_prompt(self.session.project, self.shot_id)
            except DirectorError:
                self.shot_id = None
        values = self._current.fields if self._current else PromptFields()
        self._loading = True
        try:
            for name, widget in self.edits.items():
                text = getattr(values, name)
                if isinstance(widget, QPlainTextEdit):
                    if widget.toPlainText() != text:
                        widget.setPlainText(text)
                else:
                    widget.setText(text)
                    widget.setCursorPosition(0)  # show a long field from its start, not its end
        finally:
            self._loading = False
        self._update_enabled()
        self._update_preview()
        self._reload_history()

    def _update_enabled(self) -> None:
        editable = self.shot_id is not None and not self.session.project.readonly
        if editable:
            editable = not get_shot(self.session.project, self.shot_id).locked
        for widget in self.edits.values():
            widget.setReadOnly(not editable)
        self.look_combo.setEnabled(editable)
        self.restore_button.setEnabled(editable)
        self.tabs.setEnabled(self.shot_id is not None)

    # -- fields ----------------------------------------------------------------------------------

    def field_edit(self, name: str) -> QLineEdit | QPlainTextEdit:
        return self.edits[name]

    def fields(self) -> PromptFields:
        values = {}
        for name, widget in self.edits.items():
            values[name] = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
        return PromptFields.from_dict(values)

    def is_dirty(self) -> bool:
        if self.shot_id is None:
            return False
        base = self._current.fields if self._current else PromptFields()
        return self.fields() != base

    def current_prompt_id(self) -> int | None:
        return self._current.id if self._current else None

    def _on_field_edited(self, *_args) -> None:
        if not self._loading:
            self._update_preview()

    def _update_preview(self) -> None:
        fields = self.fields()
        composed = fields.compose()
        text = html.escape(composed) if composed else "<i>empty: give at least a subject or free text</i>"
        if fields.negative:
            text += f"<br><span style='color:#d08080'>negative: {html.escape(fields.negative)}</span>"
        self.composed.setText(text)
        dirty = self.is_dirty()
        if self.shot_id is None:
            self.status.setText("No shot selected")
        elif dirty:
            self.status.setText("Uncommitted changes: they commit when you leave the editor (Ctrl+Return now)")
        elif self._current:
            self.status.setText(f"Version {self._current.version}")
        else:
            self.status.setText("No prompt yet")
        self.commit_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def _reload_looks(self) -> None:
        self.look_combo.clear()
        self.look_combo.addItem("Look preset…", None)
        for name, text in list_looks(self.session.project):
            self.look_combo.addItem(name, text)
            self.look_combo.setItemData(self.look_combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.look_combo.insertSeparator(self.look_combo.count())
        self.look_combo.addItem("Save this look as a preset…", SAVE_LOOK)

    def apply_look(self, name: str) -> bool:
        """Put a look preset's text in the Look field (committed with the rest)."""
        index = self.look_combo.findText(name)
        if index <= 0:
            return False
        self._on_look_chosen(index)
        return True

    def save_look(self, name: str) -> bool:
        """Store the Look field as a named preset of the project (undoable), for every shot to use."""
        return self.session.push(SaveLook(name, self.edits["look"].text()))

    def _ask_save_look(self) -> None:
        if not self.edits["look"].text().strip():
            self.session.error_raised.emit("type a look first (film stock, grade, grain), then save it as a preset")
            return
        name, ok = QInputDialog.getText(self, "Save Look Preset", "Name for this look, e.g. Bleach bypass:")
        if ok and name.strip():
            self.save_look(name)

    def _on_look_chosen(self, index: int) -> None:
        text = self.look_combo.itemData(index)
        if text == SAVE_LOOK:
            self.look_combo.setCurrentIndex(0)
            self._ask_save_look()
            return
        if text:
            self.edits["look"].setText(text)
            self._update_preview()
        self.look_combo.setCurrentIndex(0)

    # -- committing ------------------------------------------------------------------------------

    def commit(self) -> bool:
        """Write the fields as a new version if they changed; False if nothing was written."""
        if self.shot_id is None or not self.is_dirty() or self.session.project.readonly:
            return False
        try:
            fields = self.fields()
            fields.validate()
        except DirectorError as exc:
            self.status.setText(str(exc))
            self.session.error_raised.emit(str(exc))
            return False
        code = get_shot(self.session.project, self.shot_id).code
        edit = edits.WritePrompt(self.shot_id, fields, text=f"Edit prompt of shot {code}")
        if not self.session.push(edit):
            return False
        if edit._new_id is not None:
            self.prompt_committed.emit(edit._new_id)
        return True

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None and self.isAncestorOf(old) and (new is None or not self.isAncestorOf(new)):
            self.commit()

    def _on_changed(self, changes) -> None:
        if changes.looks:
            self._reload_looks()
        if self.shot_id is None:
            return
        if self.shot_id in changes.shots or changes.prompts:
            try:
                shot = get_shot(self.session.project, self.shot_id)
            except DirectorError:
                self.set_shot(None)
                return
            if shot.current_prompt_id != self.current_prompt_id() or not self.is_dirty():
                self.reload()
            else:
                self._reload_history()
                self._update_enabled()

    # -- history ---------------------------------------------------------------------------------

    def _reload_history(self) -> None:
        self.history.blockSignals(True)
        self.history.clear()
        versions = prompt_history(self.session.project, self.shot_id) if self.shot_id is not None else []
        current_id = self.current_prompt_id()
        for p in reversed(versions):
            mark = "● " if p.id == current_id else "   "
            item = QListWidgetItem(f"{mark}v{p.version}  {p.created_at[:16].replace('T', ' ')}  {p.composed[:60]}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip(p.composed)
            self.history.addItem(item)
        self.history.blockSignals(False)
        self.diff_view.clear()

    def selected_versions(self) -> list[int]:
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in self.history.selectedItems()]

    def select_versions(self, prompt_ids: list[int]) -> None:
        self.history.clearSelection()
        for i in range(self.history.count()):
            item = self.history.item(i)
            if int(item.data(Qt.ItemDataRole.UserRole)) in prompt_ids:
                item.setSelected(True)

    def _show_diff(self) -> None:
        ids = self.selected_versions()
        if not ids:
            self.diff_view.clear()
            return
        project = self.session.project
        if len(ids) >= 2:
            a, b = sorted((get_prompt(project, i) for i in ids[:2]), key=lambda p: p.version)
        else:
            b = get_prompt(project, ids[0])
            a = self._current if self._current else b
            if a.id == b.id:
                self.diff_view.setHtml(f"<p>v{b.version} is the current version.</p><p>{html.escape(b.composed)}</p>")
                return
        self.diff_view.setHtml(diff_html(a.fields, b.fields, f"v{a.version}", f"v{b.version}"))

    def diff_text(self) -> str:
        return self.diff_view.toPlainText()

    def restore_selected(self) -> bool:
        ids = self.selected_versions()
        if len(ids) != 1 or self.shot_id is None or ids[0] == self.current_prompt_id():
            return False
        version = get_prompt(self.session.project, ids[0]).version
        return self.session.push(edits.RestorePromptVersion(self.shot_id, ids[0], text=f"Restore prompt v{version}"))
