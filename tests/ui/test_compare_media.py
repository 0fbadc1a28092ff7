"""Comparing takes when one of them has a broken file: that pane says why, the others still play."""

from __future__ import annotations

from director.store.takes import get_take
from director.ui.gallery.compare_view import CompareView
from director.ui.undo import ProjectSession

try:
    from .test_gallery_media import add_take, frame_level, make_shot
except ImportError:
    from test_gallery_media import add_take, frame_level, make_shot


def test_a_damaged_take_in_compare_does_not_hold_the_others_back(project, qtbot):
    session = ProjectSession(project)
    shot_id, cams = make_shot(project)
    good = add_take(project, shot_id, cams["A"], seed=1, frames=8)
    bad = add_take(project, shot_id, cams["A"], seed=2, frames=8, offset=3)
    broken = project.media.path(get_take(project, bad).media_path)
    broken.write_bytes(b"scribbled over " * 100)
    view = CompareView(session)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.frame_synced, timeout=10_000):
        view.set_takes([good, bad])
    good_pane, bad_pane = view.panes
    assert abs(good_pane.view.image().pixelColor(32, 24).red() - frame_level(0)) <= 4
    assert bad_pane.view.image() is None
    assert f"take {bad} could not be shown: media damaged: {broken} (decoder said" in bad_pane.view.message
    with qtbot.waitSignal(view.frame_synced, timeout=10_000, check_params_cb=lambda i: i == 5):
        view.seek(5)
    assert abs(good_pane.view.image().pixelColor(32, 24).red() - frame_level(5)) <= 4
