"""CompareView: 2–4 takes side by side on one clock, with the parameters that differ highlighted.

One clock drives every pane: frame = origin + floor(elapsed × fps of the first take), and each pane
shows that index clamped to its own length (a still, or a shorter clip, holds its last frame).
Panes are presented together: a new index appears only once every pane has its picture, so the
panes never drift apart even when one decodes slower (`frame_synced` says when).

Sound comes from the focused pane only (click a pane to focus it; the first pane at the start): its
take's own sound from the first sample of the frame that pane shows (audio_playback), restarted on a
seek, a loop or a change of focus; while it plays it is the clock every pane follows. A pane whose
take has no sound plays silence.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from director.core.audio import sample_to_frame
from director.core.errors import NotFound
from director.store.audio import take_sound
from director.ui.audio_playback import (
    SoundLoader,
    SoundOutput,
    read_take_sound,
    sample_of,
)
from director.ui.dock_fit import wrap_within
from director.ui.gallery.compare_params import ParamRow, compare_rows
from director.ui.gallery.frame_view import FrameView
from director.ui.gallery.take_info import TakeInfo
from director.ui.gallery.take_player import TakePlayer

DIFFERS = QColor(130, 95, 20)


class _Pane(QWidget):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.title = wrap_within(QLabel())  # wraps or is cut at the pane's edge, never widens Compare
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view = FrameView()
        self.view.setMinimumSize(96, 54)  # four panes side by side still fit the Viewer dock at 1366×768
        self.player = TakePlayer(self)
        self.ready: tuple[int, QImage] | None = None
        self.broken = ""  # why this take shows no picture: the others play on without it
        self.sound_source = None  # the take's own sound once read, or None
        self.sound_loader = SoundLoader(self)
        self.on_pressed = None  # the view focuses this pane's sound when it is clicked
        self.player.failed.connect(self._on_failed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def _on_failed(self, text: str) -> None:
        self.broken = text
        self.view.set_message(text)

    def clamp(self, index: int) -> int:
        return max(0, min(index, self.player.frame_count - 1))

    def mousePressEvent(self, event) -> None:
        if self.on_pressed is not None:
            self.on_pressed()
        super().mousePressEvent(event)


class CompareView(QWidget):
    frame_synced = Signal(int)  # every pane now shows this index (clamped to its length)
    playing_changed = Signal(bool)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.take_ids: list[int] = []
        self.infos: list[TakeInfo] = []
        self.rows: list[ParamRow] = []
        self.panes: list[_Pane] = []
        self._length = 1
        self._fps = 24.0
        self._index = 0
        self._origin = 0
        self._playing = False
        self.focused = 0  # the pane whose sound is heard
        self.sound = SoundOutput(self)
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)

        self.pane_area = QWidget()
        self.pane_grid = QGridLayout(self.pane_area)
        self.pane_grid.setContentsMargins(0, 0, 0, 0)

        self.play_button = QToolButton()
        self.play_button.setText("▶")
        self.play_button.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setChecked(True)
        self.loop_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frame_label = QLabel("–")
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.frame_label)
        transport.addWidget(self.loop_box)

        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.pane_area, 1)
        top_layout.addLayout(transport)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        session.changed.connect(self._on_session_changed)

    # -- public ------------------------------------------------------------------------------

    def set_takes(self, ids: list[int]) -> None:
        if not 2 <= len(ids) <= 4:
            raise ValueError(f"compare shows 2 to 4 takes, got {len(ids)}")
        self.pause()
        self.infos, self.rows = compare_rows(self.session.project, list(ids))
        self.take_ids = list(ids)
        self._build_panes()
        self._fill_table()
        self._length = max(i.take.frames for i in self.infos)
        self._fps = self.infos[0].take.rate.fps
        self.slider.blockSignals(True)
        self.slider.setRange(0, self._length - 1)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        root = self.session.project.media.root
        media = self.session.project.media
        sound = take_sound(self.session.project, self.take_ids)
        for n, (pane, info) in enumerate(zip(self.panes, self.infos)):
            pane.player.open(root, info.take)
            found = sound.get(info.take.id)
            if found is not None:
                relative = found[0]
                pane.sound_loader.load(lambda rel=relative: read_take_sound(media.path(rel)), lambda src, n=n: self._on_sound_read(n, src))
        self.focus_pane(0)
        self.seek(0)

    # -- sound -------------------------------------------------------------------------------

    def focus_pane(self, n: int) -> None:
        """Hear pane `n` (its title marked 🔊); during playback its sound takes over at once."""
        if not 0 <= n < len(self.panes):
            return
        self.focused = n
        for k, pane in enumerate(self.panes):
            text = pane.title.text().removeprefix("🔊 ")
            pane.title.setText(("🔊 " + text) if k == n else text)
        self._start_sound()

    def sound_sample(self, index: int) -> int:
        """The sample of the focused pane's take heard with the clock's index (clamped to that take)."""
        pane = self.panes[self.focused]
        return sample_of(pane.clamp(index), self.infos[self.focused].take.rate)

    def _on_sound_read(self, n: int, source) -> None:
        if n < len(self.panes):
            self.panes[n].sound_source = source
            if n == self.focused:
                self._start_sound()

    def _start_sound(self) -> None:
        source = self.panes[self.focused].sound_source if self.panes else None
        if self._playing and source is not None:
            self.sound.start(source, self.sound_sample(self._index))
        else:
            self.sound.stop()

    def differing_parameters(self) -> list[str]:
        return [r.name for r in self.rows if r.differs]

    def index(self) -> int:
        return self._index

    def length(self) -> int:
        return self._length

    def is_playing(self) -> bool:
        return self._playing

    def seek(self, index: int) -> None:
        index = max(0, min(int(index), self._length - 1))
        if self._playing:
            self._origin = index
            self._clock.restart()
        self._go(index)
        if self._playing:
            self._start_sound()

    def play(self) -> None:
        if self._playing or self._length <= 1 or not self.panes:
            return
        if self._index >= self._length - 1 and not self.loop_box.isChecked():
            self._go(0)
        self._origin = self._index
        self._playing = True
        self._clock.start()
        self._start_sound()
        self._timer.start(max(4, int(500 / max(1.0, self._fps))))
        self.play_button.setText("❚❚")
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.sound.stop()
        self.play_button.setText("▶")
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space:
            self.toggle()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.pause()
            self.seek(self._index + (1 if key == Qt.Key.Key_Right else -1))
        else:
            super().keyPressEvent(event)

    # -- the clock ---------------------------------------------------------------------------

    def _on_tick(self) -> None:
        heard = self.sound.device_due()
        if heard is not None:  # the focused pane's sound is the master clock (audio_playback)
            self._origin = sample_to_frame(heard, self.infos[self.focused].take.rate)
            self._clock.restart()
        index = self._origin + math.floor(self._clock.elapsed() * self._fps / 1000)
        if index >= self._length:
            if self.loop_box.isChecked():
                index %= self._length
            else:
                self._go(self._length - 1)
                self.pause()
                return
        if index != self._index:
            looped = index < self._index
            self._go(index)
            if looped:  # back at the start: so is the sound
                self._start_sound()

    def _go(self, index: int) -> None:
        self._index = index
        loop = self.loop_box.isChecked()
        for pane in self.panes:
            pane.player.set_loop(loop)
            pane.player.seek(pane.clamp(index))
            if self._playing and index < pane.player.frame_count - 1:
                pane.player.prefetch(index + 1)
        self._present()

    def _on_pane_frame(self, pane: _Pane, index: int, image: QImage) -> None:
        pane.ready = (index, image)
        self._present()

    def _present(self) -> None:
        """Show the clock's index in every pane at once, or wait for the slowest pane."""
        if not self.panes:
            return
        live = [pane for pane in self.panes if not pane.broken]
        for pane in live:
            if pane.ready is None or pane.ready[0] != pane.clamp(self._index):
                return
        for pane in live:
            if pane.view.index != pane.ready[0] or pane.view.image() is not pane.ready[1]:
                pane.view.set_frame(*pane.ready)
        self.slider.blockSignals(True)
        self.slider.setValue(self._index)
        self.slider.blockSignals(False)
        self.frame_label.setText(f"{self._index + 1} / {self._length}")
        self.frame_synced.emit(self._index)

    def _on_slider_moved(self, value: int) -> None:
        self.seek(value)

    # -- building ----------------------------------------------------------------------------

    def _build_panes(self) -> None:
        for pane in self.panes:
            pane.player.close()
            pane.setParent(None)
            pane.deleteLater()
        self.panes = []
        columns = 2 if len(self.infos) == 4 else len(self.infos)
        for n, info in enumerate(self.infos):
            pane = _Pane(self.pane_area)
            take = info.take
            pane.title.setText(f"Take {take.id} · camera {info.camera} · seed {take.seed} · {'★' * take.rating or 'unrated'}")
            pane.player.frame_shown.connect(lambda i, img, p=pane: self._on_pane_frame(p, i, img))
            pane.on_pressed = lambda n=n: self.focus_pane(n)
            # A pane that fails after the others are ready must not leave them waiting: present again
            # (connected after the pane's own handler, so it is already marked broken).
            pane.player.failed.connect(lambda *_: self._present())
            self.pane_grid.addWidget(pane, n // columns, n % columns)
            self.panes.append(pane)

    def _fill_table(self) -> None:
        self.table.clear()
        self.table.setColumnCount(len(self.infos))
        self.table.setRowCount(len(self.rows))
        self.table.setHorizontalHeaderLabels([f"Take {i.take.id}" for i in self.infos])
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(self.rows):
            header = QTableWidgetItem(row.name + (" ≠" if row.differs else ""))
            if row.differs:
                header.setFont(bold)
            self.table.setVerticalHeaderItem(r, header)
            for c, value in enumerate(row.values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if row.differs:
                    item.setBackground(QBrush(DIFFERS))
                    item.setForeground(QBrush(QColor(255, 255, 255)))
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()

    def _on_session_changed(self, changes) -> None:
        if self.take_ids and (set(self.take_ids) & changes.takes or changes.cameras):
            try:
                self.infos, self.rows = compare_rows(self.session.project, self.take_ids)
            except NotFound:
                return
            self._fill_table()
