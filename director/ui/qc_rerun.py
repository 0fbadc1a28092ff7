"""Take ▸ Re-run QC: measure the selected takes' continuity QC again (the window's `director qc run`).

The measuring runs on the runner's QC thread (engine.qc_follow_up), never the UI thread; the engine
driver's pump records each result and the gallery's badges, the viewer's QC strip and the reports
follow from the Changes it announces. A read-only project has no runner and measures nothing.
"""

from __future__ import annotations

from director.store import qc as store_qc


def rerun_qc(window, take_ids: list[int] | None = None) -> list[int]:
    """Queue the video takes among `take_ids` (default: the gallery's selection, else every take
    of the shot on screen) for QC; return the ids queued. Says what it did in the status bar."""
    if window.session is None:
        return []
    runner = window.runner
    if runner is None:
        window.notify("this project is open read-only: QC results cannot be recorded", error=True)
        return []
    gallery = window.panels.get("gallery")
    if take_ids is None and gallery is not None:
        take_ids = gallery.selected_take_ids() or gallery.model.take_ids()
    works = store_qc.video_takes(window.session.project, take_ids or [])
    if not works:
        window.notify("QC measures video takes only: select one or more video takes", error=True)
        return []
    queued = [w.take_id for w in works]
    runner.qc.submit(queued)
    window.notify(f"Measuring continuity QC of {len(queued)} take{'s' if len(queued) != 1 else ''} "
                  f"({', '.join(map(str, queued[:6]))}{'…' if len(queued) > 6 else ''})")
    return queued
