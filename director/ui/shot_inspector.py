"""The Shot panel: the current shot's script (dialogue, and what the last screenplay re-import changed).

It follows the workspace's shot like every other panel and refreshes from the ids a `Changes`
names.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from director.core.errors import DirectorError
from director.core.model import Shot
from director.store.shots import get_shot
from director.store.window_reads import ShotScript, shot_scripts
from director.ui.models.shots_model import dialogue_line
from director.ui.undo import ProjectSession

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


class ShotInspector(QWidget):
    """The current shot: its script and (see later sections) its status, budget, length and notes."""

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
        self.layout_.addWidget(self.script_box, 1)
        session.changed.connect(self._on_changed)
        self.set_shot(None)

    # -- shot ----------------------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        self.shot_id = shot_id
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
        self._show_script()

    def _show_script(self) -> None:
        script = self.script
        imported = script is not None and script.from_script
        self.script_box.setVisible(imported)
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
