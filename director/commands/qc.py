"""Continuity QC verbs: `qc run` (re)measures takes, `qc show` explains one take's scores,
`qc thresholds` shows and sets the levels the window's Settings ▸ QC tab sets; and the body of
`report qc` (registered by commands/report.py with the other reports)."""

from __future__ import annotations

import argparse
import sys

from director.commands.common import ProgressBar, add_json_arg, add_project_arg, open_project, print_json, print_table
from director.core import qc as rules
from director.core.errors import InvalidInput
from director.export.costs import csv_text, json_text, write_text
from director.export.qc_report import COLUMNS, build_qc_report, meaning_lines
from director.store import qc as store_qc


def register(sub: argparse._SubParsersAction) -> None:
    qc = sub.add_parser("qc", help="continuity QC of video takes: flicker, warp, frozen frames, cuts").add_subparsers(
        dest="subverb", required=True, metavar="SUBVERB")
    p = qc.add_parser("run", help="measure takes: the given ones, else every video take not yet measured",
                      description="Measure continuity QC on the CPU (also done after every take lands).")
    add_project_arg(p)
    p.add_argument("takes", nargs="*", type=int, metavar="TAKE", help="take ids (default: every unmeasured video take)")
    p.add_argument("--all", action="store_true", help="re-measure every live video take")
    add_json_arg(p)
    p.set_defaults(func=cmd_run)

    p = qc.add_parser("show", help="one take's scores, what each means, and its worst frames")
    add_project_arg(p)
    p.add_argument("take", type=int)
    add_json_arg(p)
    p.set_defaults(func=cmd_show)

    p = qc.add_parser("thresholds", help="show or set the amber and red level of each score",
                      description="Levels per metric; a take is amber or red when any score passes its level. "
                                  "Every take is re-graded at once.")
    add_project_arg(p)
    p.add_argument("--set", action="append", default=[], metavar="METRIC=AMBER,RED",
                   help=f"e.g. --set warp=2,5 (metrics: {', '.join(rules.METRICS)}); repeatable")
    p.add_argument("--reset", action="store_true", help="back to the defaults")
    add_json_arg(p)
    p.set_defaults(func=cmd_thresholds)


def parse_level(text: str) -> tuple[str, float, float]:
    """'warp=2,5' → ('warp', 2.0, 5.0)."""
    key, _, levels = text.partition("=")
    key = key.strip().lower()
    if key not in rules.METRICS:
        raise InvalidInput(f"unknown QC metric {key!r}; use one of: {', '.join(rules.METRICS)}")
    try:
        amber, red = (float(v) for v in levels.split(","))
    except ValueError:
        raise InvalidInput(f"--set takes METRIC=AMBER,RED such as warp=2,5; got {text!r}") from None
    return key, amber, red


def cmd_run(args) -> int:
    with open_project(args) as project:
        if args.takes:
            works = store_qc.video_takes(project, args.takes)
            missing = sorted(set(args.takes) - {w.take_id for w in works})
            if missing:
                raise InvalidInput(f"take(s) {', '.join(map(str, missing))}: not live video takes; QC measures video takes only")
        else:
            works = store_qc.video_takes(project, missing_only=not args.all)
        from director.engine.qc_follow_up import measure_now  # OpenCV only when measuring

        bar = ProgressBar("QC")
        for i, work in enumerate(works):
            bar.update(i, len(works), f"take {work.take_id}")
            measure_now(project, work.take_id)
        bar.close()
        measured = store_qc.of_takes(project, [w.take_id for w in works])
    out = [{"take": t, "grade": q.grade_name, **{k: q.scores.get(k) for k in rules.FRAME_METRICS},
            "cpu_s": q.cpu_s, "error": q.error} for t, q in sorted(measured.items())]
    if args.json:
        print_json(out)
    elif not out:
        print("every video take is measured (qc run --all re-measures them)")
    else:
        print_table(["take", "grade", *rules.FRAME_METRICS, "cpu s", "error"],
                    [[o["take"], o["grade"], *[_fmt(o[k]) for k in rules.FRAME_METRICS], _fmt(o["cpu_s"]), o["error"] or ""] for o in out])
    return 1 if any(o["error"] for o in out) else 0


def cmd_show(args) -> int:
    with open_project(args, readonly=True) as project:
        store_qc.take_kind(project, args.take)  # NotFound names the take
        q = store_qc.get(project, args.take)
        th = store_qc.thresholds(project)
        match = store_qc.multicam_match(project, [args.take]).get(args.take)
    if q is None:
        raise InvalidInput(f"take {args.take} has no QC yet; measure it with: director qc run {args.project} {args.take}")
    scores = {**q.scores, **({"multicam": match} if match is not None else {})}
    worst = {k: rules.worst_frames(k, q.curves.get(k, []), th) for k in rules.FRAME_METRICS}
    if args.json:
        print_json({"take": args.take, "grade": q.grade_name, "scores": scores, "worst_frames": worst, "curves": q.curves,
                    "error": q.error, "cpu_s": q.cpu_s, "wall_s": q.wall_s, "thresholds": th.as_dict()})
        return 0
    if q.error:
        print(f"take {args.take}: QC failed: {q.error}")
        return 1
    print(f"take {args.take}: {rules.GRADE_NAMES[rules.grade(scores, th)]}")
    for key, value in scores.items():
        line = rules.describe(key, value, th)
        print(f"  {line}" + (f" — worst frames {', '.join(map(str, worst[key]))}" if worst.get(key) else ""))
    return 0


def cmd_thresholds(args) -> int:
    with open_project(args, readonly=not (args.set or args.reset)) as project:
        th = rules.Thresholds() if args.reset else store_qc.thresholds(project)
        for text in args.set:
            key, amber, red = parse_level(text)
            th = th.with_level(key, amber, red)
        if args.set or args.reset:
            changes = store_qc.set_thresholds(project, th)
            print(f"re-graded {len(changes.takes)} take(s)", file=sys.stderr)
    if args.json:
        print_json(th.as_dict())
    else:
        for line in meaning_lines(th):
            print(line)
    return 0


def cmd_report_qc(args) -> int:
    """`director report qc`: one row per video take and per join on the cut."""
    if getattr(args, "by", None):
        raise InvalidInput("report qc has one row per take and per join on the cut; --by is for costs, time and yield")
    fmt = "json" if args.json else args.format
    with open_project(args, readonly=True) as project:
        report = build_qc_report(project)
    if args.output:
        if fmt == "table":
            raise InvalidInput("--output writes csv or json: add --format csv or --format json")
        text = csv_text(report.records, COLUMNS) if fmt == "csv" else json_text(report.as_json())
        path = write_text(args.output, text, bom=fmt == "csv")
        print(f"wrote {len(report.records)} rows to {path}")
    elif fmt == "csv":
        sys.stdout.write(csv_text(report.records, COLUMNS))
    elif fmt == "json":
        sys.stdout.write(json_text(report.as_json()))
    else:
        shown = [c for c in COLUMNS if c not in ("kind", "error")]
        print_table(shown, [[_fmt(r[c]) for c in shown] for r in report.records])
        if report.unmeasured_on_cut:
            print(f"not measured yet (on the cut): take(s) {', '.join(map(str, report.unmeasured_on_cut))}; "
                  f"run: director qc run {args.project}")
        print()
        for line in meaning_lines(report.thresholds):
            print(line)
    return 0


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)
