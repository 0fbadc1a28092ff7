"""The workstation window: dockable panels around the take gallery, menus, shortcuts, status bar.

The window owns the open project's lifetime (new, open, close; no Save: every edit commits), the
docks, menus and layout. The engine (client, runner pump, take actions, job notifications) is an
`EngineDriver` per writable project; what the director is working on (shot, camera, take,
playhead) is the window's `Workspace`, which panels follow. Panels are built per project by
factories (`register_panel`), so a closed project leaves nothing behind and other engineers'
widgets dock the same way as ours. A panel that has `set_shot(shot_id)` follows the current shot.

Opening is incremental (issue #24): the shot list and the current shot's takes are built before the
first paint, the other panels one per turn of the event loop after it (`panel(name)` builds one at
once when asked), and slow reads run on the project's reads thread (`ProjectSession.reads`);
`busy()` says whether the window is still filling in. The module imports the store, the engine and
the panels only when a project opens, so the empty window paints first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QToolBar, QWidget

from director import __version__
from director.core.changes import Changes
from director.core.errors import DirectorError, NotFound
from director.ui.dock_fit import available_area, clamp_to_screen, in_dock
from director.ui.export_menu import ExportMenu
from director.ui.hints import for_window
from director.ui.recent import RecentProjects, app_settings
from director.ui.welcome import welcome_page
from director.ui.workspace import Workspace

if TYPE_CHECKING:
    # What a first paint of the empty window does not need loads when a project opens (issue #24):
    # the store (sqlite-utils), the engine, the exporters and every panel.
    from director.engine.runner import JobRunner
    from director.store.project import Project
    from director.ui.activity_tracker import ActivityTracker
    from director.ui.engine_driver import EngineDriver
    from director.ui.script_import import ScriptImporter
    from director.ui.shot_list import ShotList
    from director.ui.timeline_view import TimelineView
    from director.ui.undo import ProjectSession

log = logging.getLogger(__name__)

LAYOUT_VERSION = 5  # bump when the default dock arrangement changes
# The smallest size (width, height) at which each panel still does its job; a dock never gets less,
# and together they fit a 1366×768 screen. The timeline keeps its cut bar, ruler and one track with
# its camera lanes. Panels docked by others get DEFAULT_MIN_PANEL.
MIN_PANEL = {
    "shots": (200, 120), "queue": (200, 100), "viewer": (260, 200), "program": (260, 200), "compare": (260, 200),
    "prompt": (240, 160), "cameras": (240, 160), "inspector": (240, 160), "generate": (240, 160), "costs": (240, 160),
    "timeline": (240, 150), "storyboard": (240, 150),
}
DEFAULT_MIN_PANEL = (160, 100)
# The window at its first start: the screen's free area up to this size (a title bar still fits).
PREFERRED_SIZE = (1920, 1200)
# The panels an opened project's first paint shows: the shot list and the current shot's takes. The
# others are built one per turn of the event loop after it (or at once when asked for by `panel`).
FIRST_PAINT = ("shots", "gallery")
FILL_ORDER = ("prompt", "cameras", "generate", "viewer", "timeline", "queue", "inspector", "program", "costs", "storyboard", "compare")
# The camera the Generate panel queues for is the one the Cameras panel picks for the shot.
NEEDS = {"generate": ("cameras",)}
PROJECT_FILTER = "Director projects (*.director)"
Area = Qt.DockWidgetArea


def _lazy(module: str, name: str) -> Callable:
    """A factory that imports its panel's module when first called (a project opening)."""

    def make(*args, **kwargs):
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    make.__qualname__ = name
    return make


@dataclass
class PanelSpec:
    name: str
    title: str
    factory: Callable[[ProjectSession], QWidget]
    area: Qt.DockWidgetArea | None  # None: the central widget
    shortcut: str | None = None
    visible: bool = True


class MainWindow(QMainWindow):
    """The main window. Signals are facts about the window's state, for panels docked later."""

    project_opened = Signal(object)  # ProjectSession
    project_closed = Signal()
    shot_selected = Signal(object)  # shot id or None
    take_activated = Signal(int)
    job_event = Signal(object)  # every engine event the runner saw (Started, Progress, …)
    notified = Signal(str)
    notice = Signal(str, bool)  # the same text and whether it is an error (the Notifications panel)

    def __init__(self, parent: QWidget | None = None, *, recent: RecentProjects | None = None):
        super().__init__(parent)
        self.setObjectName("directorMainWindow")
        self.session: ProjectSession | None = None
        self.engine: EngineDriver | None = None  # per writable project
        self.workspace = Workspace(self)
        self.workspace.shot_changed.connect(self._on_shot_selected)
        self.workspace.camera_changed.connect(self._on_camera_selected)
        self.workspace.playhead_changed.connect(self._on_playhead)
        self.recent = recent or RecentProjects()
        self.notifications: list[str] = []
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self._specs: dict[str, PanelSpec] = {}
        self.activity: ActivityTracker | None = None
        self._importer: ScriptImporter | None = None
        self._conformer = None  # ui.conform_dialog.ConformController, made on first use
        self._take_bin = None
        self._pending: list[str] = []  # panels of the open project not built yet (after the first paint)
        self._fill_timer = QTimer(self)
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(0)
        self._fill_timer.timeout.connect(self._build_next_pending)

        self.setDockNestingEnabled(True)
        # The timeline runs under everything, the full width of the window, as in an editing suite.
        self.setCorner(Qt.Corner.BottomLeftCorner, Area.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Area.BottomDockWidgetArea)
        self._empty = welcome_page(self)  # New, Open, Open the demo, Recent
        self.setCentralWidget(self._empty)
        self.queue_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.queue_label)
        self._queue_label_timer = QTimer(self)  # one count per turn of the loop, however many events asked
        self._queue_label_timer.setSingleShot(True)
        self._queue_label_timer.setInterval(0)
        self._queue_label_timer.timeout.connect(self._refresh_queue_label)
        self._build_banner()

        self._build_actions()
        self._build_menus()
        self._register_builtin_panels()
        self._update_title()
        self._update_actions()
        self._fit_default_geometry()
        self._restore_layout()
        self._update_banner()

    # == the engine (an EngineDriver per writable project) =========================================

    @property
    def importer(self) -> ScriptImporter:
        """File ▸ Import Screenplay (made on first use: the screenplay parser loads then)."""
        if self._importer is None:
            from director.ui.script_import import ScriptImporter

            self._importer = ScriptImporter(self)
        return self._importer

    @property
    def runner(self) -> JobRunner | None:
        return self.engine.runner if self.engine is not None else None

    @runner.setter
    def runner(self, runner: JobRunner | None) -> None:
        """Drive another runner (tests and tools swap the engine behind it)."""
        if self.engine is not None:
            self.engine.runner = runner

    @property
    def _client(self):
        return self.engine.client if self.engine is not None else None

    @property
    def _pump_timer(self) -> QTimer | None:
        return self.engine.timer if self.engine is not None else None

    # == docking API ==============================================================================

    def register_panel(
        self,
        name: str,
        title: str,
        factory: Callable[[ProjectSession], QWidget],
        area: Qt.DockWidgetArea | None = Area.RightDockWidgetArea,
        *,
        shortcut: str | None = None,
        visible: bool = True,
    ) -> QDockWidget | None:
        """Dock a per-project widget: `factory(session)` runs on every open (now, if one is open).

        area=None makes it the central widget. The dock persists across projects (and its place
        is saved with the layout); its widget is rebuilt for each project and deleted on close.
        A widget with `set_shot(shot_id)` follows the current shot.
        """
        spec = PanelSpec(name, title, factory, area, shortcut, visible)
        self._specs[name] = spec
        dock = None
        if area is not None:
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{name}")
            dock.setMinimumSize(*MIN_PANEL.get(name, DEFAULT_MIN_PANEL))
            dock.setWidget(self._placeholder())
            self.addDockWidget(area, dock)
            dock.setVisible(visible)
            toggle = dock.toggleViewAction()
            if shortcut:
                toggle.setShortcut(QKeySequence(shortcut))
            self.view_menu.addAction(toggle)
            self.docks[name] = dock
        if self.session is not None:
            self._build_panel(spec)
        return dock

    def panel(self, name: str) -> QWidget | None:
        """The live widget of a panel for the open project, or None. A panel still waiting to be
        built after an open's first paint is built now."""
        if name in self._pending:
            for first in NEEDS.get(name, ()):
                self.panel(first)
            self._pending.remove(name)
            self._build_panel(self._specs[name])
        return self.panels.get(name)

    def busy(self) -> bool:
        """Whether the open project is still filling in: panels to build, reads to apply."""
        return bool(self._pending) or (self.session is not None and self.session.busy())

    def _build_next_pending(self) -> None:
        """One panel per turn of the event loop, so each paints (and input is handled) in between."""
        if self._pending and self.session is not None:
            name = self._pending.pop(0)
            self._build_panel(self._specs[name])
        if self._pending:
            self._fill_timer.start()
        elif self._default_layout_unsized:
            # Real panels replaced the placeholders and the docks followed their size hints: the
            # first project in a window with the default layout gets its proportions again.
            self._default_layout_unsized = False
            self._default_dock_sizes()

    def dock(self, name: str) -> QDockWidget | None:
        return self.docks.get(name)

    def show_panel(self, name: str) -> None:
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()
        widget = self.panel(name)
        if widget is not None:
            widget.setFocus()

    def _placeholder(self, text: str = "No project open") -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setEnabled(False)
        return label

    def _register_builtin_panels(self) -> None:
        """The default layout, like an editing suite: shots and queue on the left, takes in the
        middle with the monitor beside them, prompt and generate on the right, the cut below.
        Each panel's module is imported by its factory, when a project first opens."""
        self.register_panel("gallery", "Takes", _lazy("director.ui.gallery.take_gallery", "TakeGallery"), None)
        self.register_panel("shots", "Shots", _lazy("director.ui.shot_list", "ShotList"), Area.LeftDockWidgetArea, shortcut="Ctrl+1")
        self.register_panel("queue", "Queue", lambda s: _lazy("director.ui.queue_panel", "QueuePanel")(s, self.runner),
                            Area.LeftDockWidgetArea, shortcut="Ctrl+5")
        self.register_panel("viewer", "Viewer", _lazy("director.ui.gallery.take_viewer", "TakeViewer"), Area.RightDockWidgetArea, shortcut="Ctrl+6")
        self.register_panel("compare", "Compare", _lazy("director.ui.gallery.compare_view", "CompareView"), Area.RightDockWidgetArea,
                            shortcut="Ctrl+7", visible=False)
        self.register_panel("program", "Program", _lazy("director.ui.program_viewer", "ProgramViewer"), Area.RightDockWidgetArea, shortcut="Ctrl+9")
        self.register_panel("prompt", "Prompt", _lazy("director.ui.prompt_editor", "PromptEditor"), Area.RightDockWidgetArea, shortcut="Ctrl+2")
        self.register_panel("cameras", "Cameras", _lazy("director.ui.cameras_panel", "CamerasPanel"), Area.RightDockWidgetArea, shortcut="Ctrl+3")
        self.register_panel("inspector", "Shot", _lazy("director.ui.shot_inspector", "ShotInspector"), Area.RightDockWidgetArea)
        self.register_panel("generate", "Generate", _lazy("director.ui.generate_panel", "GeneratePanel"), Area.RightDockWidgetArea, shortcut="Ctrl+4")
        self.register_panel("costs", "Costs", _lazy("director.ui.cost_dashboard", "CostDashboard"), Area.RightDockWidgetArea,
                            shortcut="Ctrl+Shift+C", visible=False)
        self.register_panel("timeline", "Timeline", _lazy("director.ui.timeline_view", "TimelineView"), Area.BottomDockWidgetArea, shortcut="Ctrl+8")
        self.register_panel("storyboard", "Storyboard", _lazy("director.ui.storyboard_view", "StoryboardView"), Area.BottomDockWidgetArea,
                            shortcut="Ctrl+0", visible=False)
        self.register_panel("notifications", "Notifications", _lazy("director.ui.notifications", "NotificationsPanel"),
                            Area.LeftDockWidgetArea)
        self.register_panel("audio", "Audio", _lazy("director.ui.audio_bin", "AudioBin"), Area.LeftDockWidgetArea, shortcut="Ctrl+Shift+A")
        self.register_panel("cast", "Cast", lambda s: _lazy("director.ui.cast_panel", "CastPanel")(s, select_shot=self.select_shot),
                            Area.RightDockWidgetArea, shortcut="Ctrl+Shift+H")  # cHaracters
        self.register_panel("blocking", "Blocking", _lazy("director.ui.blocking_view", "BlockingView"), Area.RightDockWidgetArea,
                            shortcut="Ctrl+Shift+K", visible=False)  # top-down subjects and cameras, Previz (#15)
        d = self.docks
        # Splits first, then tabs: a tab group cannot be split by one of its members.
        self.splitDockWidget(d["shots"], d["queue"], Qt.Orientation.Vertical)
        self.splitDockWidget(d["viewer"], d["prompt"], Qt.Orientation.Horizontal)
        self.splitDockWidget(d["prompt"], d["generate"], Qt.Orientation.Vertical)
        self.tabifyDockWidget(d["viewer"], d["program"])
        self.tabifyDockWidget(d["viewer"], d["compare"])
        self.tabifyDockWidget(d["prompt"], d["cameras"])
        self.tabifyDockWidget(d["prompt"], d["inspector"])
        self.tabifyDockWidget(d["prompt"], d["cast"])
        self.tabifyDockWidget(d["prompt"], d["blocking"])
        self.tabifyDockWidget(d["generate"], d["costs"])
        self.tabifyDockWidget(d["timeline"], d["storyboard"])
        self.tabifyDockWidget(d["queue"], d["notifications"])
        self.tabifyDockWidget(d["queue"], d["audio"])
        d["queue"].raise_()
        for name in ("viewer", "prompt", "generate", "timeline"):
            d[name].raise_()
        self._default_dock_sizes()

    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None:  # noqa: N802 - Qt's name
        """Qt's, with `second` hidden while it joins: a visible dock joining a tab group that already
        has a tab bar made Qt build a new bar and leave the old one on screen (a stray 'Queue |
        Notifications' bar painted over the Timeline's title at 1366×768)."""
        shown = not second.isHidden()
        second.hide()
        super().tabifyDockWidget(first, second)
        if shown:
            second.show()

    def _default_dock_sizes(self) -> None:
        """Columns and rows in proportion to the window (1366×768 up to 1920×1080 and beyond): the
        shots, the monitor and the prompt column at working widths, the take gallery in the middle
        gets the rest, and the timeline opens tall enough for its clips and camera lanes."""
        d = self.docks
        w, h = self.width(), self.height()
        self.resizeDocks([d["shots"], d["viewer"], d["prompt"]], [int(w * 0.2), int(w * 0.25), int(w * 0.24)], Qt.Orientation.Horizontal)
        timeline = max(MIN_PANEL["timeline"][1] + 40, int(h * 0.27))
        upper = max(0, h - timeline - 60)  # less the menu and status bars
        self.resizeDocks([d["shots"], d["queue"], d["prompt"], d["generate"], d["timeline"]],
                         [int(upper * 0.62), int(upper * 0.38), int(upper * 0.52), int(upper * 0.48), timeline], Qt.Orientation.Vertical)

    def usable_sizes(self) -> dict[str, tuple[int, int]]:
        """The smallest size of each docked panel that still does its job (what the layout keeps)."""
        return {name: (dock.minimumWidth(), dock.minimumHeight()) for name, dock in self.docks.items()}

    def _build_panel(self, spec: PanelSpec) -> None:
        try:
            widget = spec.factory(self.session)
        except Exception as exc:  # the per-panel boundary: one panel that cannot be built costs that panel only
            log.exception("building the %s panel failed", spec.name)
            self._show_broken_panel(spec, exc)
            return
        widget.setObjectName(widget.objectName() or f"panel_{spec.name}")
        self.panels[spec.name] = widget
        if spec.area is None:
            self.setCentralWidget(widget)
        else:
            old = self.docks[spec.name].widget()
            self.docks[spec.name].setWidget(in_dock(widget))  # a tall or wide panel scrolls, the window stays
            if old is not None:
                old.deleteLater()
        self._wire_panel(spec.name, widget)
        # A panel built after the shot, camera or take was chosen (after an open's first paint) starts there.
        if hasattr(widget, "set_shot") and spec.name != "shots" and self.workspace.shot is not None:
            widget.set_shot(self.workspace.shot)
        if spec.name == "generate" and self.workspace.camera is not None:
            widget.set_camera(self.workspace.camera)
        if spec.name == "viewer" and self.workspace.take is not None and hasattr(widget, "show_take"):
            widget.show_take(self.workspace.take)

    def _show_broken_panel(self, spec: PanelSpec, exc: Exception) -> None:
        text = f"The {spec.title} panel could not be shown: {exc if isinstance(exc, DirectorError) else f'{exc.__class__.__name__}: {exc}'}"
        label = QLabel(text)
        label.setObjectName(f"broken_{spec.name}")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if spec.area is None:
            self.setCentralWidget(label)
        else:
            old = self.docks[spec.name].widget()
            self.docks[spec.name].setWidget(label)
            if old is not None:
                old.deleteLater()
        self.notify(text, error=True)

    def _wire_panel(self, name: str, widget: QWidget) -> None:
        """Connect the built-in panels to each other through the window."""
        if name == "shots":
            widget.shot_selected.connect(self.workspace.set_shot)
            widget.properties_requested.connect(lambda: self.show_panel("inspector"))
            widget.context_extras = [None, self.generate_action, self.generate_all_action]
            self._fill_shot_menu(widget)
        elif name == "cameras":
            widget.camera_selected.connect(self.workspace.set_camera)
        elif name == "generate":
            widget.generate_requested.connect(self.generate)
        elif name == "queue":
            self.job_event.connect(widget.on_job_event)
            widget.paused_changed.connect(self._on_pause_changed)
        elif name == "notifications":
            from director.ui.take_links import show_take

            if self.engine is not None:
                self.engine.job_ended.connect(widget.on_job_ended)
            self.notice.connect(widget.on_notice)
            widget.take_requested.connect(lambda take_id: show_take(self, take_id, switch_shot=True))
            widget.job_requested.connect(lambda job_id: (self.show_panel("queue"), self.panel("queue").select_job(job_id)))
        if hasattr(widget, "action_requested"):
            widget.action_requested.connect(self.on_take_action)
        if name == "gallery":
            widget.take_activated.connect(self._on_take_activated)
            widget.compare_requested.connect(self._on_compare_requested)
            widget.context_extras = [None, self.take_bin_action]
        elif name in ("timeline", "program"):
            widget.playhead_moved.connect(self.workspace.set_playhead)
            if name == "timeline":
                self._fill_timeline_menu(widget)
                widget.shot_activated.connect(self.select_shot)
                widget.take_activated.connect(lambda take_id: self.on_take_action("play", take_id))
        elif name == "storyboard":
            widget.shot_activated.connect(self.select_shot)

    # == projects =================================================================================

    def new_project(self, path: str | Path | None = None) -> bool:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "New Project", str(Path.home() / "untitled.director"), PROJECT_FILTER)
            if not chosen:
                return False
            path = chosen
        if not self.close_project():
            return False
        from director.store.project import Project

        try:
            project = Project.create(path)
        except DirectorError as exc:
            self.exec_dialog(self._message_box("Cannot create project", str(exc)))
            return False
        return self._attach_or_close(project)

    def open_project(self, path: str | Path | None = None, *, readonly: bool = False) -> bool:
        """Open a project; refusals become a dialog (a locked one offers read-only)."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Open Project", str(Path.home()), PROJECT_FILTER)
            if not chosen:
                return False
            path = chosen
        from director.store.errors import ProjectLocked, ReadOnlyProject
        from director.store.project import Project, project_path
        from director.ui.errors import open_error_box

        target = project_path(path)
        if self.session is not None and self.session.project.path == target and self.session.project.readonly == readonly:
            return True
        if not self.close_project():
            return False
        try:
            project = Project.open(target, readonly=readonly)
        except ReadOnlyProject as exc:
            if readonly:  # cannot even be read here
                self.exec_dialog(open_error_box(self, target, exc))
                return False
            # The file or its folder cannot be written: open it read-only and say so in the banner.
            log.info("%s", exc)
            return self.open_project(target, readonly=True)
        except Exception as exc:  # the boundary: every refusal is a dialog, never a crash
            if not isinstance(exc, DirectorError):
                log.exception("unexpected error opening %s", target)
            if isinstance(exc, NotFound):
                self.recent.remove(target)
            answer = self.exec_dialog(open_error_box(self, target, exc))
            if isinstance(exc, ProjectLocked) and answer == QMessageBox.StandardButton.Open:
                return self.open_project(target, readonly=True)
            return False
        return self._attach_or_close(project)

    def _attach_or_close(self, project: Project) -> bool:
        """Show an opened project; if the window cannot, close it again (releasing the lock) and say why."""
        from director.ui.errors import open_error_box

        try:
            self._attach(project)
        except Exception as exc:  # the boundary: a project the window cannot show is never left half open
            log.exception("showing %s failed", project.path)
            try:
                if self.session is not None and self.session.project is project:
                    self.close_project()
                else:
                    project.close()
            except Exception:
                log.exception("closing %s after a failed open failed", project.path)
                project.close()
            self.exec_dialog(open_error_box(self, project.path, exc))
            return False
        return True

    def close_project(self) -> bool:
        """Close the open project (nothing to save); True when none is open afterwards."""
        if self.session is None:
            return True
        prompt = self.panels.get("prompt")  # a prompt never built has nothing typed in it
        if prompt is not None:
            prompt.commit()
        self._fill_timer.stop()
        for name in self._pending:
            if self._specs[name].area is not None:
                self.docks[name].setWidget(self._placeholder())
        self._pending.clear()
        if self.engine is not None:
            self.engine.stop()  # off the UI thread: a worker busy loading a model may take seconds to stop
            self.engine.deleteLater()
            self.engine = None
        if self.activity is not None:
            self.activity.stop()  # writes the open session of human time
            self.activity.deleteLater()
            self.activity = None
        for name, widget in list(self.panels.items()):
            spec = self._specs[name]
            if spec.area is None:
                self.takeCentralWidget()
                self._empty = welcome_page(self)
                self.setCentralWidget(self._empty)
            else:
                self.docks[name].setWidget(self._placeholder())
            widget.deleteLater()
        self.panels.clear()
        if self._take_bin is not None:
            try:
                self._take_bin.close()
                self._take_bin.deleteLater()
            except RuntimeError:
                pass
            self._take_bin = None
        self.shot_menu.clear()
        self.timeline_menu.clear()
        session, self.session = self.session, None
        self.workspace.clear()
        session.shutdown()
        session.project.close()
        if session.project.close_warning:
            self.notify(session.project.close_warning, error=True)
        session.deleteLater()
        self._update_banner()
        self._update_title()
        self._update_actions()
        self._update_queue_label()
        self.project_closed.emit()
        return True

    def _attach(self, project: Project) -> None:
        """Show an opened project incrementally: the shot list and the current shot's takes first,
        the other panels one per turn of the event loop after that first paint (`busy()` until then),
        and every heavy read on the project's reads thread."""
        from director.ui.undo import ProjectSession

        session = ProjectSession(project, self)
        self.session = session
        session.error_raised.connect(lambda text: self.notify(text, error=True))
        session.changed.connect(self._on_changed)
        session.undo_stack.canUndoChanged.connect(self._update_actions)
        session.undo_stack.canRedoChanged.connect(self._update_actions)
        session.undo_stack.undoTextChanged.connect(self._update_actions)
        session.undo_stack.redoTextChanged.connect(self._update_actions)
        if not project.readonly:
            from director.ui.activity_tracker import ActivityTracker
            from director.ui.engine_driver import EngineDriver

            self.engine = EngineDriver(session, self)
            self.engine.notified.connect(lambda text, error: self.notify(text, error=error))
            self.engine.job_event.connect(self.job_event)
            self.engine.queue_changed.connect(self._update_queue_label)
            self.engine.new_takes.connect(self._on_new_takes)
            self.engine.job_ended.connect(self._on_job_ended)
            self.engine.open()
            self.activity = ActivityTracker(project, self)
            self.activity.time_logged.connect(session.announce)
            session.changed.connect(self.activity.on_changes)
            self.activity.set_paused(not self.track_time_action.isChecked())
            self.activity.start()
        for spec in self._specs.values():
            if spec.name in FIRST_PAINT or spec.area is None:
                self._build_panel(spec)
            else:
                self._pending.append(spec.name)
                self.docks[spec.name].setWidget(self._placeholder("Loading…"))
        self.recent.add(project.path)
        self._update_title()
        self._update_actions()
        if project.recovered_jobs:
            n = len(project.recovered_jobs)
            self.notify(f"{n} job{'s' if n != 1 else ''} stopped when Director last closed and {'were' if n != 1 else 'was'} marked failed; retry from the queue", error=True)
        self._update_banner()
        if project.readonly:
            self.notify(self.banner_label.text())
        if self.engine is not None:
            self.engine.start()
        self._update_queue_label()
        self.project_opened.emit(session)
        shots = self.panels.get("shots")
        if shots is not None:
            ids = shots.model.shot_ids()
            if ids:
                shots.select_shot(ids[0])
        rank = {name: k for k, name in enumerate(FILL_ORDER)}
        self._pending.sort(key=lambda name: rank.get(name, len(rank)))  # what is on screen first
        if self._pending:
            self._fill_timer.start()

    # == engine ===================================================================================

    def pump(self) -> None:
        """One non-blocking turn of the runner (the engine driver's); failures become notifications."""
        if self.engine is not None and self.session is not None:
            self.engine.pump()

    def generate(self, all_cameras: bool = False) -> list[int]:
        """Commit the prompt, then queue the generate panel's request; returns the new job ids."""
        if self.session is None or self.session.project.readonly:
            return []
        prompt = self.panels.get("prompt")
        if prompt is not None:
            prompt.commit()
        panel = self.panel("generate")
        if panel is None:
            return []
        ids = panel.queue(all_cameras=all_cameras)
        if ids:
            self.notify(f"Queued {len(ids)} job{'s' if len(ids) != 1 else ''}")
            self.pump()
        return ids

    def set_queue_paused(self, paused: bool) -> None:
        queue = self.panel("queue")
        if queue is not None:
            queue.set_paused(paused)

    def on_take_action(self, action: str, take_id: int) -> None:
        """Gallery and viewer actions: play, promote, i2v, extend, rerender, reveal."""
        if self.session is None:
            return
        project = self.session.project
        if action == "play":
            self._on_take_activated(take_id)
            self.show_panel("viewer")
            return
        if action == "reveal":
            from director.store.takes import get_take

            try:
                folder = project.media.path(get_take(project, take_id).media_path).parent
            except DirectorError as exc:  # a tampered row names no folder of ours
                self.notify(str(exc), error=True)
                return
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
            return
        if self.engine is None:
            self.notify("this project is open read-only: nothing can be queued", error=True)
            return
        self.engine.take_action(action, take_id)

    # == reactions ================================================================================

    def select_shot(self, shot_id: int | None) -> None:
        """Make a shot current (the shot list selects it and every panel follows)."""
        shots = self.panels.get("shots")
        if shots is not None:
            shots.select_shot(shot_id)

    def import_cut(self, path: str | Path | None = None) -> None:
        """File ▸ Import Cut from OTIO…: read off the UI thread, then add it as a new cut (undoable)."""
        if self.session is None or self.session.project.readonly:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Import a cut", "", "OpenTimelineIO (*.otio)")
            if not path:
                return
        from director.export.otio_import import read_cut
        from director.store.cut_import import build_import

        session = self.session

        def add(imported) -> None:
            if self.session is not session:
                return
            try:
                edit = build_import(session.project, imported)
            except DirectorError as exc:
                self.notify(str(exc), error=True)
                return
            if session.push(edit):
                self.notify(f"Imported cut '{edit.name}'" + "".join(f"; {n}" for n in edit.notes))

        session.reads.submit("import-cut", lambda _project: read_cut(path), add,
                             lambda exc: self.notify(str(exc) if isinstance(exc, DirectorError) else f"Could not import {Path(path).name}: {exc}", error=True))

    def conform_cut(self):
        """Timeline ▸ Conform to Final…: the priced plan for the current cut (see ui/conform_dialog.py)."""
        if self._conformer is None:
            from director.ui.conform_dialog import ConformController

            self._conformer = ConformController(self)
        return self._conformer.start()

    def import_screenplay(self, path: str | Path | None = None) -> bool:
        """File ▸ Import Screenplay…: parse off the UI thread, preview, merge on OK."""
        return self.importer.start(path) if path is not None else self.importer.ask()

    def _on_shot_selected(self, shot_id: int | None) -> None:
        """The workspace's shot changed (the shot list, the storyboard): every panel follows."""
        if self.activity is not None:
            self.activity.set_current_shot(shot_id)
        for name, widget in list(self.panels.items()):
            if name != "shots" and hasattr(widget, "set_shot"):
                widget.set_shot(shot_id)
        self._update_actions()
        self.shot_selected.emit(shot_id)

    def _on_camera_selected(self, camera_id: int | None) -> None:
        generate = self.panels.get("generate")
        if generate is not None:
            generate.set_camera(camera_id)

    def _on_playhead(self, frame: int) -> None:
        """The workspace's playhead moved (timeline or program viewer): the other one follows."""
        timeline, program = self.panels.get("timeline"), self.panels.get("program")
        if timeline is not None:
            timeline.set_playhead(frame)
        if program is not None:
            program.seek(frame)

    def _on_take_activated(self, take_id: int) -> None:
        self.workspace.set_take(take_id)
        viewer = self.panels.get("viewer")  # a viewer not built yet starts at the workspace's take
        if viewer is not None and hasattr(viewer, "show_take"):
            viewer.show_take(take_id)
        self.take_activated.emit(take_id)

    def _on_new_takes(self, source_take_id: int, take_ids: list) -> None:
        """A take action's new version landed: select it where the director is looking (#21)."""
        from director.ui.take_links import follow_new_takes

        follow_new_takes(self, source_take_id, take_ids)

    def _on_job_ended(self, job_id: int, _text: str, error: bool) -> None:
        """A finished job on a shot not on screen: offer its take in the status bar (#21)."""
        if not error:
            from director.ui.take_links import offer_job_takes

            offer_job_takes(self, job_id)

    def _on_compare_requested(self, take_ids: list) -> None:
        compare = self.panel("compare")
        if compare is not None and hasattr(compare, "set_takes"):
            compare.set_takes(list(take_ids))
            self.show_panel("compare")

    def _on_changed(self, changes: Changes) -> None:
        if changes.project:
            self._update_title()
        if changes.jobs:
            self._update_queue_label()

    def _on_track_time_toggled(self, checked: bool) -> None:
        if self.activity is not None:
            self.activity.set_paused(not checked)
        self.notify("Tracking your time per shot" if checked else "Time tracking paused")

    def _on_pause_changed(self, paused: bool) -> None:
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)
        self._update_queue_label()

    # == notifications ============================================================================

    def notify(self, text: str, *, error: bool = False) -> None:
        """A non-modal message in the status bar (errors stay longer); never a blocking dialog.
        A command-line hint for something the window does is pointed at the window's control."""
        text = for_window(text)
        self.notifications.append(text)
        from director.ui.errors import show_status  # red only while the error is shown

        show_status(self.statusBar(), text, error=error, timeout_ms=15000 if error else 6000)
        (log.warning if error else log.info)("%s", text)
        self.notified.emit(text)
        self.notice.emit(text, error)

    def exec_dialog(self, box: QMessageBox) -> int:
        """Run a modal message box and return the standard button chosen (tests replace this)."""
        box.exec()
        clicked = box.clickedButton()
        return int(box.standardButton(clicked)) if clicked is not None else int(QMessageBox.StandardButton.Cancel)

    def _message_box(self, title: str, text: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        return box

    # == actions and menus ========================================================================

    def _action(self, text: str, slot, shortcut=None, tip: str = "", *, role: QAction.MenuRole | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setStatusTip(tip)
        if role is not None:
            action.setMenuRole(role)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even while a menu bar is hidden
        return action

    def _build_actions(self) -> None:
        S = QKeySequence.StandardKey
        self.new_action = self._action("&New Project…", lambda: self.new_project(), S.New, "Create a project file")
        self.open_action = self._action("&Open Project…", lambda: self.open_project(), S.Open, "Open a project file")
        # QKeySequence(S.Close) is only its first binding (Ctrl+F4 on Linux): Ctrl+W named too.
        self.close_action = self._action("&Close Project", self.close_project, [S.Close, "Ctrl+W"], "Close the project (everything is already saved)")
        self.import_cut_action = self._action("Import C&ut from OTIO…", lambda: self.import_cut(), None,
                                              "A cut Director exported (perhaps re-cut in another suite) as a new cut")
        self.import_script_action = self._action("&Import Screenplay…", lambda: self.import_screenplay(), "Ctrl+Shift+I",
                                                 "Turn a Fountain screenplay into scenes and shots, or merge a rewrite")
        self.settings_action = self._action("&Settings…", self.show_settings, S.Preferences, "Prices, model folders, device", role=QAction.MenuRole.PreferencesRole)
        self.quit_action = self._action("&Quit", self.close, S.Quit, "Quit Director", role=QAction.MenuRole.QuitRole)
        self.undo_action = self._action("&Undo", self.undo, S.Undo, "Undo the last edit")
        redo_keys = [QKeySequence("Ctrl+Shift+Z")] + [k for k in QKeySequence.keyBindings(S.Redo) if k != QKeySequence("Ctrl+Shift+Z")]
        self.redo_action = self._action("&Redo", self.redo, None, "Redo the last undone edit")
        self.redo_action.setShortcuts(redo_keys)
        self.generate_action = self._action("&Generate", lambda: self.generate(False), "Ctrl+G", "Queue takes for the selected camera")
        self.sweep_action = self._action("S&weep…", lambda: _lazy("director.ui.sweep_view", "start_sweep")(self), None, "A grid of takes across presets, seeds, cameras and steps or guidance, priced first")
        self.sweep_grid_action = self._action("Sweep G&rid…", lambda: _lazy("director.ui.sweep_view", "show_sweep")(self), None, "The X/Y grid of a sweep's results")
        self.control_action = self._action("With &Control Video…", lambda: _lazy("director.ui.control_dialog", "start_control_dialog")(self), None,
                                           "Queue takes guided by a take or video file (pose, depth, edges, layout) and reference images (Wan VACE)")
        self.generate_all_action = self._action("Generate &All Cameras", lambda: self.generate(True), "Ctrl+Shift+G", "Queue takes for every camera of the shot")
        self.conform_action = self._action("&Conform to Final…", lambda: self.conform_cut(), "Ctrl+Shift+F",
                                           "Re-render the takes the cut uses at final quality, priced first")
        self.pause_action = self._action("&Pause Queue", lambda checked: self.set_queue_paused(checked), "Ctrl+Shift+P", "Finish the running job, start no new ones")
        self.pause_action.setCheckable(True)
        self.take_bin_action = self._action("&Take Bin…", lambda: self.show_take_bin(), "Ctrl+Shift+B",
                                            "Takes moved to the bin: restore them, or empty the bin for good")
        self.rerun_qc_action = self._action("Re-run &QC", lambda: _lazy("director.ui.qc_rerun", "rerun_qc")(self), None,
                                            "Measure the selected takes' continuity QC again (director qc run)")
        self.log_time_action = self._action("&Log Time…", self.show_time_log, "Ctrl+Shift+T", "Add or correct human time per shot")
        self.track_time_action = self._action("&Track My Time", self._on_track_time_toggled, None, "Count active time per shot (stops after the idle cut-off)")
        self.track_time_action.setCheckable(True)
        self.track_time_action.setChecked(True)
        self.about_action = self._action("&About Director", self.show_about, None, role=QAction.MenuRole.AboutRole)
        # Platform-standard keys first, explicit ones where a platform has none.
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(lambda: self.recent.populate(self.recent_menu, self.open_project))
        self.recent.populate(self.recent_menu, self.open_project)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_script_action)
        file_menu.addAction(self.import_cut_action)
        self.export_menu = ExportMenu(self, file_menu.addMenu("&Export"))
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.shot_menu = bar.addMenu("&Shot")
        self.take_menu = bar.addMenu("Ta&ke")
        self.take_menu.addAction(self.rerun_qc_action)
        self.timeline_menu = bar.addMenu("&Timeline")
        gen_menu = bar.addMenu("&Generate")
        gen_menu.addAction(self.generate_action)
        gen_menu.addAction(self.generate_all_action)
        gen_menu.addAction(self.sweep_action)
        gen_menu.addAction(self.sweep_grid_action)
        gen_menu.addAction(self.control_action)
        gen_menu.addSeparator()
        gen_menu.addAction(self.pause_action)
        gen_menu.addAction(self.track_time_action)
        gen_menu.addAction(self.log_time_action)
        self.view_menu = bar.addMenu("&View")
        reset = QAction("Reset Layout", self)
        reset.triggered.connect(self.reset_layout)
        self.view_menu.addAction(reset)
        self.view_menu.addSeparator()
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _fill_shot_menu(self, shots: ShotList) -> None:
        self.shot_menu.clear()
        for action in (shots.add_action, shots.rename_action, shots.delete_action, None, shots.properties_action, shots.status_menu, None,
                       shots.move_up_action, shots.move_down_action, shots.add_to_timeline_action, None, shots.add_scene_action,
                       shots.bin_action, self.take_bin_action):
            if action is None:
                self.shot_menu.addSeparator()
            elif isinstance(action, QMenu):
                self.shot_menu.addMenu(action)
            else:
                self.shot_menu.addAction(action)

    def _fill_timeline_menu(self, timeline: TimelineView) -> None:
        """The cuts of the project: new, duplicate, rename, delete, next, previous (all undoable)."""
        self.timeline_menu.clear()
        for action in timeline.cut_bar.actions_for_menu():
            if action is None:
                self.timeline_menu.addSeparator()
            else:
                self.timeline_menu.addAction(action)
        self.timeline_menu.addSeparator()
        self.timeline_menu.addAction(self.conform_action)

    def _update_actions(self, *_args) -> None:
        open_ = self.session is not None
        writable = open_ and not self.session.project.readonly
        stack = self.session.undo_stack if open_ else None
        self.close_action.setEnabled(open_)
        self.import_script_action.setEnabled(writable)
        self.import_cut_action.setEnabled(writable)
        self.conform_action.setEnabled(writable)
        self.settings_action.setEnabled(True)
        self.undo_action.setEnabled(bool(stack and stack.canUndo()))
        self.redo_action.setEnabled(bool(stack and stack.canRedo()))
        self.undo_action.setText(f"&Undo {stack.undoText()}".rstrip() if stack and stack.canUndo() else "&Undo")
        self.redo_action.setText(f"&Redo {stack.redoText()}".rstrip() if stack and stack.canRedo() else "&Redo")
        for action in (self.generate_action, self.generate_all_action, self.sweep_action, self.control_action):
            action.setEnabled(writable and self.workspace.shot is not None)
        self.sweep_grid_action.setEnabled(open_)
        self.pause_action.setEnabled(writable)
        self.log_time_action.setEnabled(open_)
        self.take_bin_action.setEnabled(open_)
        self.rerun_qc_action.setEnabled(writable)
        if hasattr(self, "export_menu"):
            self.export_menu.update_enabled()

    def _update_title(self) -> None:
        if self.session is None:
            self.setWindowTitle("Director")
            self.setWindowFilePath("")
            return
        project = self.session.project
        name = project.settings().name
        suffix = " [read-only]" if project.readonly else ""
        self.setWindowFilePath(str(project.path))
        self.setWindowTitle(f"{name} — {project.path.name}{suffix} — Director")

    def _update_queue_label(self, *_args) -> None:
        """Recount on the next turn of the event loop (a pump's changes and its events ask twice)."""
        self._queue_label_timer.start()

    def _refresh_queue_label(self) -> None:
        """summary.job_counts (the one count the queue panel and `queue list` show), counted on the
        reads thread: it groups every job, 20 ms and more at 250,000 jobs, on each event."""
        if self.session is None:
            self.queue_label.setText("")
            return
        from director.store.summary import job_counts

        self.session.reads.submit("queue-label", job_counts, self._show_queue_counts)

    def _show_queue_counts(self, counts: dict[str, int]) -> None:
        from director.core.enums import JobState

        if self.session is None:
            return
        running, queued = counts.get(JobState.RUNNING.value, 0), counts.get(JobState.QUEUED.value, 0)
        paused = " · paused" if self.engine is not None and self.engine.paused else ""
        self.queue_label.setText(f"Queue: {running} running, {queued} waiting{paused}")

    # == commands =================================================================================

    def undo(self) -> None:
        if self.session is not None:
            self.session.undo_stack.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.session.undo_stack.redo()

    def show_settings(self):
        from director.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.session, self)
        dialog.settings_saved.connect(lambda: self.notify("Settings saved"))
        dialog.open()
        return dialog

    def show_time_log(self):
        """The human-time log: manual entries and corrections (non-modal, one per window)."""
        if self.session is None:
            return None
        from director.ui.time_log_dialog import open_time_log

        return open_time_log(self, self.session, self.workspace.shot)

    def show_take_bin(self):
        """The take bin (non-modal, one per window): restore takes, or empty the bin after asking."""
        if self.session is None:
            return None
        from director.ui.take_bin import TakeBinDialog

        existing = self._take_bin
        try:
            if existing is not None and existing.session is self.session:
                existing.show()
                existing.raise_()
                return existing
            if existing is not None:
                existing.close()
                existing.deleteLater()
        except RuntimeError:  # its C++ side is already gone
            pass
        dialog = TakeBinDialog(self.session, self)
        dialog.emptied.connect(lambda n: self.notify(f"Emptied the take bin: {n} take{'s' if n != 1 else ''} removed for good"))
        dialog.media_removed.connect(
            lambda files, freed: files >= 0 and self.notify(f"Deleted {files} media file{'s' if files != 1 else ''} of the emptied takes ({freed / 1e6:.1f} MB)"))
        self._take_bin = dialog
        dialog.show()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(self, "About Director", f"Director {__version__}\nA prompt-to-shot workstation for film makers.")

    # == layout ===================================================================================

    def _fit_default_geometry(self) -> None:
        """First start: the screen's free area up to PREFERRED_SIZE, less room for a title bar, centred."""
        area = available_area(self)
        width = min(PREFERRED_SIZE[0], area.width())
        height = min(PREFERRED_SIZE[1], area.height() - 32)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height - 32) // 2)

    def _restore_layout(self) -> None:
        settings = app_settings()
        self._default_state = self.saveState(LAYOUT_VERSION)
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
            clamp_to_screen(self)  # saved on a bigger monitor, or when the window had outgrown its screen
        self._sized_on_show = isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)
        self._default_layout_unsized = not self._sized_on_show
        # (a layout saved by an older arrangement is ignored; the default is then sized on first show)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        self._default_dock_sizes()
        self._update_banner()

    # == read-only banner =========================================================================

    def _build_banner(self) -> None:
        """A strip across the top, shown only while the project is open read-only, saying why."""
        self.banner = QToolBar("Read-only", self)
        self.banner.setObjectName("readOnlyBanner")
        self.banner.setMovable(False)
        self.banner.setFloatable(False)
        self.banner.toggleViewAction().setVisible(False)
        self.banner.setStyleSheet("QToolBar { background: #6b4a12; border: none; } QLabel { color: #fff3d6; padding: 4px 8px; }")
        self.banner_label = QLabel(self.banner)
        self.banner_label.setObjectName("readOnlyBannerText")
        self.banner_label.setWordWrap(True)
        self.banner.addWidget(self.banner_label)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.banner)
        self.banner.hide()

    def _update_banner(self) -> None:
        project = self.session.project if self.session is not None else None
        if project is None or not project.readonly:
            self.banner_label.setText("")
            self.banner.hide()
            return
        reason = getattr(project, "readonly_reason", None)
        if reason:
            text = (f"Read-only: {reason}. Edits are off (nothing can be changed or generated); "
                    f"make the file and its folder writable, then open it again to edit.")
        else:
            text = (f"Read-only: {project.path.name} is open in another Director (or was opened read-only). "
                    f"Edits are off until it is closed there and opened here again.")
        self.banner_label.setText(text)
        self.banner.show()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            clamp_to_screen(self)  # the frame is known now: title bar and borders count too
        if not self._sized_on_show:
            # Dock sizes only mean something once the window has its real size.
            self._sized_on_show = True
            QTimer.singleShot(0, self._default_dock_sizes)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        settings.sync()
        self.close_project()
        super().closeEvent(event)
