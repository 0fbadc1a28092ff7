"""`director time log|list`: human time per shot (corrections live with the reports)."""

from __future__ import annotations

import argparse

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
    print_table,
)
from director.store import shots, timelog

def register(sub: argparse._SubParsersAction) -> None:
    time = sub.add_parser("time", help="human time per shot").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = time.add_parser("log", help="add a manual time entry")
    add_project_arg(p)
    p.add_argument("shot", help="shot code, or '-' for project-wide work")
    p.add_argument("duration", help="e.g. 25m, 1h30m, 1:30:00, 90s")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_time_log)
    p = time.add_parser("list", help="time entries")
    add_project_arg(p)
    p.add_argument("--shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_time_list)


def cmd_time_log(args) -> int:
    with open_project(args) as project:
        shot_id = None if args.shot == "-" else shots.find_shot(project, args.shot).id
        seconds = timelog.parse_duration(args.duration)
        timelog.log_time(project, shot_id, seconds, note=args.note)
    print(f"logged {seconds / 60:.1f} min" + ("" if shot_id is None else f" on {args.shot.upper()}"))
    return 0


def cmd_time_list(args) -> int:
    with open_project(args, readonly=True) as project:
        shot_id = shots.find_shot(project, args.shot).id if args.shot else None
        codes = {s.id: s.code for s in shots.list_shots(project)}
        entries = timelog.list_time(project, shot_id)
    data = [{**e, "shot": codes.get(e["shot_id"], "")} for e in entries]
    if args.json:
        print_json(data)
    else:
        print_table(["when", "shot", "minutes", "source", "note"], [[e["started_at"][:16], e["shot"], f"{e['seconds'] / 60:.1f}", e["source"], e["note"]] for e in data])
    return 0
