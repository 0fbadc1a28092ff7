"""Continuity QC rows: each video take's curves and scores, the project's thresholds, and the two
scores that compare takes (camera match within a shot, colour continuity across a cut), worked out
here from the stored mean colours so no reader decodes a frame.

The grade stored with each take follows `core.qc.grade` under the project's thresholds; changing a
threshold re-grades every take in the same transaction, so the badge, the gallery's QC sort and
filter, the storyboard and `director report qc` always agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from director.core import qc as rules
from director.core.changes import Changes
from director.core.cut import Cut, source_frame
from director.core.errors import NotFound
from director.store.choice import chosen_by_camera
from director.store.project import Project, utc_now
from director.store.rows import one, rows

# Frames of each side of a cut whose mean colour is compared.
CONTINUITY_FRAMES = 6


@dataclass(frozen=True)
class TakeQc:
    take_id: int
    version: int
    frames: int
    curves: dict[str, list[float | None]]
    lab: list[tuple[float, float, float]]
    scores: dict[str, float | None]
    grade: int | None
    severity: float
    cpu_s: float | None
    wall_s: float | None
    error: str | None
    created_at: str

    @property
    def grade_name(self) -> str:
        return rules.GRADE_NAMES[self.grade] if self.grade is not None else ("failed" if self.error else "unchecked")

    def mean_lab(self) -> tuple[float, float, float] | None:
        return rules.mean_lab(self.lab)


def _qc(r: dict) -> TakeQc:
    return TakeQc(
        take_id=r["take_id"], version=r["version"], frames=r["frames"],
        curves=json.loads(r["curves"] or "{}"), lab=[tuple(v) for v in json.loads(r["lab"] or "[]")],
        scores={k: r[k] for k in rules.FRAME_METRICS}, grade=r["grade"], severity=r["severity"] or 0.0,
        cpu_s=r["cpu_s"], wall_s=r["wall_s"], error=r["error"], created_at=r["created_at"],
    )


# -- thresholds ---------------------------------------------------------------------------------


def thresholds(project: Project) -> rules.Thresholds:
    """The project's thresholds (defaults for metrics never set)."""
    saved = rows(project.db, "SELECT metric, amber, red FROM qc_thresholds")
    return rules.Thresholds({r["metric"]: (r["amber"], r["red"]) for r in saved if r["metric"] in rules.METRICS})


def set_thresholds(project: Project, th: rules.Thresholds) -> Changes:
    """Save thresholds (each checked) and re-grade every take's QC in the same transaction."""
    for key in rules.METRICS:
        rules.check_levels(key, th.amber(key), th.red(key))
    graded = [(rules.grade(_scores(r), th), rules.severity(_scores(r), th), r["take_id"])
              for r in rows(project.db, f"SELECT take_id, {', '.join(rules.FRAME_METRICS)} FROM take_qc WHERE error IS NULL")]
    with project.atomic() as db:
        db.execute("DELETE FROM qc_thresholds")
        for key in rules.METRICS:
            db.execute("INSERT INTO qc_thresholds (metric, amber, red) VALUES (?, ?, ?)", [key, th.amber(key), th.red(key)])
        db.conn.executemany("UPDATE take_qc SET grade = ?, severity = ? WHERE take_id = ?", graded)
    return Changes.of(takes=[t for *_, t in graded], project=True)


def _scores(r: dict) -> dict[str, float | None]:
    return {k: r[k] for k in rules.FRAME_METRICS}


# -- recording ----------------------------------------------------------------------------------


def record(project: Project, take_id: int, *, version: int, frames: int, width: int, height: int,
           curves: dict, lab: list, cpu_s: float, wall_s: float) -> Changes:
    """Store a take's measurement (replacing an older one), graded under the project's thresholds."""
    scores = {k: rules.score(k, curves.get(k, [])) for k in rules.FRAME_METRICS}
    th = thresholds(project)
    row = {
        "take_id": take_id, "version": version, "frames": frames, "width": width, "height": height,
        "curves": json.dumps({k: [None if v is None else round(float(v), 4) for v in c] for k, c in curves.items()}),
        "lab": json.dumps([[round(float(x), 3) for x in v] for v in lab]),
        **scores, "grade": rules.grade(scores, th), "severity": rules.severity(scores, th),
        "cpu_s": cpu_s, "wall_s": wall_s, "error": None, "created_at": utc_now(),
    }
    return _write(project, take_id, row)


def record_failure(project: Project, take_id: int, error: str, cpu_s: float = 0.0, wall_s: float = 0.0) -> Changes:
    """A take QC could not measure (its file does not decode): kept with the reason, ungraded."""
    row = {"take_id": take_id, "version": rules.ALGORITHM_VERSION, "error": error, "grade": None, "severity": 0.0,
           "cpu_s": cpu_s, "wall_s": wall_s, "created_at": utc_now()}
    return _write(project, take_id, row)


def _write(project: Project, take_id: int, row: dict) -> Changes:
    if one(project.db, "SELECT id FROM takes WHERE id = ?", [take_id]) is None:
        return Changes()  # emptied from the bin meanwhile: nothing to keep
    with project.atomic() as db:
        db.execute("DELETE FROM take_qc WHERE take_id = ?", [take_id])
        db["take_qc"].insert(row)
    return Changes.of(takes=[take_id])


# -- reading ------------------------------------------------------------------------------------


def get(project: Project, take_id: int) -> TakeQc | None:
    r = one(project.db, "SELECT * FROM take_qc WHERE take_id = ?", [take_id])
    return _qc(r) if r is not None else None


def of_takes(project: Project, take_ids: Iterable[int]) -> dict[int, TakeQc]:
    ids = list(take_ids)
    out: dict[int, TakeQc] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out.update({r["take_id"]: _qc(r) for r in rows(project.db, f"SELECT * FROM take_qc WHERE take_id IN ({marks})", chunk)})
    return out


@dataclass(frozen=True)
class QcWork:
    """A video take to measure: its id and its media path (relative to the media store)."""

    take_id: int
    media_path: str


def video_takes(project: Project, take_ids: Iterable[int] | None = None, *, missing_only: bool = False) -> list[QcWork]:
    """Live video takes (all, or the given ones), optionally only those without a current measurement."""
    sql = ("SELECT t.id, t.media_path FROM takes t LEFT JOIN take_qc q ON q.take_id = t.id "
           "WHERE t.kind = 'video' AND t.deleted_at IS NULL")
    params: list = []
    if take_ids is not None:
        ids = list(take_ids)
        if not ids:
            return []
        sql += f" AND t.id IN ({','.join('?' * len(ids))})"
        params += ids
    if missing_only:
        sql += " AND (q.take_id IS NULL OR q.version < ?)"
        params.append(rules.ALGORITHM_VERSION)
    return [QcWork(r["id"], r["media_path"]) for r in rows(project.db, sql + " ORDER BY t.id", params)]


def take_kind(project: Project, take_id: int) -> str:
    r = one(project.db, "SELECT kind FROM takes WHERE id = ?", [take_id])
    if r is None:
        raise NotFound(f"no take {take_id}; list takes with: director takes list {project.path.name} SHOT")
    return r["kind"]


def multicam_match(project: Project, take_ids: Iterable[int]) -> dict[int, float]:
    """take id → the largest ΔE between its mean colour and that of the chosen take of each other
    camera of its shot; takes of single-camera shots (or not measured) are left out."""
    ids = list(take_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    takes = rows(project.db, f"SELECT id, shot_id, camera_id FROM takes WHERE id IN ({marks}) AND camera_id IS NOT NULL", ids)
    shots = {t["shot_id"] for t in takes}
    chosen = chosen_by_camera(project, shots)
    qcs = of_takes(project, ids + list(chosen.values()))
    out: dict[int, float] = {}
    for t in takes:
        mine = qcs.get(t["id"])
        colour = mine.mean_lab() if mine else None
        if colour is None:
            continue
        others = [qcs[tid].mean_lab() for (shot, cam), tid in chosen.items()
                  if shot == t["shot_id"] and cam != t["camera_id"] and tid in qcs and qcs[tid].lab]
        if others:
            out[t["id"]] = max(rules.delta_e(colour, o) for o in others)
    return out


@dataclass(frozen=True)
class CutJoin:
    """One join between two adjacent pictures on the cut and their colour distance."""

    record_frame: int  # the first frame of the incoming clip
    out_take: int
    in_take: int
    out_shot: str
    in_shot: str
    delta_e: float
    grade: int


def cut_continuity(project: Project, cut: Cut) -> tuple[list[CutJoin], list[int]]:
    """Each join between adjacent pictures of different takes on the cut, with the ΔE between the
    mean colour of the last `CONTINUITY_FRAMES` shown of the outgoing take and the first shown of
    the incoming one; and the takes on the cut without a measurement (so the caller can say so)."""
    pieces = [s for s in cut.segments if s.take_id is not None and s.kind in ("video", "image") and s.enabled]
    pieces.sort(key=lambda s: s.record_start)
    qcs = of_takes(project, {s.take_id for s in pieces})
    th = thresholds(project)
    joins: list[CutJoin] = []
    unmeasured = sorted({s.take_id for s in pieces if s.kind == "video" and (s.take_id not in qcs or not qcs[s.take_id].lab)})
    for a, b in zip(pieces, pieces[1:]):
        if a.take_id == b.take_id or a.record_end != b.record_start:
            continue
        end = _colour(qcs.get(a.take_id), a, cut, range(max(a.record_start, a.record_end - CONTINUITY_FRAMES), a.record_end))
        start = _colour(qcs.get(b.take_id), b, cut, range(b.record_start, min(b.record_end, b.record_start + CONTINUITY_FRAMES)))
        if end is None or start is None:
            continue
        d = rules.delta_e(end, start)
        joins.append(CutJoin(b.record_start, a.take_id, b.take_id, a.shot_code, b.shot_code, d,
                             rules.grade_value("continuity", d, th)))
    return joins, unmeasured


def _colour(qc: TakeQc | None, segment, cut: Cut, record_frames: range) -> tuple[float, float, float] | None:
    if qc is None or not qc.lab:
        return None
    frames = {min(len(qc.lab) - 1, source_frame(segment, k, cut.rate)) for k in record_frames}
    return rules.mean_lab([qc.lab[f] for f in sorted(frames)])


@dataclass(frozen=True)
class QcRow:
    """A live video take with its shot, camera and QC (None: not measured yet)."""

    take_id: int
    shot_id: int
    shot_code: str
    camera: str
    frames: int
    qc: TakeQc | None


def report_rows(project: Project) -> list[QcRow]:
    """Every live video take in shot order, with its QC."""
    found = rows(project.db,
                 "SELECT t.id, t.shot_id, s.code, coalesce(c.name, '') AS camera, t.frames FROM takes t "
                 "JOIN shots s ON s.id = t.shot_id LEFT JOIN cameras c ON c.id = t.camera_id "
                 "WHERE t.kind = 'video' AND t.deleted_at IS NULL AND s.deleted_at IS NULL ORDER BY s.ord, s.id, t.id")
    qcs = of_takes(project, [r["id"] for r in found])
    return [QcRow(r["id"], r["shot_id"], r["code"], r["camera"], r["frames"], qcs.get(r["id"])) for r in found]
