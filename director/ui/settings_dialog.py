"""Settings: the project's prices and idle cut-off, and this machine's engine set-up.

Project settings live in the project file (`Project.update_settings`) so they travel with it.
Where jobs run (the local worker or a Ray cluster) is this machine's app setting (QSettings),
read when a project opens. Device, memory budget, model folders and per-preset memory options go
to the engine's own settings file (`engine.machine_settings`, `engine.json`), which
`director engine settings` shows and sets, so the CLI and the window load the same weights on the
same device. Device and budget saved by an older Director in the app settings are still read.
Per preset, the speed options (`engine.speed.OPTIONS`) are a checklist saved through the same
`machine_settings.update` as `director engine speed`: a refused combination (two step caches)
is said in the dialog and nothing is saved.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from decimal import Decimal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError, InvalidInput
from director.engine import machine_settings
from director.engine import speed as speed_options
from director.engine.engine_choice import parse_engine
from director.engine.machine_settings import DEVICES
from director.engine.presets import BUILTIN, MEMORY_KEYS, load_settings
from director.ui.qc_settings import QcSettingsTab
from director.ui.recent import app_settings
from director.ui.undo import ProjectSession

BOOL_MEMORY = tuple(k for k in MEMORY_KEYS if k != "first_block_cache")


LEGACY_KEYS = {"device": "engine/device", "memory_budget_gb": "engine/memory_budget_gb"}


def _saved(key: str, default):
    """A machine setting from engine.json, else as an older Director kept it in the app settings."""
    try:
        data = load_settings()
    except DirectorError:  # a malformed engine.json: the presets say so where they load
        data = {}
    if key in data:
        return data[key]
    return app_settings().value(LEGACY_KEYS[key], default) or default


def engine_client_settings() -> dict:
    """What the engine worker is started with (the device goes by environment)."""
    out: dict = {}
    budget = float(_saved("memory_budget_gb", 0) or 0)
    if budget > 0:
        out["memory_budget_gb"] = budget
    return out


ENGINE_KEY = "engine/engine"


def engine_setting() -> str:
    """Where jobs run, as saved in the settings: "local" or a Ray address (engine_choice's forms);
    `make_engine_client(settings={"engine": engine_setting()})` turns it into a client."""
    return str(app_settings().value(ENGINE_KEY, "local") or "local").strip() or "local"


ALLOW_UNAUTHENTICATED_KEY = "engine/ray_allow_unauthenticated"


def allow_unauthenticated_setting() -> bool:
    """Whether the window may use a Ray cluster without token authentication (off unless the user
    turned it on); passed to make_engine_client as settings["ray_allow_unauthenticated"]."""
    return str(app_settings().value(ALLOW_UNAUTHENTICATED_KEY, "false")).lower() in ("1", "true")


def apply_device_setting() -> None:
    """The worker picks its device from DIRECTOR_DEVICE; a spawned worker inherits it."""
    device = str(_saved("device", "auto"))
    if device == "auto":
        os.environ.pop("DIRECTOR_DEVICE", None)
    else:
        os.environ["DIRECTOR_DEVICE"] = device


save_engine_settings = machine_settings.save  # engine.json, written atomically


class EngineSettingsNotice(QObject):
    """Says that the dialog wrote engine.json, so panels that show engine settings read them again."""

    saved = Signal()


_notice: EngineSettingsNotice | None = None


def engine_settings_notice() -> EngineSettingsNotice:
    global _notice
    if _notice is None:
        _notice = EngineSettingsNotice()
    return _notice


def _minutes_to_seconds(text: str) -> str:
    """The GPU budget field (minutes) as the store's seconds; empty clears the cap. A word that is
    not a number is refused in minutes, the field's unit."""
    text = text.strip()
    if not text:
        return ""
    try:
        minutes = Decimal(text)
    except ArithmeticError:
        minutes = Decimal("NaN")
    if not minutes.is_finite() or minutes <= 0:
        raise InvalidInput(f"the project's GPU budget is a number of minutes above 0, got {text!r}; clear the field for no cap")
    return str(minutes * 60)


class SettingsDialog(QDialog):
    """Non-blocking (`open()`); `settings_saved` after OK wrote everything."""

    settings_saved = Signal()

    def __init__(self, session: ProjectSession | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.session = session
        self.tabs = QTabWidget(self)
        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("QLabel { color: #ff8080; }")
        self._build_project_tab()
        self._build_engine_tab()
        self.qc_tab = QcSettingsTab(session, self)  # continuity QC levels, kept in the project
        self.tabs.addTab(self.qc_tab, "&QC")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    # -- project ---------------------------------------------------------------------------------

    def _build_project_tab(self) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        self.name = QLineEdit(page)
        self.price = QLineEdit(page)
        self.price.setToolTip("What one GPU hour costs you; money = measured GPU hours × this")
        self.currency = QLineEdit(page)
        self.currency.setMaxLength(3)
        self.energy = QLineEdit(page)
        self.energy.setPlaceholderText("optional, e.g. 0.30")
        self.budget_money = QLineEdit(page)
        self.budget_money.setObjectName("projectBudget")
        self.budget_money.setPlaceholderText("no cap")
        self.budget_money.setToolTip("The most the whole project may spend; jobs that would pass it are refused. Empty: no cap.")
        self.budget_gpu = QLineEdit(page)
        self.budget_gpu.setObjectName("projectGpuBudget")
        self.budget_gpu.setPlaceholderText("no cap")
        self.budget_gpu.setToolTip("The most GPU time the whole project may use, in minutes. Empty: no cap.")
        self.idle = QSpinBox(page)
        self.idle.setRange(10, 24 * 3600)
        self.idle.setSuffix(" s")
        self.idle.setToolTip("Time on a shot stops counting after this long without input")
        form.addRow("Project &name", self.name)
        form.addRow("&Price per GPU hour", self.price)
        form.addRow("C&urrency", self.currency)
        form.addRow("&Energy price per kWh", self.energy)
        form.addRow("Project &budget", self.budget_money)
        form.addRow("Project GPU budget (&minutes)", self.budget_gpu)
        form.addRow("&Idle cut-off", self.idle)
        editable = self.session is not None and not self.session.project.readonly
        if self.session is not None:
            s = self.session.project.settings()
            self.name.setText(s.name)
            self.price.setText(str(s.gpu_price_per_hour))
            self.currency.setText(s.currency)
            self.energy.setText(str(s.energy_price_per_kwh) if s.energy_price_per_kwh is not None else "")
            self.idle.setValue(s.idle_cutoff_s)
            self.budget_money.setText(f"{s.budget_money.normalize():f}" if s.budget_money is not None else "")
            self.budget_gpu.setText(f"{(Decimal(repr(s.budget_gpu_s)) / 60).normalize():f}" if s.budget_gpu_s is not None else "")
        for w in (self.name, self.price, self.currency, self.energy, self.budget_money, self.budget_gpu, self.idle):
            w.setEnabled(editable)
        if not editable:
            form.addRow(QLabel("Open a project (not read-only) to change its settings.", page))
        self.tabs.addTab(page, "&Project")

    # -- engine ----------------------------------------------------------------------------------

    def _build_engine_tab(self) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        settings = app_settings()
        self.device = QComboBox(page)
        for d in DEVICES:
            self.device.addItem(d, d)
        self.device.setCurrentIndex(max(0, self.device.findData(str(_saved("device", "auto")))))
        self.device.setToolTip("auto picks CUDA, then Apple MPS, then the CPU; takes effect for the next engine start")
        self.budget = QDoubleSpinBox(page)
        self.budget.setRange(0, 4096)
        self.budget.setSuffix(" GB")
        self.budget.setSpecialValueText("automatic")
        self.budget.setValue(float(_saved("memory_budget_gb", 0) or 0))
        self.budget.setToolTip("How much memory warm models may keep; automatic is 90 % of the GPU")
        self.engine = QLineEdit(page)
        self.engine.setObjectName("engineAddress")
        self.engine.setPlaceholderText("local, or ray://HOST:10001 / HOST:6379")
        self.engine.setText("" if engine_setting() == "local" else engine_setting())
        self.engine.setToolTip(
            "Where jobs run: empty or 'local' for this machine's worker; a Ray cluster as ray://HOST:10001 "
            "(Ray Client) or HOST:6379 (from a machine in the cluster). Takes effect when a project opens; "
            "DIRECTOR_ENGINE, when set, wins."
        )
        form.addRow("&Run jobs on", self.engine)
        self.allow_unauthenticated = QCheckBox("Allow an unauthenticated Ray cluster", page)
        self.allow_unauthenticated.setObjectName("allowUnauthenticated")
        self.allow_unauthenticated.setChecked(allow_unauthenticated_setting())
        warning = QLabel("Warning: anyone who can reach such a cluster can run code on its machines and read the "
                         "prompts and images sent there. Jobs record that they ran on it. See docs/ray.md.", page)
        warning.setWordWrap(True)
        warning.setVisible(self.allow_unauthenticated.isChecked())
        self.allow_unauthenticated.toggled.connect(warning.setVisible)
        self.allow_unauthenticated_warning = warning
        form.addRow("", self.allow_unauthenticated)
        form.addRow("", warning)
        form.addRow("&Device", self.device)
        form.addRow("Memory &budget", self.budget)

        try:
            self._engine = load_settings()
        except DirectorError as exc:
            self._engine = {}
            self.error.setText(str(exc))
        self._engine.setdefault("local_paths", {})
        self._engine.setdefault("memory", {})
        self.preset_box = QComboBox(page)
        for p in BUILTIN:
            if not p.tiny:
                self.preset_box.addItem(p.label, p.id)
        self.folder = QLineEdit(page)
        self.folder.setPlaceholderText("hub cache (default)")
        browse = QPushButton("Browse…", page)
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.memory_boxes = {k: QCheckBox(k.replace("_", " "), page) for k in BOOL_MEMORY}
        self.fbc = QDoubleSpinBox(page)
        self.fbc.setRange(0, 1)
        self.fbc.setSingleStep(0.05)
        self.fbc.setSpecialValueText("off")
        self.fbc.setToolTip("First-block cache threshold (0.1 is the published sweet spot)")
        form.addRow("Model &preset", self.preset_box)
        # A row whose field is a layout gets a label without a buddy, which shows '&' literally.
        folder_label = QLabel("Model &folder", page)
        folder_label.setBuddy(self.folder)
        self.folder_label = folder_label
        form.addRow(folder_label, folder_row)
        for box in self.memory_boxes.values():
            form.addRow("", box)
        form.addRow("First-block cache", self.fbc)
        self._speed: dict[str, list[str]] = {k: list(v) for k, v in (self._engine.get("speed") or {}).items()}
        self._speed_saved = {k: list(v) for k, v in self._speed.items()}
        self.speed_tab = self._build_speed_page()
        self._shown_preset: str | None = None
        self.preset_box.currentIndexChanged.connect(self._show_preset)
        self.fbc.valueChanged.connect(self._check_speed)  # a first-block cache here and a speed step cache clash
        self._show_preset()
        self.tabs.addTab(page, "&Engine")
        self.tabs.addTab(self.speed_tab, "&Speed")

    def _build_speed_page(self) -> QWidget:
        """The Speed tab: for the preset chosen on the Engine tab (the same choice, shown here too),
        one check box per speed option with its marks and, under it, what it does."""
        page = QWidget(self)
        page.setObjectName("speedTab")
        self.speed_preset_box = QComboBox(page)
        for i in range(self.preset_box.count()):
            self.speed_preset_box.addItem(self.preset_box.itemText(i), self.preset_box.itemData(i))
        self.speed_preset_box.currentIndexChanged.connect(self.preset_box.setCurrentIndex)
        self.preset_box.currentIndexChanged.connect(self.speed_preset_box.setCurrentIndex)
        preset_label = QLabel("Model &preset", page)
        preset_label.setBuddy(self.speed_preset_box)
        top = QHBoxLayout()
        top.addWidget(preset_label)
        top.addWidget(self.speed_preset_box, 1)
        intro = QLabel("Options the preset's jobs run with on this machine (also: director engine speed PRESET). "
                       "'changes pixels': takes differ from a run without it; 'CUDA only': skipped elsewhere, "
                       "with a note on the job.", page)
        intro.setWordWrap(True)
        # The descriptions wrap: in a scroll area they keep their full height (a dialog sized by its
        # other tabs squeezed them into each other) and scroll when the screen is short.
        holder = QWidget(page)
        options = QVBoxLayout(holder)
        options.setContentsMargins(0, 0, 0, 0)
        options.setSpacing(0)
        self.speed_boxes: dict[str, QCheckBox] = {}
        self.speed_descriptions: dict[str, tuple[QLabel, QLabel]] = {}
        for option in speed_options.OPTIONS.values():
            check = QCheckBox(option.name, holder)
            check.setToolTip(option.what)
            check.toggled.connect(self._check_speed)
            marks = QLabel(speed_options.marks(option), holder)
            marks.setStyleSheet("QLabel { color: #e0b050; }")
            what = QLabel(option.what, holder)
            what.setWordWrap(True)
            what.setContentsMargins(24, 0, 0, 4)  # under the name, past the check box
            what.setStyleSheet("QLabel { color: #a0a0a0; }")
            line = QHBoxLayout()
            line.addWidget(check)
            line.addWidget(marks, 1)
            options.addLayout(line)
            options.addWidget(what)
            self.speed_boxes[option.name] = check
            self.speed_descriptions[option.name] = (marks, what)
        self.speed_note = QLabel(page)
        self.speed_note.setObjectName("speedNote")
        self.speed_note.setWordWrap(True)
        self.speed_note.setStyleSheet("QLabel { color: #ff8080; }")
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        options.addStretch(1)
        scroll = QScrollArea(page)
        scroll.setObjectName("speedOptions")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.speed_note)
        return page

    def checked_speed(self) -> list[str]:
        """The options ticked for the shown preset, in the registry's order."""
        return [name for name, check in self.speed_boxes.items() if check.isChecked()]

    def _check_speed(self, *_args) -> None:
        """Say at once why a combination would be refused (OK says it again and saves nothing)."""
        preset_id = self.preset_box.currentData()
        if preset_id is None:
            return
        try:
            machine_settings.check_speed(preset_id, self.checked_speed(), self._pending_memory(preset_id))
        except DirectorError as exc:
            self.speed_note.setText(str(exc))
        else:
            self.speed_note.clear()

    def _pending_memory(self, preset_id: str) -> dict:
        """engine.json's memory section as it would be saved with the shown memory boxes."""
        chosen = {k: box.isChecked() for k, box in self.memory_boxes.items()}
        chosen["first_block_cache"] = self.fbc.value() or None
        return {"memory": {**self._engine["memory"], preset_id: chosen}}

    def _preset(self, preset_id: str):
        return next(p for p in BUILTIN if p.id == preset_id)

    def _show_preset(self, *_args) -> None:
        self._store_preset()
        preset_id = self.preset_box.currentData()
        self._shown_preset = preset_id
        if preset_id is None:
            return
        self.folder.setText(self._engine["local_paths"].get(preset_id, ""))
        memory = {**asdict(self._preset(preset_id).memory), **self._engine["memory"].get(preset_id, {})}
        for key, box in self.memory_boxes.items():
            box.setChecked(bool(memory.get(key)))
        self.fbc.setValue(float(memory.get("first_block_cache") or 0))
        on = set(self._speed.get(preset_id, ()))
        for name, check in self.speed_boxes.items():
            check.blockSignals(True)
            check.setChecked(name in on)
            check.blockSignals(False)
        self._check_speed()

    def _store_preset(self) -> None:
        """Keep the shown preset's edits; only values that differ from the preset are written."""
        preset_id = self._shown_preset
        if preset_id is None:
            return
        folder = self.folder.text().strip()
        if folder:
            self._engine["local_paths"][preset_id] = folder
        else:
            self._engine["local_paths"].pop(preset_id, None)
        chosen = {k: box.isChecked() for k, box in self.memory_boxes.items()}
        chosen["first_block_cache"] = self.fbc.value() or None
        if chosen == asdict(self._preset(preset_id).memory):
            self._engine["memory"].pop(preset_id, None)
        else:
            self._engine["memory"][preset_id] = chosen
        self._speed[preset_id] = self.checked_speed()

    def speed_changes(self) -> dict[str, list[str]]:
        """Per preset, the speed options to save where the user changed them (others stay as saved)."""
        return {p: names for p, names in self._speed.items() if set(names) != set(self._speed_saved.get(p, ()))}

    def engine_data(self) -> dict:
        """engine.json as OK would write it; InvalidInput (a refused speed combination) saves nothing."""
        self._store_preset()
        return machine_settings.update({k: v for k, v in self._engine.items() if v}, device=self.device.currentData(),
                                       memory_budget_gb=self.budget.value(), speed=self.speed_changes())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    # -- saving ----------------------------------------------------------------------------------

    def project_values(self) -> dict:
        return {
            "name": self.name.text(),
            "gpu_price_per_hour": self.price.text(),
            "currency": self.currency.text(),
            "energy_price_per_kwh": self.energy.text().strip() or None,
            "budget_money": self.budget_money.text().strip(),
            "budget_gpu_s": _minutes_to_seconds(self.budget_gpu.text()),
            "idle_cutoff_s": self.idle.value(),
        }

    def engine_value(self) -> str:
        """The engine field as saved: "local" when empty; InvalidInput names the accepted forms."""
        text = self.engine.text().strip() or "local"
        parse_engine(text)
        return text

    def save(self) -> bool:
        """Write everything, or nothing of a section whose values break a rule (the message says which)."""
        self.error.clear()
        try:
            engine = self.engine_value()
        except DirectorError as exc:
            self.error.setText(str(exc))
            self.tabs.setCurrentIndex(1)
            self.engine.setFocus()
            return False
        try:
            data = self.engine_data()  # every engine rule is checked before anything is written
        except DirectorError as exc:
            self.error.setText(str(exc))
            self.tabs.setCurrentWidget(self.speed_tab if self.speed_changes() else self.tabs.widget(1))
            return False
        if self.session is not None and not self.session.project.readonly:
            try:
                self.qc_tab.thresholds()  # checked before anything is written
            except DirectorError as exc:
                self.error.setText(str(exc))
                self.tabs.setCurrentWidget(self.qc_tab)
                return False
            try:
                changes = self.session.project.update_settings(**self.project_values())
            except DirectorError as exc:
                self.error.setText(str(exc))
                self.tabs.setCurrentIndex(0)
                return False
            self.session.announce(changes | self.qc_tab.save())
        settings = app_settings()
        settings.setValue(ENGINE_KEY, engine)
        settings.setValue(ALLOW_UNAUTHENTICATED_KEY, self.allow_unauthenticated.isChecked())
        for legacy in LEGACY_KEYS.values():  # now in engine.json, beside the model folders
            settings.remove(legacy)
        settings.sync()
        try:
            save_engine_settings(data)
        except OSError as exc:
            self.error.setText(f"could not write the engine settings: {exc}")
            return False
        engine_settings_notice().saved.emit()
        self.settings_saved.emit()
        self.accept()
        return True
