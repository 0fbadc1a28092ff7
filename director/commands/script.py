"""`director script import PROJECT FILE.fountain [--dry-run]` and `director cast list|look|image`."""

from __future__ import annotations

import argparse
from pathlib import Path

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.core.errors import InvalidInput
from director.core.screenplay import parse_fountain
from director.store import script


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("script", help="import a screenplay (Fountain) as scenes, shots, prompt drafts, dialogue and cast")
    verbs = p.add_subparsers(dest="subverb", required=True, metavar="WHAT")
    q = verbs.add_parser(
        "import",
        help="import or re-import a Fountain screenplay",
        description="Scene headings become scenes (their numbers kept), action paragraphs become shots with a prompt "
        "draft, dialogue stays with its shot, speaking characters become the cast. Importing a revised script merges: "
        "new scenes and shots are added, changed ones are flagged with a diff (your own prompt edits are kept), and "
        "shots no longer in the script go to the bin.",
    )
    add_project_arg(q)
    q.add_argument("file", metavar="FILE", help="the screenplay (.fountain, .spmd or .txt in Fountain)")
    q.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    add_json_arg(q)
    q.set_defaults(func=cmd_import)

    c = sub.add_parser("cast", help="the cast from the screenplay: look notes and reference images")
    verbs = c.add_subparsers(dest="subverb", required=True, metavar="WHAT")
    q = verbs.add_parser("list", help="the cast with look notes and reference images")
    add_project_arg(q)
    add_json_arg(q)
    q.set_defaults(func=cmd_cast_list)
    q = verbs.add_parser("look", help="set a cast member's look notes (used in every prompt draft of them)")
    add_project_arg(q)
    q.add_argument("name")
    q.add_argument("notes", help='e.g. "40s, grey wool coat, short red hair"')
    q.set_defaults(func=cmd_cast_look)
    q = verbs.add_parser("image", help="add a reference image for a cast member")
    add_project_arg(q)
    q.add_argument("name")
    q.add_argument("image", help="a PNG or JPEG file")
    q.add_argument("--note", default="")
    q.set_defaults(func=cmd_cast_image)


def _read(path: str) -> str:
    file = Path(path).expanduser()
    if not file.is_file():
        raise InvalidInput(f"no screenplay at {file}")
    data = file.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{file.name} is not a text file")


def cmd_import(args) -> int:
    breakdown = parse_fountain(_read(args.file), title=Path(args.file).stem)
    with open_project(args) as project:
        plan, _ = script.import_script(project, breakdown, dry_run=args.dry_run)
    if args.json:
        print_json({"dry_run": args.dry_run, "scenes": len(breakdown.scenes), "shots": breakdown.shot_count, "cast": list(breakdown.cast), **plan.to_dict()})
        return 0
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {len(breakdown.scenes)} scenes, {breakdown.shot_count} shots, {len(breakdown.cast)} characters: {plan.summary()}")
    for label, codes in (("added", plan.shots_added), ("changed (new prompt draft)", plan.shots_changed),
                         ("changed in the script, your prompt kept", plan.shots_kept), ("to the bin", plan.shots_binned)):
        if codes:
            print(f"  shots {label}: {', '.join(codes)}")
    if plan.scenes_flagged:
        print(f"  scenes flagged: {', '.join(plan.scenes_flagged)}")
    return 0


def cmd_cast_list(args) -> int:
    with open_project(args, readonly=True) as project:
        cast = script.list_cast(project)
    if args.json:
        print_json(cast)
    else:
        print_table(["name", "look", "images"], [[c.name, c.look_notes, len(c.images)] for c in cast])
    return 0


def cmd_cast_look(args) -> int:
    with open_project(args) as project:
        script.set_cast_look(project, args.name, args.notes)
    print(f"{args.name}: {args.notes}")
    return 0


def cmd_cast_image(args) -> int:
    source = Path(args.image).expanduser()
    if not source.is_file():
        raise InvalidInput(f"no image at {source}")
    if source.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise InvalidInput(f"{source.name}: a reference image is a PNG, JPEG or WebP file")
    with open_project(args) as project:
        rel = project.media.import_file(source)
        script.add_cast_image(project, args.name, rel, args.note)
    print(f"added {source.name} to {args.name}")
    return 0
