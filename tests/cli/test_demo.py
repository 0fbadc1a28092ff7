"""The README's main job: `director demo` makes a film end to end with the tiny presets."""

from __future__ import annotations

import json

import av
import pytest

from director.cli import main
from director.store import Project
from director.store.timeline import build_cut


def test_the_demo_generates_reviews_cuts_and_exports(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "demo"), "--variants", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["shots"] == 3 and summary["cameras"] == 6
    assert summary["jobs"] == {"done": 12} and summary["takes"] == 12  # a tiny-model take and a previz per camera
    assert float(summary["money"]) > 0
    exports = summary["exports"]
    for kind in ("cut", "storyboard", "contact_sheet", "otio", "edl", "costs"):
        assert (tmp_path / "demo" / "exports").joinpath(exports[kind]).stat().st_size > 0, kind
    with Project.open(tmp_path / "demo" / "demo.director", readonly=True) as p:
        from director.export.storyboard import build_storyboard
        from director.store.artifacts import take_artifacts
        from director.store.takes import get_take

        cut = build_cut(p)
        cameras = [s.camera for s in cut.segments]
        board = build_storyboard(p, "cut", cut)  # what storyboard.pdf and contact_sheet.png draw
        assert [panel.badge for panel in board.panels] == ["previz (blocking render)"] * 6
        assert all(set(take_artifacts(get_take(p, s.take_id))) == {"depth", "layout"} for s in cut.segments)
    assert cameras == ["A", "B"] * 3  # every shot cuts from A to B
    with av.open(exports["cut"]) as container:
        frames = sum(1 for _ in container.decode(video=0))
    with av.open(exports["cut"]) as container:
        (sound,) = container.streams.audio  # the demo has sound: its imported foghorn, as AAC
        assert sound.codec_context.name == "aac" and sound.codec_context.sample_rate == 48000
        heard = sum(float(abs(f.to_ndarray()).max()) > 0.05 for f in container.decode(audio=0))
    assert frames == cut.duration
    assert heard > 10


@pytest.mark.parametrize("env", [{}, {"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, {"QT_QPA_PLATFORM": "minimal"}])
def test_demo_open_without_a_screen_says_so_and_returns(tmp_path, capsys, monkeypatch, env):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["demo", "--out", str(tmp_path / "d"), "--no-generate", "--open"]) == 0
    assert "no display here" in capsys.readouterr().out


def test_demo_open_with_a_display_opens_the_window_on_the_demo(tmp_path, monkeypatch):
    import director.ui.app as app

    opened = []
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(app, "run_app", lambda path=None: opened.append(path) or 0)
    assert main(["demo", "--out", str(tmp_path / "d"), "--no-generate", "--open"]) == 0
    assert opened == [str(tmp_path / "d" / "demo.director")]


def test_demo_leaves_the_qt_platform_alone_for_the_window(tmp_path, monkeypatch):
    """The exports draw no Qt (the PDF is fpdf2), so nothing switches Qt to offscreen before the
    window opens on a real screen."""
    import os

    import director.commands.demo as demo

    seen = {}
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(demo, "generate_takes", lambda project, variants, say: None)
    monkeypatch.setattr(demo, "review_takes", lambda project: None)
    monkeypatch.setattr(demo, "cut_demo", lambda project: None)
    monkeypatch.setattr(demo, "export_all", lambda project, out, say: seen.setdefault("exported", True) and {})
    import director.ui.app as app

    monkeypatch.setattr(app, "run_app", lambda path=None: seen.setdefault("platform", os.environ.get("QT_QPA_PLATFORM")) or 0)
    assert main(["demo", "--out", str(tmp_path / "d"), "--open"]) == 0
    assert seen == {"exported": True, "platform": None}
