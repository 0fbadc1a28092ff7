"""File ▸ Export: the cut, takes, storyboard, edits for an editing suite and the cost log.

Project data (the cut, take infos, the storyboard layout) is read on the UI thread in a few
milliseconds; the long part, writing files, runs in an ExportTask with a progress dialog whose
Cancel leaves no half-written file at the destination (the exporters write beside it and rename).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QProgressDialog, QWidget

from director.core.errors import DirectorError, InvalidInput
from director.ui.hints import for_window

if TYPE_CHECKING:  # the menu is built with the empty window; the store and the exporters load on first use
    from director.store.project import Project
    from director.ui.export_tasks import ExportTask


@dataclass(frozen=True)
class ExportKind:
    key: str
    title: str
    suffix: str
    file_filter: str
    shortcut: str | None = None


KINDS = (
    ExportKind("cut", "Cut as &MP4…", ".mp4", "H.264 video (*.mp4)", "Ctrl+E"),
    ExportKind("takes", "Selected &Takes…", "", ""),
    ExportKind("storyboard", "&Storyboard PDF…", ".pdf", "PDF (*.pdf)", "Ctrl+Shift+E"),
    ExportKind("contact_sheet", "Contact Sheet &PNG…", ".png", "PNG image (*.png)"),
    ExportKind("otio", "&OpenTimelineIO…", ".otio", "OpenTimelineIO (*.otio)"),
    ExportKind("otioz", "OpenTimelineIO &Bundle…", ".otioz", "OpenTimelineIO bundle (*.otioz)"),
    ExportKind("edl", "CMX 3600 &EDL…", ".edl", "EDL (*.edl)"),
    ExportKind("fcpxml", "Final Cut Pro 7 &XML…", ".xml", "FCP 7 XML (*.xml)"),
    ExportKind("fcpx", "Final Cut Pro &X (FCPXML)…", ".fcpxml", "FCPXML 1.10 (*.fcpxml)"),
    ExportKind("aaf", "AA&F for Avid…", ".aaf", "AAF (*.aaf)"),
    ExportKind("stems", "Sound Ste&ms (WAV)…", "", ""),
    ExportKind("srt", "S&ubtitles (SRT)…", ".srt", "SubRip subtitles (*.srt)"),
    ExportKind("costs", "&Cost Report (CSV)…", ".csv", "CSV (*.csv)"),
)


class ExportMenu(QObject):
    """Builds the Export menu for a window that has `session` and `notify(text, error=)`."""

    export_finished = Signal(str, object)  # kind, the exporter's result
    export_failed = Signal(str, str)  # kind, message

    def __init__(self, window: QWidget, menu: QMenu):
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.tasks: list[ExportTask] = []
        self.dialog: QProgressDialog | None = None
        self.error_box: QMessageBox | None = None  # the last failure, shown without blocking
        self.skip_button = None  # its 'Export Without Them' button, when takes' media was the cause
        self._storyboard_skipped = None
        self.actions: dict[str, QAction] = {}
        for kind in KINDS:
            action = QAction(kind.title, window)
            if kind.shortcut:
                action.setShortcut(QKeySequence(kind.shortcut))
            action.triggered.connect(lambda _=False, k=kind: self.ask_and_export(k.key))
            menu.addAction(action)
            window.addAction(action)
            self.actions[kind.key] = action
        menu.addSeparator()
        # On by default, as `director export cut` and `export otio|edl|fcpxml` (their --no-audio).
        self.sound_action = QAction("With S&ound", window)
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(True)
        self.sound_action.setToolTip("The cut's MP4 carries its AAC mix, and the edits their sound tracks; off: picture only")
        menu.addAction(self.sound_action)
        self._add_options(window, menu)
        self.update_enabled()

    def _add_options(self, window: QWidget, menu: QMenu) -> None:
        """The choices `director export` takes as flags: --absolute, --drop-frame, --no-multicam,
        --timeline, and the project's programme start (`director export start-tc`)."""

        def toggle(text: str, tip: str, on: bool = False) -> QAction:
            action = QAction(text, window)
            action.setCheckable(True)
            action.setChecked(on)
            action.setToolTip(tip)
            menu.addAction(action)
            return action

        self.absolute_action = toggle("Link Media by &Absolute Path", "OTIO, EDL and FCP XML name the media by absolute file URL; "
                                      "off: relative to the edit, so its folder can be moved or zipped whole")
        self.drop_frame_action = toggle("&Drop-Frame Timecode", "Record timecode in drop frame (29.97 and 59.94 fps cuts only)")
        self.multicam_action = toggle("Keep Multicam An&gles", "Edits keep every camera's take beside the live one, disabled, "
                                      "so an editor can re-cut the angles; off: only what the cut shows", on=True)
        self.timeline_menu = menu.addMenu("From C&ut")
        self.timeline_menu.setObjectName("exportFromCut")
        self.timeline_menu.aboutToShow.connect(self._fill_timelines)
        self.timeline_choice: int | None = None  # a cut's id; None: whichever cut is current
        self.start_tc_action = QAction("Programme &Start Timecode…", window)
        self.start_tc_action.setToolTip("The record timecode of the cut's first frame in every export")
        self.start_tc_action.triggered.connect(lambda: self.show_start_timecode())
        menu.addAction(self.start_tc_action)
        self.start_tc_dialog = None

    def _fill_timelines(self) -> None:
        """The cuts as radio items, read when the submenu opens (a cut deleted meanwhile falls back to the current)."""
        from PySide6.QtGui import QActionGroup

        from director.store.cuts import list_cuts

        self.timeline_menu.clear()
        project = self._project()
        if project is None:
            return
        cuts = list_cuts(project)
        if self.timeline_choice not in {c.id for c in cuts}:
            self.timeline_choice = None
        group = QActionGroup(self.timeline_menu)
        current = next((c.name for c in cuts if c.current), "")
        for cut_id, text in [(None, f"The Current Cut ({current})"), *((c.id, c.name) for c in cuts)]:
            action = self.timeline_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(cut_id == self.timeline_choice)
            action.setActionGroup(group)
            action.triggered.connect(lambda _=False, i=cut_id: setattr(self, "timeline_choice", i))

    def show_start_timecode(self):
        """The programme start dialog, opened without blocking; OK pushes an undoable edit."""
        from director.ui.start_tc_dialog import StartTimecodeDialog

        session = getattr(self.window, "session", None)
        if session is None:
            return None
        dialog = StartTimecodeDialog(session, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda *_: setattr(self, "start_tc_dialog", None))
        self.start_tc_dialog = dialog
        dialog.open()
        return dialog

    @property
    def with_sound(self) -> bool:
        return self.sound_action.isChecked()

    def update_enabled(self) -> None:
        open_ = getattr(self.window, "session", None) is not None
        for action in (*self.actions.values(), self.start_tc_action):
            action.setEnabled(open_)
        self.timeline_menu.setEnabled(open_)
        if not open_:
            self.timeline_choice = None

    # -- entry points ---------------------------------------------------------------------------

    def ask_and_export(self, key: str) -> ExportTask | None:
        kind = next(k for k in KINDS if k.key == key)
        project = self._project()
        if project is None:
            return None
        suggested = str(project.path.with_name(f"{project.path.stem}_{key}{kind.suffix}"))
        if kind.suffix:
            dest, _ = QFileDialog.getSaveFileName(self.window, kind.title.replace("&", "").rstrip("…"), suggested, kind.file_filter)
        else:
            title = "Export Selected Takes To" if key == "takes" else "Export Sound Stems To"
            dest = QFileDialog.getExistingDirectory(self.window, title, str(project.path.parent))
        if not dest:
            return None
        return self.export(key, dest)

    def export(self, key: str, dest: str | os.PathLike, *, start: bool = True, skip_missing: bool = False) -> ExportTask | None:
        """Start one export to `dest`; returns the task (None when refused at once).

        start=False returns it wired but not started, for a caller that connects to it first.
        A take whose media is missing, damaged or tampered fails the export with its name (the error
        dialog then offers to export without it); skip_missing=True leaves such takes out (black in
        a cut, a gap in an edit, a 'media missing' storyboard panel) and the notification lists them.
        """
        project = self._project()
        if project is None:
            return None
        skipped = None
        try:
            label, work, skipped = self._plan(project, key, Path(dest), skip_missing)
        except DirectorError as exc:
            self._fail(key, str(exc))
            return None
        from director.ui.export_tasks import ExportTask

        task = ExportTask(work, label, parent=self)
        self.tasks.append(task)
        dialog = QProgressDialog(f"{label}…", "Cancel", 0, 0, self.window)
        dialog.setWindowTitle(label)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)  # no flash for quick exports
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(task.cancel)
        task.progress.connect(lambda done, total: (dialog.setMaximum(max(total, 1)), dialog.setValue(min(done, max(total, 1)))))

        def done(emit: Callable[[], None]) -> None:
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
            if task in self.tasks:
                self.tasks.remove(task)
            emit()

        task.finished.connect(lambda result: done(lambda: self._finish(key, dest, result, skipped)))
        task.failed.connect(lambda message: done(lambda: self._fail(key, message, None if skip_missing else self._retry(task, key, dest))))
        task.cancelled.connect(lambda: done(lambda: self._notify(f"{label} cancelled; nothing was written to {dest}")))
        self.dialog = dialog
        if start:
            task.start()
        return task

    def wait_all(self, timeout_s: float = 30.0) -> None:
        """For closing: let running exports finish writing (each stops at its next frame if cancelled)."""
        for task in list(self.tasks):
            task.cancel()
            task.wait(timeout_s)

    # -- plans: read the project here, write files on the worker thread -------------------------

    def _plan(self, project: Project, key: str, dest: Path, skip_missing: bool = False):
        """(label, work, skipped): `work(progress, cancelled)` runs on the worker; `skipped` collects the
        takes a storyboard left out (the other exporters return theirs in the result)."""
        label, work = self._work(project, key, dest, skip_missing)
        return label, work, (self._storyboard_skipped if key in ("storyboard", "contact_sheet") else None)

    def _work(self, project: Project, key: str, dest: Path, skip: bool):
        from director.core.smpte import RecordClock
        from director.export.takeinfo import take_infos
        from director.store.cuts import find_timeline
        from director.store.edit_settings import record_start
        from director.store.timeline import build_cut

        media = project.media
        self._storyboard_skipped = None
        if key == "costs":
            from director.export.costs import build_report

            report = build_report(project, "costs")
            return "Cost report", lambda progress, cancelled: report.write(dest, "csv")
        if key == "takes":
            from director.export.takes import export_takes
            from director.store import shots, takes

            ids = [t.id for s in shots.list_shots(project) for t in takes.selected_takes(project, s.id)]
            if not ids:
                raise InvalidInput("no selected takes to export: select takes in the gallery (P) first")
            infos = list(take_infos(project, ids).values())
            name = project.settings().name
            return "Export takes", lambda progress, cancelled: export_takes(infos, media, dest, project_name=name, progress=progress, is_cancelled=cancelled, skip_missing=skip)
        timeline_id = find_timeline(project, self.timeline_choice)
        cut = build_cut(project, timeline_id)
        if key in ("storyboard", "contact_sheet"):
            from director.export.frames import Skipped
            from director.export.storyboard import build_storyboard

            board = build_storyboard(project, "cut" if cut.duration > 0 else "shots", cut if cut.duration > 0 else None)
            skipped = self._storyboard_skipped = Skipped() if skip else None
            if key == "contact_sheet":
                from director.export.contact_sheet import render_contact_sheet

                return "Contact sheet", lambda progress, cancelled: render_contact_sheet(board, media, dest, progress=progress, is_cancelled=cancelled, skipped=skipped)
            from director.export.storyboard_pdf import render_storyboard_pdf

            return "Storyboard", lambda progress, cancelled: render_storyboard_pdf(board, media, dest, progress=progress, is_cancelled=cancelled, skipped=skipped)
        if cut.duration <= 0:
            raise InvalidInput("the timeline is empty: drag shots or takes onto it first")
        if key in ("stems", "srt"):
            return self._sound_work(project, key, dest, timeline_id, cut)
        start, drop_frame = record_start(project), self.drop_frame_action.isChecked()
        RecordClock(cut.rate, start, drop_frame).start_frame  # drop frame at 24 fps, or a start past this rate's frames: refused here
        if key == "cut":
            from director.ui.export_tasks import cut_export_work

            work = cut_export_work(project, cut, dest, sound=self.with_sound, skip_missing=skip, timeline_id=timeline_id,
                                   start_timecode=start, drop_frame=drop_frame)
            return "Export cut", work
        from director.export.interchange import export_interchange, resolve_format
        from director.store.angles import multicam_cut
        from director.store.edit_settings import edit_title

        if key == "aaf":  # the live edit only, every take at the cut's rate (export.aaf says why)
            from director.export.aaf import check_aaf_cut, export_aaf

            check_aaf_cut(cut)
            infos = take_infos(project, [s.take_id for s in cut.segments if s.take_id is not None])
            name = edit_title(project, timeline_id)
            return "Export AAF", lambda progress, cancelled: export_aaf(
                cut, infos, media, dest, name=name, progress=progress, is_cancelled=cancelled, skip_missing=skip, start_timecode=start,
            )

        fmt = "fcpxml" if key == "fcpx" else key
        resolve_format(dest, fmt)  # a .fcpxml/.xml mix-up is refused before any work
        if self.multicam_action.isChecked():
            cut = multicam_cut(project, timeline_id)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles) if s.take_id is not None])
        name = edit_title(project, timeline_id)
        plan = None
        if self.with_sound and key != "otioz":
            from director.store.audio import mix_plan

            plan = mix_plan(project, timeline_id, cut)
        absolute = self.absolute_action.isChecked()
        return f"Export {key.upper()}", lambda progress, cancelled: export_interchange(
            cut, infos, media, dest, fmt, name=name, progress=progress, is_cancelled=cancelled, skip_missing=skip, sound=plan,
            absolute=absolute, start_timecode=start, drop_frame=drop_frame,
        )

    def _sound_work(self, project: Project, key: str, dest: Path, timeline_id: int, cut):
        """Stems (one WAV per audio track, `director export stems`) and subtitles (`director export srt`)."""
        from director.store.destinations import check_output_file, check_output_folder

        if key == "srt":
            from director.core.subtitles import srt_text, subtitles
            from director.export.common import atomic_output
            from director.store.script import dialogue_of

            subs = subtitles(cut, dialogue_of(project, [s.metadata.get("shot_id") for s in cut.segments]))
            dest = check_output_file(dest)

            def write_srt(progress, cancelled):
                with atomic_output(dest) as temp:
                    temp.write_text(srt_text(subs, cut.rate), encoding="utf-8")
                return len(subs)

            return "Export subtitles", write_srt
        from director.export.audio_mix import export_stems
        from director.store.audio import mix_plan

        plan = mix_plan(project, timeline_id, cut)
        if not plan.has_sound:
            raise InvalidInput("the cut has no sound to export as stems: give takes sound or place audio on its tracks first")
        folder, media, prefix = check_output_folder(dest), project.media, project.path.stem + "_"
        return "Export stems", lambda progress, cancelled: export_stems(plan, media, folder, prefix, progress=progress, is_cancelled=cancelled)

    # -- outcomes -------------------------------------------------------------------------------

    def _project(self) -> Project | None:
        session = getattr(self.window, "session", None)
        return session.project if session is not None else None

    def _notify(self, text: str, error: bool = False) -> None:
        notify = getattr(self.window, "notify", None)
        if notify is not None:
            notify(text, error=error)

    def _finish(self, key: str, dest, result, skipped=None) -> None:
        left_out = list(getattr(result, "skipped", ()) or skipped or ())
        text = f"Exported {key.replace('_', ' ')} to {dest}"
        if left_out:
            text += f"; left out {len(left_out)} take(s): " + "; ".join(i.describe() for i in left_out)
        self._notify(text, error=bool(left_out))
        self.export_finished.emit(key, result)

    def _retry(self, task: ExportTask, key: str, dest) -> Callable[[], object] | None:
        """For a failure caused by takes' media: the way to export without them."""
        from director.export.frames import TakeMediaError

        if isinstance(task.error, TakeMediaError):
            return lambda: self.export(key, dest, skip_missing=True)
        return None

    def _fail(self, key: str, message: str, retry: Callable[[], object] | None = None) -> None:
        message = for_window(message)
        self._notify(message, error=True)
        self._show_error(key, message, retry)
        self.export_failed.emit(key, message)

    def _show_error(self, key: str, message: str, retry: Callable[[], object] | None = None) -> None:
        """The exporter's own sentence (which take, which file, what the decoder said) in a box the
        user closes; opened, not exec'd, so the window keeps running meanwhile. When takes' media
        was the cause, 'Export Without Them' runs it again leaving those takes out."""
        if self.error_box is not None:
            self.error_box.close()
        kind = next((k for k in KINDS if k.key == key), None)
        what = kind.title.replace("&", "").rstrip("…") if kind else key
        box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", f"{what}: nothing was exported.", QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("exportErrorDialog")
        box.setInformativeText(message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.skip_button = None
        if retry is not None:
            self.skip_button = box.addButton("Export Without Them", QMessageBox.ButtonRole.AcceptRole)
            self.skip_button.setToolTip("Leave these takes out: black in a cut, a gap in an edit, a 'media missing' panel in a storyboard")
            self.skip_button.clicked.connect(lambda: retry())
        box.finished.connect(lambda *_: self._forget_error(box))
        self.error_box = box
        box.open()

    def _forget_error(self, box: QMessageBox) -> None:
        if self.error_box is box:
            self.error_box = None
