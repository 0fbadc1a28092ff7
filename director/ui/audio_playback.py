"""Sound for the viewers: 48 kHz stereo PCM pushed into a QAudioSink from the sample of the frame shown.

The picture keeps its own clock (each viewer shows the frame the wall clock says is due); sound
starts at `core.audio.frame_to_sample(frame, rate)` whenever playback starts or jumps, and is
restarted at the due sample if the device's clock wanders more than a frame away. So the sample
heard is the sample of the frame shown, by the same integer rule the export uses.

Only 1× forward plays sound: a shuttle (J/K/L at other speeds) is silent, as in editing suites.
With no audio device (offscreen, CI, a machine without a sound server) `SoundOutput` does nothing
and the picture plays on. Tests hand it any QIODevice (a QBuffer) instead of a device.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer, Signal

from director.core.audio import CHANNELS, SAMPLE_RATE, frame_to_sample
from director.core.timecode import Rate
from director.store.audio_media import read_wav, to_pcm16

BYTES_PER_SAMPLE = 2 * CHANNELS  # s16 stereo
FEED_MS = 20
LEAD = SAMPLE_RATE // 5  # samples written ahead of the heard one when the device says nothing (200 ms)
CHUNK = SAMPLE_RATE // 10  # at most 100 ms of sound rendered per write


class SoundSource(Protocol):
    length: int

    def read(self, start: int, count: int) -> np.ndarray: ...


class ArraySource:
    """A whole sound held in memory (a take's own sound: seconds long)."""

    def __init__(self, samples: np.ndarray):
        self.samples = samples
        self.length = len(samples)

    def read(self, start: int, count: int) -> np.ndarray:
        return self.samples[max(0, start) : max(0, start + count)]


class MixSource:
    """A cut's mix, rendered a window at a time by export.audio_mix.Mixer (the export's own rule)."""

    def __init__(self, mixer):
        self.mixer = mixer
        self.length = mixer.plan.length

    def read(self, start: int, count: int) -> np.ndarray:
        return self.mixer.render(start, count)


def sample_of(frame: int, rate: Rate) -> int:
    """The first sample of a frame: where sound starts when that frame is shown."""
    return frame_to_sample(max(0, int(frame)), rate)


_device_state: dict[str, bool] = {}


def audio_device_available() -> bool:
    """Whether the system has a default audio output (asked once per process)."""
    if "ok" not in _device_state:
        try:
            from PySide6.QtMultimedia import QMediaDevices

            _device_state["ok"] = not QMediaDevices.defaultAudioOutput().isNull()
        except Exception:  # no QtMultimedia libraries: silent playback, picture unaffected
            _device_state["ok"] = False
    return _device_state["ok"]


class SoundOutput(QObject):
    """Pushes a source's PCM into the audio device from a given sample. `start` and `stop` are all
    a viewer calls; `resync(due)` restarts the sound when the device has drifted from the picture.

    `device` (tests): a QIODevice open for writing used instead of a QAudioSink; it is fed LEAD
    samples ahead of `start_sample` on start, and a chunk at a time by `feed()`."""

    started = Signal(int)  # the sample sound starts from
    stopped = Signal()

    def __init__(self, parent: QObject | None = None, device: QIODevice | None = None):
        super().__init__(parent)
        self.device = device
        self.source: SoundSource | None = None
        self.start_sample = -1  # -1: silent
        self.next_sample = 0  # the next sample to write
        self._sink = None
        self._io: QIODevice | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(FEED_MS)
        self._timer.timeout.connect(self.feed)

    @property
    def playing(self) -> bool:
        return self.start_sample >= 0

    def available(self) -> bool:
        return self.device is not None or audio_device_available()

    def start(self, source: SoundSource | None, sample: int) -> None:
        """Play `source` from `sample` (restarting if it already plays); silence for no source."""
        self.stop()
        if source is None or not 0 <= sample < source.length or not self.available():
            return
        self.source, self.start_sample, self.next_sample = source, int(sample), int(sample)
        self._io = self.device if self.device is not None else self._open_sink()
        if self._io is None:
            self.start_sample = -1
            return
        self.feed()
        self._timer.start()
        self.started.emit(self.start_sample)

    def stop(self) -> None:
        was = self.playing
        self._timer.stop()
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None
        self._io = None
        self.start_sample = -1
        if was:
            self.stopped.emit()

    def heard_sample(self) -> int | None:
        """The sample the device is playing now (None without a device clock)."""
        if self._sink is None or not self.playing:
            return None
        return self.start_sample + self._sink.processedUSecs() * SAMPLE_RATE // 1_000_000

    def resync(self, due: int, tolerance: int) -> bool:
        """Restart at `due` when the sound heard is more than `tolerance` samples from it; at most
        once a second, so a device that reports its clock coarsely never stutters."""
        heard = self.heard_sample()
        if heard is None or abs(heard - due) <= tolerance or self.source is None or heard - self.start_sample < SAMPLE_RATE:
            return False
        self.start(self.source, due)
        return True

    def feed(self) -> None:
        """Write what the device has room for (a sink) or the next chunk (a test device)."""
        if self._io is None or self.source is None:
            return
        if self._sink is not None:
            room = self._sink.bytesFree() // BYTES_PER_SAMPLE
        else:
            room = LEAD if self.next_sample == self.start_sample else CHUNK
        while room > 0 and self.next_sample < self.source.length:
            count = min(room, CHUNK, self.source.length - self.next_sample)
            data = to_pcm16(self.source.read(self.next_sample, count))
            written = self._io.write(data)
            if written <= 0:
                break
            samples = written // BYTES_PER_SAMPLE
            self.next_sample += samples
            room -= samples
        if self.next_sample >= self.source.length and self._sink is None:
            self._timer.stop()

    def _open_sink(self) -> QIODevice | None:
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices

            fmt = QAudioFormat()
            fmt.setSampleRate(SAMPLE_RATE)
            fmt.setChannelCount(CHANNELS)
            fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
            device = QMediaDevices.defaultAudioOutput()
            if device.isNull() or not device.isFormatSupported(fmt):
                return None
            self._sink = QAudioSink(device, fmt, self)
            self._sink.setBufferSize(SAMPLE_RATE // 5 * BYTES_PER_SAMPLE)
            io = self._sink.start()
            return io
        except Exception:  # a sound server that went away: the picture plays on, silent
            self._sink = None
            return None

    def close(self) -> None:
        self.stop()


class _Relay(QObject):
    done = Signal(object, object)  # key, result (or the exception)


_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="director-sound")


class SoundLoader(QObject):
    """Runs a slow sound read (a stored WAV, a cut's mix) on the sound thread; `apply(result)` runs
    on the UI thread unless a newer request was made meanwhile (or the loader is gone)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._ticket = 0
        self._lock = threading.Lock()
        self._apply: Callable | None = None
        self.pending = 0

    def load(self, work: Callable[[], object], apply: Callable[[object], None]) -> None:
        with self._lock:
            self._ticket += 1
            ticket = self._ticket
        self._apply = apply
        self.pending += 1
        relay = self._relay

        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # handed back: a bad file costs its sound only
                result = exc
            try:
                relay.done.emit(ticket, result)
            except RuntimeError:
                pass  # the loader is gone

        _pool.submit(run)

    def cancel(self) -> None:
        with self._lock:
            self._ticket += 1

    def _deliver(self, ticket: int, result: object) -> None:
        self.pending -= 1
        if ticket != self._ticket or isinstance(result, Exception) or self._apply is None:
            return
        self._apply(result)


def read_take_sound(path: Path) -> ArraySource:
    return ArraySource(read_wav(path))


def prepared_mix(plan, media) -> MixSource | None:
    """A cut's mix ready to play: each stored sound it plays read once, here, off the UI thread."""
    from director.export.audio_mix import Mixer

    if not plan.has_sound:
        return None
    mixer = Mixer(plan, media)
    for track in plan.audible():
        for piece in track.pieces:
            mixer.sources((piece.kind, piece.source))
    return MixSource(mixer)
