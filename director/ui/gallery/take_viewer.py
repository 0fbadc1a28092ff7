"""TakeViewer: one take played at its own fps, scrubbed frame by frame, with what made it and what it cost.

Actions (promote, image-to-video, extend, re-render) are requests: the viewer emits
`action_requested(action, take_id)` and the window decides (it owns the generate panel and the
engine client). Reveal is handled here, because it needs nothing but the file's folder.

A take whose file is missing, damaged or tampered shows a message instead of a picture: what is
wrong, the file, and what the decoder said; the rest of the panel (prompt, cost, review) still works.

A take with its own sound plays it in sync (take_player) and shows its waveform under the picture;
the WAV is read off the UI thread (audio_playback.SoundLoader), the peaks by the session's cache.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from director.core.enums import MediaKind
from director.core.errors import DirectorError, NotFound
from director.store.audio import take_sound
from director.store.lineage import Lineage, lineage
from director.store.shots import get_shot
from director.ui.audio_playback import SoundLoader, read_take_sound
from director.ui.audio_waveform import WaveformStrip, waveforms
from director.ui.flow_layout import FlowLayout
from director.ui.gallery.frame_view import FrameView
from director.ui.gallery.take_info import TakeInfo, take_info
from director.ui.gallery.take_player import TakePlayer
from director.ui.gallery.use_in_cut import use_in_cut
from director.ui.hints import for_window
from director.ui.media_health import describe
from director.ui.qc_curve import QcCurve
from director.ui.roto_overlay import attach_roto

ACTIONS = [
    ("promote", "Promote", "Promote to a final render: the same seed and prompt at final quality"),
    ("i2v", "→ Video", "Image to video: animate this still"),
    ("extend", "Extend", "Continue this clip from its last frame"),
    ("rerender", "Re-render", "Queue the same request again (reproduces the take exactly)"),
    ("more", "More Like This", "Queue four variations: the take's recipe at neighbouring seeds"),
    ("use_in_cut", "Use in Cut", "Show this take in the cut where its shot's clip shows its source (undoable)"),
    ("reveal", "Reveal", "Show the media file in the file manager"),
]


def lineage_html(line: Lineage | None) -> str:
    """'made from take 12 · versions: 15, 16', each take a link the viewer follows."""
    if line is None or not line.linked:
        return "<i>made from a prompt; no versions yet</i>"

    def link(take) -> str:
        return f"<a href='take:{take.id}'>take {take.id}</a>"

    parts = []
    if line.parent is not None:
        parts.append(f"⛓ made from {link(line.parent)}")
    if line.children:
        parts.append("versions: " + ", ".join(link(t) for t in line.children))
    return " · ".join(parts)


def reveal_in_file_manager(path: Path) -> bool:
    """Open the folder that holds `path` (the portable reveal: selecting the file is per-platform)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class TakeViewer(QWidget):
    action_requested = Signal(str, int)
    take_shown = Signal(int)

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.take_id: int | None = None
        self.info: TakeInfo | None = None
        self.lineage: Lineage | None = None
        self.media_issue = None  # why the shown take has no picture (a MediaIssue), or None
        self._shot_code = ""
        self.player = TakePlayer(self)
        self.frame_view = FrameView()
        self.waveform = WaveformStrip(waveforms(session))
        self.waveform.setVisible(False)
        self.sound_loader = SoundLoader(self)

        self.play_button = QToolButton()
        self.play_button.setText("▶")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.clicked.connect(self.player.toggle)
        self.back_button = QToolButton()
        self.back_button.setText("◀|")
        self.back_button.setToolTip("Previous frame (←)")
        self.back_button.clicked.connect(lambda: self.player.step(-1))
        self.forward_button = QToolButton()
        self.forward_button.setText("|▶")
        self.forward_button.setToolTip("Next frame (→)")
        self.forward_button.clicked.connect(lambda: self.player.step(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setChecked(True)
        self.loop_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.loop_box.toggled.connect(self.player.set_loop)
        self.frame_label = QLabel("–")
        # As wide as the longest position it shows, so the transport does not re-wrap as it plays.
        self.frame_label.setFixedWidth(self.frame_label.fontMetrics().horizontalAdvance("0000 / 0000 · 00:00:00:00") + 8)

        # The transport, the fields and the action row fit a narrow dock (the viewer asked ~440 px
        # at 1366×768): the slider takes the rest of its line; what does not fit wraps below.
        transport = FlowLayout(spacing=4)
        for w in (self.back_button, self.play_button, self.forward_button):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            transport.addWidget(w)
        self.slider.setMinimumWidth(60)
        transport.addWidget(self.slider)
        transport.addWidget(self.frame_label)
        transport.addWidget(self.loop_box)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for key, label in (("prompt", "Prompt"), ("seed", "Seed"), ("preset", "Preset"), ("format", "Size"), ("timings", "Timings"), ("cost", "Cost"),
                           ("lineage", "Lineage"), ("review", "Review")):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key == "prompt":
                # At most three lines in the panel; the whole prompt is in the tooltip.
                # A long unbroken word is cut, never the panel widened. Expanding, not Ignored: in a
                # QFormLayout an Ignored field gets no width and the prompt vanished.
                value.setWordWrap(True)
                policy = value.sizePolicy()  # word wrap set height-for-width on it; keep that
                policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
                value.setSizePolicy(policy)
                value.setMinimumWidth(40)
                value.setMaximumHeight(3 * value.fontMetrics().lineSpacing() + 4)
            else:
                # One line that may be clipped, never a panel forced wider by its text.
                value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                value.setMinimumWidth(40)
            self.fields[key] = value
            form.addRow(label, value)
        self.fields["lineage"].setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.fields["lineage"].linkActivated.connect(self._on_lineage_link)

        self.buttons: dict[str, QPushButton] = {}
        actions = FlowLayout(spacing=4)
        for action, label, tip in ACTIONS:
            button = QPushButton(label)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=action: self._on_action(a))
            self.buttons[action] = button
            actions.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.frame_view, 1)
        layout.addWidget(self.waveform)
        self.qc_curve = QcCurve(self)  # continuity QC per frame; a click seeks there
        self.qc_curve.frame_clicked.connect(self.seek)
        self.qc_curve.setVisible(False)
        layout.addWidget(self.qc_curve)
        layout.addLayout(transport)
        layout.addLayout(form)
        layout.addLayout(actions)
        self.roto = attach_roto(self)  # roto clicks and SAM 2 mattes over the picture (ui.roto_overlay)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.player.frame_shown.connect(self._on_frame_shown)
        self.player.playing_changed.connect(lambda playing: self.play_button.setText("❚❚" if playing else "▶"))
        self.player.failed.connect(self._on_player_failed)
        self.player.media_failed.connect(self._on_media_failed)
        session.changed.connect(self._on_session_changed)
        self._set_enabled(False)
        self.frame_view.set_message("No take")

    # -- public ------------------------------------------------------------------------------

    def show_take(self, take_id: int | None) -> None:
        if take_id is None:
            self.player.pause()
            self._load_sound(None)
            self.qc_curve.load(self.session.project, None)
            self.take_id, self.info, self.media_issue = None, None, None
            self.frame_view.set_message("No take")
            self._set_enabled(False)
            return
        try:
            info = take_info(self.session.project, take_id)
        except NotFound as exc:
            self.frame_view.set_message(for_window(str(exc)))
            return
        self.take_id, self.info, self.media_issue = take_id, info, None
        self.lineage = lineage(self.session.project, take_id)
        take = info.take
        try:
            self._shot_code = get_shot(self.session.project, take.shot_id).code
        except NotFound:
            self._shot_code = ""
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, take.frames - 1))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self._fill_fields(info)
        self._set_enabled(True)
        video = take.kind is MediaKind.VIDEO
        self.buttons["i2v"].setEnabled(not video)
        self.buttons["extend"].setEnabled(video)
        for w in (self.play_button, self.back_button, self.forward_button, self.slider, self.loop_box):
            w.setEnabled(video and take.frames > 1)
        # A file already known to be wanting (or gone, or outside the store: two stats) is never opened.
        issue = self.session.media_health.check_now(take.media_path)
        if issue is not None:
            self.player.pause()
            self._show_problem(issue)
        else:
            self.player.open(self.session.project.media.root, take)
        self._load_sound(take_id)
        self.qc_curve.load(self.session.project, take_id, video)
        self.take_shown.emit(take_id)

    def _load_sound(self, take_id: int | None) -> None:
        """The take's own sound for the player and its waveform; a silent take shows none."""
        self.sound_loader.cancel()
        self.player.set_sound(None)
        found = take_sound(self.session.project, [take_id]).get(take_id) if take_id is not None else None
        if found is None:
            self.waveform.set_sound(None, 0)
            return
        relative, samples = found
        self.waveform.set_sound(relative, samples)
        media = self.session.project.media
        self.sound_loader.load(lambda: read_take_sound(media.path(relative)), self.player.set_sound)

    def play(self) -> None:
        self.player.play()

    def seek(self, index: int) -> None:
        self.player.seek(index)

    def current_image(self) -> QImage | None:
        return self.frame_view.image()

    def closeEvent(self, event) -> None:
        self.player.pause()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space:
            self.player.toggle()
        elif key == Qt.Key.Key_Left:
            self.player.step(-1)
        elif key == Qt.Key.Key_Right:
            self.player.step(1)
        elif key == Qt.Key.Key_L:
            self.loop_box.toggle()
        else:
            super().keyPressEvent(event)

    # -- handlers ----------------------------------------------------------------------------

    def _on_frame_shown(self, index: int, image: QImage) -> None:
        self.frame_view.set_frame(index, image)
        self.qc_curve.set_position(index)
        if self.waveform.relative is not None:
            self.waveform.set_position(self.player.sound_sample(index))
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        if self.info is not None:
            take = self.info.take
            self.frame_label.setText(f"{index + 1} / {take.frames} · {take.rate.timecode(index)}")

    def _on_player_failed(self, text: str) -> None:
        if self.media_issue is None:  # a media failure has already said more
            self.frame_view.set_message(text)

    def _on_media_failed(self, issue) -> None:
        """The player could not read the file: the gallery's badge follows, the viewer says why."""
        self.session.media_health.record(issue.relative, issue)
        if self.info is not None and issue.relative == self.info.take.media_path:
            self._show_problem(issue)

    def _show_problem(self, issue) -> None:
        self.media_issue = issue
        self.frame_view.set_message(describe(issue, self.take_id, self._shot_code))
        self.frame_label.setText(f"media {issue.problem}")
        for w in (self.play_button, self.back_button, self.forward_button, self.slider, self.loop_box, self.buttons["i2v"], self.buttons["extend"]):
            w.setEnabled(False)
        if issue.problem == "tampered":
            self.buttons["reveal"].setEnabled(False)

    def _on_lineage_link(self, link: str) -> None:
        """A parent or child take named in the Lineage row: show it here."""
        if link.startswith("take:"):
            self.show_take(int(link.split(":", 1)[1]))

    def _on_slider_moved(self, value: int) -> None:
        self.player.seek(value)

    def _on_action(self, action: str) -> None:
        if self.take_id is None:
            return
        if action == "use_in_cut":
            use_in_cut(self.session, self.take_id)
            return
        if action == "reveal":
            try:
                reveal_in_file_manager(self.session.project.media.path(self.info.take.media_path))
            except DirectorError as exc:  # a tampered row names no folder of ours to open
                self.session.error_raised.emit(str(exc))
            return
        self.action_requested.emit(action, self.take_id)

    def _on_session_changed(self, changes) -> None:
        """The shown take's facts are read again on the reads thread (a rating in a 20,000-take
        project must not wait on them), then filled in if the viewer still shows that take."""
        if self.take_id is None or not (self.take_id in changes.takes or changes.costs or changes.cameras or changes.project):
            return
        take_id = self.take_id

        def read(project):
            return take_info(project, take_id), lineage(project, take_id)

        def apply(found) -> None:
            if self.take_id != take_id or self.session.project.closed:  # moved on, or the project closed meanwhile
                return
            self.info, self.lineage = found
            self._fill_fields(self.info)
            self.qc_curve.load(self.session.project, take_id, self.info.take.kind is MediaKind.VIDEO)

        # A take emptied from the bin meanwhile: nothing to show again (show_take says so when asked).
        self.session.reads.submit(f"viewer-facts-{id(self)}", read, apply, lambda exc: None)

    def _fill_fields(self, info: TakeInfo) -> None:
        take = info.take
        prompt = html.escape(info.prompt) or "<i>no prompt</i>"
        if info.recipe_recorded:
            version = f" · prompt v{info.prompt_version}" if info.prompt_version is not None else ""
            prompt += f"<br><small>{html.escape(info.prompt_label)}{version}</small>"
        else:
            prompt += f"<br><small><i>{html.escape(info.prompt_label)}</i></small>"
        if info.negative:
            prompt += f"<br><small>negative: {html.escape(info.negative)}</small>"
        self.fields["prompt"].setText(prompt)
        self.fields["seed"].setText(str(take.seed))
        preset = html.escape(take.preset)
        if take.preset.startswith("tiny-"):
            preset += " <span style='background:#7850aa;color:white'>&nbsp;random weights&nbsp;</span>"
        elif take.preset == "previz":  # core.blocking.PREVIZ_PRESET: drawn from the blocking, not generated
            preset += " <span style='background:#2d6a8a;color:white'>&nbsp;previz (blocking render)&nbsp;</span>"
        self.fields["preset"].setText(preset)
        self.fields["format"].setText(f"{take.width}×{take.height} · {take.frames} frame{'s' if take.frames != 1 else ''} · {take.rate.fps:g} fps")
        self.fields["timings"].setText(info.timings_text)
        self.fields["cost"].setText(f"{info.money_text} (this take's share of job {info.job.id})")
        self.fields["lineage"].setText(lineage_html(self.lineage))
        stars = "★" * take.rating + "☆" * (5 - take.rating)
        review = f"{stars} · {take.flag.value}"
        if take.notes:
            review += f" · {html.escape(take.notes)}"
        self.fields["review"].setText(review)

    def _set_enabled(self, enabled: bool) -> None:
        for w in (*self.buttons.values(), self.play_button, self.back_button, self.forward_button, self.slider, self.loop_box):
            w.setEnabled(enabled)
