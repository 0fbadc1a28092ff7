"""`director script import|seen|diff` and `director cast list|look|image|unimage|use`."""

from __future__ import annotations

import argparse
from pathlib import Path

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table, to_jsonable
from director.core.errors import InvalidInput
from director.core.screenplay import parse_fountain
from director.store import cast, script


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
    for verb, func, text in (
        ("seen", cmd_seen, "mark a re-import's 'changed' / 'removed' flag on a shot, or on a scene and its shots, as seen"),
        ("diff", cmd_diff, "show what a re-import changed in a shot or a scene (old → new script text)"),
    ):
        q = verbs.add_parser(verb, help=text, description=text + ". TARGET is a shot code, or a scene code "
                             "when no live shot has it; --scene or --shot says which when both do.")
        add_project_arg(q)
        q.add_argument("target", metavar="SHOT|SCENE")
        which = q.add_mutually_exclusive_group()
        which.add_argument("--scene", dest="kind", action="store_const", const="scene", help="TARGET is a scene")
        which.add_argument("--shot", dest="kind", action="store_const", const="shot", help="TARGET is a shot")
        add_json_arg(q)
        q.set_defaults(func=func)

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
    q = verbs.add_parser("unimage", help="take a reference image off a cast member (the file stays until a purge)")
    add_project_arg(q)
    q.add_argument("name")
    q.add_argument("media", metavar="MEDIA_PATH", help="the image's media path, as 'cast list --json' shows it")
    q.set_defaults(func=cmd_cast_unimage)
    q = verbs.add_parser("use", help="use a cast member's reference images for a shot's control jobs (Wan VACE)")
    add_project_arg(q)
    q.add_argument("shot")
    q.add_argument("name")
    q.add_argument("--off", action="store_true", help="stop using them for that shot")
    q.set_defaults(func=cmd_cast_use)


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


def _target(project, args) -> tuple[int | None, int | None, str]:
    """(shot id, scene id, label) of SHOT|SCENE; refused when it names both and neither flag says which."""
    from director.core.errors import NotFound
    from director.store.scenes import find_scene
    from director.store.shots import find_shot

    shot = scene = None
    if args.kind != "scene":
        try:
            shot = find_shot(project, args.target)
        except NotFound:
            if args.kind == "shot":
                raise
    if args.kind != "shot":
        try:
            scene = find_scene(project, args.target)
        except NotFound:
            if args.kind == "scene" or shot is None:
                raise NotFound(f"no shot or scene {args.target!r}") from None
    if shot is not None and scene is not None:
        raise InvalidInput(f"{args.target!r} is both a shot and a scene; add --shot or --scene")
    return (shot.id, None, f"shot {shot.code}") if shot is not None else (None, scene.id, f"scene {scene.code}")


def cmd_seen(args) -> int:
    with open_project(args) as project:
        shot_id, scene_id, label = _target(project, args)
        edit = cast.MarkScriptSeen(shot_id=shot_id, scene_id=scene_id, label=label)
        edit.apply(project)
    if args.json:
        print_json({"target": label, "cleared_shots": sorted(edit._shots), "cleared_scene": edit._scene is not None})
    else:
        print(f"{label}: script change marked seen")
    return 0


def cmd_diff(args) -> int:
    with open_project(args, readonly=True) as project:
        shot_id, scene_id, _ = _target(project, args)
        diff = cast.shot_diff(project, shot_id) if shot_id is not None else cast.scene_diff(project, scene_id)
    if args.json:
        print_json({"title": diff.title, "status": diff.status, "parts": [{"label": a, "diff": b} for a, b in diff.parts]})
    else:
        print(diff.text())
    return 0


def cmd_cast_list(args) -> int:
    with open_project(args, readonly=True) as project:
        members = script.list_cast(project)
        where = cast.appearances(project)
    if args.json:
        print_json([{**to_jsonable(c), "appears_in": [a.shot_code for a in where.get(c.name, ())]} for c in members])
    else:
        print_table(["name", "look", "images", "appears in"],
                    [[c.name, c.look_notes, len(c.images), ", ".join(a.shot_code for a in where.get(c.name, ()))] for c in members])
    return 0


def cmd_cast_unimage(args) -> int:
    with open_project(args) as project:
        member = cast.get_member(project, args.name)
        cast.RemoveCastImage(member.name, args.media).apply(project)
    print(f"removed {args.media} from {member.name}")
    return 0


def cmd_cast_use(args) -> int:
    from director.store.shots import find_shot

    with open_project(args) as project:
        shot = find_shot(project, args.shot)
        member = cast.get_member(project, args.name)
        cast.SetShotReference(shot.id, member.name, not args.off).apply(project)
        now = cast.shot_references(project, shot.id)
    print(f"shot {shot.code} references: {', '.join(now) or 'none'}")
    return 0


def cmd_cast_look(args) -> int:
    with open_project(args) as project:
        script.set_cast_look(project, args.name, args.notes)
    print(f"{args.name}: {args.notes}")
    return 0


def cmd_cast_image(args) -> int:
    source = Path(args.image).expanduser()
    with open_project(args) as project:
        member = cast.get_member(project, args.name)
        rel = cast.import_reference(project, source)
        cast.AddCastImage(member.name, rel, args.note).apply(project)
    print(f"added {source.name} to {member.name}")
    return 0
