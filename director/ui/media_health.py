"""Which takes' media cannot be shown, found one file at a time off the UI thread.

A take whose file is missing, damaged (does not decode, or its bytes changed since Director stored
it) or tampered (its row names a file outside the media folder, which is never opened) costs that
take only: the gallery tile wears a badge, the viewer says which file and why, the rest of the
project works. Nothing looks at every take when a project opens; a view asks about the takes it is
painting (`request`), the check runs on a pool thread, and `changed(relative)` says when the answer
is in. What a viewer or a thumbnail learns by failing to decode is recorded too (`record`), so the
badge follows at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from director.store.media import MediaStore, TamperedMedia

if TYPE_CHECKING:
    from director.export.frames import MediaIssue

BADGES = {"missing": "media missing", "damaged": "media damaged", "tampered": "media tampered"}


def quick_issue(media: MediaStore, relative: str) -> MediaIssue | None:
    """Tampered or missing, from the row and one stat (no decoding): cheap enough for a click.
    (The decoding side, with PyAV, is imported only when there is an issue to describe.)"""
    try:
        path = media.path(relative)
    except TamperedMedia as exc:
        from director.export.frames import MediaIssue

        return MediaIssue(None, "", relative, "tampered", relative, str(exc))
    if not path.is_file():
        from director.export.frames import MediaIssue

        return MediaIssue(None, "", relative, "missing", str(path))
    return None


def describe(issue: MediaIssue, take_id: int | None, shot_code: str = "") -> str:
    """'Media damaged: take 5 (shot 1A) cannot be shown.' then the file and what the decoder said."""
    who = f"take {take_id}" if take_id is not None else "this take"
    if shot_code:
        who += f" (shot {shot_code})"
    lines = [f"Media {issue.problem}: {who} cannot be shown.", issue.path]
    if issue.detail:
        lines.append(f"({issue.detail})")
    lines.append("Everything else in the project works. Run 'director check' to list every take with a problem.")
    return "\n".join(lines)


class _Relay(QObject):
    done = Signal(str, object)  # relative path, MediaIssue | None


class _Probe(QRunnable):
    def __init__(self, relay: _Relay, media: MediaStore, relative: str, kind: str | None):
        super().__init__()
        self.relay, self.media, self.relative, self.kind = relay, media, relative, kind

    def run(self) -> None:
        from director.export.frames import MediaIssue, media_issue

        try:
            issue = media_issue(self.media, self.relative, self.kind)
        except Exception as exc:  # a probe that fails is itself the answer: the file cannot be used
            issue = MediaIssue(None, "", self.relative, "damaged", self.relative, f"{exc.__class__.__name__}: {exc}")
        try:
            self.relay.done.emit(self.relative, issue)
        except RuntimeError:
            pass  # the project closed while this file was being looked at


class MediaHealth(QObject):
    """Per-file answers for one project's media store: None (fine or not yet known) or a MediaIssue."""

    changed = Signal(str)  # a relative path whose answer just arrived or changed

    def __init__(self, media: MediaStore, parent: QObject | None = None, *, threads: int = 1):
        super().__init__(parent)
        self.media = media
        self._known: dict[str, MediaIssue | None] = {}
        self._pending: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, threads))
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)

    def issue(self, relative: str | None) -> MediaIssue | None:
        return self._known.get(relative) if relative else None

    def known(self, relative: str | None) -> bool:
        return relative in self._known

    def request(self, relative: str | None, kind: str | None = None) -> None:
        """Look at a file on the pool (once): decodes its first picture and checks its bytes."""
        if not relative or relative in self._known or relative in self._pending:
            return
        self._pending.add(relative)
        self._pool.start(_Probe(self._relay, self.media, relative, kind))

    def check_now(self, relative: str | None) -> MediaIssue | None:
        """The cheap part on the caller's thread (tampered or missing); recorded when it finds one."""
        if not relative:
            return None
        known = self._known.get(relative)
        if known is not None:
            return known
        issue = quick_issue(self.media, relative)
        if issue is not None:
            self.record(relative, issue)
        return issue

    def record(self, relative: str, issue: MediaIssue | None) -> None:
        """What someone learnt by reading the file (a decoder error, a thumbnail that failed)."""
        if self._known.get(relative, ...) == issue:
            return
        if relative in self._known and self._known[relative] is not None and issue is None:
            return  # a file found wanting stays so until the project is opened again
        self._known[relative] = issue
        self.changed.emit(relative)

    def record_failure(self, relative: str, problem: str, detail: str = "") -> None:
        """record() for a reader that knows only the problem and the decoder's words."""
        from director.export.frames import MediaIssue

        path = relative if problem == "tampered" else str(self.media.root / relative)
        self.record(relative, MediaIssue(None, "", relative, problem, path, detail))

    def pending(self) -> int:
        return len(self._pending)

    def shutdown(self) -> None:
        """Forget the checks still queued; the project is closing."""
        self._pool.clear()
        self._pending.clear()

    def wait_for_done(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_done(self, relative: str, issue: MediaIssue | None) -> None:
        self._pending.discard(relative)
        if relative in self._known and self._known[relative] is not None:
            return  # a decoder already said more than the probe can
        self._known[relative] = issue
        self.changed.emit(relative)
