"""`director prompt set|show|history|diff|restore`: immutable prompt versions per shot.

`--look NAME` applies a look preset (`director look list`), as the window's look menu does;
`--look-text TEXT` writes a look literally."""

from __future__ import annotations

import argparse

from director.commands.common import (
    add_json_arg,
    add_project_arg,
    open_project,
    print_json,
    print_table,
)
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.prompt import PromptFields, diff_text
from director.store import cameras, looks, prompts, shots
from director.store.edits import RestorePromptVersion

PROMPT_OPTIONS = [n for n in PromptFields.names()]


def register(sub: argparse._SubParsersAction) -> None:
    prompt = sub.add_parser("prompt", help="shot prompts").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = prompt.add_parser("set", help="write a new prompt version (unchanged fields carry over)")
    add_project_arg(p)
    p.add_argument("shot")
    for name in PROMPT_OPTIONS:
        if name == "look":
            p.add_argument("--look", dest="look_preset", metavar="NAME", help="apply a look preset by name (director look list)")
            p.add_argument("--look-text", dest="look", metavar="TEXT", help="the look written literally, e.g. 'bleach bypass'")
        else:
            p.add_argument(f"--{name.replace('_', '-')}", dest=name)
    p.add_argument("--clear", action="store_true", help="start from empty fields instead of the current version")
    add_json_arg(p)
    p.set_defaults(func=cmd_prompt_set)
    p = prompt.add_parser("show", help="the current (or a given) version")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("--version", type=int)
    p.add_argument("--camera", help="compose with this camera")
    add_json_arg(p)
    p.set_defaults(func=cmd_prompt_show)
    p = prompt.add_parser("history", help="every version of a shot's prompt")
    add_project_arg(p)
    p.add_argument("shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_prompt_history)
    p = prompt.add_parser("diff", help="what changed between two versions")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("old", type=int)
    p.add_argument("new", type=int, nargs="?", help="default: the current version")
    p.set_defaults(func=cmd_prompt_diff)
    p = prompt.add_parser("restore", help="make an earlier version current again (as the window's Restore This Version)")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("version", type=int, metavar="VERSION")
    add_json_arg(p)
    p.set_defaults(func=cmd_prompt_restore)


def look_text(project, name: str) -> str:
    """A look preset's text by name: exact as the window's menu matches, else the one preset
    whose name differs only in case. Unknown: NotFound listing the known looks."""
    text = looks.get_look(project, name)
    if text is not None:
        return text
    known = looks.list_looks(project)
    folded = [t for n, t in known if n.casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    names = ", ".join(n for n, _ in known) or "none yet (director look save PROJECT NAME TEXT)"
    raise NotFound(f"no look preset {name!r}; known looks: {names}. To write a look literally use --look-text")


def cmd_prompt_set(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.shot)
        current = prompts.current_prompt(project, shot.id)
        base = PromptFields() if (args.clear or current is None) else current.fields
        changes = {n: getattr(args, n) for n in PROMPT_OPTIONS if getattr(args, n) is not None}
        if args.look_preset is not None:
            if args.look is not None:
                raise InvalidInput("give --look NAME (a preset) or --look-text TEXT, not both")
            changes["look"] = look_text(project, args.look_preset)
        if not changes and not args.clear:
            raise InvalidInput("give at least one field, e.g. --subject 'a lighthouse keeper'")
        prompt, changed = prompts.write_prompt(project, shot.id, base.with_changes(**changes))
    if args.json:
        print_json({"version": prompt.version, "composed": prompt.composed, "changed": bool(changed)})
    elif changed:
        print(f"{shot.code} prompt v{prompt.version}: {prompt.composed}")
    else:
        print(f"{shot.code} prompt unchanged (v{prompt.version})")
    return 0


def cmd_prompt_show(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = shots.find_shot(project, args.shot)
        prompt = prompts.prompt_version(project, shot.id, args.version) if args.version else prompts.current_prompt(project, shot.id)
        if prompt is None:
            raise InvalidInput(f"shot {shot.code} has no prompt yet: director prompt set {args.project} {shot.code} --subject …")
        cam = cameras.find_camera(project, shot.id, args.camera) if args.camera else None
        composed = prompt.fields.compose(cam.setup if cam else None)
    if args.json:
        print_json({"version": prompt.version, **prompt.fields.to_dict(), "composed": composed})
        return 0
    print(f"{shot.code} v{prompt.version}" + (f" camera {cam.name}" if cam else ""))
    for name, value in prompt.fields.to_dict().items():
        if value:
            print(f"  {name}: {value}")
    print(f"  → {composed}")
    return 0


def cmd_prompt_history(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = shots.find_shot(project, args.shot)
        items = prompts.prompt_history(project, shot.id)
    if args.json:
        print_json([{"version": p.version, "created_at": p.created_at, "composed": p.composed, "current": p.id == shot.current_prompt_id} for p in items])
    else:
        print_table(["", "version", "created", "prompt"], [["*" if p.id == shot.current_prompt_id else "", p.version, p.created_at[:19], p.composed[:80]] for p in items])
    return 0


def cmd_prompt_diff(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = shots.find_shot(project, args.shot)
        old = prompts.prompt_version(project, shot.id, args.old)
        new = prompts.prompt_version(project, shot.id, args.new) if args.new else prompts.current_prompt(project, shot.id)
    text = diff_text(old.fields, new.fields, f"v{old.version}", f"v{new.version}")
    print(text.rstrip() if text else f"v{old.version} and v{new.version} are the same")
    return 0


def cmd_prompt_restore(args) -> int:
    """The window's restore: the same edit (`RestorePromptVersion`), one pointer move; the
    versions themselves never change."""
    with open_project(args) as project:
        shot = shots.find_shot(project, args.shot)
        prompt = prompts.prompt_version(project, shot.id, args.version)
        if shot.locked:
            raise Refused(f"shot {shot.code} is locked; its prompt cannot change")
        already = shot.current_prompt_id == prompt.id
        if not already:
            RestorePromptVersion(shot.id, prompt.id).apply(project)
    if args.json:
        print_json({"version": prompt.version, "composed": prompt.composed, "changed": not already})
    elif already:
        print(f"{shot.code} prompt v{prompt.version} is already current")
    else:
        print(f"{shot.code} prompt v{prompt.version} restored: {prompt.composed}")
    return 0
