"""`director scene add|list`."""

from __future__ import annotations

import argparse

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
    print_table,
)
from director.store import scenes

def register(sub: argparse._SubParsersAction) -> None:
    scene = sub.add_parser("scene", help="scenes").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = scene.add_parser("add", help="add a scene")
    add_project_arg(p)
    p.add_argument("code")
    p.add_argument("--title", default="")
    add_json_arg(p)
    p.set_defaults(func=cmd_scene_add)
    p = scene.add_parser("list", help="list scenes")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_scene_list)


def cmd_scene_add(args) -> int:
    with open_project(args) as project:
        scene, _ = scenes.add_scene(project, args.code, args.title)
    print_json(scene) if args.json else print(f"added scene {scene.code}")
    return 0


def cmd_scene_list(args) -> int:
    with open_project(args, readonly=True) as project:
        items = scenes.list_scenes(project)
    if args.json:
        print_json(items)
    else:
        print_table(["code", "title"], [[s.code, s.title] for s in items])
    return 0
