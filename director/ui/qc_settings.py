"""Settings ▸ QC: the amber and red level of each continuity score, with the line saying what it
means. Saved in the project file (store.qc.set_thresholds, which re-grades every take), the same
levels `director qc thresholds` shows and sets."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from director.core import qc as rules
from director.core.changes import Changes
from director.store import qc as store_qc


class QcSettingsTab(QWidget):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("qcSettings")
        self.session = session
        self.boxes: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox]] = {}
        form = QFormLayout()
        th = store_qc.thresholds(session.project) if session is not None else rules.Thresholds()
        for key, metric in rules.METRICS.items():
            pair = []
            row = QHBoxLayout()
            for name, value in (("amber", th.amber(key)), ("red", th.red(key))):
                box = QDoubleSpinBox(self)
                box.setObjectName(f"qc_{key}_{name}")
                box.setRange(0, 1000)
                box.setDecimals(2)
                box.setSingleStep(0.05 if metric.worse == "below" else 0.5)
                box.setValue(value)
                box.setPrefix(f"{name} {'≥' if metric.worse == 'above' else '≤'} ")
                box.setSuffix(f" {metric.unit}")
                box.setToolTip(metric.meaning)
                row.addWidget(box)
                pair.append(box)
            self.boxes[key] = (pair[0], pair[1])
            form.addRow(metric.label, row)
            meaning = QLabel(metric.meaning, self)
            meaning.setWordWrap(True)
            meaning.setStyleSheet("QLabel { color: palette(mid); font-size: small; }")
            form.addRow("", meaning)
        defaults = QPushButton("Restore defaults", self)
        defaults.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(defaults)
        layout.addStretch(1)
        editable = session is not None and not session.project.readonly
        for pair in self.boxes.values():
            for box in pair:
                box.setEnabled(editable)
        defaults.setEnabled(editable)

    def thresholds(self) -> rules.Thresholds:
        """The levels shown; InvalidInput names a level on the wrong side of the other."""
        th = rules.Thresholds()
        for key, (amber, red) in self.boxes.items():
            th = th.with_level(key, amber.value(), red.value())
        return th

    def restore_defaults(self) -> None:
        for key, (amber, red) in self.boxes.items():
            amber.setValue(rules.METRICS[key].amber)
            red.setValue(rules.METRICS[key].red)

    def save(self) -> Changes:
        """Write the levels if they changed (every take is re-graded); nothing on a read-only project."""
        if self.session is None or self.session.project.readonly:
            return Changes()
        th = self.thresholds()
        if th.as_dict() == store_qc.thresholds(self.session.project).as_dict():
            return Changes()
        return store_qc.set_thresholds(self.session.project, th)
