"""`director look list|save|delete`: look presets reusable across shots."""

from __future__ import annotations

import argparse

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
    print_table,
)
from director.store import looks

def register(sub: argparse._SubParsersAction) -> None:
    look = sub.add_parser("look", help="look presets reusable across shots").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = look.add_parser("list", help="the project's look presets")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_look_list)
    p = look.add_parser("save", help="create or replace a look preset")
    add_project_arg(p)
    p.add_argument("name")
    p.add_argument("text", help="the look, e.g. 'bleach bypass, crushed blacks'")
    p.set_defaults(func=cmd_look_save)
    p = look.add_parser("delete", help="remove a look preset (prompts that used it keep their text)")
    add_project_arg(p)
    p.add_argument("name")
    p.set_defaults(func=cmd_look_delete)


def cmd_look_list(args) -> int:
    with open_project(args, readonly=True) as project:
        items = looks.list_looks(project)
    if args.json:
        print_json([{"name": n, "text": t} for n, t in items])
    else:
        print_table(["look", "text"], [[n, t] for n, t in items])
    return 0


def cmd_look_save(args) -> int:
    with open_project(args) as project:
        looks.save_look(project, args.name, args.text)
    print(f"saved look preset {args.name.strip()!r}")
    return 0


def cmd_look_delete(args) -> int:
    with open_project(args) as project:
        looks.delete_look(project, args.name)
    print(f"deleted look preset {args.name.strip()!r}")
    return 0
