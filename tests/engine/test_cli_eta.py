"""`director generate` prints each job's elapsed time and ETA from core.eta while it runs (#21)."""

from __future__ import annotations

import io

from director.cli import main
from director.commands import generate


def test_generate_progress_line_carries_elapsed_and_eta(shot_project, monkeypatch):
    film = str(shot_project.path)
    shot_project.close()
    stream = io.StringIO()
    real = generate.ProgressBar
    monkeypatch.setattr(generate, "ProgressBar", lambda label, enabled=None: real(label, stream=stream, enabled=True))
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2i", "--variants", "1", "--seed", "3", "--steps", "3"]) == 0
    lines = [line for line in stream.getvalue().split("\r") if line.strip()]
    assert any("elapsed 0:" in line for line in lines), lines
    stepped = [line for line in lines if "3/3" in line]
    assert stepped and "ETA 0:00" in stepped[-1], lines  # the last step: nothing left
