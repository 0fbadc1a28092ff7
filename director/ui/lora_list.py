"""The Generate panel's LoRA list: the chosen preset's LoRAs (`store.loras`), each with its strength.

Add… takes a local .safetensors file, the spin box sets a strength, Remove takes the selected one
off; each is a `store.loras` edit (`SetLora`, `RemoveLora`) on the session's undo stack, calling the
same `add_lora` / `remove_lora` as `director lora add|remove`. Every job queued with the preset
records its LoRAs in the recipe. A preset whose pipeline takes no LoRAs (`engine.lora.takes_loras`)
shows why and takes none; LoRAs it already has can still be removed. The list reads again after a
change that may touch it, when it is on screen (`Freshness`).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError
from director.engine.lora import takes_loras
from director.engine.presets import Preset
from director.store.loras import (
    STRENGTH_RANGE,
    Lora,
    RemoveLora,
    SetLora,
    check_file,
    check_strength,
    list_loras,
)
from director.ui.dock_fit import wrap_within
from director.ui.freshness import Freshness
from director.ui.undo import ProjectSession

LORA_FILTER = "LoRA weights (*.safetensors)"


class LoraList(QWidget):
    """The preset's LoRAs with Add… and Remove; `set_preset` follows the panel's preset box."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("loraList")
        self.session = session
        self.preset: Preset | None = None
        self.loras: list[Lora] = []
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("loraTable")
        self.table.setHorizontalHeaderLabels(["LoRA", "Strength"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumWidth(60)
        self.table.setMaximumHeight(120)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Add…", self)
        self.add_button.setToolTip("Add a local .safetensors LoRA to this preset (undoable; as 'director lora add')")
        self.add_button.clicked.connect(self._ask_file)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Take the selected LoRA off this preset (undoable; as 'director lora remove')")
        self.remove_button.clicked.connect(self.remove_selected)
        self.reason = wrap_within(QLabel(self))  # why this preset takes no LoRAs; hidden when it does
        self.reason.setObjectName("loraReason")
        self.message = wrap_within(QLabel(self))  # a refused file or strength
        self.message.setObjectName("loraMessage")
        self.message.setStyleSheet("QLabel { color: #ff8080; }")
        self.message.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        self.freshness = Freshness(self, self.reload, stale=False, session=session)
        session.changed.connect(self._on_changed)

    # -- showing -------------------------------------------------------------------------------

    def set_preset(self, preset: Preset) -> None:
        self.preset = preset
        self._say("")
        self.reload()

    def why_not(self) -> str:
        """'' when the preset takes LoRAs here, else why the list takes none."""
        if self.preset is None:
            return "choose a preset"
        if self.session.project.readonly:
            return "the project is open read-only"
        return takes_loras(self.preset)

    def reload(self) -> None:
        """Read the preset's LoRAs; rows of the same LoRAs are updated in place, so a spin box
        being used keeps its focus."""
        found = list_loras(self.session.project, self.preset.id) if self.preset else []
        same_rows = [x.id for x in found] == [x.id for x in self.loras]
        self.loras = found
        if not same_rows:
            self.table.setRowCount(0)
            self.table.setRowCount(len(found))
        for row, lora in enumerate(found):
            item = self.table.item(row, 0) or QTableWidgetItem()
            item.setText(lora.name)
            item.setToolTip(lora.path)
            if self.table.item(row, 0) is None:
                self.table.setItem(row, 0, item)
            box = self.table.cellWidget(row, 1) or self._strength_box(row)
            box.blockSignals(True)
            box.setValue(lora.strength)
            box.blockSignals(False)
        why = self.why_not()
        if why and found and not self.session.project.readonly:
            why += "; remove its LoRAs, or choose another preset"
        self.reason.setText(why)
        self.reason.setVisible(bool(why))
        self._update_buttons()

    def _strength_box(self, row: int) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self.table)
        box.setRange(*STRENGTH_RANGE)
        box.setDecimals(2)
        box.setSingleStep(0.05)
        box.setKeyboardTracking(False)  # one undo step per value set, not per digit typed
        box.setToolTip("How strongly this LoRA steers the picture (0: not at all, 1: as trained)")
        box.valueChanged.connect(lambda value, row=row: self.set_strength(row, value))
        self.table.setCellWidget(row, 1, box)
        return box

    def _update_buttons(self) -> None:
        why = self.why_not()
        self.add_button.setEnabled(not why)
        self.table.setEnabled(not why or (bool(self.loras) and not self.session.project.readonly))  # left: to remove
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 1)
            if box is not None:
                box.setEnabled(not why)
        writable = self.preset is not None and not self.session.project.readonly
        self.remove_button.setEnabled(writable and self._selected() is not None)

    def names(self) -> list[str]:
        return [x.name for x in self.loras]

    def strengths(self) -> dict[str, float]:
        return {x.name: self.table.cellWidget(row, 1).value() for row, x in enumerate(self.loras)}

    def _selected(self) -> Lora | None:
        rows = self.table.selectionModel().selectedRows()
        return self.loras[rows[0].row()] if rows and rows[0].row() < len(self.loras) else None

    def _on_changed(self, changes) -> None:
        if changes.project:  # store.loras announces its edits as project-wide settings
            self.freshness.mark_stale()

    # -- editing -------------------------------------------------------------------------------

    def _ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a LoRA", "", LORA_FILTER)
        if path:
            self.add_file(path)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _refused(self, text: str) -> bool:
        self._say(text)
        self.session.error_raised.emit(text)
        return False

    def add_file(self, path: str, strength: float = 1.0) -> bool:
        """Add the file to the preset (or replace the file of its namesake); a file the store would
        refuse (not .safetensors, missing) is said here and in the status bar, and nothing changes."""
        why = self.why_not()
        if why:  # already said under the list
            self.session.error_raised.emit(why)
            return False
        try:
            check_file(path)
        except DirectorError as exc:
            return self._refused(str(exc))
        self._say("")
        edit = SetLora(self.preset.id, str(path), strength)
        edit.text = f"Add LoRA {edit.text.removeprefix('Set LoRA ')}"
        if not self.session.push(edit):
            return False
        self.reload()
        return True

    def set_strength(self, row: int, value: float) -> bool:
        """Set a LoRA's strength (`add_lora` with its name and file, as `director lora add --strength`)."""
        if not 0 <= row < len(self.loras) or self.why_not():
            return False
        lora = self.loras[row]
        try:
            value = check_strength(value)
        except DirectorError as exc:
            return self._refused(str(exc))
        if value == lora.strength:
            return False
        ok = self.session.push(SetLora(self.preset.id, lora.path, value, name=lora.name,
                                       text=f"LoRA {lora.name} strength {value:g}"))
        self.reload()  # a refusal (the file is gone) puts the spin box back
        return ok

    def remove_selected(self) -> bool:
        lora = self._selected()
        if lora is None or self.preset is None:
            return False
        ok = self.session.push(RemoveLora(self.preset.id, lora.name))
        self.reload()
        return ok
