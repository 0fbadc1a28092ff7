"""The Notifications panel: the history of what the window said, newest first, so nothing a director
was told vanishes with the status bar's few seconds.

Every finished, failed and cancelled job is a row (read from the store when the panel opens, so
the history survives a restart; then as each job ends), with its link: double-click a finished job
to show its take, a failed one to read its reason and find it in the queue. Other window notices
(errors, re-render verdicts) are rows too. When the window is not the active one, a job that ends
also goes out as a desktop notice (`QSystemTrayIcon.showMessage`, where the desktop has a tray).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.enums import JobState
from director.core.errors import DirectorError
from director.store import jobs as store_jobs
from director.store.takes import takes_of_job
from director.ui.hints import for_window

HISTORY_LIMIT = 500
KIND_COLOURS = {"finished": QColor(100, 200, 110), "failed": QColor(240, 100, 100), "cancelled": QColor(200, 160, 90),
                "error": QColor(240, 100, 100)}
JOB_KINDS = {JobState.DONE: "finished", JobState.FAILED: "failed", JobState.CANCELLED: "cancelled"}


@dataclass(frozen=True)
class Notice:
    """One row: `kind` is finished / failed / cancelled (a job's end), or error / info."""

    when: str  # local time, HH:MM:SS (or the job's finish date for history read at open)
    kind: str
    text: str
    job_id: int | None = None
    reason: str = ""  # a failure's whole reason


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:16]


def job_notice(job, text: str | None = None) -> Notice:
    """The row for a job that ended; `text` is what the window said (the same words)."""
    kind = JOB_KINDS.get(job.state, job.state.value)
    if text is None:
        text = {"finished": f"Job {job.id} finished ({len(job.seeds)} take{'s' if len(job.seeds) != 1 else ''})",
                "cancelled": f"Job {job.id} cancelled"}.get(kind, f"Job {job.id} failed: {job.error or 'no reason given'}")
    return Notice(_local(job.finished_at), kind, text, job.id, (job.error or "") if kind != "finished" else "")


class NotificationsModel(QAbstractTableModel):
    """Notices, newest first: When, What, Message."""

    COLUMNS = ("When", "What", "Message")
    NoticeRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._notices: list[Notice] = []

    def notices(self) -> list[Notice]:
        return list(self._notices)

    def notice_at(self, row: int) -> Notice | None:
        return self._notices[row] if 0 <= row < len(self._notices) else None

    def job_ids(self) -> set[int]:
        return {n.job_id for n in self._notices if n.job_id is not None}

    def set_history(self, notices: list[Notice]) -> None:
        self.beginResetModel()
        self._notices = notices[:HISTORY_LIMIT]
        self.endResetModel()

    def add(self, notice: Notice) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._notices.insert(0, notice)
        self.endInsertRows()
        if len(self._notices) > HISTORY_LIMIT:
            self.beginRemoveRows(QModelIndex(), HISTORY_LIMIT, len(self._notices) - 1)
            del self._notices[HISTORY_LIMIT:]
            self.endRemoveRows()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._notices)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        notice = self.notice_at(index.row()) if index.isValid() else None
        if notice is None:
            return None
        col = index.column()
        if role == self.NoticeRole:
            return notice
        if role == Qt.ItemDataRole.DisplayRole:
            return (notice.when, notice.kind, notice.text)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return KIND_COLOURS.get(notice.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            link = {"finished": "Double-click to show its take", "failed": "Double-click to read the reason and find the job in the queue",
                    "cancelled": "Double-click to find the job in the queue"}.get(notice.kind, "")
            return "\n".join(part for part in (notice.reason or notice.text, link) if part)
        return None


class DesktopNotifier(QObject):
    """Desktop notices through the system tray, where the desktop has one; otherwise nothing."""

    def __init__(self, parent: QObject | None = None, tray_factory=QSystemTrayIcon):
        super().__init__(parent)
        self._factory = tray_factory
        self._tray = None
        self.sent: list[tuple[str, str]] = []

    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def send(self, title: str, text: str, error: bool = False) -> bool:
        if not self.available():
            return False
        if self._tray is None:
            app = QApplication.instance()
            self._tray = self._factory(app.windowIcon() if app is not None else None, self)
            self._tray.setToolTip("Director")
            self._tray.show()
        icon = QSystemTrayIcon.MessageIcon.Warning if error else QSystemTrayIcon.MessageIcon.Information
        self._tray.showMessage(title, text, icon, 8000)
        self.sent.append((title, text))
        return True


class NotificationsPanel(QWidget):
    """Signals: `take_requested(take_id)` (a finished job's first take), `job_requested(job_id)`
    (a failed or cancelled job, for the queue)."""

    take_requested = Signal(int)
    job_requested = Signal(int)

    def __init__(self, session, parent: QWidget | None = None, notifier: DesktopNotifier | None = None):
        super().__init__(parent)
        self.session = session
        self.notifier = notifier or DesktopNotifier(self)
        self.model = NotificationsModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("notificationsView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 120)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 70)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda index: self.open_notice(index.row()))
        self.detail = QLabel(self)
        self.detail.setObjectName("notificationDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Forget the notices of this session (job history stays in the queue)")
        self.clear_button.clicked.connect(lambda: self.model.set_history([]))
        bar = QHBoxLayout()
        bar.addWidget(self.detail, 1)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self._echo: str | None = None  # the window repeats a job's words through `on_notice`: recorded once
        self._load_history()
        session.changed.connect(self._on_changed)

    def _load_history(self) -> None:
        """Jobs that ended before the panel opened (this session or earlier), newest first."""
        project = self.session.project
        ended = store_jobs.list_jobs(project, states=tuple(JOB_KINDS), limit=HISTORY_LIMIT)
        ended.sort(key=lambda j: (j.finished_at or "", j.id), reverse=True)
        self.model.set_history([job_notice(j) for j in ended])

    # -- feeding ---------------------------------------------------------------------------------

    def _on_changed(self, changes) -> None:
        """Jobs that ended without the engine (a waiting job cancelled from the queue) are rows too."""
        known = self.model.job_ids()
        for job_id in sorted(changes.jobs - known):
            self._record(job_id)

    def _record(self, job_id: int, text: str | None = None):
        try:
            job = store_jobs.get_job(self.session.project, job_id)
        except DirectorError:
            return None
        if not job.state.finished:
            return None
        notice = job_notice(job, for_window(text) if text else None)
        if job_id not in self.model.job_ids():
            self.model.add(Notice(datetime.now().strftime("%H:%M:%S"), notice.kind, notice.text, job_id, notice.reason))
        return notice

    def on_job_ended(self, job_id: int, text: str, error: bool) -> None:
        """A job ended (the engine driver's `job_ended`): a row with its link (once, whichever of
        this and the session's changes came first), and a desktop notice when the window is not
        the one the director is looking at."""
        notice = self._record(job_id, text)
        if notice is None:
            return
        self._echo = notice.text
        window = self.window()
        if window is None or not window.isActiveWindow():
            self.notifier.send(f"Director: job {notice.kind}", notice.text, error)

    def on_notice(self, text: str, error: bool = False) -> None:
        """Any other window notice (the status bar's message), kept as a row."""
        if text == self._echo:  # the job's own words, already a row with its link
            self._echo = None
            return
        self.model.add(Notice(datetime.now().strftime("%H:%M:%S"), "error" if error else "info", text))

    # -- following a link ------------------------------------------------------------------------

    def open_notice(self, row: int) -> bool:
        """Follow a row's link: a finished job's take, or a failed job's reason and queue row."""
        notice = self.model.notice_at(row)
        if notice is None:
            return False
        if notice.kind == "finished" and notice.job_id is not None:
            made = takes_of_job(self.session.project, notice.job_id)
            live = [t for t in made if not t.deleted]
            if live:
                self.detail.setText(f"Job {notice.job_id}: take {', '.join(str(t.id) for t in live)}")
                self.take_requested.emit(live[0].id)
                return True
            self.detail.setText(f"Job {notice.job_id}'s takes are no longer in the project (the bin was emptied)")
            return False
        self.detail.setText(notice.reason or notice.text)
        if notice.job_id is not None:
            self.job_requested.emit(notice.job_id)
        return True
