"""`director roto add|list|remove|export`: SAM 2 mattes of a take from clicks, as in the viewer.

`roto add` records the points and boxes for a named object (undoable in the window, a stable id
each), then queues a segment job on the take and runs it here unless --no-wait; the mattes are
recorded with the job. `roto export` writes the take's current matte as a PNG sequence with
alpha, a luma matte MP4 or an RGBA ProRes 4444 .mov.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.core.errors import InvalidInput, NotFound
from director.core.roto import check_prompt, parse_box, parse_point
from director.engine.engine_choice import add_engine_arg
from director.engine.roto import DEFAULT_PRESET, queue_roto
from director.export.mattes import FORMATS, SUFFIXES, export_matte
from director.store import jobs as store_jobs
from director.store.roto import AddRotoPrompt, RemoveRotoPrompt, latest_mattes, list_mattes, list_objects
from director.store.takes import get_take


def register(sub: argparse._SubParsersAction) -> None:
    roto = sub.add_parser("roto", help="roto mattes of a take with SAM 2 (points, boxes, named objects)").add_subparsers(
        dest="subverb", required=True, metavar="SUBVERB")
    p = roto.add_parser("add", help="click points or a box on a take's frames, then make its mattes")
    add_project_arg(p)
    p.add_argument("take", type=int, metavar="TAKE", help="the take's id")
    p.add_argument("--point", action="append", default=[], metavar="X,Y@FRAME", help="a positive click (this is the object)")
    p.add_argument("--negative", action="append", default=[], metavar="X,Y@FRAME", help="a negative click (this is not)")
    p.add_argument("--box", action="append", default=[], metavar="X0,Y0,X1,Y1@FRAME", help="a box around the object")
    p.add_argument("--object", default="object", metavar="NAME", help="the object these prompts belong to (default: object)")
    p.add_argument("--preset", default=DEFAULT_PRESET, help=f"the SAM 2 preset (default {DEFAULT_PRESET}; tiny-sam2 is the twin)")
    p.add_argument("--no-wait", action="store_true", help="queue only; run later with 'director queue run'")
    add_engine_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_roto_add)
    p = roto.add_parser("list", help="a take's roto objects, their prompts and mattes")
    add_project_arg(p)
    p.add_argument("take", type=int, metavar="TAKE")
    add_json_arg(p)
    p.set_defaults(func=cmd_roto_list)
    p = roto.add_parser("remove", help="take one prompt back by its id (see roto list)")
    add_project_arg(p)
    p.add_argument("prompt", type=int, metavar="PROMPT")
    p.set_defaults(func=cmd_roto_remove)
    p = roto.add_parser("export", help="write a take's current matte for an editing suite")
    add_project_arg(p)
    p.add_argument("take", type=int, metavar="TAKE")
    p.add_argument("dest", metavar="DEST", help="a folder (png) or a file (.mp4 luma, .mov prores)")
    p.add_argument("--format", choices=FORMATS, required=True,
                   help="png: PNG sequence with alpha; luma: luma matte MP4; prores: RGBA ProRes 4444 .mov")
    p.add_argument("--object", default=None, metavar="NAME", help="which object's matte (needed when there are several)")
    p.set_defaults(func=cmd_roto_export)


def _prompts(args) -> list:
    prompts = [parse_point(t, "positive") for t in args.point] + [parse_point(t, "negative") for t in args.negative]
    prompts += [parse_box(t) for t in args.box]
    if not prompts:
        raise InvalidInput("give at least one --point, --negative or --box (x,y@frame; x0,y0,x1,y1@frame)")
    return prompts


def cmd_roto_add(args) -> int:
    from director.commands.generate import _run, engine_for

    prompts = _prompts(args)
    with open_project(args) as project:
        take = get_take(project, args.take)
        for prompt in prompts:  # every prompt checked before any is recorded
            check_prompt(prompt, take.width, take.height, take.frames)
        for prompt in prompts:
            AddRotoPrompt(take.id, args.object, prompt).apply(project)
        with engine_for(args) as client:
            queued = queue_roto(project, take.id, args.preset)
            job_id = queued.job_ids[0]
            if args.no_wait:
                print(f"recorded {len(prompts)} prompt(s) for {args.object!r}; queued roto job {job_id}; "
                      f"run it with: director queue run {args.project}")
                return 0
            _run(project, {job_id}, as_json=args.json, client=client)
        job = store_jobs.get_job(project, job_id)
        mattes = [m for m in latest_mattes(project, take.id) if m.job_id == job_id]
    if job.state is not store_jobs.JobState.DONE:
        raise InvalidInput(f"roto job {job_id} {job.state.value}: {job.error}")
    if args.json:
        print_json({"job": job_id, "gpu_s": job.gpu_s, "money": job.money,
                    "mattes": [{"id": m.id, "object": m.name, "media": m.media_path, "frames": m.frames,
                                "width": m.width, "height": m.height} for m in mattes]})
    else:
        for m in mattes:
            print(f"matte {m.id}: {m.name}, {m.frames} frames at {m.width}×{m.height} (job {job_id})")
    return 0


def cmd_roto_list(args) -> int:
    with open_project(args, readonly=True) as project:
        take = get_take(project, args.take)
        objects = list_objects(project, take.id)
        mattes = list_mattes(project, take.id)
    current = {m.id for m in mattes if m.job_id == max((x.job_id for x in mattes), default=None)}
    if args.json:
        print_json({"take": take.id,
                    "objects": [{"id": o.id, "name": o.name, "prompts": [{"id": p.id, **p.as_dict()} for p in o.prompts]}
                                for o in objects],
                    "mattes": [{"id": m.id, "object": m.name, "job": m.job_id, "media": m.media_path, "frames": m.frames,
                                "width": m.width, "height": m.height, "current": m.id in current} for m in mattes]})
        return 0
    print_table(["prompt", "object", "what"], [[p.id, o.name, p.describe()] for o in objects for p in o.prompts])
    if mattes:
        print()
        print_table(["matte", "object", "job", "frames", "size", ""],
                    [[m.id, m.name, m.job_id, m.frames, f"{m.width}×{m.height}", "current" if m.id in current else ""]
                     for m in mattes])
    return 0


def cmd_roto_remove(args) -> int:
    with open_project(args) as project:
        edit = RemoveRotoPrompt(args.prompt)
        edit.apply(project)
    print(f"removed roto prompt {args.prompt} ({edit._removed.describe()})")
    return 0


def cmd_roto_export(args) -> int:
    with open_project(args, readonly=True) as project:
        take = get_take(project, args.take)
        mattes = latest_mattes(project, take.id)
        if args.object is not None:
            mattes = [m for m in mattes if m.name == args.object]
        if not mattes:
            which = f" for {args.object!r}" if args.object else ""
            raise NotFound(f"take {take.id} has no matte{which}; make one with: director roto add {args.project} {take.id} --point x,y@frame")
        if len(mattes) > 1:
            raise InvalidInput(f"take {take.id} has mattes for {', '.join(m.name for m in mattes)}; choose one with --object")
        matte_file = project.media.path(mattes[0].media_path)
        take_media = project.media.path(take.media_path)
        rate = Fraction(take.rate.num, take.rate.den)
    if args.format in SUFFIXES and not str(args.dest).lower().endswith(SUFFIXES[args.format]):
        raise InvalidInput(f"a {args.format} matte is a {SUFFIXES[args.format]} file; got {args.dest}")
    out = export_matte(matte_file, take_media, args.dest, args.format, rate)
    print(f"wrote {out}", file=sys.stdout)
    return 0
