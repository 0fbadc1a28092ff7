"""`director conform PROJECT [--timeline NAME] [--to PRESET] [--handles N] [--dry-run] [--no-wait] [--json]`
`director conform toggle PROJECT CLIP [--to draft|final]`
`director conform report PROJECT [--timeline NAME] [--format csv|json] [-o FILE]`

Re-render every draft the cut uses at final quality from its own recipe, priced first and refused
whole past a hard cap; when the finals land, each clip switches to its final (drift flagged).
"""

from __future__ import annotations

import argparse
import sys

from director.commands.common import open_project, print_json, print_table
from director.core.errors import InvalidInput
from director.engine import conform
from director.engine.engine_choice import add_engine_arg

SUBVERBS = ("toggle", "report")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "conform",
        help="re-render the takes the cut uses at final quality (same recipe), then switch the cut to them",
        description="Draft → final conform. For every take the cut uses, queue a final render from its recorded "
        "recipe (same seed and text; the final preset's size and steps; within one preset, double size and steps), "
        "priced first and refused whole past a hard budget cap; finals already made from the same recipe are "
        "reused. When they land each clip switches to its final and drifted finals are flagged. "
        "Also: 'director conform toggle PROJECT CLIP' (show a clip's draft again, or its final) and "
        "'director conform report PROJECT' (per clip: draft, final, cost, drift, state).",
    )
    p.add_argument("words", nargs="+", metavar="PROJECT | toggle PROJECT CLIP | report PROJECT")
    p.add_argument("--timeline", help="the cut to conform (default: the current cut)")
    p.add_argument("--to", dest="to", help="the final preset (default: the draft's own preset at 2× size and steps); "
                   "with toggle: draft or final")
    p.add_argument("--handles", type=int, default=0, help="extra take frames each side of the used range (default 0)")
    p.add_argument("--dry-run", action="store_true", help="plan and price only; queue nothing")
    p.add_argument("--no-wait", action="store_true", help="queue only; conform again after 'director queue run' to land them")
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="report format (default csv)")
    p.add_argument("-o", "--output", help="report file (default: print a table)")
    add_engine_arg(p)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(func=cmd_conform)


def cmd_conform(args) -> int:
    words = list(args.words)
    if words[0] in SUBVERBS:
        verb, rest = words[0], words[1:]
    else:
        verb, rest = "run", words
    if verb == "toggle":
        if len(rest) != 2:
            raise InvalidInput("usage: director conform toggle PROJECT CLIP [--to draft|final]")
        args.project = rest[0]
        try:
            clip_id = int(rest[1])
        except ValueError:
            raise InvalidInput(f"CLIP is a clip id (a number), got {rest[1]!r}") from None
        return _toggle(args, clip_id)
    if len(rest) != 1:
        raise InvalidInput(f"usage: director conform {'report ' if verb == 'report' else ''}PROJECT [options]")
    args.project = rest[0]
    if verb == "report":
        return _report(args)
    return _run(args)


def _run(args) -> int:
    from director.commands.generate import engine_for

    # Opened for writing even for --dry-run, so a project from an older Director is upgraded first.
    with open_project(args) as project:
        plan = conform.plan_conform(project, args.timeline, preset_id=args.to, handles=args.handles)
        if args.dry_run or plan.verdict.refused:
            if args.json:
                print_json(plan.to_dict())
            else:
                print("\n".join(plan.describe()))
            if plan.verdict.refused:
                print(f"director: conform refused, nothing queued:\n{plan.verdict.message()}", file=sys.stderr)
                return 1
            return 0
        if not args.json:
            print("\n".join(plan.describe()))
        queued = conform.queue_conform(project, plan)
        if queued.job_ids and not args.no_wait:
            from director.engine.runner import JobRunner

            with engine_for(args) as client:
                runner = JobRunner(project, client)
                try:
                    runner.run_until_idle(lambda _e: None, job_ids=set(queued.job_ids))
                finally:
                    runner.close()
        landed = conform.land(project, plan)
        result = {"queued": list(queued.job_ids), "finals": list(queued.final_ids),
                  "switched": [clip for clip, _ in landed.switch.edits], "flags": landed.flags,
                  "waiting": landed.waiting, "failed": landed.failed, "plan": plan.to_dict()}
        if args.json:
            print_json(result)
        else:
            if landed.waiting:
                print(f"queued {len(queued.job_ids)} job(s); run them with: director queue run {args.project}, "
                      f"then conform again to switch the cut to the finals")
            print(f"switched {len(landed.switch.edits)} clip(s) to their finals")
            for line in landed.flags:
                print(f"  drift: {line}")
            for line in landed.failed:
                print(f"  {line}")
        return 1 if landed.failed else 0


def _toggle(args, clip_id: int) -> int:
    with open_project(args) as project:
        edit, said = conform.toggle(project, clip_id, args.to)
        edit.apply(project)
    if args.json:
        print_json({"clip": clip_id, "message": said})
    else:
        print(said)
    return 0


def _report(args) -> int:
    from director.export.costs import write_csv, write_json

    with open_project(args, readonly=True) as project:
        records = conform.report(project, args.timeline)
    if args.output:
        path = write_json(args.output, records) if args.format == "json" else write_csv(args.output, records, conform.CONFORM_COLUMNS)
        print(f"wrote {path}")
    elif args.json or args.format == "json":
        print_json(records)
    else:
        print_table(conform.CONFORM_COLUMNS, [[r[c] for c in conform.CONFORM_COLUMNS] for r in records])
    return 0
