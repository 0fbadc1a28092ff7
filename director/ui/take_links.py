"""Going to a take from elsewhere in the window: a take action's new version landing, or a
notification's link. The gallery selects it (the viewer follows the gallery's current take)."""

from __future__ import annotations

from director.core.errors import DirectorError
from director.store.takes import get_take


def show_take(window, take_id: int, *, switch_shot: bool) -> bool:
    """Select `take_id` in the gallery and show it in the viewer. With `switch_shot` the window
    goes to the take's shot first (a link the director clicked); without it a take of another
    shot is left alone (a render landing must not pull the director away from what they do)."""
    if window.session is None:
        return False
    try:
        take = get_take(window.session.project, take_id)
    except DirectorError as exc:
        window.notify(str(exc), error=True)
        return False
    gallery = window.panels.get("gallery")
    if gallery is None:
        return False
    if gallery.shot_id() != take.shot_id:
        if not switch_shot:
            return False
        window.select_shot(take.shot_id)
    if gallery.show_new_take(take_id):
        return True
    window._on_take_activated(take_id)  # filtered out of the gallery: the viewer still shows it
    return True


def follow_new_takes(window, source_take_id: int, take_ids: list) -> bool:
    """A promote, extend, image-to-video, re-render or more-like-this of `source_take_id` landed:
    select its first new take where the director is looking at that shot."""
    return bool(take_ids) and show_take(window, int(take_ids[0]), switch_shot=False)
