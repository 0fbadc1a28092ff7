"""The cost and time log as CSV or JSON: one record per job, expense or time entry, or per group.

Money keeps every micro-unit (summing a column gives the ledger's total exactly). Text cells a
spreadsheet would run as a formula (CSV injection: a prompt or note starting with '=', '+', '-', '@',
a tab or a carriage return) get a leading apostrophe, so opening the log never runs anything.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterable

from director.core.cost import GROUPINGS, CostRow, GroupRow, TimeRow, Totals, from_micros, group_rows, money_text
from director.core.errors import InvalidInput
from director.store import ledger, timelog
from director.store.destinations import check_output_file, file_mode
from director.store.ledger import Yield
from director.store.project import Project

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COST_COLUMNS = [
    "kind", "id", "when", "day", "shot", "scene", "camera", "prompt_version", "preset", "seeds", "state",
    "load_s", "gpu_s", "wall_s", "energy_wh", "peak_mem_bytes", "gpu_price_per_hour", "energy_price_per_kwh",
    "money", "currency", "estimate_gpu_s", "estimate_error", "note",
]
TIME_COLUMNS = ["id", "when", "day", "shot", "scene", "source", "seconds", "note"]
GROUP_COLUMNS = ["jobs", "gpu_s", "wall_s", "energy_wh", "job_money", "expense_money", "money", "currency", "human_s"]
YIELD_COLUMNS = [
    "scope", "takes", "selected", "rejected", "takes_per_selected", "approved_s", "gpu_s", "money",
    "money_per_approved_s", "gpu_min_per_approved_s", "rejected_money", "currency",
]


def neutralise(value: Any) -> Any:
    """Text that would start a formula gets a leading apostrophe; numbers pass as numbers.

    Leading spaces are looked through: some spreadsheets trim them before deciding what a cell is.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cost_record(r: CostRow) -> dict:
    return {
        "kind": r.kind, "id": r.id, "when": r.when, "day": r.day, "shot": r.shot, "scene": r.scene,
        "camera": r.camera, "prompt_version": r.prompt_version, "preset": r.preset,
        "seeds": " ".join(str(s) for s in r.seeds), "state": r.state, "load_s": r.load_s, "gpu_s": r.gpu_s,
        "wall_s": r.wall_s, "energy_wh": r.energy_wh, "peak_mem_bytes": r.peak_mem_bytes,
        "gpu_price_per_hour": r.gpu_price_per_hour, "energy_price_per_kwh": r.energy_price_per_kwh,
        "money": money_text(r.money), "currency": r.currency, "estimate_gpu_s": r.estimate_gpu_s,
        "estimate_error": r.estimate_error, "note": r.note,
    }


def time_record(t: TimeRow) -> dict:
    return {"id": t.id, "when": t.when, "day": t.day, "shot": t.shot, "scene": t.scene, "source": t.source, "seconds": t.seconds, "note": t.note}


def group_record(g: GroupRow, by: str, currency: str) -> dict:
    return {
        by: g.key, "jobs": g.jobs, "gpu_s": g.gpu_s, "wall_s": g.wall_s, "energy_wh": g.energy_wh,
        "job_money": money_text(from_micros(g.job_micros)), "expense_money": money_text(from_micros(g.expense_micros)),
        "money": money_text(g.money), "currency": currency, "human_s": g.human_s,
    }


def yield_record(y: Yield) -> dict:
    per_s = y.money_per_approved_s
    return {
        "scope": y.scope, "takes": y.takes, "selected": y.selected, "rejected": y.rejected,
        "takes_per_selected": y.takes_per_selected, "approved_s": float(y.approved_s), "gpu_s": y.gpu_s,
        "money": money_text(y.money), "money_per_approved_s": money_text(per_s) if per_s is not None else None,
        "gpu_min_per_approved_s": y.gpu_min_per_approved_s, "rejected_money": money_text(y.rejected_money),
        "currency": y.currency,
    }


def totals_record(t: Totals) -> dict:
    return {
        "currency": t.currency, "jobs": t.jobs, "load_s": t.load_s, "gpu_s": t.gpu_s, "wall_s": t.wall_s,
        "energy_wh": t.energy_wh, "job_money": money_text(from_micros(t.job_micros)),
        "expense_money": money_text(from_micros(t.expense_micros)), "money": money_text(t.money),
        "human_s": t.human_s, "auto_s": t.auto_s, "manual_s": t.manual_s,
        "other_currencies": {code: money_text(from_micros(m)) for code, m in t.other.items()},
    }


def csv_text(records: Iterable[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: ("" if record.get(k) is None else neutralise(record.get(k))) for k in columns})
    return out.getvalue()


def json_text(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def write_text(path: str | os.PathLike, text: str, *, bom: bool = False) -> Path:
    """Write atomically (temporary file renamed into place): a crash never leaves half a log.

    CSV gets a byte-order mark so spreadsheets read it as UTF-8 (a shot title in Japanese, '—').
    """
    target = check_output_file(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, file_mode())  # mkstemp makes 0600; a report is as readable as any other export
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_csv(path: str | os.PathLike, records: Iterable[dict], columns: list[str]) -> Path:
    return write_text(path, csv_text(records, columns), bom=True)


def write_json(path: str | os.PathLike, payload: Any) -> Path:
    return write_text(path, json_text(payload))


# -- reports: the same records for the CLI, the dashboard's export button and scripts -------------

REPORTS = ("costs", "time", "yield")


@dataclass(frozen=True)
class Report:
    kind: str
    by: str | None
    columns: list[str]
    records: list[dict]
    totals: dict

    def as_json(self) -> dict:
        return {"report": self.kind, "by": self.by, "rows": self.records, "totals": self.totals}

    def write(self, path: str | os.PathLike, fmt: str) -> Path:
        if fmt == "csv":
            return write_csv(path, self.records, self.columns)
        if fmt == "json":
            return write_json(path, self.as_json())
        raise InvalidInput(f"unknown export format {fmt!r}; use csv or json")


def build_report(project: Project, kind: str, by: str | None = None) -> Report:
    """One record per job and expense (costs), per time entry (time) or per shot (yield); or per
    group with `by`. Totals come from the ledger's own sums, not from the records."""
    if by is not None and by not in GROUPINGS:
        raise InvalidInput(f"unknown grouping {by!r}; use one of: {', '.join(GROUPINGS)}")
    t = ledger.totals(project)
    if kind == "yield":
        if by not in (None, "shot"):
            raise InvalidInput("the yield report is per shot; leave out --by")
        return Report(kind, "shot", YIELD_COLUMNS, [yield_record(y) for y in ledger.shot_yields(project)], yield_record(ledger.project_yield(project)))
    if kind == "costs":
        if by is None:
            return Report(kind, None, COST_COLUMNS, [cost_record(r) for r in ledger.cost_rows(project)], totals_record(t))
        groups = ledger.grouped(project, by)
        return Report(kind, by, [by, *GROUP_COLUMNS], [group_record(g, by, t.currency) for g in groups], totals_record(t))
    if kind == "time":
        time = timelog.time_rows(project)
        if by is None:
            return Report(kind, None, TIME_COLUMNS, [time_record(r) for r in time], totals_record(t))
        if by in ("camera", "preset"):
            raise InvalidInput("time entries belong to shots, not cameras or presets; group by shot, scene or day")
        groups = [g for g in group_rows([], time, by, t.currency)]
        records = [{by: g.key, "seconds": g.human_s, "hours": g.human_s / 3600} for g in groups]
        return Report(kind, by, [by, "seconds", "hours"], records, totals_record(t))
    raise InvalidInput(f"unknown report {kind!r}; use one of: {', '.join(REPORTS)}")
