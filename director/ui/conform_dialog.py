"""Timeline ▸ Conform to Final: the window's face of `engine.conform` (the same plan, price, budget
refusal, queue, drift check and switch as `director conform`).

The plan is priced on the reads thread and shown before anything runs. Accepting queues the finals
as ordinary jobs (progress, cancel, pause and durability are the queue's). When the last of them
ends, its drift from the draft is measured on the reads thread, then the cut switches that clip to
its final (an undoable step per landing), and drifted clips are named in a notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.cost import format_money
from director.core.errors import DirectorError
from director.engine import conform
from director.engine.messages import Failed, Finished

if TYPE_CHECKING:
    from director.ui.main_window import MainWindow

SAME_PRESET = "Each draft's own preset, 2× size and steps"
COLUMNS = ("Clip(s)", "Shot", "Action", "Final", "Frames rendered", "GPU s", "Cost", "Why")


class ConformDialog(QDialog):
    """The priced plan of a conform; `plan` is what accepting it queues."""

    replan = Signal()

    def __init__(self, preset_ids: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Conform to Final")
        self.setMinimumSize(640, 360)
        self.plan: conform.ConformPlan | None = None
        self.preset = QComboBox()
        self.preset.addItem(SAME_PRESET, None)
        for pid in preset_ids:
            self.preset.addItem(pid, pid)
        self.handles = QSpinBox()
        self.handles.setRange(0, 240)
        self.handles.setSuffix(" frames")
        self.handles.setToolTip("Extra take frames each side of what the cut uses")
        form = QFormLayout()
        form.addRow("Final &preset:", self.preset)
        form.addRow("&Handles:", self.handles)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.summary = QLabel("Pricing the conform…")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go = self.buttons.addButton("Queue Finals", QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.preset.currentIndexChanged.connect(lambda _i: self.replan.emit())
        self.handles.valueChanged.connect(lambda _v: self.replan.emit())

    def pricing(self) -> None:
        self.plan = None
        self.go.setEnabled(False)
        self.summary.setText("Pricing the conform…")

    def show_error(self, text: str) -> None:
        self.plan = None
        self.model.removeRows(0, self.model.rowCount())
        self.go.setEnabled(False)
        self.summary.setText(f"<span style='color:#ff8080'>{text}</span>")

    def show_plan(self, plan: conform.ConformPlan) -> None:
        self.plan = plan
        self.model.removeRows(0, self.model.rowCount())
        for r in plan.renders:
            clips = ", ".join(str(c.clip_id) for c in r.clips)
            cost = "" if r.action != "render" else ("unknown" if r.money is None else format_money(r.money, plan.currency))
            gpu = "" if r.action != "render" or r.gpu_s is None else f"{r.gpu_s:.1f}"
            final = f"{r.preset} {r.size}, {r.params.get('steps')} steps" if r.action == "render" else (
                f"final {r.final_id}" if r.final_id else "—")
            frames = f"{r.rendered[0]}–{r.rendered[1] - 1} of {r.frames}" if r.action == "render" else ""
            why = r.why if r.action == "render" else (
                "made from the same recipe already" if r.action == "reuse" else "held on its draft (toggle it to conform it)")
            items = [QStandardItem(x) for x in (clips, f"{r.shot_code} {r.camera}".strip(), r.action, final, frames, gpu, cost, why)]
            items[-1].setToolTip(why)
            self.model.appendRow(items)
        self.table.resizeColumnsToContents()
        n = len(plan.to_render)
        reuse = sum(1 for r in plan.renders if r.action == "reuse")
        if n and plan.gpu_s is None:
            total = "Total unknown: a preset has no history yet (run one job of it to price the conform)."
        else:
            total = f"Total ≈ {plan.gpu_s or 0:.1f} GPU s ≈ {format_money(plan.money or 0, plan.currency)}."
        lines = [f"{n} render(s), {reuse} reused. {total}", *plan.remaining]
        verdict = plan.verdict.message()
        if verdict:
            colour = "#ff8080" if plan.verdict.refused else "#ffc060"
            lines.append(f"<span style='color:{colour}'>{verdict}</span>")
        self.summary.setText("<br>".join(lines))
        self.go.setText(f"Queue {n} Final{'s' if n != 1 else ''}" if n else "Switch the Cut to Finals")
        self.go.setEnabled(not plan.verdict.refused and (n > 0 or reuse > 0))


class ConformController(QObject):
    """Runs a conform for the window: price, queue, wait for the finals, measure, switch (undoable)."""

    landed = Signal(object)  # conform.Landed, after the cut switched to the finals that landed

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.dialog: ConformDialog | None = None
        self.plan: conform.ConformPlan | None = None
        self.waiting: set[int] = set()
        window.job_event.connect(self._on_job_event)

    # -- price ---------------------------------------------------------------------------------

    def start(self) -> ConformDialog | None:
        """Open the priced plan for the current cut (non-modal; accepting it queues the finals)."""
        session = self.window.session
        if session is None or session.project.readonly:
            self.window.notify("Open a project you can write to, to conform its cut", error=True)
            return None
        if self.waiting:
            self.window.notify(f"A conform is already running: {len(self.waiting)} final(s) to go")
            return None
        from director.engine.presets import all_presets

        dialog = ConformDialog([p.id for p in all_presets()], self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.replan.connect(self._price)
        dialog.accepted.connect(lambda: self._queue(dialog.plan))
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        self._price()
        dialog.show()
        return dialog

    def _timeline_id(self) -> int | None:
        timeline = self.window.panel("timeline")
        return getattr(timeline, "timeline_id", None)

    def _price(self) -> None:
        dialog, session = self.dialog, self.window.session
        if dialog is None or session is None:
            return
        dialog.pricing()
        timeline_id, preset, handles = self._timeline_id(), dialog.preset.currentData(), dialog.handles.value()

        def read(project):
            return conform.plan_conform(project, timeline_id, preset_id=preset, handles=handles)

        def failed(exc: Exception) -> None:
            if self.dialog is not None:
                self.dialog.show_error(str(exc) if isinstance(exc, DirectorError) else f"Could not price the conform: {exc}")

        session.reads.submit("conform-plan", read, lambda plan: self.dialog and self.dialog.show_plan(plan), failed)

    # -- queue ---------------------------------------------------------------------------------

    def _queue(self, plan: conform.ConformPlan | None) -> None:
        session = self.window.session
        if plan is None or session is None:
            return
        try:
            queued = conform.queue_conform(session.project, plan)
        except DirectorError as exc:
            self.window.notify(str(exc), error=True)
            return
        self.plan = plan
        self.waiting = set(queued.job_ids)
        session.announce(queued.changes)
        if queued.job_ids:
            self.window.notify(f"Conform: {len(queued.job_ids)} final(s) queued; the cut switches as they land")
            self.window.pump()
        else:
            self._measure()

    def _on_job_event(self, event) -> None:
        if not self.waiting or not isinstance(event, (Finished, Failed)):
            return
        if event.job_id in self.waiting:
            self.waiting.discard(event.job_id)
            self._measure()  # each final switches its clips as it lands

    # -- land ----------------------------------------------------------------------------------

    def _measure(self) -> None:
        session = self.window.session
        if session is None or self.plan is None:
            return
        session.reads.submit("conform-drift", conform.measure_drifts, self._land,
                             lambda exc: self.window.notify(f"Conform: could not compare finals with drafts: {exc}", error=True))

    def _land(self, measured) -> None:
        session, plan = self.window.session, self.plan
        if session is None or plan is None:
            return
        try:
            landed = conform.land(session.project, plan, measured)
        except DirectorError as exc:
            self.plan = None
            self.window.notify(str(exc), error=True)
            return
        if not self.waiting:
            if landed.waiting:  # every job ended, but a final's take came after this read measured
                self._measure()
            else:
                self.plan = None
        if landed.switch.edits:
            # land() applied the switch so each clip's edit was built on the one before; undo it and
            # apply it again through the stack, so Edit ▸ Undo puts the drafts back.
            landed.switch.revert(session.project)
            session.push(landed.switch)
        if not (landed.switch.edits or landed.flags or landed.failed):
            return  # this final's read found nothing new (an earlier read landed it)
        said = [f"Conform: {len(landed.switch.edits)} clip(s) switched to their finals"]
        said += [f"drift: {line}" for line in landed.flags]
        said += landed.failed
        self.window.notify("; ".join(said), error=bool(landed.flags or landed.failed))
        self.landed.emit(landed)
