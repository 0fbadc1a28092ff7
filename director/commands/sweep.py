"""`director sweep PROJECT --shot 12A --seeds 1,2,3 --presets a,b --steps 4,8 [--csv prompts.csv] [--dry-run]`,
and the recorded sweeps: `director sweep list PROJECT`, `director sweep show PROJECT SWEEP` (the
grid the window's sweep view shows) and `director sweep export PROJECT SWEEP --png F --pdf F`.

A repeated option adds to its list (`--seeds 1,2 --seeds 3` is 1, 2, 3); a value given twice is
refused, never silently dropped or replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from director.commands.common import add_json_arg, open_project, print_json, print_table
from director.commands.generate import engine_for, run_jobs
from director.core.errors import InvalidInput
from director.engine.engine_choice import add_engine_arg
from director.engine import sweeps
from director.store import sweeps as store_sweeps


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="a grid of takes: prompts × seeds × presets × cameras × steps or guidance, priced first",
        description="Expand one request into a grid and queue one job per cell, seed-major so every cell gets a "
        "first result early. The whole grid is priced and checked against the budget caps before anything is "
        "queued. A repeated option adds to its list; a value given twice is refused.",
    )
    p.usage = ("director sweep PROJECT --shot SHOT --presets A,B [options]\n"
               "       director sweep list PROJECT [--json]\n"
               "       director sweep show PROJECT SWEEP [--x AXIS] [--json]\n"
               "       director sweep export PROJECT SWEEP [--png FILE] [--pdf FILE] [--x AXIS]")
    p.add_argument("project", metavar="PROJECT", help="the project file (NAME.director), or list/show/export then the project")
    p.add_argument("more", nargs="*", metavar="SWEEP", help="for list/show/export: the project, then the sweep's number")
    p.add_argument("--shot", help="the shot to sweep (required to queue a sweep)")
    p.add_argument("--presets", action="append", default=[], metavar="A,B", help="presets to compare (comma list; repeat to add)")
    p.add_argument("--seeds", action="append", default=[], metavar="1,2,3", help="seeds (comma list; repeat to add)")
    p.add_argument("--random-seeds", type=int, default=0, metavar="N", help="N random seeds instead of --seeds")
    p.add_argument("--camera", action="append", default=[], help="camera name (repeat to add; default: the first camera)")
    p.add_argument("--all-cameras", action="store_true")
    p.add_argument("--versions", action="append", default=[], metavar="1,3", help="the shot's prompt versions to compare")
    p.add_argument("--csv", metavar="FILE", help="prompt variants, one per row (first column)")
    p.add_argument("--steps", action="append", default=[], metavar="4,8", help="sweep the number of steps")
    p.add_argument("--guidance", action="append", default=[], metavar="3,5", help="sweep the guidance scale")
    p.add_argument("--size", help="WxH for every cell")
    p.add_argument("--frames", type=int, help="frames for every cell (video presets)")
    p.add_argument("--dry-run", action="store_true", help="price the grid and show its axes; queue nothing")
    p.add_argument("--no-wait", action="store_true", help="queue only; run later with 'director queue run'")
    p.add_argument("--x", metavar="AXIS", help="show/export: the axis across the grid (default: the swept parameter, else the preset)")
    p.add_argument("--png", metavar="FILE", help="export: write the grid as a PNG")
    p.add_argument("--pdf", metavar="FILE", help="export: write the grid as a PDF")
    p.add_argument("--cell-width", type=int, default=256, metavar="PX", help="export: a PNG cell's width in pixels")
    add_engine_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_sweep)


def _list(values: list[str], cast, what: str) -> list:
    out = []
    for chunk in values:
        for item in chunk.split(","):
            item = item.strip()
            if not item:
                continue
            try:
                out.append(cast(item))
            except ValueError:
                raise InvalidInput(f"{what} must be a comma list of numbers, got {item!r}") from None
    return out


def cmd_sweep(args) -> int:
    if args.project in RECORDED_VERBS and args.more:
        return RECORDED_VERBS[args.project](args)
    if args.more:
        raise InvalidInput(f"unexpected {' '.join(args.more)!r}: a sweep is 'director sweep PROJECT --shot SHOT --presets A,B', "
                           "or list/show/export PROJECT [SWEEP]")
    if not args.shot:
        raise InvalidInput("a sweep needs the shot: --shot 12A")
    if not args.presets:
        raise InvalidInput("a sweep needs at least one preset (--presets a,b)")
    presets = _list(args.presets, str, "presets")
    seeds = _list(args.seeds, int, "seeds")
    steps = _list(args.steps, int, "steps")
    guidance = _list(args.guidance, float, "guidance")
    if steps and guidance:
        raise InvalidInput("a sweep varies one numeric parameter: --steps or --guidance, not both")
    parameter, values = ("steps", steps) if steps else ("guidance", guidance) if guidance else (None, None)
    base: dict = {}
    if args.size:
        from director.commands.common import parse_size

        base["width"], base["height"] = parse_size(args.size)
    if args.frames is not None:
        base["frames"] = args.frames
    csv_prompts = None
    if args.csv:
        path = Path(args.csv).expanduser()
        if not path.is_file():
            raise InvalidInput(f"no CSV at {path}")
        csv_prompts = sweeps.read_prompt_csv(path.read_text(encoding="utf-8-sig"))
    with open_project(args, readonly=args.dry_run) as project, engine_for(args) as client:
        plan = sweeps.plan_sweep(
            project, args.shot, presets=presets, seeds=seeds, random_seeds=args.random_seeds, cameras=args.camera,
            all_cameras=args.all_cameras, prompt_versions=_list(args.versions, int, "versions"), csv_prompts=csv_prompts,
            parameter=parameter, values=values, base_params=base,
        )
        budget = plan.verdict.message() if plan.verdict is not None else ""
        if args.dry_run:
            if args.json:
                print_json({"cells": len(plan.cells), "axes": plan.axes, "gpu_s": plan.gpu_s,
                            "money": str(plan.money) if plan.money is not None else None, "currency": plan.currency,
                            "budget": budget or "within budget", "refused": bool(plan.verdict and plan.verdict.refused)})
            else:
                print(plan.describe())
                print(f"  budget: {budget or 'within budget'}")
            return 1 if plan.verdict is not None and plan.verdict.refused else 0
        queued = sweeps.queue_sweep(project, plan)
        if not args.json:
            print(f"sweep {queued.sweep_id}: {plan.describe()}")
        if args.no_wait:
            if args.json:
                print_json({"queued": list(queued.job_ids), "sweep": queued.sweep_id})
            else:
                print(f"queued {len(queued.job_ids)} job(s); run them with: director queue run {args.project}")
            return 0
        return run_jobs(project, set(queued.job_ids), as_json=args.json, client=client)


# -- recorded sweeps: list, show, export ---------------------------------------------------------

def _recorded(args, want_sweep: bool):
    """(project path, sweep text) from `director sweep VERB PROJECT [SWEEP]`."""
    verb, more = args.project, list(args.more)
    if len(more) != (2 if want_sweep else 1):
        shape = "PROJECT SWEEP" if want_sweep else "PROJECT"
        raise InvalidInput(f"usage: director sweep {verb} {shape}")
    args.project = more[0]
    return more[1] if want_sweep else None


def cmd_list(args) -> int:
    _recorded(args, False)
    with open_project(args, readonly=True) as project:
        found = store_sweeps.list_sweeps(project)
        if args.json:
            print_json([{"sweep": s.id, "shot": s.shot_code, "parameter": s.parameter, "axes": s.axes, "cells": s.cells,
                         "done": s.done, "created_at": s.created_at} for s in found])
            return 0
        if not found:
            print(f"no sweeps yet; start one with: director sweep {args.project} --shot SHOT --presets A,B --seeds 1,2")
            return 0
        print_table(["sweep", "shot", "axes", "cells", "with a take"],
                    [[s.id, s.shot_code, " × ".join(f"{len(s.axes[a])} {a}" for a in s.varying) or "1 cell", s.cells, s.done] for s in found])
    return 0


def _layout(project, sweep_text: str, x_axis: str | None):
    grid = store_sweeps.sweep_grid(project, store_sweeps.find_sweep(project, sweep_text))
    return grid, grid.layout(x_axis)


def cmd_show(args) -> int:
    sweep_text = _recorded(args, True)
    with open_project(args, readonly=True) as project:
        grid, layout = _layout(project, sweep_text, args.x)
        if args.json:
            print_json({
                "sweep": grid.sweep.id, "shot": grid.sweep.shot_code, "x": layout.x_axis, "y": list(layout.y_axes),
                "columns": [layout.column_label(c) for c in range(len(layout.columns))],
                "rows": [
                    {"label": layout.row_label(r), "cells": [_cell_json(layout.cell(r, c)) for c in range(len(layout.columns))]}
                    for r in range(len(layout.rows))
                ],
            })
            return 0
        print(grid.sweep.describe())
        print(layout.title)
        headers = [""] + [layout.column_label(c) or "take" for c in range(len(layout.columns))]
        print_table(headers, [[layout.row_label(r) or "—"] + [(layout.cell(r, c).status_text if layout.cell(r, c) else "") for c in range(len(layout.columns))]
                              for r in range(len(layout.rows))])
    return 0


def _cell_json(cell) -> dict | None:
    if cell is None:
        return None
    return {"job": cell.job_id, "state": cell.state, "take": cell.take_id, "axes": cell.axes}


def cmd_export(args) -> int:
    sweep_text = _recorded(args, True)
    if not args.png and not args.pdf:
        raise InvalidInput("say where to write the grid: --png FILE and/or --pdf FILE")
    from director.export.sweep_grid import GridSheet, render_grid_pdf, render_grid_png

    with open_project(args, readonly=True) as project:
        grid, layout = _layout(project, sweep_text, args.x)
        settings = project.settings()
        sheet = GridSheet(grid, layout, settings.name, settings.height / settings.width if settings.width else 9 / 16)
        issues = []
        if args.png:
            (w, h), found = render_grid_png(sheet, project.media, args.png, cell_width=args.cell_width)
            issues += found
            print(f"wrote {args.png} ({w}×{h}, {len(layout.rows)} rows × {len(layout.columns)} columns)")
        if args.pdf:
            pages, found = render_grid_pdf(sheet, project.media, args.pdf)
            issues += found if not args.png else []
            print(f"wrote {args.pdf} ({pages} page{'s' if pages != 1 else ''})")
        for issue in {(i.take_id, i.problem, i.path) for i in issues}:
            print(f"warning: take {issue[0]}'s media is {issue[1]} ({issue[2]}); its cell says so", file=sys.stderr)
    return 0


RECORDED_VERBS = {"list": cmd_list, "show": cmd_show, "export": cmd_export}
