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


def qc_footnote(qc: store_qc.TakeQc | None, th: rules.Thresholds, join: store_qc.CutJoin | None = None) -> str:
    """The storyboard's footnote for a panel: its grade and each score past amber with its worst
    frame; and a colour jump into it from the previous panel. '' when there is nothing to say."""
    parts = []
    if qc is not None and not qc.error and qc.grade is not None:
        bad = []
        for key in rules.FRAME_METRICS:
            worst = rules.worst_frames(key, qc.curves.get(key, []), th, limit=1)
            if worst:
                m = rules.METRICS[key]
                bad.append(f"{m.label.lower()} {qc.curves[key][worst[0]]:.1f} {m.unit} at frame {worst[0]}")
        parts.append(f"QC {rules.GRADE_NAMES[qc.grade]}" + (": " + "; ".join(bad) if bad else ""))
    elif qc is not None and qc.error:
        parts.append("QC failed")
    if join is not None and join.grade >= rules.AMBER:
        parts.append(f"colour jump from the previous panel: ΔE {join.delta_e:.1f} ({rules.GRADE_NAMES[join.grade]})")
    return " · ".join(parts)


def with_qc_notes(project: Project, panels: list, cut=None) -> list:
    """Panels with their QC footnote (`qc_note`); in cut order the joins' colour continuity too."""
    from dataclasses import replace

    th = store_qc.thresholds(project)
    qcs = store_qc.of_takes(project, [p.take_id for p in panels if p.take_id is not None])
    joins = {}
    if cut is not None:
        found, _ = store_qc.cut_continuity(project, cut)
        joins = {(j.out_take, j.in_take): j for j in found}
    out, previous = [], None
    for p in panels:
        join = joins.get((previous, p.take_id))
        out.append(replace(p, qc_note=qc_footnote(qcs.get(p.take_id), th, join)) if p.take_id is not None else p)
        previous = p.take_id
    return out
