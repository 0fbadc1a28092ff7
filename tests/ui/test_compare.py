"""CompareView: 2–4 takes on one clock, every pane on the same frame, differing parameters marked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from director.store.edits import SetTakeFields
from director.ui.gallery.compare_view import DIFFERS, CompareView
from director.ui.undo import ProjectSession

try:
    from .test_gallery_media import add_take, frame_level, make_shot
except ImportError:
    from test_gallery_media import add_take, frame_level, make_shot


@pytest.fixture
def setup(project, qtbot):
    session = ProjectSession(project)
    shot_id, cams = make_shot(project)
    view = CompareView(session)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    return session, view, shot_id, cams


def pane_level(pane) -> int:
    image = pane.view.image()
    return image.pixelColor(image.width() // 2, image.height() // 2).red()


def synced(view, index, qtbot):
    if view.index() == index and all(p.view.index == p.clamp(index) for p in view.panes):
        return
    with qtbot.waitSignal(view.frame_synced, timeout=5000, check_params_cb=lambda i: i == index):
        pass


def test_differing_parameters_are_highlighted_and_shared_ones_are_not(setup):
    session, view, shot_id, cams = setup
    p = session.project
    a = add_take(p, shot_id, cams["A"], seed=5, frames=8, params={"steps": 4, "guidance": 1.0, "width": 64, "height": 48})
    b = add_take(p, shot_id, cams["A"], seed=6, frames=8, params={"steps": 8, "guidance": 1.0, "width": 64, "height": 48})
    c = add_take(p, shot_id, cams["B"], seed=5, frames=8, params={"steps": 4, "guidance": 3.5, "width": 64, "height": 48}, size=(96, 64), preset="wan-2.1-t2v")
    view.set_takes([a, b])
    assert view.differing_parameters() == ["seed", "steps"]
    view.set_takes([a, b, c])
    differing = view.differing_parameters()
    assert {"seed", "steps", "guidance", "size", "preset", "camera", "prompt"} <= set(differing)
    assert "fps" not in differing and "frames" not in differing and "prompt version" not in differing
    names = [view.table.verticalHeaderItem(r).text() for r in range(view.table.rowCount())]
    seed_row = names.index("seed ≠")
    fps_row = names.index("fps")
    assert view.table.item(seed_row, 0).background().color() == DIFFERS
    assert view.table.item(seed_row, 2).text() == "5"
    assert view.table.item(fps_row, 0).background().color() != DIFFERS
    assert view.table.columnCount() == 3


def test_a_new_prompt_version_shows_as_a_difference(setup):
    from director.core.prompt import PromptFields
    from director.store import prompts

    session, view, shot_id, cams = setup
    p = session.project
    a = add_take(p, shot_id, cams["A"], frames=4)
    prompts.write_prompt(p, shot_id, PromptFields(subject="a blue kite", action="rises", setting="a windy beach"))
    b = add_take(p, shot_id, cams["A"], frames=4)
    view.set_takes([a, b])
    assert {"prompt version", "prompt"} <= set(view.differing_parameters())
    assert "seed" not in view.differing_parameters()


def test_scrubbing_puts_every_pane_on_the_same_frame_clamped_to_its_length(setup, qtbot):
    session, view, shot_id, cams = setup
    p = session.project
    long_ = add_take(p, shot_id, cams["A"], frames=30, offset=0)
    short = add_take(p, shot_id, cams["B"], frames=10, offset=2)
    still = add_take(p, shot_id, cams["A"], video=False, colour=(240, 240, 240))
    view.set_takes([long_, short, still])
    synced(view, 0, qtbot)
    assert view.length() == 30
    for k in (7, 20, 3, 29):
        view.slider.setValue(k)
        synced(view, k, qtbot)
        first, second, third = view.panes
        assert first.view.index == k and abs(pane_level(first) - frame_level(k)) <= 3
        clamped = min(k, 9)
        assert second.view.index == clamped and abs(pane_level(second) - frame_level(clamped + 2)) <= 3
        assert third.view.index == 0 and pane_level(third) > 230


def test_synchronised_playback_one_clock_for_all_panes(setup, qtbot):
    session, view, shot_id, cams = setup
    p = session.project
    ids = [add_take(p, shot_id, cams["A" if n % 2 else "B"], seed=n, frames=24, fps=24, offset=n) for n in range(4)]
    view.loop_box.setChecked(False)
    view.set_takes(ids)
    synced(view, 0, qtbot)
    assert view.pane_grid.rowCount() == 2  # four panes in a 2×2 grid
    presented: list[tuple[int, list[int], list[int]]] = []
    view.frame_synced.connect(lambda i: presented.append((i, [pane.view.index for pane in view.panes], [pane_level(pane) for pane in view.panes])))
    with qtbot.waitSignal(view.playing_changed, timeout=10_000, check_params_cb=lambda playing: not playing):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    indices = [i for i, _, _ in presented]
    assert indices[-1] == 23 and indices == sorted(indices)
    assert len(set(indices)) >= 16
    for i, shown, levels in presented:
        assert shown == [i] * 4  # one clock: never two panes on different frames
        assert all(abs(level - frame_level(i + n)) <= 3 for n, level in enumerate(levels))


def test_rating_a_compared_take_keeps_the_table_current(setup):
    session, view, shot_id, cams = setup
    p = session.project
    a = add_take(p, shot_id, cams["A"], seed=1, frames=4)
    b = add_take(p, shot_id, cams["A"], seed=2, frames=4)
    view.set_takes([a, b])
    session.push(SetTakeFields(a, rating=5))
    assert view.infos[0].take.rating == 5


def test_compare_refuses_one_or_five_takes(setup):
    _, view, _, _ = setup
    with pytest.raises(ValueError):
        view.set_takes([1])
    with pytest.raises(ValueError):
        view.set_takes([1, 2, 3, 4, 5])
