"""Human time per shot: automatic sessions from the window and manual entries."""

from __future__ import annotations

from director.core.changes import Changes
from director.core.cost import TimeRow
from director.core.errors import InvalidInput, NotFound
from director.store.project import Project, utc_now
from director.store.rows import rows, scalar


def log_time(project: Project, shot_id: int | None, seconds: float, *, source: str = "manual", note: str = "", started_at: str | None = None) -> tuple[int, Changes]:
    if source not in ("auto", "manual"):
        raise InvalidInput("time entries are 'auto' or 'manual'")
    if not 0 < float(seconds) <= 24 * 3600:
        raise InvalidInput(f"a time entry must be more than 0 and at most 24 hours, got {seconds} s")
    with project.atomic() as db:
        entry_id = db["time_log"].insert(
            {"shot_id": shot_id, "started_at": started_at or utc_now(), "seconds": float(seconds), "source": source, "note": note}
        ).last_pk
    return int(entry_id), Changes(time_log=True, costs=True)


def list_time(project: Project, shot_id: int | None = None) -> list[dict]:
    if shot_id is None:
        return rows(project.db, "SELECT * FROM time_log ORDER BY started_at, id")
    return rows(project.db, "SELECT * FROM time_log WHERE shot_id = ? ORDER BY started_at, id", [shot_id])


def parse_duration(text: str) -> float:
    """'90', '90s', '25m', '1h30m', '1:30:00' → seconds."""
    t = str(text).strip().lower()
    if not t:
        raise InvalidInput("give a duration such as 25m, 1h30m or 1:30:00")
    try:
        if ":" in t:
            parts = [float(p) for p in t.split(":")]
            if len(parts) > 3:
                raise ValueError
            seconds = 0.0
            for p in parts:
                seconds = seconds * 60 + p
            return seconds
        total, number = 0.0, ""
        units = {"h": 3600, "m": 60, "s": 1}
        for ch in t:
            if ch.isdigit() or ch == ".":
                number += ch
            elif ch in units and number:
                total += float(number) * units[ch]
                number = ""
            else:
                raise ValueError
        if number:
            total += float(number)
        return total
    except ValueError:
        raise InvalidInput(f"not a duration: {text!r} (use e.g. 90s, 25m, 1h30m or 1:30:00)") from None


# -- human-time corrections --------------------------------------------------------------------

_KEEP = object()


def edit_time_entry(project: Project, entry_id: int, *, seconds: float | None = None, note: str | None = None, shot_id=_KEEP) -> Changes:
    """Correct an entry: its length, its note, or the shot it belongs to (None: project-wide)."""
    if scalar(project.db, "SELECT 1 FROM time_log WHERE id = ?", [entry_id]) is None:
        raise NotFound(f"no time entry {entry_id}; list them with: director report time {project.path.name}")
    cols: dict = {}
    if seconds is not None:
        if not 0 < float(seconds) <= 24 * 3600:
            raise InvalidInput(f"a time entry must be more than 0 and at most 24 hours, got {seconds} s")
        cols["seconds"] = float(seconds)
    if note is not None:
        cols["note"] = note
    if shot_id is not _KEEP:
        if shot_id is not None and scalar(project.db, "SELECT 1 FROM shots WHERE id = ?", [shot_id]) is None:
            raise NotFound(f"no shot with id {shot_id}")
        cols["shot_id"] = shot_id
    if not cols:
        raise InvalidInput("nothing to change: give a duration, a note or a shot")
    with project.atomic() as db:
        db["time_log"].update(entry_id, cols)
    return Changes(time_log=True, costs=True)


def delete_time_entry(project: Project, entry_id: int) -> Changes:
    with project.atomic() as db:
        if db.execute("DELETE FROM time_log WHERE id = ?", [entry_id]).rowcount != 1:
            raise NotFound(f"no time entry {entry_id}")
    return Changes(time_log=True, costs=True)


def time_rows(project: Project, shot_id: int | None = None) -> list[TimeRow]:
    where, params = ("", []) if shot_id is None else (" WHERE t.shot_id = ?", [shot_id])
    found = rows(
        project.db,
        "SELECT t.*, s.code AS shot_code, sc.code AS scene_code FROM time_log t "
        f"LEFT JOIN shots s ON s.id = t.shot_id LEFT JOIN scenes sc ON sc.id = s.scene_id{where} "
        "ORDER BY t.started_at, t.id",
        params,
    )
    return [
        TimeRow(r["id"], r["started_at"], r["shot_id"], r["shot_code"] or "", r["scene_code"] or "", r["seconds"], r["source"], r["note"])
        for r in found
    ]
