"""`director sweep PROJECT --shot 12A --seeds 1,2,3 --presets a,b --steps 4,8 [--csv prompts.csv] [--dry-run]`.

A repeated option adds to its list (`--seeds 1,2 --seeds 3` is 1, 2, 3); a value given twice is
refused, never silently dropped or replaced.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json
from director.commands.generate import engine_for, run_jobs
from director.core.errors import InvalidInput
from director.engine.engine_choice import add_engine_arg
from director.engine import sweeps


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="a grid of takes: prompts × seeds × presets × cameras × steps or guidance, priced first",
        description="Expand one request into a grid and queue one job per cell, seed-major so every cell gets a "
        "first result early. The whole grid is priced and checked against the budget caps before anything is "
        "queued. A repeated option adds to its list; a value given twice is refused.",
    )
    add_project_arg(p)
    p.add_argument("--shot", required=True)
    p.add_argument("--presets", action="append", required=True, metavar="A,B", help="presets to compare (comma list; repeat to add)")
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
            print(plan.describe())
        if args.no_wait:
            if args.json:
                print_json({"queued": list(queued.job_ids)})
            else:
                print(f"queued {len(queued.job_ids)} job(s); run them with: director queue run {args.project}")
            return 0
        return run_jobs(project, set(queued.job_ids), as_json=args.json, client=client)
