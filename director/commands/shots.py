"""`director shot add|list|show|set|move|delete|restore`."""

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
from director.core.cost import format_money, money_text
from director.core.errors import InvalidInput
from director.store import cameras, ledger, prompts, scenes, shots, summary, takes
from director.store.project import Project

def register(sub: argparse._SubParsersAction) -> None:
    shot = sub.add_parser("shot", help="shots").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = shot.add_parser("add", help="add a shot (it starts with camera A)")
    add_project_arg(p)
    p.add_argument("code", help="shot code such as 12A")
    p.add_argument("--title", default="")
    p.add_argument("--scene", help="scene code")
    p.add_argument("--frames", type=int, help="target duration in frames")
    p.add_argument("--seconds", type=float, help="target duration in seconds")
    add_json_arg(p)
    p.set_defaults(func=cmd_shot_add)
    p = shot.add_parser("list", help="list shots")
    add_project_arg(p)
    p.add_argument("--bin", action="store_true", help="list deleted shots instead")
    add_json_arg(p)
    p.set_defaults(func=cmd_shot_list)
    p = shot.add_parser("show", help="one shot with its prompt, cameras and takes")
    add_project_arg(p)
    p.add_argument("code")
    add_json_arg(p)
    p.set_defaults(func=cmd_shot_show)
    p = shot.add_parser("set", help="change a shot's fields")
    add_project_arg(p)
    p.add_argument("code")
    p.add_argument("--title")
    p.add_argument("--status", help="draft, review, approved or locked")
    p.add_argument("--frames", type=int, help="target duration in frames")
    p.add_argument("--budget", help="money budget (empty to clear)")
    p.add_argument("--budget-gpu-minutes", help="GPU-minute budget (empty to clear)")
    p.add_argument("--notes")
    p.add_argument("--scene", help="scene code")
    p.set_defaults(func=cmd_shot_set)
    p = shot.add_parser("move", help="move a shot to a position (1 = first)")
    add_project_arg(p)
    p.add_argument("code")
    p.add_argument("position", type=int)
    p.set_defaults(func=cmd_shot_move)
    p = shot.add_parser("delete", help="move a shot to the bin")
    add_project_arg(p)
    p.add_argument("code")
    p.set_defaults(func=cmd_shot_delete)
    p = shot.add_parser("restore", help="bring a shot back from the bin")
    add_project_arg(p)
    p.add_argument("code")
    p.set_defaults(func=cmd_shot_restore)


def cmd_shot_add(args) -> int:
    with open_project(args) as project:
        scene_id = scenes.find_scene(project, args.scene).id if args.scene else None
        frames = args.frames
        if args.seconds is not None:
            frames = project.settings().rate.frames(args.seconds)
        shot, _ = shots.add_shot(project, args.code, args.title, scene_id=scene_id, target_frames=frames)
    print_json(shot) if args.json else print(f"added shot {shot.code}")
    return 0


def _shot_rows(project: Project, items) -> list[dict]:
    money = ledger.spend_by_shot(project)
    counts = summary.live_take_counts(project)
    scene_codes = {s.id: s.code for s in scenes.list_scenes(project)}
    rate = project.settings().rate
    return [
        {
            "code": s.code,
            "title": s.title,
            "scene": scene_codes.get(s.scene_id, ""),
            "status": s.status.value,
            "duration": rate.timecode(s.target_frames),
            "frames": s.target_frames,
            "takes": counts.get(s.id, 0),
            "money": money_text(money.get(s.id, Decimal(0))),
        }
        for s in items
    ]


def cmd_shot_list(args) -> int:
    with open_project(args, readonly=True) as project:
        data = _shot_rows(project, shots.list_shots(project, deleted=args.bin))
        currency = project.settings().currency
    if args.json:
        print_json(data)
    else:
        print_table(["code", "scene", "status", "duration", "takes", "money", "title"], [[d["code"], d["scene"], d["status"], d["duration"], d["takes"], format_money(Decimal(d["money"]), currency), d["title"]] for d in data])
    return 0


def cmd_shot_show(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = shots.find_shot(project, args.code)
        prompt = prompts.current_prompt(project, shot.id)
        cams = cameras.list_cameras(project, shot.id)
        tks = takes.list_takes(project, shot.id)
        data = {
            **_shot_rows(project, [shot])[0],
            "notes": shot.notes,
            "budget": str(shot.budget_money) if shot.budget_money is not None else None,
            "prompt": {"version": prompt.version, **prompt.fields.to_dict(), "composed": prompt.composed} if prompt else None,
            "cameras": [{"name": c.name, **c.setup.__dict__, "composed": prompt.fields.compose(c.setup) if prompt else ""} for c in cams],
            "takes": [{"id": t.id, "camera_id": t.camera_id, "seed": t.seed, "rating": t.rating, "flag": t.flag.value} for t in tks],
        }
    if args.json:
        print_json(data)
        return 0
    print(f"{data['code']}  {data['title']}  [{data['status']}]  {data['duration']}  spent {data['money']}")
    if data["prompt"]:
        print(f"  prompt v{data['prompt']['version']}: {data['prompt']['composed']}")
    else:
        print("  no prompt yet: director prompt set PROJECT SHOT --subject …")
    for c in data["cameras"]:
        print(f"  camera {c['name']}: {c['composed']}")
    print(f"  {len(data['takes'])} takes")
    return 0


def cmd_shot_set(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.code)
        values = {}
        for opt, key in (("title", "title"), ("status", "status"), ("frames", "target_frames"), ("budget", "budget_money"), ("notes", "notes")):
            if getattr(args, opt) is not None:
                values[key] = getattr(args, opt)
        if args.budget_gpu_minutes is not None:
            values["budget_gpu_s"] = "" if args.budget_gpu_minutes == "" else float(args.budget_gpu_minutes) * 60
        if args.scene is not None:
            values["scene_id"] = scenes.find_scene(project, args.scene).id if args.scene else None
        if not values:
            raise InvalidInput("give at least one field to change (see --help)")
        shots.update_shot(project, shot.id, **values)
    print(f"updated shot {shot.code}")
    return 0


def cmd_shot_move(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.code)
        shots.move_shot(project, shot.id, args.position)
    print(f"moved shot {shot.code} to position {args.position}")
    return 0


def cmd_shot_delete(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.code)
        shots.delete_shot(project, shot.id)
    print(f"shot {shot.code} moved to the bin (director shot restore to bring it back)")
    return 0


def cmd_shot_restore(args) -> int:
    with open_project(args) as project:
        binned = [s for s in shots.list_shots(project, deleted=True) if s.code == args.code.strip().upper()]
        if not binned:
            raise InvalidInput(f"no shot {args.code!r} in the bin")
        shots.restore_shot(project, binned[-1].id)
    print(f"restored shot {binned[-1].code}")
    return 0
