"""`director takes list` and `director take rate|select|reject|unflag|note|delete|restore`."""

from __future__ import annotations

import argparse
from decimal import Decimal

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
    print_table,
)
from director.core.cost import format_money
from director.core.enums import TakeFlag
from director.store import cameras, shots, takes

def register(sub: argparse._SubParsersAction) -> None:
    tk = sub.add_parser("takes", help="list takes").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = tk.add_parser("list", help="takes of a shot")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("--camera")
    p.add_argument("--min-rating", type=int, default=0)
    p.add_argument("--flag", choices=[f.value for f in TakeFlag])
    p.add_argument("--sort", default="newest", choices=["newest", "oldest", "rating"])
    p.add_argument("--bin", action="store_true", help="takes in the bin")
    add_json_arg(p)
    p.set_defaults(func=cmd_takes_list)
    take = sub.add_parser("take", help="rate, select, reject, note a take").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = take.add_parser("show", help="one take: its recorded recipe (the exact text the model got), what ran, and what it cost")
    add_project_arg(p)
    p.add_argument("take", type=int)
    add_json_arg(p)
    p.set_defaults(func=cmd_take_show)
    p = take.add_parser("rate", help="rate 0-5 stars")
    add_project_arg(p)
    p.add_argument("take", type=int)
    p.add_argument("stars")
    p.set_defaults(func=cmd_take_rate)
    for verb, flag in (("select", TakeFlag.SELECTED), ("reject", TakeFlag.REJECTED), ("unflag", TakeFlag.NONE)):
        p = take.add_parser(verb, help=f"flag a take {flag.value}")
        add_project_arg(p)
        p.add_argument("take", type=int)
        p.set_defaults(func=cmd_take_flag, flag=flag)
    p = take.add_parser("note", help="set a take's note")
    add_project_arg(p)
    p.add_argument("take", type=int)
    p.add_argument("text")
    p.set_defaults(func=cmd_take_note)
    for verb, deleted in (("delete", True), ("restore", False)):
        p = take.add_parser(verb, help="move to the bin" if deleted else "bring back from the bin")
        add_project_arg(p)
        p.add_argument("take", type=int)
        p.set_defaults(func=cmd_take_delete, deleted=deleted)


def cmd_takes_list(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = shots.find_shot(project, args.shot)
        cam = cameras.find_camera(project, shot.id, args.camera) if args.camera else None
        cam_names = {c.id: c.name for c in cameras.list_cameras(project, shot.id)}
        items = takes.list_takes(project, shot.id, camera_id=cam.id if cam else None, min_rating=args.min_rating, flag=TakeFlag(args.flag) if args.flag else None, deleted=args.bin, sort=args.sort)
        data = [
            {"id": t.id, "camera": cam_names.get(t.camera_id, ""), "seed": t.seed, "preset": t.preset, "kind": t.kind.value, "size": f"{t.width}x{t.height}", "frames": t.frames, "rating": t.rating, "flag": t.flag.value, "notes": t.notes, "media": str(project.media.path(t.media_path))}
            for t in items
        ]
    if args.json:
        print_json(data)
    else:
        print_table(["id", "cam", "seed", "preset", "size", "frames", "rating", "flag", "notes"], [[d["id"], d["camera"], d["seed"], d["preset"], d["size"], d["frames"], "★" * d["rating"], d["flag"], d["notes"][:30]] for d in data])
    return 0


def cmd_take_rate(args) -> int:
    with open_project(args) as project:
        takes.set_take_fields(project, args.take, rating=args.stars)
    print(f"take {args.take} rated {args.stars}")
    return 0


def cmd_take_flag(args) -> int:
    with open_project(args) as project:
        takes.set_take_fields(project, args.take, flag=args.flag)
    print(f"take {args.take} {args.flag.value}")
    return 0


def cmd_take_note(args) -> int:
    with open_project(args) as project:
        takes.set_take_fields(project, args.take, notes=args.text)
    print(f"take {args.take} noted")
    return 0


def cmd_take_delete(args) -> int:
    with open_project(args) as project:
        takes.set_take_deleted(project, args.take, args.deleted)
    print(f"take {args.take} {'moved to the bin' if args.deleted else 'restored'}")
    return 0


def cmd_take_show(args) -> int:
    """Reads the same take info every export writes (export.takeinfo), so they can never disagree."""
    from director.export.takeinfo import take_info

    with open_project(args, readonly=True) as project:
        info = take_info(project, args.take)
    if args.json:
        print_json(info.as_dict())
        return 0
    print(f"take {info.take_id} · shot {info.shot_code} {info.shot_title} · camera {info.camera} · {info.kind} {info.width}x{info.height}"
          + (f", {info.frames} frames at {info.fps} fps" if info.kind == "video" else ""))
    print(f"  preset {info.preset}{' (random weights)' if info.random_weights else ''} · seed {info.seed} (variant {info.variant})")
    if info.recipe_recorded:
        print(f"  prompt sent: {info.prompt}")
        if info.negative:
            print(f"  negative: {info.negative}")
        setup = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in info.camera_setup.items() if v)
        if setup:
            print(f"  camera as recorded: {setup}")
    else:
        print(f"  {info.recipe_note}")
        print(f"  prompt version {info.prompt_version}: {info.version_prompt}")
    params = ", ".join(f"{k} {v}" for k, v in sorted(info.params.items()) if k not in ("negative",))
    print(f"  parameters: {params}")
    if info.run:
        run = info.run
        print(f"  ran on {run.get('device') or '?'} ({run.get('dtype') or '?'}), {run.get('pipeline_class') or '?'} with {run.get('scheduler') or '?'}; weights {run.get('weights') or '?'}")
        versions = ", ".join(f"{k} {v}" for k, v in sorted((run.get('versions') or {}).items()))
        if versions:
            print(f"  versions: {versions}")
    cost = format_money(Decimal(info.money), info.currency) if info.money is not None else "not metered"
    print(f"  rating {info.rating}, {info.flag}; cost {cost}; GPU {info.timings.get('gpu_s') or 0:.2f} s")
    if info.notes:
        print(f"  notes: {info.notes}")
    return 0
