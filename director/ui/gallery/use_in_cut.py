"""'Use in cut' from the gallery and the viewer: one undoable timeline edit (store.lineage.use_in_cut
picks the clip), pushed on the project's undo stack; a refusal is said, never raised."""

from __future__ import annotations

from director.core.errors import DirectorError
from director.store import lineage


def use_in_cut(session, take_id: int) -> bool:
    try:
        edit = lineage.use_in_cut(session.project, take_id)
    except DirectorError as exc:
        session.error_raised.emit(str(exc))
        return False
    return session.push(edit)
