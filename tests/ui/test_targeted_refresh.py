"""Views refresh from the ids in Changes, hidden panels do no work, and a paint never decodes (#13, #24).

A job running on one shot of a 200-shot project used to reset or repaint every row of the shot list,
reset the storyboard, rebuild the timeline and the program viewer's cut on each event; the timeline
and the storyboard decoded their stills inside paint, on the UI thread; the Costs panel re-read the
whole ledger on the UI thread on every job event even while hidden (#24). These tests count signals
and reads (never time): the real window, its real runner pumped by the window, and an engine that
says what a worker says.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QModelIndex, QPoint
from PySide6.QtWidgets import QHeaderView
from test_timeline_fixtures import RED, film, near, pixel, solid_png

from director.core.prompt import PromptFields
from director.engine.messages import Finished, Progress, Started, TakeWritten
from director.engine.runner import JobRunner
from director.store import jobs, prompts, shots
from director.store import timeline as st
from director.store.cameras import list_cameras
from director.store.project import Project
from director.ui import cost_dashboard
from director.ui.gallery import thumbnails
from director.ui.storyboard_view import StoryboardView
from director.ui.timeline_view import TimelineView
from director.ui.undo import ProjectSession

N_SHOTS = 200


class ScriptedEngine:
    """An engine client that runs nothing: the test says which events the worker sent."""

    capacity = 1

    def __init__(self):
        self.submitted: list = []
        self.events: list = []

    def submit(self, request) -> None:
        self.submitted.append(request)

    def poll_events(self, max_wait: float = 0.0) -> list:
        out, self.events = self.events, []
        return out

    def cancel(self, job_id: int) -> None:
        pass

    def shutdown(self) -> None:
        pass


class Signals:
    """Every structural signal and every dataChanged row of a model."""

    def __init__(self, model):
        self.model = model
        self.resets = 0
        self.structural: list[str] = []
        self.changed: list[tuple[QModelIndex, QModelIndex]] = []
        model.modelReset.connect(lambda: setattr(self, "resets", self.resets + 1))
        model.layoutChanged.connect(lambda *a: self.structural.append("layoutChanged"))
        model.rowsInserted.connect(lambda *a: self.structural.append("rowsInserted"))
        model.rowsRemoved.connect(lambda *a: self.structural.append("rowsRemoved"))
        model.rowsMoved.connect(lambda *a: self.structural.append("rowsMoved"))
        model.dataChanged.connect(lambda tl, br, roles=(): self.changed.append((QModelIndex(tl), QModelIndex(br))))


@pytest.fixture
def big_film(tmp_path):
    """200 shots with a prompt and camera A each; shots 1 and 2 on the cut."""
    project = Project.create(tmp_path / "big", width=128, height=96)
    ids = []
    for n in range(1, N_SHOTS + 1):
        shot, _ = shots.add_shot(project, str(n), cameras=("A",))
        prompts.write_prompt(project, shot.id, PromptFields(subject=f"shot {n}"))
        ids.append(shot.id)
    for sid in ids[:2]:
        st.insert_shot(project, sid, duration=24).apply(project)
    path = project.path
    project.close()
    return path, ids


def settle(qtbot, window):
    """Every panel built and every background read applied (counts are compared after this)."""
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)


def run_job(window, engine, shot_id, *, gpu_s=72.0):
    """A job on `shot_id` through the window's own pump: started, a take written, finished."""
    project = window.session.project
    camera = list_cameras(project, shot_id)[0].id
    prompt = prompts.current_prompt(project, shot_id)
    job_id, changes = jobs.create_job(project, shot_id=shot_id, camera_id=camera, prompt_id=prompt.id, preset="tiny-t2i",
                                      params={"steps": 2, "width": 64, "height": 64}, seeds=[5])
    window.session.announce(changes)
    window.pump()  # the runner submits it: running
    assert engine.submitted[-1].job_id == job_id
    engine.events = [Started(job_id, "cpu", False), Progress(job_id, 1, 2)]
    window.pump()
    still = solid_png(project, RED, (64, 64))
    engine.events = [TakeWritten(job_id, 0, 5, still, still, "image", 64, 64, 1, 24, 1), Progress(job_id, 2, 2)]
    window.pump()  # the take is held until the job finishes
    engine.events = [Finished(job_id, {"gpu_s": gpu_s, "wall_s": 80.0})]
    window.pump()
    assert jobs.get_job(project, job_id).state.value == "done"
    return job_id


def test_a_job_on_one_shot_of_200_touches_only_that_shots_row(window, big_film, qtbot, qtmodeltester):
    path, ids = big_film
    assert window.open_project(path)
    window.show_panel("storyboard")  # hidden by default: shown here so its targeted refresh is seen
    settle(qtbot, window)
    project = window.session.project
    engine = ScriptedEngine()
    window.runner = JobRunner(project, engine)  # the window pumps it; the engine is the script below
    target = ids[136]  # shot 137: in the list, not on the cut
    shot_list = window.panel("shots").model
    board = window.panel("storyboard").board
    timeline, program = window.panel("timeline"), window.panel("program")
    seen_list, seen_board = Signals(shot_list), Signals(board)
    timeline_items = dict(timeline._items)
    cut_events = []
    timeline.cut_changed.connect(lambda: cut_events.append("timeline"))
    program.cut_loaded.connect(lambda: cut_events.append("program"))

    run_job(window, engine, target)
    settle(qtbot, window)

    # The shot list: no reset, no row moved; dataChanged only for shot 137's row and its group's total.
    target_index = shot_list.shot_index(target)
    group = target_index.parent()
    allowed = {(target_index.row(), group.row()), (group.row(), -1)}
    rows_touched = {(tl.row(), tl.parent().row() if tl.parent().isValid() else -1) for tl, _ in seen_list.changed}
    assert seen_list.resets == 0 and seen_list.structural == []
    assert rows_touched <= allowed, rows_touched
    assert all(tl.row() == br.row() and tl.parent() == br.parent() for tl, br in seen_list.changed)
    assert (target_index.row(), group.row()) in rows_touched  # its thumbnail and its money did change
    assert shot_list.data(shot_list.shot_index(target, 2)) == "0.05 USD"  # 72 GPU s at 2.50 an hour
    assert shot_list.data(target_index, shot_list.ChosenTakeRole) is not None

    # The storyboard (on screen): that panel only, never a reset.
    panel_row = next(r for r, p in enumerate(board.panels) if p["shot_id"] == target)
    assert seen_board.resets == 0 and seen_board.structural == []
    assert {tl.row() for tl, _ in seen_board.changed} == {panel_row}
    assert board.panels[panel_row]["money"] == "0.05 USD"

    # The timeline and the program viewer: shot 137 is not on the cut, so nothing was rebuilt.
    assert cut_events == []
    assert timeline._items == timeline_items and all(timeline._items[k] is v for k, v in timeline_items.items())

    # Rows keep one height and columns their widths: nothing re-measures 200 rows per signal.
    view = window.panel("shots").view
    assert view.uniformRowHeights()
    assert all(view.header().sectionResizeMode(c) != QHeaderView.ResizeMode.ResizeToContents for c in range(3))
    queue_header = window.panel("queue").view.horizontalHeader()
    assert all(queue_header.sectionResizeMode(c) != QHeaderView.ResizeMode.ResizeToContents for c in range(queue_header.count()))
    qtmodeltester.check(shot_list)
    qtmodeltester.check(board)


@pytest.fixture
def ledger_reads(monkeypatch):
    """Each read of the Costs panel's figures, and whether it ran on the UI thread (the real read runs)."""
    calls: list[bool] = []
    real = cost_dashboard.read_costs

    def spy(*args, **kwargs):
        calls.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(cost_dashboard, "read_costs", spy)
    return calls


def test_the_costs_panel_reads_nothing_while_hidden_and_once_per_job_event_when_shown(window, big_film, qtbot, ledger_reads):
    path, ids = big_film
    assert window.open_project(path)
    settle(qtbot, window)
    engine = ScriptedEngine()
    window.runner = JobRunner(window.session.project, engine)
    costs = window.panel("costs")
    assert not window.dock("costs").isVisible()  # hidden by default

    run_job(window, engine, ids[10])
    run_job(window, engine, ids[11])
    settle(qtbot, window)
    assert ledger_reads == [] and costs.freshness.refreshes == 0  # hidden: no read at all, however many events
    assert costs.freshness.stale  # it knows it is behind

    with qtbot.waitSignal(costs.refreshed):
        window.show_panel("costs")  # shown: one read brings it up to date
    settle(qtbot, window)
    assert ledger_reads == [False] and costs.freshness.refreshes == 1
    before = costs.model.totals().money_micros

    with qtbot.waitSignal(costs.refreshed):
        run_job(window, engine, ids[12], gpu_s=3600.0)  # one job's events: one more read, off the UI thread
    settle(qtbot, window)
    assert ledger_reads == [False, False] and costs.freshness.refreshes == 2
    assert costs.model.totals().money_micros == before + 2_500_000  # one GPU hour at 2.50

    window.dock("costs").hide()
    run_job(window, engine, ids[13])
    settle(qtbot, window)
    assert len(ledger_reads) == 2  # hidden again: nothing more


def test_opening_shows_the_shot_list_and_the_current_shot_first_and_fills_in_the_rest(window, big_film, qtbot, monkeypatch):
    from director.ui.models import shots_model

    fills: list[bool] = []
    real = shots_model.read_fill
    monkeypatch.setattr(shots_model, "read_fill", lambda project: fills.append(threading.current_thread() is threading.main_thread()) or real(project))
    path, ids = big_film
    assert window.open_project(path)
    # What the first paint shows is there when open_project returns; the other panels are not built yet.
    assert set(window.panels) == {"shots", "gallery"}
    assert window.panel("shots").model.rowCount() > 0 and window.workspace.shot == ids[0]
    assert window.busy()
    settle(qtbot, window)
    assert set(window.panels) == set(window._specs)  # every panel, one per turn of the event loop
    assert fills == [False]  # every shot's money and still were read once, on the reads thread
    model = window.panel("shots").model
    assert model.is_filled and model.data(model.shot_index(ids[0], 2)) == "0.00 USD"
    # Asking for a panel still waiting builds it at once.
    window.close_project()
    assert window.open_project(path)
    assert window.panel("storyboard") is not None and "storyboard" in window.panels
    settle(qtbot, window)


def test_a_take_landing_on_a_cut_shot_repaints_its_clip_without_rebuilding_the_timeline(window, big_film, qtbot):
    path, ids = big_film
    assert window.open_project(path)
    window.show_panel("program")  # behind the Viewer tab by default: on screen it follows the cut
    settle(qtbot, window)
    project = window.session.project
    timeline = window.panel("timeline")
    items = dict(timeline._items)
    clip = next(gi.item for gi in items.values() if getattr(gi.item, "shot_id", None) == ids[0])
    assert timeline.clip_info(clip)["take_id"] is None
    camera = list_cameras(project, ids[0])[0].id
    job_id, _ = jobs.create_job(project, shot_id=ids[0], camera_id=camera, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1])
    jobs.mark_running(project, job_id)
    still = solid_png(project, RED, (64, 64))
    take_ids, changes = jobs.complete_job(project, job_id, {"gpu_s": 1.0},
                                          [{"seed": 1, "variant": 0, "kind": "image", "media_path": still, "thumb_path": still,
                                            "width": 64, "height": 64, "frames": 1, "fps_num": 24, "fps_den": 1}])
    program = window.panel("program")
    with qtbot.waitSignal(timeline.cut_changed, timeout=2000), qtbot.waitSignal(program.cut_loaded, timeout=5000):
        window.session.announce(changes)
    assert all(timeline._items[k] is v for k, v in items.items())  # the same scene items, repainted
    assert timeline.clip_info(clip)["take_id"] == take_ids[0]
    assert any(s.take_id == take_ids[0] for s in program.cut.segments)


@pytest.fixture
def decode_threads(monkeypatch):
    """Which thread each decode ran on (the real decoder still decodes)."""
    calls: list[bool] = []  # True: on the UI thread
    real = thumbnails.decode_thumbnail

    def spy(*args, **kwargs):
        calls.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(thumbnails, "decode_thumbnail", spy)
    return calls


def test_painting_the_timeline_never_decodes_on_the_ui_thread(tmp_path, qtbot, decode_threads):
    project, ids = film(tmp_path)
    session = ProjectSession(project)
    session.push(st.insert_shot(project, ids["s1"], duration=48))
    view = TimelineView(session)
    qtbot.addWidget(view)
    view.resize(700, 200)
    view.show()
    qtbot.waitExposed(view)
    clip_id = next(iter(view._items))
    rect = view.item_rect(clip_id)
    spot = QPoint(int(rect.left()) + 6, int(rect.top()) + 12)
    first = view.viewport().grab().toImage()  # paints every clip
    assert True not in decode_threads
    assert not near(pixel(first, spot.x(), spot.y()), RED)  # no still yet: it is being decoded elsewhere
    qtbot.waitUntil(lambda: session.thumbnails.pending() == 0 and len(decode_threads) > 0, timeout=5000)
    qtbot.waitUntil(lambda: near(pixel(view.viewport().grab().toImage(), spot.x(), spot.y()), RED), timeout=5000)
    assert decode_threads and True not in decode_threads
    project.close()


def test_painting_the_storyboard_never_decodes_on_the_ui_thread(tmp_path, qtbot, decode_threads):
    project, _ids = film(tmp_path)
    session = ProjectSession(project)
    view = StoryboardView(session)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    box = view.visualRect(view.board.index(0))
    spot = QPoint(box.x() + 30, box.y() + 40)  # inside camera A's still (red)
    first = view.viewport().grab().toImage()
    assert True not in decode_threads
    assert not near(pixel(first, spot.x(), spot.y()), RED)
    qtbot.waitUntil(lambda: near(pixel(view.viewport().grab().toImage(), spot.x(), spot.y()), RED), timeout=5000)
    assert decode_threads and True not in decode_threads
    project.close()
