"""Continuity QC where curation happens: the gallery tile's badge, sort and filter by QC, a
threshold change re-colouring the badges, and the per-frame curve under the viewer whose worst
frame, clicked, is where the viewer goes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from director.core import qc as rules
from director.engine.qc_follow_up import measure_now
from director.store import qc as store_qc
from director.store import shots
from director.ui.gallery.take_gallery import TakeGallery
from director.ui.gallery.take_viewer import TakeViewer
from director.ui.models.takes_model import TakesModel
from tests.engine import qc_clips


@pytest.fixture
def takes(session):
    project = session.project
    clean = qc_clips.add_video_take(project, qc_clips.clean()[:12], shot="1")
    jump = qc_clips.add_video_take(project, qc_clips.teleport()[18:30], shot="1")  # the jump at take frame 6
    unmeasured = qc_clips.add_video_take(project, qc_clips.clean()[:6], shot="1")
    for take_id in (clean, jump):
        session.announce(measure_now(project, take_id))
    return {"clean": clean, "jump": jump, "unmeasured": unmeasured, "shot": shots.find_shot(project, "1").id}


@pytest.fixture
def gallery(session, takes, qtbot):
    g = TakeGallery(session)
    qtbot.addWidget(g)
    g.resize(900, 500)
    g.show()
    qtbot.waitExposed(g)
    g.set_shot(takes["shot"])
    return g


def grades(gallery):
    m = gallery.model
    return {m.index(r).data(TakesModel.TakeIdRole): m.index(r).data(TakesModel.QcRole) for r in range(m.rowCount())}


def test_every_tile_has_its_badge(gallery, takes):
    assert grades(gallery) == {takes["clean"]: "green", takes["jump"]: "red", takes["unmeasured"]: None}
    gallery.view.grab()  # paints every tile
    delegate = gallery.view.itemDelegate()
    assert ("qc", "green") in delegate._pixmaps and ("qc", "red") in delegate._pixmaps
    tip = gallery.model.index(gallery.model.row_of(takes["jump"])).data(Qt.ItemDataRole.ToolTipRole)
    assert "QC red" in tip


def test_sort_worst_first_and_filter_by_qc(gallery, takes):
    gallery.set_sort("qc")
    assert gallery.model.take_ids() == [takes["jump"], takes["clean"], takes["unmeasured"]]
    gallery.set_filter(qc="flagged")
    assert gallery.model.take_ids() == [takes["jump"]]
    gallery.set_filter(qc="unchecked")
    assert gallery.model.take_ids() == [takes["unmeasured"]]
    assert gallery.qc_box.currentData() == "unchecked"  # the toolbar follows
    gallery.set_filter()
    assert len(gallery.model.take_ids()) == 3


def test_a_take_measured_later_and_a_threshold_change_recolour_the_badges(gallery, session, takes):
    session.announce(measure_now(session.project, takes["unmeasured"]))  # what the runner's pump announces
    assert grades(gallery)[takes["unmeasured"]] == "green"
    th = store_qc.thresholds(session.project).with_level("warp", amber=50, red=60)
    session.announce(store_qc.set_thresholds(session.project, th))
    assert set(grades(gallery).values()) == {"green"}


def test_the_curve_under_the_viewer_marks_the_worst_frame_and_a_click_goes_there(session, takes, qtbot):
    viewer = TakeViewer(session)
    qtbot.addWidget(viewer)
    viewer.resize(700, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.show_take(takes["jump"])
    curve = viewer.qc_curve
    assert curve.isVisible() and curve.worst[0] == 6
    assert curve.bars[6][1] == rules.RED and curve.bars[2][1] == rules.GREEN
    assert "Warp error" in curve.toolTip()
    with qtbot.waitSignal(viewer.player.frame_shown, timeout=10_000, check_params_cb=lambda i, _img: i == 6):
        qtbot.mouseClick(curve, Qt.MouseButton.LeftButton, pos=QPoint(int(curve.frame_x(6)), curve.height() // 2))
    viewer.show_take(takes["unmeasured"])
    assert curve.isVisible() and curve.message == "QC: not measured yet" and not curve.bars


def test_the_settings_qc_tab_sets_the_levels_that_flag_frames(gallery, session, takes, qtbot):
    from director.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    tab = dialog.qc_tab
    amber, red = tab.boxes["warp"]
    assert (amber.value(), red.value()) == (1.5, 4.0)
    amber.setValue(9)
    red.setValue(3)  # red below amber: refused, nothing written
    assert not dialog.save() and "at or above amber" in dialog.error.text()
    assert store_qc.thresholds(session.project).amber("warp") == 1.5
    red.setValue(12)
    with qtbot.waitSignal(dialog.settings_saved):
        assert dialog.save()
    th = store_qc.thresholds(session.project)
    assert (th.amber("warp"), th.red("warp")) == (9, 12)
    jump = store_qc.get(session.project, takes["jump"])
    assert rules.flagged_frames("warp", jump.curves["warp"], th) == []  # the levels decide the flags
    assert grades(gallery)[takes["jump"]] == "green"  # and the badge, at once
    again = SettingsDialog(session)
    qtbot.addWidget(again)
    assert again.qc_tab.boxes["warp"][0].value() == 9
    again.qc_tab.restore_defaults()
    assert again.save()
    assert grades(gallery)[takes["jump"]] == "red"
