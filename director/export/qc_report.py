"""`director report qc`: every video take's continuity scores, grade and worst frames, the camera
match of multicam shots, and the colour continuity of each join on the current cut; as a table,
CSV or JSON, each score with the one line saying what it means."""

from __future__ import annotations

from dataclasses import dataclass

from director.core import qc as rules
from director.store import qc as store_qc
from director.store.timeline import build_cut
from director.store.project import Project

COLUMNS = ["kind", "take", "shot", "camera", "frames", "grade", *rules.FRAME_METRICS, "multicam", "continuity",
           "frame", "flagged", "error"]


@dataclass(frozen=True)
class QcReport:
    records: list[dict]
    thresholds: rules.Thresholds
    unmeasured_on_cut: list[int]

    def as_json(self) -> dict:
        return {
            "thresholds": self.thresholds.as_dict(),
            "meanings": {k: {"label": m.label, "unit": m.unit, "worse": m.worse, "meaning": m.meaning} for k, m in rules.METRICS.items()},
            "takes": [r for r in self.records if r["kind"] == "take"],
            "cut": [r for r in self.records if r["kind"] == "join"],
            "unmeasured_on_cut": self.unmeasured_on_cut,
        }


def build_qc_report(project: Project, timeline_id: int | None = None) -> QcReport:
    th = store_qc.thresholds(project)
    found = store_qc.report_rows(project)
    match = store_qc.multicam_match(project, [r.take_id for r in found])
    records: list[dict] = []
    for r in found:
        q = r.qc
        scores = dict(q.scores) if q else {}
        if r.take_id in match:
            scores["multicam"] = match[r.take_id]
        grade = rules.grade(scores, th) if q and not q.error else None
        flagged = {k: rules.worst_frames(k, q.curves.get(k, []), th) for k in rules.FRAME_METRICS} if q and not q.error else {}
        records.append({
            "kind": "take", "take": r.take_id, "shot": r.shot_code, "camera": r.camera, "frames": r.frames,
            "grade": rules.GRADE_NAMES[grade] if grade is not None else ("failed" if q and q.error else "unchecked"),
            **{k: _round(scores.get(k)) for k in rules.FRAME_METRICS},
            "multicam": _round(scores.get("multicam")), "continuity": None, "frame": None,
            "flagged": "; ".join(f"{k} {','.join(map(str, v))}" for k, v in flagged.items() if v),
            "error": q.error if q else None,
        })
    joins, unmeasured = store_qc.cut_continuity(project, build_cut(project, timeline_id))
    for j in joins:
        records.append({
            "kind": "join", "take": f"{j.out_take}>{j.in_take}", "shot": f"{j.out_shot}>{j.in_shot}", "camera": "",
            "frames": None, "grade": rules.GRADE_NAMES[j.grade], **{k: None for k in rules.FRAME_METRICS},
            "multicam": None, "continuity": _round(j.delta_e), "frame": j.record_frame, "flagged": "", "error": None,
        })
    return QcReport(records, th, unmeasured)


def meaning_lines(th: rules.Thresholds) -> list[str]:
    """One line per score: what it measures and its levels."""
    out = []
    for key, m in rules.METRICS.items():
        sign = "≥" if m.worse == "above" else "≤"
        out.append(f"{m.label} ({m.unit}; amber {sign} {th.amber(key):g}, red {sign} {th.red(key):g}): {m.meaning}")
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)
