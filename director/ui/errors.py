"""Dialogs for a project that could not be opened (what happened, and what the user can do), and
the status bar's error colour, which lasts only while the error is shown.

The store's refusal messages already say what the file is and what to do; this module gives
each refusal a headline, keeps the store's sentence as the body, and for a locked project
offers the one useful way forward (read-only). Building the box is separate from showing it so
the window decides how to run it and tests can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from director.core.errors import DirectorError, NotFound
from director.store.errors import DamagedProject, NewerProject, NotADirectorProject, NotSQLiteFile, ProjectLocked
from director.ui.hints import for_window


@dataclass(frozen=True)
class OpenErrorReport:
    title: str
    headline: str
    detail: str
    advice: str
    offer_readonly: bool = False
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning


def describe_open_error(path: str | Path, exc: BaseException) -> OpenErrorReport:
    name = Path(path).name
    detail = for_window(str(exc))
    if isinstance(exc, ProjectLocked):
        return OpenErrorReport(
            "Project in use",
            f"{name} is open in another Director.",
            detail,
            "Open it read-only to look without changing anything, or close it in the other window and try again.",
            offer_readonly=True,
            icon=QMessageBox.Icon.Information,
        )
    if isinstance(exc, (NotSQLiteFile, NotADirectorProject)):
        return OpenErrorReport(
            "Not a Director project",
            f"{name} is not a Director project.",
            detail,
            "Nothing in the file was changed. Choose a .director file, or create a new project with File → New Project.",
        )
    if isinstance(exc, NewerProject):
        return OpenErrorReport(
            "Made by a newer Director",
            f"{name} was saved by a newer version of Director.",
            detail,
            "Nothing in the file was changed. Update Director to open it.",
        )
    if isinstance(exc, DamagedProject):
        return OpenErrorReport(
            "Project damaged",
            f"{name} is damaged and cannot be opened.",
            detail,
            "Nothing in the file was changed. Restore it from a backup, or recover a copy as described above.",
            icon=QMessageBox.Icon.Critical,
        )
    if isinstance(exc, NotFound):
        return OpenErrorReport(
            "Project not found",
            f"{name} does not exist.",
            detail,
            "It may have been moved or renamed. Use File → Open Project… to find it.",
        )
    if isinstance(exc, DirectorError):
        return OpenErrorReport("Cannot open project", f"{name} could not be opened.", detail, "")
    # An OSError or an SQLite error the store did not classify: still a sentence, never a traceback.
    return OpenErrorReport(
        "Cannot open project",
        f"{name} could not be opened.",
        f"{exc.__class__.__name__}: {exc}",
        "Check that the file and its folder can be read and written.",
        icon=QMessageBox.Icon.Critical,
    )


def open_error_box(parent: QWidget | None, path: str | Path, exc: BaseException) -> QMessageBox:
    """A message box for the refusal; for a locked project, its Open button means 'open read-only'."""
    report = describe_open_error(path, exc)
    box = QMessageBox(parent)
    box.setObjectName("openErrorDialog")
    box.setIcon(report.icon)
    box.setWindowTitle(report.title)
    box.setText(report.headline)
    box.setInformativeText("\n\n".join(part for part in (report.detail, report.advice) if part))
    if report.offer_readonly:
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Open).setText("Open Read-Only")
        box.setDefaultButton(QMessageBox.StandardButton.Open)
    else:
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


ERROR_STYLE = "QStatusBar { color: #ff8080; }"


def show_status(bar: QStatusBar, text: str, *, error: bool = False, timeout_ms: int = 6000) -> None:
    """A status bar message; an error is red only while it is the message shown. Before, the red
    stylesheet stayed after the error went, so every later hover tip read as an error."""
    if error and not bar.property("_statusColourWatch"):
        bar.setProperty("_statusColourWatch", True)
        bar.messageChanged.connect(lambda shown, b=bar: _reset_colour(b, shown))
    bar.setProperty("_statusError", text if error else "")
    bar.setStyleSheet(ERROR_STYLE if error else "")
    bar.showMessage(text, timeout_ms)


def _reset_colour(bar: QStatusBar, shown: str) -> None:
    """Any message other than the error (a hover tip, the timeout's empty one) is plain again."""
    if shown != bar.property("_statusError"):
        bar.setStyleSheet("")
        bar.setProperty("_statusError", "")
