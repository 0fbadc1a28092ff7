"""Going to a take from elsewhere in the window: a take action's new version landing, or a
notification's link. The gallery selects it (the viewer follows the gallery's current take).

A render that lands on a shot the director is not looking at is offered, not forced: the status
bar says "Take 12 of shot 2A is ready · Show", and Show goes to that shot and selects the take.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

from director.core.errors import DirectorError
from director.store.shots import get_shot
from director.store.takes import get_take, takes_of_job

OFFER_MS = 30_000  # long enough to finish what one was doing and look down


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


class TakeOffer(QLabel):
    """The status bar's "Take N of shot X is ready · Show" link; one per window, the newest offer."""

    def __init__(self, window):
        super().__init__(window.statusBar())
        self.window = window
        self.take_id: int | None = None
        self.setObjectName("takeOffer")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.linkActivated.connect(lambda _link: self.follow())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(OFFER_MS)
        self._timer.timeout.connect(self.withdraw)
        window.statusBar().addPermanentWidget(self)
        self.hide()

    def offer(self, take_id: int, shot_code: str, count: int) -> None:
        self.take_id = take_id
        more = f" (+{count - 1} more)" if count > 1 else ""
        self.setText(f"Take {take_id} of shot {shot_code} is ready{more} · <a href='take:{take_id}'>Show</a>")
        self.setToolTip(f"Go to shot {shot_code} and select take {take_id}")
        self.show()
        self._timer.start()

    def follow(self) -> bool:
        """Show: switch to the take's shot and select it; the offer goes."""
        take_id, self.take_id = self.take_id, None
        self.withdraw()
        return take_id is not None and show_take(self.window, take_id, switch_shot=True)

    def withdraw(self) -> None:
        self._timer.stop()
        self.hide()


def offer_job_takes(window, job_id: int) -> bool:
    """A job finished: where its shot is not the one on screen, offer its first take in the status
    bar (the gallery of its own shot already shows them). True when an offer was made."""
    gallery = window.panels.get("gallery") if window.session is not None else None
    if gallery is None:
        return False
    project = window.session.project
    try:
        made = [t for t in takes_of_job(project, job_id) if not t.deleted]
        if not made or gallery.shot_id() == made[0].shot_id:
            return False
        code = get_shot(project, made[0].shot_id).code
    except DirectorError:  # the shot went to the bin meanwhile: nothing to go to
        return False
    offer = window.findChild(TakeOffer, "takeOffer") or TakeOffer(window)
    offer.offer(made[0].id, code, len(made))
    return True
