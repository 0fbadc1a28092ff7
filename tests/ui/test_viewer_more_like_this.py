"""The take viewer's More Like This (#21): the same action the gallery's context menu sends, through
the window's on_take_action to the engine driver's take verbs."""

from __future__ import annotations

from test_queue_panel import paused_window_with_shot
from test_timeline_fixtures import RED, make_take

from director.ui.engine_driver import TAKE_VERBS


def test_the_viewer_button_queues_more_like_this_the_way_the_gallery_menu_does(window, project_file, monkeypatch):
    shot = paused_window_with_shot(window, project_file)
    project = window.session.project
    camera = project.db.execute("SELECT id FROM cameras WHERE shot_id = ?", [shot]).fetchone()[0]
    take = make_take(project, shot, camera, RED, frames=4)
    window.panel("gallery").set_shot(shot)  # the take was written behind the window's back: reload
    asked = []
    monkeypatch.setattr(window.engine, "take_action", lambda action, take_id: asked.append((action, take_id)) or True)

    viewer = window.panel("viewer")
    viewer.show_take(take)
    button = viewer.buttons["more"]
    assert button.text() == "More Like This" and button.isEnabled() and button.toolTip()
    button.click()
    gallery = window.panel("gallery")
    menu = gallery.context_menu(gallery.model.index_of(take))
    next(a for a in menu.actions() if a.text().replace("&", "") == "More Like This").trigger()
    assert asked == [("more", take), ("more", take)]
    assert "more" in TAKE_VERBS  # the verb the driver runs for it


def test_more_like_this_is_off_while_no_take_is_shown(window, project_file):
    paused_window_with_shot(window, project_file)
    viewer = window.panel("viewer")
    viewer.show_take(None)
    assert not viewer.buttons["more"].isEnabled()
