"""Cost and time verbs: `report costs|time|yield`, `forecast`, `budget`, `expense add|list|delete`,
and corrections to time entries (`time edit|delete`, beside `time log`)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.core.cost import GROUPINGS, format_money
from director.core.errors import InvalidInput
from director.export.costs import REPORTS, Report, build_report, csv_text, json_text
from director.store import budget, expenses, shots, timelog

FORMATS = ("table", "csv", "json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="cost, time, yield and QC reports", description="One row per job and expense (costs), per time entry (time), per shot (yield) or per video take and cut join (qc); --by groups them.")
    p.add_argument("kind", choices=(*REPORTS, "qc"))
    add_project_arg(p)
    p.add_argument("--by", choices=GROUPINGS, help="one row per group instead of per job or entry")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing; an existing FILE is replaced, the project's own files are refused")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("forecast", help="what the remaining shots will cost at N variants per camera")
    add_project_arg(p)
    p.add_argument("--variants", type=int, default=4, help="variants per camera (default 4)")
    p.add_argument("--preset", help="price every shot with this preset")
    add_json_arg(p)
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("budget", help="spend against every budget cap")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_budget)

    expense = sub.add_parser("expense", help="manual costs (a cloud render, a licence)").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = expense.add_parser("add", help="add an expense to a shot, or '-' for the project")
    add_project_arg(p)
    p.add_argument("shot", help="shot code, or '-' for the whole project")
    p.add_argument("amount", help="amount such as 12.50")
    p.add_argument("--currency", help="three-letter code (default: the project's)")
    p.add_argument("--note", default="")
    add_json_arg(p)
    p.set_defaults(func=cmd_expense_add)
    p = expense.add_parser("list", help="list expenses")
    add_project_arg(p)
    p.add_argument("--shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_expense_list)
    p = expense.add_parser("delete", help="remove an expense typed in error")
    add_project_arg(p)
    p.add_argument("expense", type=int, help="expense id (see expense list)")
    p.set_defaults(func=cmd_expense_delete)

    time = _time_subparsers(sub)
    p = time.add_parser("edit", help="correct a time entry (ids: director report time PROJECT)")
    add_project_arg(p)
    p.add_argument("entry", type=int)
    p.add_argument("--duration", help="new length, e.g. 25m or 1:30:00")
    p.add_argument("--note")
    p.add_argument("--shot", help="move it to this shot, or '-' for project-wide work")
    p.set_defaults(func=cmd_time_edit)
    p = time.add_parser("delete", help="delete a time entry")
    add_project_arg(p)
    p.add_argument("entry", type=int)
    p.set_defaults(func=cmd_time_delete)


def _time_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `time` verb's subverbs, registered by the project commands (`time log|list`); corrections
    join them there so a user finds every time verb under `director time`."""
    parser = sub.choices.get("time") or sub.add_parser("time", help="human time per shot")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest="subverb", required=True, metavar="SUBVERB")


# -- reports -----------------------------------------------------------------------------------

def _money(text: str | None, currency: str) -> str:
    return "" if text is None else format_money(Decimal(text), currency)


def _minutes(seconds) -> str:
    return "" if seconds is None else f"{float(seconds) / 60:.1f}"


def _table(report: Report) -> None:
    t = report.totals
    cur = t.get("currency", "")
    if report.kind == "costs" and report.by is None:
        print_table(
            ["when", "kind", "shot", "cam", "v", "preset", "seeds", "state", "GPU min", "Wh", "money", "note"],
            [[r["when"][:16], r["kind"], r["shot"], r["camera"], r["prompt_version"] or "", r["preset"], r["seeds"], r["state"],
              _minutes(r["gpu_s"]), "" if r["energy_wh"] is None else f"{r['energy_wh']:.1f}", _money(r["money"], r["currency"]), r["note"][:40]]
             for r in report.records],
        )
    elif report.kind == "costs":
        print_table(
            [report.by, "jobs", "GPU min", "jobs money", "expenses", "money", "human h"],
            [[r[report.by], r["jobs"], _minutes(r["gpu_s"]), _money(r["job_money"], cur), _money(r["expense_money"], cur), _money(r["money"], cur), f"{r['human_s'] / 3600:.2f}"]
             for r in report.records],
        )
    elif report.kind == "time" and report.by is None:
        print_table(["id", "when", "shot", "minutes", "source", "note"], [[r["id"], r["when"][:16], r["shot"], _minutes(r["seconds"]), r["source"], r["note"]] for r in report.records])
    elif report.kind == "time":
        print_table([report.by, "hours"], [[r[report.by], f"{r['hours']:.2f}"] for r in report.records])
    if report.kind in ("costs", "time"):
        print(
            f"total: {t['jobs']} jobs, {_minutes(t['gpu_s'])} GPU min, {_money(t['money'], cur)}"
            f" (jobs {_money(t['job_money'], cur)} + expenses {_money(t['expense_money'], cur)});"
            f" human time {t['human_s'] / 3600:.2f} h"
        )
        for code, amount in t["other_currencies"].items():
            print(f"  also {_money(amount, code)} recorded in {code}, not converted")
        return
    rows = [*report.records, t]
    print_table(
        ["shot", "takes", "selected", "takes/selected", "approved s", "money", "per approved s", "GPU min/approved s", "on rejected"],
        [[r["scope"], r["takes"], r["selected"], "" if r["takes_per_selected"] is None else f"{r['takes_per_selected']:.1f}", f"{r['approved_s']:.1f}",
          _money(r["money"], cur), _money(r["money_per_approved_s"], cur), "" if r["gpu_min_per_approved_s"] is None else f"{r['gpu_min_per_approved_s']:.2f}",
          _money(r["rejected_money"], cur)] for r in rows],
    )


def cmd_report(args) -> int:
    if args.kind == "qc":
        from director.commands.qc import cmd_report_qc

        return cmd_report_qc(args)
    fmt = "json" if args.json else args.format
    with open_project(args, readonly=True) as project:
        report = build_report(project, args.kind, args.by)
    if args.output:
        if fmt == "table":
            raise InvalidInput("--output writes csv or json: add --format csv or --format json")
        path = report.write(args.output, fmt)
        print(f"wrote {len(report.records)} rows to {path}")
    elif fmt == "csv":
        sys.stdout.write(csv_text(report.records, report.columns))
    elif fmt == "json":
        sys.stdout.write(json_text(report.as_json()))
    else:
        _table(report)
    return 0


def cmd_forecast(args) -> int:
    with open_project(args, readonly=True) as project:
        items = budget.forecast(project, args.variants, args.preset)
        currency = project.settings().currency
    known = [f for f in items if f.estimate.known]
    total_gpu = sum(f.estimate.gpu_s for f in known)
    total_money = sum((f.estimate.money for f in known), Decimal(0))
    if args.json:
        print_json({
            "variants": args.variants,
            "shots": [{"shot": f.shot, "cameras": f.cameras, "preset": f.estimate.preset, "gpu_s": f.estimate.gpu_s, "money": f.estimate.money, "basis": f.estimate.basis} for f in items],
            "gpu_s": total_gpu, "money": total_money, "currency": currency, "unknown": [f.shot for f in items if not f.estimate.known],
        })
        return 0
    print_table(["shot", "cameras", "preset", "GPU min", "money"], [[f.shot, f.cameras, f.estimate.preset, _minutes(f.estimate.gpu_s), format_money(f.estimate.money, currency) if f.estimate.known else "no history yet"] for f in items])
    print(f"remaining {len(items)} shots at {args.variants} variants per camera: ≈ {_minutes(total_gpu)} GPU min ≈ {format_money(total_money, currency)}"
          + (f"; {len(items) - len(known)} shots have no history yet" if len(known) < len(items) else ""))
    return 0


def cmd_budget(args) -> int:
    with open_project(args, readonly=True) as project:
        verdict = budget.budget_status(project)
    lines = [
        {"scope": x.cap.scope, "kind": x.cap.kind.value, "cap": x.cap.cap, "spent": x.cap.spent, "queued": x.cap.committed, "fraction": x.fraction, "level": x.level.value, "currency": x.cap.currency}
        for x in verdict.lines
    ]
    if args.json:
        print_json(lines)
        return 0
    if not lines:
        print("no budgets set: director shot set PROJECT SHOT --budget 25, director settings PROJECT --budget 500")
        return 0

    def fmt(x, key):
        return format_money(x[key], x["currency"]) if x["kind"] == "money" else f"{float(x[key]) / 60:.1f} GPU min"

    print_table(["scope", "cap", "spent", "queued", "used", "level"], [[x["scope"], fmt(x, "cap"), fmt(x, "spent"), fmt(x, "queued"), f"{x['fraction']:.0%}", x["level"]] for x in lines])
    return 0


# -- expenses and time corrections -------------------------------------------------------------

def cmd_expense_add(args) -> int:
    with open_project(args) as project:
        shot_id = None if args.shot == "-" else shots.find_shot(project, args.shot).id
        expense_id, _ = expenses.add_expense(project, shot_id, args.amount, currency=args.currency, note=args.note)
        expense = next(e for e in expenses.list_expenses(project) if e.id == expense_id)
    if args.json:
        print_json(expense)
    else:
        print(f"added expense {expense_id}: {format_money(expense.amount, expense.currency)}" + ("" if shot_id is None else f" on {args.shot.upper()}"))
    return 0


def cmd_expense_list(args) -> int:
    with open_project(args, readonly=True) as project:
        shot_id = shots.find_shot(project, args.shot).id if args.shot else None
        codes = {s.id: s.code for s in shots.list_shots(project) + shots.list_shots(project, deleted=True)}
        items = expenses.list_expenses(project, shot_id)
    if args.json:
        print_json([{**e.__dict__, "shot": codes.get(e.shot_id, "")} for e in items])
    else:
        print_table(["id", "when", "shot", "amount", "note"], [[e.id, e.created_at[:16], codes.get(e.shot_id, "—"), format_money(e.amount, e.currency), e.note] for e in items])
    return 0


def cmd_expense_delete(args) -> int:
    with open_project(args) as project:
        expenses.delete_expense(project, args.expense)
    print(f"deleted expense {args.expense}")
    return 0


def cmd_time_edit(args) -> int:
    values: dict = {}
    if args.duration is not None:
        values["seconds"] = timelog.parse_duration(args.duration)
    if args.note is not None:
        values["note"] = args.note
    with open_project(args) as project:
        if args.shot is not None:
            values["shot_id"] = None if args.shot == "-" else shots.find_shot(project, args.shot).id
        timelog.edit_time_entry(project, args.entry, **values)
    print(f"updated time entry {args.entry}")
    return 0


def cmd_time_delete(args) -> int:
    with open_project(args) as project:
        timelog.delete_time_entry(project, args.entry)
    print(f"deleted time entry {args.entry}")
    return 0

