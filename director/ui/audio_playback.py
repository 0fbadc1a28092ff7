"""Sound for the viewers: 48 kHz stereo PCM pushed into a QAudioSink from the sample of the frame shown.

Sound starts at `core.audio.frame_to_sample(frame, rate)` whenever playback starts or jumps, and
while it plays the **sound is the master clock**, as in editing suites: a viewer shows the frame of
the sample the device is playing (`SoundOutput.device_due`). A real sound server takes a few hundred
milliseconds to start a stream (more on a loaded machine), so the picture holds its first frame
until the sound begins instead of running ahead of it; should the device stall or the sound end,
the viewer's wall clock carries on from the last frame heard. So the sample heard is the sample of
the frame shown, by the same integer rule the export uses. One QAudioSink per viewer is stopped and
started again on a jump: a new sink on PulseAudio took about 2 s to start on this machine.

Only 1× forward plays sound: a shuttle (J/K/L at other speeds) is silent, as in editing suites.
With no audio device (offscreen, CI, a machine without a sound server) `SoundOutput` does nothing
and the picture plays on. Tests hand it any QIODevice (a QBuffer) instead of a device.
"""

from __future__ import annotations

import threading
import time
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
STARTUP_S = 3.0  # the longest the picture waits for a starting device (1.9 s seen on a loaded machine), then the wall clock
STALL_S = 0.25  # a device clock that has not moved this long is not followed (a stall, or the sound ended)
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

    def __init__(self, parent: QObject | None = None, device: QIODevice | None = None,
                 device_clock: Callable[[], int] | None = None):
        super().__init__(parent)
        self.device = device
        self.device_clock = device_clock  # tests: microseconds the "device" has played since start
        self._started_at = 0.0
        self._last_processed = -1
        self._last_change = 0.0
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
        self._started_at = self._last_change = time.monotonic()
        self._last_processed = -1
        self.feed()
        self._timer.start()
        self.started.emit(self.start_sample)

    def stop(self) -> None:
        was = self.playing
        self._timer.stop()
        if self._sink is not None:
            self._sink.stop()  # kept: starting it again is quick, a new one is not
        self._io = None
        self.start_sample = -1
        if was:
            self.stopped.emit()

    def _processed_us(self) -> int | None:
        if self.device_clock is not None:
            return self.device_clock()
        return self._sink.processedUSecs() if self._sink is not None else None

    def device_due(self) -> int | None:
        """The sample the picture should show now by the device's clock: the one being played; the
        start sample while a starting device has played nothing yet (up to STARTUP_S); None when
        there is no device clock to follow (no device, a stall, the sound's end): then the
        viewer's wall clock decides."""
        if not self.playing:
            return None
        processed = self._processed_us()
        if processed is None:
            return None
        now = time.monotonic()
        if processed != self._last_processed:
            self._last_processed, self._last_change = processed, now
        if processed <= 0:
            return self.start_sample if now - self._started_at < STARTUP_S else None
        heard = self.start_sample + processed * SAMPLE_RATE // 1_000_000
        if now - self._last_change > STALL_S or (self.source is not None and heard >= self.source.length):
            return None
        return heard

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
            if self._sink is None:
                device = QMediaDevices.defaultAudioOutput()
                if device.isNull() or not device.isFormatSupported(fmt):
                    return None
                self._sink = QAudioSink(device, fmt, self)
                self._sink.setBufferSize(SAMPLE_RATE // 5 * BYTES_PER_SAMPLE)
            return self._sink.start()
        except Exception:  # a sound server that went away: the picture plays on, silent
            self._sink = None
            return None

    def close(self) -> None:
        self.stop()
        if self._sink is not None:
            self._sink.deleteLater()
            self._sink = None


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
