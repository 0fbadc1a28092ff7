"""`director timeline list|new|duplicate|rename|delete|switch|compare|import`: alternate cuts of one project."""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.store import cuts


def register(sub: argparse._SubParsersAction) -> None:
    verbs = sub.add_parser("timeline", help="alternate cuts: list, new, duplicate, rename, delete, switch, compare, import").add_subparsers(
        dest="subverb", required=True, metavar="SUBVERB"
    )
    p = verbs.add_parser("list", help="the project's cuts; * marks the current one")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_list)
    p = verbs.add_parser("new", help="an empty cut (it becomes current)")
    add_project_arg(p)
    p.add_argument("name")
    p.add_argument("--keep-current", action="store_true", help="do not switch to it")
    p.set_defaults(func=cmd_new)
    p = verbs.add_parser("duplicate", help="copy a cut, clips, chosen takes and angle cuts included")
    add_project_arg(p)
    p.add_argument("name", help="the copy's name")
    p.add_argument("--from", dest="source", metavar="CUT", help="the cut to copy (default: the current one)")
    p.add_argument("--keep-current", action="store_true", help="do not switch to the copy")
    p.set_defaults(func=cmd_duplicate)
    p = verbs.add_parser("rename", help="rename a cut")
    add_project_arg(p)
    p.add_argument("cut", metavar="CUT", help="name or id")
    p.add_argument("name")
    p.set_defaults(func=cmd_rename)
    p = verbs.add_parser("delete", help="delete a cut (the window can undo it; the last cut stays)")
    add_project_arg(p)
    p.add_argument("cut", metavar="CUT", help="name or id")
    p.set_defaults(func=cmd_delete)
    p = verbs.add_parser("switch", help="make a cut current: the window shows it, commands use it")
    add_project_arg(p)
    p.add_argument("cut", metavar="CUT", help="name or id")
    p.set_defaults(func=cmd_switch)
    p = verbs.add_parser("import", help="a cut from an OTIO file Director exported (angle cuts and chosen takes kept), as a new cut")
    add_project_arg(p)
    p.add_argument("file", metavar="FILE.otio", help="an .otio Director wrote, perhaps re-cut in another suite since")
    p.add_argument("--name", help="the new cut's name (default: the file's timeline name)")
    p.add_argument("--keep-current", action="store_true", help="do not switch to it")
    add_json_arg(p)
    p.set_defaults(func=cmd_import)
    p = verbs.add_parser("compare", help="two cuts side by side: length, shots used, cost of the takes used")
    add_project_arg(p)
    p.add_argument("cut_a", metavar="CUT_A", help="name or id")
    p.add_argument("cut_b", metavar="CUT_B", help="name or id")
    add_json_arg(p)
    p.set_defaults(func=cmd_compare)


def cmd_list(args) -> int:
    with open_project(args, readonly=True) as project:
        found = cuts.list_cuts(project)
        rate = project.settings().rate
    if args.json:
        print_json(found)
    else:
        print_table(["", "id", "name", "clips", "length"], [["*" if c.current else "", c.id, c.name, c.clips, rate.timecode(c.frames)] for c in found])
    return 0


def cmd_new(args) -> int:
    with open_project(args) as project:
        edit = cuts.new_cut(project, args.name, switch=not args.keep_current)
        edit.apply(project)
    print(f"new cut {args.name!r} (id {edit.timeline_id})" + ("" if args.keep_current else ", now current"))
    return 0


def cmd_duplicate(args) -> int:
    with open_project(args) as project:
        edit = cuts.duplicate_cut(project, args.source, args.name, switch=not args.keep_current)
        edit.apply(project)
    print(f"copied into {args.name!r} (id {edit.timeline_id})" + ("" if args.keep_current else ", now current"))
    return 0


def cmd_rename(args) -> int:
    with open_project(args) as project:
        cuts.RenameCut(cuts.find_timeline(project, args.cut), args.name).apply(project)
    print(f"renamed to {args.name!r}")
    return 0


def cmd_delete(args) -> int:
    with open_project(args) as project:
        tid = cuts.find_timeline(project, args.cut)
        cuts.DeleteCut(tid).apply(project)
        now = next(c for c in cuts.list_cuts(project) if c.current)
    print(f"deleted cut {args.cut!r}; current cut: {now.name!r}")
    return 0


def cmd_switch(args) -> int:
    with open_project(args) as project:
        tid = cuts.find_timeline(project, args.cut)
        cuts.SwitchCut(tid).apply(project)
    print(f"current cut: {args.cut!r}")
    return 0


def cmd_compare(args) -> int:
    from director.store.cut_compare import compare_cuts

    with open_project(args, readonly=True) as project:
        found = compare_cuts(project, args.cut_a, args.cut_b)
    if args.json:
        print_json(found.to_json())
        return 0
    table = found.table()
    print_table(["", *table[0][1:]], [list(r) for r in table[1:]])
    if found.different_takes:
        print(f"\nshots in both showing different takes: {', '.join(found.different_takes)}")
    return 0


def cmd_import(args) -> int:
    from director.export.otio_import import read_cut
    from director.store.cut_import import build_import

    imported = read_cut(args.file)  # read (and refused) before the project is opened for writing
    with open_project(args) as project:
        edit = build_import(project, imported, args.name)
        edit.new.switch = not args.keep_current
        edit.apply(project)
        clips = sum(1 for i in edit.items if hasattr(i, "shot_id"))
        angles = sum(len(i.angle_cuts) for i in edit.items if hasattr(i, "angle_cuts"))
    if args.json:
        print_json({"timeline_id": edit.timeline_id, "name": edit.name, "clips": clips, "angle_cuts": angles, "notes": edit.notes})
        return 0
    print(f"imported {clips} clip(s) and {angles} angle cut(s) into cut {edit.name!r} (id {edit.timeline_id})"
          + ("" if args.keep_current else ", now current"))
    for note in edit.notes:
        print(f"  note: {note}")
    return 0
