"""What a screenplay re-import changed in a shot or a scene, old → new, with Mark Seen.

The text is `store.cast.shot_diff` / `scene_diff` (the diffs the import kept); marking seen is the
undoable `store.cast.MarkScriptSeen`, the same edit as `director script seen`.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from director.store import cast as store_cast
from director.ui.undo import ProjectSession

OLD, NEW = "#e06c6c", "#6cc070"


def diff_html(diff: store_cast.ScriptDiff) -> str:
    """Each part under its label; removed lines red, added green, the diff's file header left out."""
    if not diff.parts:
        return f"<p>{html.escape(diff.title)}: no script change recorded.</p>"
    out = []
    for label, text in diff.parts:
        out.append(f"<h4>{html.escape(label)}</h4><pre>")
        for line in text.splitlines():
            if line.startswith(("---", "+++")):
                continue
            colour = OLD if line.startswith("-") else NEW if line.startswith("+") else None
            body = html.escape(line)
            out.append(f'<span style="color:{colour}">{body}</span>' if colour else body)
        out.append("</pre>")
    return "\n".join(out)


class ScriptDiffDialog(QDialog):
    """Non-modal reading of one shot's or scene's script change; Mark Seen clears its flag."""

    def __init__(self, session: ProjectSession, *, shot_id: int | None = None, scene_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scriptDiffDialog")
        self.session, self.shot_id, self.scene_id = session, shot_id, scene_id
        project = session.project
        self.diff = store_cast.shot_diff(project, shot_id) if shot_id is not None else store_cast.scene_diff(project, scene_id)
        self.setWindowTitle(f"Script Changes — {self.diff.title}")
        self.text = QTextBrowser(self)
        self.text.setObjectName("scriptDiffText")
        self.text.setHtml(diff_html(self.diff))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.seen_button = buttons.addButton("Mark Seen", QDialogButtonBox.ButtonRole.AcceptRole)
        flagged = store_cast.shot_flagged(project, shot_id) if shot_id is not None else store_cast.scene_flagged(project, scene_id)
        self.seen_button.setEnabled(flagged and not project.readonly)
        self.seen_button.setToolTip("Clear the flag (undoable); the diff stays readable here")
        self.seen_button.clicked.connect(self.mark_seen)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What the last screenplay import changed (red: before, green: now):", self))
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 380)

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def mark_seen(self) -> bool:
        label = self.diff.title[:1].lower() + self.diff.title[1:]  # "shot 1A", for the undo stack's text
        ok = self.session.push(store_cast.MarkScriptSeen(shot_id=self.shot_id, scene_id=self.scene_id, label=label))
        if ok:
            self.accept()
        return ok
