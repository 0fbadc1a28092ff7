"""The generate panel: preset, variants, seeds and parameters, checked as the user types.

Validation is the engine's own (`validate_params`, `draw_seeds`), run on every edit, so the
message under the form is exactly the rule that would refuse the job, with the nearest valid
value. Queueing goes through `engine.actions.queue_generation`: one job per camera, all cameras
sharing the seeds so their takes cut together.

Under the form: the preset's LoRAs (`ui.lora_list`, undoable, as `director lora`) and a line naming
the speed options this machine switches on for the preset (Settings ▸ Engine, `director engine
speed`), so what will change the pixels is in view before queueing.

The form scrolls above the Generate buttons, and the estimate, a budget warning and a missing-weights
notice are word-wrapped rows of their own: a long warning makes the form taller (and scrollable),
never squeezes the Frames and FPS rows into each other (issue #21).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError, InvalidInput
from director.core.audio import seconds_to_samples
from director.engine import actions
from director.engine.audio_drive import recipe_audio, takes_audio
from director.engine.loading import weights_present
from director.engine.machine_settings import check_speed, speed_line
from director.engine.presets import SEED_MODES, Preset, all_presets, draw_seeds, load_settings, validate_params
from director.engine.speed import settings_for
from director.store.cameras import get_camera
from director.store import audio as store_audio
from director.store.budget import preview_job
from director.store.shots import get_shot
from director.ui.dock_fit import wrap_within
from director.ui.hints import for_window
from director.ui.lora_list import LoraList
from director.ui.settings_dialog import engine_settings_notice
from director.ui.undo import ProjectSession

RANDOM_WEIGHTS_BADGE = "random weights"
KIND_LABELS = {"t2i": "Still", "t2v": "Video", "previz": "Previz"}  # previz: the blocking drawn, no model


def parse_seeds(text: str) -> list[int]:
    """'1, 2 3' → [1, 2, 3]; a word that is not a whole number names itself in the error."""
    out = []
    for word in text.replace(",", " ").split():
        try:
            out.append(int(word))
        except ValueError:
            raise InvalidInput(f"seed {word!r} is not a whole number") from None
    return out


class _WeightsRelay(QObject):
    """Carries the pool thread's answer to the UI thread; Qt drops it if the panel is gone."""

    checked = Signal(dict)


class _WeightsCheck(QRunnable):
    def __init__(self, presets: list[Preset], relay: _WeightsRelay):
        super().__init__()
        self._presets = presets
        self._relay = relay  # held here so it outlives the panel while the check runs

    def run(self) -> None:
        present = {p.id: weights_present(p) for p in self._presets}
        try:
            self._relay.checked.emit(present)
        except RuntimeError:  # the application quit while we looked: nobody is left to tell
            pass


class GeneratePanel(QWidget):
    """`generate_requested(all_cameras)` when a Generate button is pressed; the window commits
    the prompt first and then calls `queue()`."""

    generate_requested = Signal(bool)
    jobs_queued = Signal(list)
    weights_checked = Signal()  # the preset labels now say which weights are missing

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self.camera_id: int | None = None
        self._form_rev = 0  # bumped by each validation: an estimate read for an older form is dropped
        # Image-to-video presets start from a take: the gallery's i2v/extend actions use them.
        self._presets: list[Preset] = [p for p in all_presets() if p.kind in KIND_LABELS]

        self.preset_box = QComboBox(self)
        self.preset_box.setObjectName("presetCombo")
        # Long preset names must not make the whole dock wide; the popup still shows them in full.
        self.preset_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_box.setMinimumContentsLength(10)
        for preset in self._presets:
            label = f"{KIND_LABELS[preset.kind]} · {preset.label}"
            tip = preset.notes or ""
            if preset.tiny:
                label += f"  [{RANDOM_WEIGHTS_BADGE}]"
                tip = "Tiny model with random weights: real pipeline, noise for pictures. For trying the workflow."
            self.preset_box.addItem(label, preset.id)
            self.preset_box.setItemData(self.preset_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        tiny_video = [i for i, p in enumerate(self._presets) if p.tiny and p.kind == "t2v"]
        self.preset_box.setCurrentIndex((tiny_video or [0])[0])
        self._preset_chosen = False  # once the user picks a preset, the weights check leaves it alone
        self.preset_box.activated.connect(self._on_preset_activated)
        # Which presets have weights here: looking needs huggingface_hub (a third of a second to
        # import), so it runs on a pool thread and the labels follow when it answers.
        self._present: dict[str, bool] = {}
        self._weights_relay = _WeightsRelay()
        self._weights_relay.checked.connect(self._on_weights_checked)
        QThreadPool.globalInstance().start(_WeightsCheck(list(self._presets), self._weights_relay))
        self.variants = self._spin(1, 64, 4, "How many takes per camera, each with its own seed")
        self.seed_mode = QComboBox(self)
        for mode in SEED_MODES:
            self.seed_mode.addItem(mode, mode)
        self.seed_mode.setToolTip("random: new seeds; fixed: one base seed counting up; list: one seed per variant")
        self.seeds = QLineEdit(self)
        self.seeds.setObjectName("seedsEdit")
        self.seeds.setPlaceholderText("base seed, or one seed per variant")
        self.steps = self._spin(1, 1000, 8, "Denoising steps")
        self.guidance = QDoubleSpinBox(self)
        self.guidance.setRange(0.0, 100.0)
        self.guidance.setSingleStep(0.5)
        self.guidance.setDecimals(2)
        self.width_box = self._spin(1, 8192, 768, "Frame width in pixels")
        self.height_box = self._spin(1, 8192, 512, "Frame height in pixels")
        self.frames = self._spin(1, 10000, 1, "Frames per take")
        self.fps = QDoubleSpinBox(self)
        self.fps.setRange(0.0, 1000.0)
        self.fps.setDecimals(3)

        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(QLabel("×", self))
        size.addWidget(self.height_box)
        seeds = QHBoxLayout()
        seeds.addWidget(self.seed_mode)
        seeds.addWidget(self.seeds, 1)
        form = QFormLayout()
        form.addRow("&Preset", self.preset_box)
        form.addRow("&Variants", self.variants)
        form.addRow(self._buddy("S&eeds", self.seed_mode), seeds)
        form.addRow("S&teps", self.steps)
        form.addRow("G&uidance", self.guidance)
        form.addRow(self._buddy("&Size", self.width_box), size)
        form.addRow("&Frames", self.frames)
        form.addRow("FP&S", self.fps)
        # Audio to video (engine.audio_drive): a sound from the bin drives the picture; the row shows
        # only for presets that can be driven.
        self.sound_box = QComboBox(self)
        self.sound_box.setObjectName("drivingSound")
        self.sound_box.setToolTip("A sound from the Audio bin that drives the picture (LTX-2 audio to video); "
                                  "the take keeps that stretch of it as its own sound")
        self.sound_from = QDoubleSpinBox(self)
        self.sound_from.setRange(0.0, 36000.0)
        self.sound_from.setDecimals(2)
        self.sound_from.setSuffix(" s")
        self.sound_from.setToolTip("Where in the sound the clip starts")
        # Like the preset box: a long sound name must not make the dock wider (the popup shows it in full).
        self.sound_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sound_box.setMinimumContentsLength(8)
        self._sound_label = self._buddy("Soun&d", self.sound_box)
        self._sound_from_label = QLabel("Sound from", self)
        form.addRow(self._sound_label, self.sound_box)
        form.addRow(self._sound_from_label, self.sound_from)
        self._form = form
        self._drivable = False  # the Sound rows (and the bin's list in them) only for a drivable preset

        self.message = self._note("generateValidation")
        self.target = self._note("generateTarget")
        self.estimate = self._note("generateEstimate")
        self.weights_notice = self._note("weightsNotice")
        self.weights_notice.setStyleSheet("QLabel { color: #e0b050; }")
        self.weights_notice.hide()
        self.speed_note = self._note("generateSpeed")
        self.speed_note.setToolTip("Speed options of this preset on this machine: File ▸ Settings… ▸ Engine, "
                                   "or director engine speed PRESET")
        self.speed_note.hide()
        self.loras = LoraList(session, self)
        loras_label = QLabel("LoRAs", self)
        loras_label.setObjectName("loraHeading")
        self.generate_button = QPushButton("Generate", self)
        self.generate_button.setToolTip("Queue takes for the selected camera (Ctrl+G)")
        self.generate_all_button = QPushButton("All Cameras", self)
        self.generate_all_button.setToolTip("Queue takes for every camera of the shot, same seeds (Ctrl+Shift+G)")
        self.generate_button.clicked.connect(lambda: self.generate_requested.emit(False))
        self.generate_all_button.clicked.connect(lambda: self.generate_requested.emit(True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.generate_all_button)

        page = QWidget(self)
        page.setObjectName("generateForm")
        rows = QVBoxLayout(page)
        rows.setContentsMargins(2, 2, 2, 2)
        rows.addLayout(form)
        rows.addWidget(loras_label)
        rows.addWidget(self.loras)
        for note in (self.speed_note, self.target, self.estimate, self.weights_notice, self.message):
            rows.addWidget(note)
        rows.addStretch(1)
        self.form_scroll = QScrollArea(self)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.addWidget(self.form_scroll, 1)
        layout.addLayout(buttons)

        self.preset_box.currentIndexChanged.connect(self._on_preset_changed)
        self.seed_mode.currentIndexChanged.connect(self._on_seed_mode_changed)
        for widget in (self.variants, self.steps, self.width_box, self.height_box, self.frames):
            widget.valueChanged.connect(self.validate)
        for widget in (self.guidance, self.fps):
            widget.valueChanged.connect(self.validate)
        self.seeds.textChanged.connect(self.validate)
        self.sound_box.currentIndexChanged.connect(self._on_sound_changed)
        session.changed.connect(self._on_changed)
        engine_settings_notice().saved.connect(self._show_speed)
        self._on_preset_changed()
        self._on_seed_mode_changed()

    def _note(self, name: str) -> QLabel:
        """A word-wrapped row under the form: as tall as its text needs at the panel's width, and
        never wider than the panel (a long word is cut at the edge rather than widening the dock)."""
        label = wrap_within(QLabel(self))
        label.setObjectName(name)
        return label

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(lo, hi)
        box.setValue(value)
        box.setToolTip(tip)
        box.setKeyboardTracking(True)
        return box

    def _buddy(self, text: str, widget) -> QLabel:
        """A row label for a layout: the mnemonic needs a widget to focus, or '&' shows literally."""
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    def _on_preset_activated(self, *_args) -> None:
        self._preset_chosen = True

    def _on_weights_checked(self, present: dict) -> None:
        """Mark presets whose weights are missing, and start on one that can run here if the user
        has not picked one yet."""
        if self.session.project.closed:  # the check answered after the project closed
            return
        self._present = present
        for i, preset in enumerate(self._presets):
            if preset.tiny or present.get(preset.id, True):
                continue
            self.preset_box.setItemText(i, f"{self.preset_box.itemText(i)}  (weights missing)")
            self.preset_box.setItemData(
                i,
                f"The weights are not on this machine. Get them with: {preset.pull_command()}, or set a local folder in Settings.",
                Qt.ItemDataRole.ToolTipRole,
            )
        # A model whose weights are here first; without one, the previz (a real blocking render
        # that needs no weights) rather than a random-weight tiny model.
        runnable = sorted((i for i, p in enumerate(self._presets) if not p.tiny and present.get(p.id)),
                          key=lambda i: self._presets[i].kind == "previz")
        if runnable and not self._preset_chosen:
            self.preset_box.setCurrentIndex(runnable[0])
        self._show_weights_notice()
        self.weights_checked.emit()

    def weights_missing(self) -> bool:
        """Whether the chosen preset's weights are known to be missing here (the engine's rule,
        `weights_present`; unknown until the check answers, and never for built-in presets)."""
        preset = self.preset()
        return not preset.tiny and not preset.builder and self._present.get(preset.id) is False

    def _show_weights_notice(self) -> None:
        """Say before queueing what the worker would fail on: it loads local weights only."""
        if not self.weights_missing():
            self.weights_notice.hide()
            self.weights_notice.setText("")
            return
        preset = self.preset()
        self.weights_notice.setText(for_window(
            f"The weights of {preset.label} are not on this machine, so its jobs would fail. "
            f"Get them with: {preset.pull_command()}; or point File ▸ Settings… ▸ Model folder at a folder that holds them."))
        self.weights_notice.show()

    # -- state -----------------------------------------------------------------------------------

    def preset(self) -> Preset:
        return self._presets[max(0, self.preset_box.currentIndex())]

    def set_preset(self, preset_id: str) -> None:
        index = self.preset_box.findData(preset_id)
        if index < 0:
            raise InvalidInput(f"no preset {preset_id!r} in the generate panel")
        self._preset_chosen = True  # a preset named on purpose (a take action, a script): the weights check keeps it
        self.preset_box.setCurrentIndex(index)

    def set_shot(self, shot_id: int | None) -> None:
        self.shot_id = shot_id
        self.validate()

    def set_camera(self, camera_id: int | None) -> None:
        self.camera_id = camera_id
        self.validate()

    def params(self) -> dict:
        preset = self.preset()
        params = {
            "width": self.width_box.value(),
            "height": self.height_box.value(),
            "steps": self.steps.value(),
            "guidance": self.guidance.value(),
            "fps": self.fps.value(),
            "frames": self.frames.value() if preset.is_video else 1,
        }
        return params

    def seed_list(self) -> list[int]:
        return parse_seeds(self.seeds.text()) if self.seed_mode.currentData() != "random" else []

    def _on_preset_changed(self, *_args) -> None:
        preset = self.preset()
        d, c = preset.defaults, preset.constraints
        widgets = (self.steps, self.guidance, self.width_box, self.height_box, self.frames, self.fps)
        for w in widgets:
            w.blockSignals(True)
        # Steps of the spin boxes follow the model's rules, so arrow keys land on valid values;
        # typed values are still allowed so the message can say which rule they break.
        self.width_box.setSingleStep(c.size_multiple)
        self.height_box.setSingleStep(c.size_multiple)
        self.frames.setSingleStep(max(1, c.frame_step))
        self.steps.setValue(d.steps)
        self.guidance.setValue(d.guidance)
        self.width_box.setValue(d.width)
        self.height_box.setValue(d.height)
        self.frames.setValue(d.frames)
        self.fps.setValue(d.fps)
        for w in widgets:
            w.blockSignals(False)
        self.frames.setEnabled(preset.is_video)
        self.fps.setEnabled(preset.is_video)
        self._show_weights_notice()
        self.loras.set_preset(preset)
        self._show_speed()
        drivable = not takes_audio(preset)
        if drivable and not self._drivable:
            self._reload_sounds()
        self._drivable = drivable
        self._form.setRowVisible(self._sound_label, self._drivable)
        self._form.setRowVisible(self._sound_from_label, self._drivable)
        rule = f"frames {c.frame_rule}, {c.min_frames}–{c.max_frames}; " if preset.is_video else ""
        self.preset_box.setToolTip(f"{preset.listing_label}\n{rule}size a multiple of {c.size_multiple}, up to {c.max_width}×{c.max_height}")
        self.validate()

    def _show_speed(self) -> None:
        """'Speed: first_block_cache (changes pixels)': the options the preset's jobs will run with
        (engine.json, a small local file), or why the worker would refuse them."""
        preset = self.preset()
        try:
            settings = load_settings()
            names = check_speed(preset.id, settings_for(preset.id, settings), settings)
        except DirectorError as exc:
            self.speed_note.setText(for_window(f"Speed options refused: {exc}"))
            self.speed_note.setStyleSheet("QLabel { color: #ff8080; }")
        else:
            self.speed_note.setText(f"Speed: {speed_line(names)}" if names else "")
            self.speed_note.setStyleSheet("")
        self.speed_note.setVisible(bool(self.speed_note.text()))

    def _on_seed_mode_changed(self, *_args) -> None:
        mode = self.seed_mode.currentData()
        self.seeds.setEnabled(mode != "random")
        self.seeds.setPlaceholderText({"random": "drawn for you", "fixed": "base seed, e.g. 1234", "list": "one seed per variant: 1 2 3 4"}[mode])
        self.validate()

    def _reload_sounds(self) -> None:
        """The bin's sounds, keeping the one chosen while it is still there."""
        chosen = self.sound_box.currentData()
        self.sound_box.blockSignals(True)
        self.sound_box.clear()
        self.sound_box.addItem("None (the model makes the sound)", None)
        for sound in store_audio.list_audio(self.session.project):
            self.sound_box.addItem(f"{sound.name} ({sound.seconds:.1f} s)", sound.id)
        self.sound_box.setCurrentIndex(max(0, self.sound_box.findData(chosen)))
        self.sound_box.blockSignals(False)
        self._on_sound_changed()

    def _on_sound_changed(self, *_args) -> None:
        self.sound_from.setEnabled(self.sound_box.currentData() is not None)

    def driving_sound(self) -> dict | None:
        """The recipe's record of the chosen sound (engine.audio_drive), or None; InvalidInput when
        the start is outside it."""
        audio_id = self.sound_box.currentData()
        if audio_id is None or not self._drivable:
            return None
        project = self.session.project
        return recipe_audio(project, store_audio.find_audio(project, audio_id), seconds_to_samples(self.sound_from.value()))

    def _on_changed(self, changes) -> None:
        if changes.timeline and self._drivable:  # an import into the Audio bin
            self._reload_sounds()
        if self.shot_id is None:
            return
        if self.shot_id in changes.shots or changes.cameras or changes.project:
            self.validate()
        elif changes.costs:
            self._estimate_later()

    def _estimate_later(self) -> None:
        """Money moved (a job finished, an expense): the estimate and the budget verdict are read
        again on the reads thread. With a project budget that sums every job's money (60 ms at
        250,000 jobs), doing it here on each finished job stalled the window (issue #24)."""
        if self.problem() is not None:
            return
        self._form_rev += 1
        shot_id, preset, params, n = self.shot_id, self.preset().id, self.params(), self.variants.value()
        rev = self._form_rev

        def read(project):
            try:
                return preview_job(project, shot_id, preset, params, n)
            except DirectorError as exc:
                return str(exc)

        self.session.reads.submit(f"estimate-{id(self)}", read, lambda found: self._show_estimate(found, rev))

    def _show_estimate(self, found, rev: int) -> None:
        if rev == self._form_rev and self.problem() is None:  # the form is as it was asked about
            self.estimate.setText(self._estimate_words(found))

    # -- validation ------------------------------------------------------------------------------

    def problem(self) -> str | None:
        """The first rule the current form breaks, or None when it can be queued."""
        try:
            validate_params(self.preset(), self.params())
            draw_seeds(self.variants.value(), self.seed_mode.currentData(), self.seed_list())
        except DirectorError as exc:
            return str(exc)
        if self.shot_id is None:
            return "select a shot to generate"
        if self.session.project.readonly:
            return "the project is open read-only"
        try:
            shot = get_shot(self.session.project, self.shot_id)
        except DirectorError as exc:
            return str(exc)
        if shot.locked:
            return (f"Shot {shot.code} is locked: no new jobs start on a locked shot. Set its status back to approved "
                    f"(Shot ▸ Status, or the Shot panel: Shot ▸ Shot Properties…, Ctrl+I) to generate.")
        return None

    def validate(self, *_args) -> bool:
        self._form_rev += 1
        problem = self.problem()
        self.message.setText(for_window(problem or ""))
        self.message.setStyleSheet("QLabel { color: #ff8080; }" if problem else "")
        ok = problem is None
        self.generate_button.setEnabled(ok and self.camera_id is not None)
        self.generate_all_button.setEnabled(ok)
        self.target.setText(self._target_text())
        self.estimate.setText(self._estimate_text() if ok else "")
        return ok

    def _estimate_text(self) -> str:
        """What one camera's request would cost, from this project's history, and any budget warning.

        A few indexed reads of the job history: cheap enough to run on every edit of the form.
        """
        n = self.variants.value()
        try:
            found = preview_job(self.session.project, self.shot_id, self.preset().id, self.params(), n)
        except DirectorError as exc:
            return str(exc)
        return self._estimate_words(found)

    def _estimate_words(self, found) -> str:
        """(estimate, verdict) as the label says it, or a refusal's message as it is."""
        if isinstance(found, str):
            return found
        estimate, verdict = found
        text = f"Estimate: {estimate.describe()}"
        if verdict.message():
            text += "\n" + for_window(verdict.message())  # 'raise the cap' points at the Shot panel or Settings
        self.estimate.setStyleSheet("QLabel { color: #ff8080; }" if verdict.refused else ("QLabel { color: #e0b050; }" if verdict.message() else ""))
        return text

    def _target_text(self) -> str:
        if self.shot_id is None:
            return ""
        try:
            code = get_shot(self.session.project, self.shot_id).code
            camera = get_camera(self.session.project, self.camera_id).name if self.camera_id else None
        except DirectorError:
            return ""
        n = self.variants.value()
        return f"Shot {code}" + (f", camera {camera}" if camera else "") + f": {n} variant{'s' if n != 1 else ''}"

    # -- queueing --------------------------------------------------------------------------------

    def queue(self, *, all_cameras: bool = False) -> list[int]:
        """Queue the jobs; a refusal becomes the session's error message and no job."""
        problem = self.problem()
        if problem:
            self.session.error_raised.emit(problem)
            return []
        project = self.session.project
        try:
            code = get_shot(project, self.shot_id).code
            cameras = None if all_cameras or self.camera_id is None else [get_camera(project, self.camera_id).name]
            queued = actions.queue_generation(
                project,
                code,
                self.preset().id,
                cameras=cameras,
                all_cameras=all_cameras,
                variants=self.variants.value(),
                seed_mode=self.seed_mode.currentData(),
                seeds=self.seed_list(),
                params=self.params(),
                audio=self.driving_sound(),
            )
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return []
        self.session.announce(queued.changes)
        ids = list(queued.job_ids)
        self.jobs_queued.emit(ids)
        return ids
