"""The Program viewer's sound on a real sound server: plays the demo's cut (or a project's) through
the window's own output (QAudioSink → PulseAudio), records the server's monitor of that output, and
compares what was heard with the cut's export mix (`export.audio_mix.Mixer`, the one the MP4 uses).

It starts a private PulseAudio daemon with a null sink (48 kHz stereo), so it needs `pulseaudio`
and `pulseaudio-utils` (Debian packages) and nothing else: no sound card, no desktop session.

    .venv/bin/python bench/sound_out.py [--project P] [--out bench/results/sound_out.json]

Reports the seconds recorded and audible, the lag between the mix and what was heard (the sound
server's latency), the correlation of each half second of the cut at that lag (drift, a dropout or
a restart shows as a low one), and the level difference in dB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
RATE = 48000


def start_server(runtime: Path) -> dict:
    """A private PulseAudio daemon with one null sink; the environment that reaches it."""
    if not shutil.which("pulseaudio") or not shutil.which("parec"):
        raise SystemExit("needs pulseaudio and parec: apt-get install pulseaudio pulseaudio-utils")
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "PULSE_SERVER": f"unix:{runtime}/pulse/native"}
    subprocess.run(["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--disallow-exit",
                    f"--load=module-null-sink sink_name=bench_out rate={RATE} channels=2",
                    "--load=module-native-protocol-unix"], env=env, check=True, capture_output=True)
    for _ in range(50):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            return env
        time.sleep(0.1)
    raise SystemExit("the PulseAudio daemon did not start")


def _correlation(heard: np.ndarray, expected: np.ndarray, lag: int) -> float | None:
    h = heard[lag: lag + len(expected)]
    if len(h) < len(expected):
        return None
    h, e = h - h.mean(), expected - expected.mean()
    return float(np.dot(h, e) / (np.linalg.norm(h) * np.linalg.norm(e) + 1e-12))


def best_lag(heard: np.ndarray, expected: np.ndarray, max_lag: int) -> tuple[int, float]:
    """(lag in samples where `heard` best matches `expected`, the normalised correlation there):
    searched in 0.5 ms steps, then sample by sample around the best."""
    best = (0, -1.0)
    for lags in (range(0, max_lag, 24), None):
        for lag in lags if lags is not None else range(max(0, best[0] - 24), best[0] + 25):
            c = _correlation(heard, expected, lag)
            if c is None:
                break
            if c > best[1]:
                best = (lag, c)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", help="default: build the demo in a temporary folder")
    parser.add_argument("--out", default="bench/results/sound_out.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="director-sound-"))
    os.environ.update(start_server(work / "pulse-runtime"))
    os.environ.setdefault("DIRECTOR_CONFIG_DIR", str(work / "config"))
    os.environ["DIRECTOR_WARM_ENGINE"] = "0"
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    project = args.project
    if project is None:
        subprocess.run([sys.executable, "-m", "director", "demo", "--out", str(work / "demo")], check=True, capture_output=True)
        project = str(work / "demo" / "demo.director")

    from PySide6.QtCore import QEventLoop, QTimer

    from director.ui.app import create_app
    from director.ui.main_window import MainWindow

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    app = create_app()
    window = MainWindow()
    window.show()
    if not window.open_project(project):
        return 1
    window.show_panel("program")  # a panel off screen does no work: the mix is read once it shows
    program = window.panel("program")
    for _ in range(100):  # the mix is prepared off the UI thread
        if program.sound_source is not None:
            break
        wait(100)
    mixer = program.sound_source.mixer  # render(0, length) is the export's mix, sample for sample
    expected = mixer.render(0, mixer.plan.length)
    cut = program.cut
    seconds = cut.duration * cut.rate.den / cut.rate.num
    recording = work / "heard.raw"
    rec = subprocess.Popen(["parec", "-d", "bench_out.monitor", "--format=s16le", f"--rate={RATE}", "--channels=2", "--raw"],
                           stdout=open(recording, "wb"))
    time.sleep(0.5)
    program.seek(0)
    shown: list[int] = []
    program.playhead_moved.connect(shown.append)
    program.play()
    started = time.monotonic()
    while program.playing and time.monotonic() - started < seconds + 5:  # it stops itself at the cut's end
        wait(50)
    waited_s = time.monotonic() - started
    program.pause()
    time.sleep(0.3)
    rec.terminate()
    rec.wait()
    window.close()
    app.processEvents()

    heard = np.frombuffer(recording.read_bytes(), dtype="<i2").reshape(-1, 2).astype(np.float32) / 32767.0
    n = len(expected)
    lag, corr = best_lag(heard[:, 0], expected[:, 0], 5 * RATE)  # the recording starts before play, the device later
    # Each half second of the cut at that one lag: a drift or a dropout shows as a low correlation
    # there (a tonal sound makes a per-window lag search ambiguous, so the lag is the whole cut's).
    windows = []
    for start in range(0, n - RATE // 2 + 1, RATE // 2):
        part = expected[start: start + RATE // 2, 0]
        if np.abs(part).max() < 1e-3:
            continue  # silence says nothing
        windows.append(_correlation(heard[:, 0], part, lag + start) or 0.0)
    level = 20 * np.log10((np.sqrt((heard[lag: lag + n] ** 2).mean()) + 1e-12) / (np.sqrt((expected ** 2).mean()) + 1e-12))
    result = {
        "machine": "2-core CPU VM, PulseAudio 16.1 null sink at 48 kHz, QAudioSink (Qt Multimedia, FFmpeg backend)",
        "project": Path(project).name,
        "cut_s": round(seconds, 3),
        "played_s": round(waited_s, 3),  # the cut's length plus the time the device took to start
        "recorded_s": round(len(heard) / RATE, 3),
        "audible_s": round(float((np.abs(heard[:, 0]) > 1e-3).sum()) / RATE, 3),
        "expected_audible_s": round(float((np.abs(expected[:, 0]) > 1e-3).sum()) / RATE, 3),
        "mix_starts_in_recording_ms": round(lag / RATE * 1000, 2),  # recording began 0.5 s before play
        "correlation_whole_cut": round(corr, 4),
        "windows": len(windows),
        "window_correlation_min": round(min(windows), 4) if windows else None,
        "level_difference_db": round(float(level), 2),
        # The picture side: frames shown while playing, and how often it went back (a clock that
        # gave up on a slow device and then followed it would jump back when the sound began).
        "frames_shown": len(shown),
        "picture_went_back": sum(1 for a, b in zip(shown, shown[1:]) if b < a),
    }
    print(json.dumps(result, indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    subprocess.run(["pulseaudio", "--kill"], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
