"""Project, scene, shot, prompt, camera, take, time and integrity verbs."""

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
from director.core.cost import cents, format_money, money_text
from director.core.enums import TakeFlag
from director.core.errors import InvalidInput
from director.core.prompt import CAMERA_FIELDS, CameraSetup, PromptFields, diff_text
from director.store import cameras, check, ledger, looks, prompts, scenes, shots, summary, takes, timelog
from director.store.project import Project

PROMPT_OPTIONS = [n for n in PromptFields.names()]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project file", description="Create NAME.director and its media folder.")
    p.add_argument("project", metavar="PATH")
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--fps", default="24", help="frame rate: 24, 25, 23.976, 30000/1001 (default 24)")
    p.add_argument("--size", default="768x512", help="default frame size WxH (default 768x512)")
    p.add_argument("--currency", default="USD")
    p.add_argument("--gpu-price", default="2.50", help="price per GPU hour (default 2.50)")
    add_json_arg(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("info", help="summary of a project")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("settings", help="change project settings")
    add_project_arg(p)
    for opt in ("name", "fps", "currency", "gpu-price", "energy-price", "budget", "budget-gpu-minutes", "idle-cutoff"):
        p.add_argument(f"--{opt}")
    p.set_defaults(func=cmd_settings)

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

    prompt = sub.add_parser("prompt", help="shot prompts").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = prompt.add_parser("set", help="write a new prompt version (unchanged fields carry over)")
    add_project_arg(p)
    p.add_argument("shot")
    for name in PROMPT_OPTIONS:
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

    time = sub.add_parser("time", help="human time per shot").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = time.add_parser("log", help="add a manual time entry")
    add_project_arg(p)
    p.add_argument("shot", help="shot code, or '-' for project-wide work")
    p.add_argument("duration", help="e.g. 25m, 1h30m, 1:30:00, 90s")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_time_log)
    p = time.add_parser("list", help="time entries")
    add_project_arg(p)
    p.add_argument("--shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_time_list)

    p = sub.add_parser(
        "check",
        help="integrity check and media verify (--repair rebuilds a damaged file)",
        description="Check the project file with SQLite's own integrity check (file and journal) and verify every "
        "take's media. Exit 1 lists what is wrong. --repair keeps a copy of a damaged file with its journal in "
        "NAME.director-backups, then rebuilds it from every row SQLite can still read and says how many it kept.",
    )
    add_project_arg(p)
    add_json_arg(p)
    p.add_argument("--repair", action="store_true", help="rebuild a damaged project file (a copy is kept first)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("purge", help="empty the bin and delete media no take uses")
    add_project_arg(p)
    p.add_argument("--keep-bin", action="store_true", help="only remove unreferenced media; keep the bin")
    p.set_defaults(func=cmd_purge)


# -- project --------------------------------------------------------------------------------

def cmd_new(args) -> int:
    from director.commands.common import parse_size

    width, height = parse_size(args.size)
    project = Project.create(args.project, name=args.name, fps=args.fps, width=width, height=height, currency=args.currency, gpu_price_per_hour=args.gpu_price)
    try:
        if args.json:
            print_json({"path": str(project.path), "media": str(project.media.root)})
        else:
            print(f"created {project.path}")
    finally:
        project.close()
    return 0


def project_summary(project: Project) -> dict:
    s = project.settings()
    c = summary.project_counts(project)
    return {
        "name": s.name,
        "path": str(project.path),
        "fps": str(s.rate),
        "size": f"{s.width}x{s.height}",
        "currency": s.currency,
        "gpu_price_per_hour": str(s.gpu_price_per_hour),
        "scenes": c.scenes,
        "shots": c.shots,
        "cameras": c.cameras,
        "prompt_versions": c.prompt_versions,
        "takes": c.takes,
        "jobs": c.jobs,
        "gpu_seconds": c.gpu_seconds,
        "money": money_text(c.money),
        "human_seconds": c.human_seconds,
        "read_only": project.readonly,
    }


def cmd_info(args) -> int:
    with open_project(args, readonly=True) as project:
        info = project_summary(project)
    if args.json:
        print_json(info)
        return 0
    jobs = ", ".join(f"{n} {state}" for state, n in sorted(info["jobs"].items())) or "none"
    print(f"{info['name']}  ({info['path']})")
    print(f"  {info['fps']} fps, {info['size']}, GPU {info['gpu_price_per_hour']} {info['currency']}/h")
    print(f"  {info['scenes']} scenes, {info['shots']} shots, {info['cameras']} cameras, {info['prompt_versions']} prompt versions")
    print(f"  {info['takes']} takes; jobs: {jobs}")
    print(f"  spent: {info['gpu_seconds']} GPU s = {format_money(Decimal(info['money']), info['currency'])}; human time {info['human_seconds']} s")
    return 0


def cmd_settings(args) -> int:
    values = {}
    mapping = {"name": "name", "fps": "fps", "currency": "currency", "gpu_price": "gpu_price_per_hour", "energy_price": "energy_price_per_kwh", "budget": "budget_money", "idle_cutoff": "idle_cutoff_s"}
    for opt, key in mapping.items():
        if getattr(args, opt) is not None:
            values[key] = getattr(args, opt)
    if args.budget_gpu_minutes is not None:
        values["budget_gpu_s"] = "" if args.budget_gpu_minutes == "" else float(args.budget_gpu_minutes) * 60
    if not values:
        raise InvalidInput("give at least one setting to change (see --help)")
    with open_project(args) as project:
        project.update_settings(**values)
        print("settings updated")
    return 0


# -- scenes and shots -----------------------------------------------------------------------

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
    if args.json:
        print_json(data)
    else:
        print_table(["code", "scene", "status", "duration", "takes", "money", "title"], [[d["code"], d["scene"], d["status"], d["duration"], d["takes"], f"{cents(Decimal(d['money'])):.2f}", d["title"]] for d in data])
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


# -- prompts and cameras --------------------------------------------------------------------

def cmd_prompt_set(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.shot)
        current = prompts.current_prompt(project, shot.id)
        base = PromptFields() if (args.clear or current is None) else current.fields
        changes = {n: getattr(args, n) for n in PROMPT_OPTIONS if getattr(args, n) is not None}
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


# -- looks ----------------------------------------------------------------------------------

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


# -- takes ----------------------------------------------------------------------------------

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


# -- time and integrity ---------------------------------------------------------------------

def cmd_time_log(args) -> int:
    with open_project(args) as project:
        shot_id = None if args.shot == "-" else shots.find_shot(project, args.shot).id
        seconds = timelog.parse_duration(args.duration)
        timelog.log_time(project, shot_id, seconds, note=args.note)
    print(f"logged {seconds / 60:.1f} min" + ("" if shot_id is None else f" on {args.shot.upper()}"))
    return 0


def cmd_time_list(args) -> int:
    with open_project(args, readonly=True) as project:
        shot_id = shots.find_shot(project, args.shot).id if args.shot else None
        codes = {s.id: s.code for s in shots.list_shots(project)}
        entries = timelog.list_time(project, shot_id)
    data = [{**e, "shot": codes.get(e["shot_id"], "")} for e in entries]
    if args.json:
        print_json(data)
    else:
        print_table(["when", "shot", "minutes", "source", "note"], [[e["started_at"][:16], e["shot"], f"{e['seconds'] / 60:.1f}", e["source"], e["note"]] for e in data])
    return 0


def cmd_repair(args) -> int:
    from director.store.repair import repair

    report = repair(args.project)
    if args.json:
        print_json({"repaired": report.was_damaged, "backup": report.backup, "integrity_before": report.integrity_before, "tables": report.tables, "rows_kept": report.kept})
        return 0
    if not report.was_damaged:
        print(f"{report.path.name} is intact (SQLite's integrity check: ok); nothing was changed")
        return 0
    print(f"{report.path.name} was damaged ({report.integrity_before[:200]})")
    print(f"  the damaged file and its journal were kept in {report.backup.parent}")
    for t in report.tables:
        lost = f", {t.unreadable_spans} unreadable stretch(es) skipped" if t.unreadable_spans else ""
        print(f"  {t.name}: {t.kept} rows kept{lost}")
    print(f"rebuilt with {report.kept} rows; run 'director check {report.path}' to verify its media")
    return 0


def cmd_check(args) -> int:
    if args.repair:
        return cmd_repair(args)
    with open_project(args, readonly=True) as project:
        report = check.check_project(project)
        root = project.media.root
    if args.json:
        print_json({"ok": report.ok, "integrity": report.integrity, "foreign_key_errors": report.foreign_key_errors, "media_checked": report.media.checked, "missing": report.media.missing, "altered": report.media.altered, "tampered": report.media.tampered, "takes": report.takes})
    else:
        print(f"database: {report.integrity}" + (f", {len(report.foreign_key_errors)} broken references" if report.foreign_key_errors else ""))
        m = report.media
        print(f"media: {m.checked} files checked, {len(m.missing)} missing, {len(m.altered)} damaged, {len(m.tampered)} outside the media folder")
        for problem in report.takes:
            print(f"  {problem.describe(root)}")
    return 0 if report.ok else 1


def cmd_purge(args) -> int:
    with open_project(args) as project:
        emptied = 0
        if not args.keep_bin:
            emptied, _ = takes.empty_bin(project)
        files, freed = check.purge_media(project)
    print(f"emptied {emptied} takes from the bin; removed {files} media files ({freed / 1e6:.1f} MB)")
    return 0
