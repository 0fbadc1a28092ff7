"""`director camera add|set|list`: the camera setups of a shot."""

from __future__ import annotations

import argparse

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
    print_table,
)
from director.core.prompt import CAMERA_FIELDS, CameraSetup
from director.store import cameras, prompts, shots

def register(sub: argparse._SubParsersAction) -> None:
    camera = sub.add_parser("camera", help="camera setups of a shot").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    for verb, fn in (("add", cmd_camera_add), ("set", cmd_camera_set)):
        p = camera.add_parser(verb, help=f"{verb} a camera (A, B, C…)")
        add_project_arg(p)
        p.add_argument("shot")
        p.add_argument("name", help="A, B, C…")
        for name in CAMERA_FIELDS:
            p.add_argument(f"--{name.replace('_', '-')}", dest=name)
        p.add_argument("--notes")
        p.set_defaults(func=fn)
    p = camera.add_parser("list", help="cameras of a shot with their composed prompts")
    add_project_arg(p)
    p.add_argument("shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_camera_list)


def _setup_from_args(args, base: CameraSetup = CameraSetup()) -> CameraSetup:
    values = {n: getattr(args, n) if getattr(args, n) is not None else getattr(base, n) for n in CAMERA_FIELDS}
    return CameraSetup(**values)


def cmd_camera_add(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.shot)
        cam, _ = cameras.add_camera(project, shot.id, args.name, _setup_from_args(args), args.notes or "")
    print(f"added camera {cam.name} to shot {shot.code}")
    return 0


def cmd_camera_set(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.shot)
        cam = cameras.find_camera(project, shot.id, args.name)
        cameras.update_camera(project, cam.id, setup=_setup_from_args(args, cam.setup), notes=args.notes)
    print(f"updated camera {cam.name} of shot {shot.code}")
    return 0


def cmd_camera_list(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = shots.find_shot(project, args.shot)
        prompt = prompts.current_prompt(project, shot.id)
        data = [{"name": c.name, **c.setup.__dict__, "notes": c.notes, "composed": prompt.fields.compose(c.setup) if prompt else ""} for c in cameras.list_cameras(project, shot.id)]
    if args.json:
        print_json(data)
    else:
        print_table(["camera", "size", "angle", "movement", "lens", "prompt"], [[d["name"], d["shot_size"], d["angle"], d["movement"], d["lens"], d["composed"][:70]] for d in data])
    return 0
