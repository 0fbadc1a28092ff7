"""`director previz`, `director blocking show|set` and `director generate … --from-previz TAKE`:
the shot's blocking, its previz render per camera, and model takes guided by a previz."""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.core.errors import InvalidInput


def register(sub: argparse._SubParsersAction) -> None:
    from director.commands.generate import _add_run_options, _add_seed_options

    p = sub.add_parser("previz", help="render the shot's blocking per camera: previz (blocking render), no model",
                       description="Queue a previz (blocking render) take per camera and run it here: stand-ins from the "
                                   "prompt's subjects, the set and light from its setting, each camera framed by its shot "
                                   "size, angle, lens and movement. A depth and a layout video are stored with each take.")
    add_project_arg(p)
    p.add_argument("--shot", required=True, help="shot code, e.g. 12A")
    p.add_argument("--camera", action="append", help="camera name (repeat; default: the first camera)")
    p.add_argument("--all", action="store_true", help="every camera of the shot")
    _add_seed_options(p)
    _add_run_options(p)
    p.set_defaults(func=cmd_previz)

    blocking = sub.add_parser("blocking", help="where a shot's subjects and cameras stand").add_subparsers(
        dest="subverb", required=True, metavar="SUBVERB")
    p = blocking.add_parser("show", help="subjects and cameras on the ground plane, and the 180° line check")
    add_project_arg(p)
    p.add_argument("shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_blocking_show)
    p = blocking.add_parser("set", help="put a subject or a camera somewhere (metres; x right, z away from camera A)")
    add_project_arg(p)
    p.add_argument("shot")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--subject", help="the subject's words, or its number from 1 in the prompt")
    who.add_argument("--camera", help="camera name")
    p.add_argument("--x", type=float)
    p.add_argument("--z", type=float)
    p.add_argument("--facing", type=float, help="degrees: 0 faces +z (away from camera A), 90 faces +x")
    p.add_argument("--reset", action="store_true", help="back to where the defaults put it")
    p.set_defaults(func=cmd_blocking_set)

    generate = sub.choices.get("generate")
    if generate is not None:  # `generate … --from-previz TAKE`: the same verb, guided by a previz take
        generate.add_argument("--from-previz", type=int, metavar="TAKE",
                              help="guide a control preset (Wan VACE) with this previz take's depth or layout video")
        generate.add_argument("--previz-control", choices=["depth", "layout"], default="depth",
                              help="which previz video guides it (default depth)")
        generate.add_argument("--strength", type=float, default=1.0, help="control strength, 0 to 2 (default 1)")
        plain = generate.get_default("func")
        generate.set_defaults(func=lambda args: cmd_generate_from_previz(args) if args.from_previz is not None else plain(args))


def cmd_previz(args) -> int:
    from director.commands.generate import _overrides, _run_or_report, _seed_mode, engine_for
    from director.engine import actions
    from director.engine.previz import PRESET_ID

    with open_project(args) as project, engine_for(args) as client:
        queued = actions.queue_generation(project, args.shot, PRESET_ID, cameras=args.camera, all_cameras=args.all,
                                          variants=args.variants, seed_mode=_seed_mode(args), seeds=args.seed,
                                          params=_overrides(args))
        return _run_or_report(args, project, queued, client)


def cmd_generate_from_previz(args) -> int:
    from director.commands.generate import _overrides, _run_or_report, _seed_mode, engine_for
    from director.engine.previz.guide import queue_from_previz

    if args.camera or args.all_cameras:
        raise InvalidInput("--from-previz generates for the previz take's own camera; leave out --camera/--all-cameras")
    if args.dry_run:
        raise InvalidInput("--dry-run is not available with --from-previz")
    with open_project(args) as project, engine_for(args) as client:
        queued = queue_from_previz(project, args.from_previz, args.preset, mode=args.previz_control, strength=args.strength,
                                   variants=args.variants, seed_mode=_seed_mode(args), seeds=args.seed,
                                   params=_overrides(args))
        return _run_or_report(args, project, queued, client)


def _show(project, shot_code: str) -> dict:
    from director.core.blocking import check_line, framed_position
    from director.store.blocking import shot_blocking, stored_placements
    from director.store.cameras import list_cameras
    from director.store.shots import find_shot

    shot = find_shot(project, shot_code)
    scene, plans = shot_blocking(project, shot.id)
    subjects, cams = stored_placements(project, shot.id)
    ids = {c.name: c.id for c in list_cameras(project, shot.id)}
    check = check_line(scene, plans)
    return {
        "shot": shot.code,
        "interior": scene.setting.interior,
        "light": scene.light.time,
        "subjects": [{"n": i, "words": f.stand_in.words, "kind": f.stand_in.kind, "x": f.at.x, "z": f.at.z,
                      "facing": f.at.facing, "placed": f.stand_in.key in subjects}
                     for i, f in enumerate(scene.figures, start=1)],
        "cameras": [{"name": c.name, "x": c.at.x, "z": c.at.z, "framed_at": [round(v, 3) for v in framed_position(scene, c)],
                     "side": check.sides.get(c.name, 0), "placed": ids[c.name] in cams,
                     **{k: getattr(c.setup, k) for k in ("shot_size", "angle", "movement", "lens")}} for c in plans],
        "line_ok": check.ok,
        "warning": check.warning(),
    }


def cmd_blocking_show(args) -> int:
    with open_project(args, readonly=True) as project:
        shown = _show(project, args.shot)
    if args.json:
        print_json(shown)
        return 0
    print(f"shot {shown['shot']}: {'interior' if shown['interior'] else 'exterior'}, {shown['light']}")
    print_table(["#", "subject", "kind", "x", "z", "facing"],
                [[s["n"], s["words"], s["kind"], f"{s['x']:g}", f"{s['z']:g}", f"{s['facing']:g}"] for s in shown["subjects"]])
    print_table(["camera", "x", "z", "framed at", "shot size", "angle", "movement", "lens"],
                [[c["name"], f"{c['x']:g}", f"{c['z']:g}", f"{c['framed_at'][0]:g}, {c['framed_at'][1]:g}", c["shot_size"],
                  c["angle"], c["movement"], c["lens"]] for c in shown["cameras"]])
    print(shown["warning"] or "180° line: every camera is on one side")
    return 0


def cmd_blocking_set(args) -> int:
    from director.core.blocking import Placement
    from director.store.blocking import MovePlacement, get_placement, shot_blocking, subject_key
    from director.store.cameras import find_camera
    from director.store.shots import find_shot

    if not args.reset and args.x is None and args.z is None and args.facing is None:
        raise InvalidInput("give --x, --z and/or --facing, or --reset")
    with open_project(args) as project:
        shot = find_shot(project, args.shot)
        scene, plans = shot_blocking(project, shot.id)
        if args.subject is not None:
            kind, key = "subject", subject_key(scene, args.subject)
            now = next(f.at for f in scene.figures if f.stand_in.key == key)
            label = f"subject {key!r}"
        else:
            camera = find_camera(project, shot.id, args.camera)
            kind, key = "camera", str(camera.id)
            now = next(c.at for c in plans if c.name == camera.name)
            label = f"camera {camera.name}"
        placement = None if args.reset else Placement(
            now.x if args.x is None else args.x, now.z if args.z is None else args.z,
            now.facing if args.facing is None else args.facing)
        MovePlacement(shot.id, kind, key, placement).apply(project)
        shown = _show(project, args.shot)
        at = get_placement(project, shot.id, kind, key)
    print(f"shot {shot.code}: {label} " + (f"at x {at.x:g}, z {at.z:g}, facing {at.facing:g}" if at else "back at its default place"))
    if shown["warning"]:
        print(f"warning: {shown['warning']}")
    return 0
