"""`director keyframe add|list|remove|first-last|render`, `director control render` and
`director lora add|list|remove`: what steers a shot beyond its prompt.

A keyframe SOURCE is an image file, `take:ID` (a still take, or a clip's first frame), or
`take:ID@N` / `take:ID@last` (that frame of a clip).
"""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, add_project_arg, open_project, print_json, print_table
from director.core.errors import InvalidInput
from director.core.keyframes import LAST, frame_label
from director.store import keyframes as store_keyframes
from director.store import loras as store_loras
from director.store.shots import find_shot


def register(sub: argparse._SubParsersAction) -> None:
    from director.commands.generate import _add_run_options, _add_seed_options

    kf = sub.add_parser("keyframe", help="stills placed at frames of a shot").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = kf.add_parser("add", help="place a still at a frame (replaces the one there)")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("frame", help="a frame number from 0, 'first' or 'last'")
    p.add_argument("source", help="an image file, take:ID, take:ID@N or take:ID@last")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_keyframe_add)
    p = kf.add_parser("first-last", help="place the first and the last frame in one step")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("first", help="source of the first frame")
    p.add_argument("last", help="source of the last frame")
    p.set_defaults(func=cmd_keyframe_first_last)
    p = kf.add_parser("list", help="the shot's keyframe strip")
    add_project_arg(p)
    p.add_argument("shot")
    add_json_arg(p)
    p.set_defaults(func=cmd_keyframe_list)
    p = kf.add_parser("remove", help="take the keyframe at a frame off the strip")
    add_project_arg(p)
    p.add_argument("shot")
    p.add_argument("frame")
    p.set_defaults(func=cmd_keyframe_remove)
    p = kf.add_parser("render", help="queue takes steered by the shot's keyframes and run them")
    _add_target(p)
    _add_run_options(p)
    _add_seed_options(p)
    p.set_defaults(func=cmd_keyframe_render)

    ctl = sub.add_parser("control", help="guide videos and reference images").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = ctl.add_parser("render", help="queue takes guided by a control video (Wan VACE) and run them")
    _add_target(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--video", help="a video file to guide with")
    source.add_argument("--take", type=int, help="a take to guide with")
    p.add_argument("--mode", required=True, choices=["pose", "depth", "edges", "layout"])
    p.add_argument("--prepared", action="store_true", help="the video already is the guide (a pose, depth or layout render)")
    p.add_argument("--strength", type=float, default=1.0, help="0 to 2 (default 1)")
    p.add_argument("--cast", action="append", default=[], help="a cast member whose reference images to use (repeat; "
                   "default with no --reference: the cast the shot uses, see 'director cast use')")
    p.add_argument("--reference", action="append", default=[], help="a reference image file (repeat)")
    p.add_argument("--with-keyframes", action="store_true", help="use the shot's keyframes too")
    p.add_argument("--depth-model", metavar="PRESET",
                   help="make the depth guide with this depth-model preset in the worker (see director models list)")
    _add_run_options(p)
    _add_seed_options(p)
    p.set_defaults(func=cmd_control_render)

    lora = sub.add_parser("lora", help="your LoRAs per preset, each with a strength").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = lora.add_parser("add", help="add a local .safetensors LoRA to a preset (or change its strength)")
    add_project_arg(p)
    p.add_argument("preset")
    p.add_argument("file")
    p.add_argument("--strength", type=float, default=1.0)
    p.add_argument("--name", help="the adapter's name (default: the file's)")
    p.set_defaults(func=cmd_lora_add)
    p = lora.add_parser("list", help="LoRAs of a preset, or of every preset")
    add_project_arg(p)
    p.add_argument("preset", nargs="?")
    add_json_arg(p)
    p.set_defaults(func=cmd_lora_list)
    p = lora.add_parser("remove", help="remove a LoRA from a preset")
    add_project_arg(p)
    p.add_argument("preset")
    p.add_argument("name")
    p.set_defaults(func=cmd_lora_remove)


def _add_target(p: argparse.ArgumentParser) -> None:
    add_project_arg(p)
    p.add_argument("--shot", required=True, help="shot code, e.g. 12A")
    p.add_argument("--camera", action="append", help="camera name (repeat; default: the first camera)")
    p.add_argument("--all-cameras", action="store_true")
    p.add_argument("--preset", required=True, help="model preset (see: director models list)")


# -- keyframes ------------------------------------------------------------------------------------


def _placed_line(k, replaced) -> str:
    was = " (replacing the keyframe there)" if replaced else ""
    origin = f"take {k.take_id}" + (f" frame {k.take_frame}" if k.source == "take" else "") if k.take_id else "a file"
    return f"keyframe at frame {k.label} from {origin}{was}"


def cmd_keyframe_add(args) -> int:
    from director.engine.keyframe_sources import place

    with open_project(args) as project:
        shot = find_shot(project, args.shot)
        k, replaced, _ = place(project, shot.id, args.frame, args.source, args.note)
    print(f"shot {shot.code}: {_placed_line(k, replaced)}")
    return 0


def cmd_keyframe_first_last(args) -> int:
    from director.engine.keyframe_sources import still_from

    with open_project(args) as project:
        shot = find_shot(project, args.shot)
        # Both stills are made before either is placed: a bad second source leaves the strip as it was.
        first, last = still_from(project, args.first), still_from(project, args.last)
        for frame, s in ((0, first), (LAST, last)):
            store_keyframes.set_keyframe(project, shot.id, frame, s.source, s.media_path, take_id=s.take_id, take_frame=s.take_frame)
    print(f"shot {shot.code}: first and last keyframes placed")
    return 0


def cmd_keyframe_list(args) -> int:
    with open_project(args, readonly=True) as project:
        shot = find_shot(project, args.shot)
        strip = store_keyframes.list_keyframes(project, shot.id)
    if args.json:
        print_json([{"frame": frame_label(k.frame), "source": k.source, "media_path": k.media_path, "take_id": k.take_id,
                     "take_frame": k.take_frame, "note": k.note} for k in strip])
    else:
        print_table(["frame", "source", "take", "still", "note"],
                    [[k.label, k.source, k.take_id or "", k.media_path, k.note] for k in strip])
    return 0


def cmd_keyframe_remove(args) -> int:
    with open_project(args) as project:
        shot = find_shot(project, args.shot)
        k, _ = store_keyframes.remove_keyframe(project, shot.id, args.frame)
    print(f"shot {shot.code}: removed the keyframe at frame {k.label}")
    return 0


def _queue_args(args) -> dict:
    from director.commands.generate import _overrides, _seed_mode

    return dict(cameras=args.camera, all_cameras=args.all_cameras, variants=args.variants, seed_mode=_seed_mode(args),
                seeds=args.seed, params=_overrides(args))


def cmd_keyframe_render(args) -> int:
    from director.commands.generate import _run_or_report, engine_for
    from director.engine.steered_jobs import queue_steered

    with open_project(args) as project, engine_for(args) as client:
        queued = queue_steered(project, args.shot, args.preset, keyframes=True, **_queue_args(args))
        return _run_or_report(args, project, queued, client)


# -- control --------------------------------------------------------------------------------------


def cmd_control_render(args) -> int:
    from director.commands.generate import _run_or_report, engine_for
    from director.engine import control
    from director.engine.control_jobs import control_render
    from director.engine.presets import get_preset

    why = control.takes_control(get_preset(args.preset))
    if why:  # before the project is opened or any guide is made
        raise InvalidInput(why)
    with open_project(args) as project, engine_for(args) as client:
        queued = control_render(project, args.shot, args.preset, take_id=args.take, video=args.video, mode=args.mode,
                                prepared=args.prepared, strength=args.strength, reference_files=args.reference,
                                cast=args.cast, with_keyframes=args.with_keyframes, depth_model=args.depth_model,
                                **_queue_args(args))
        return _run_or_report(args, project, queued, client)


# -- LoRAs ----------------------------------------------------------------------------------------


def cmd_lora_add(args) -> int:
    from director.engine.presets import get_preset

    with open_project(args) as project:
        preset = get_preset(args.preset)
        lora, _ = store_loras.add_lora(project, preset.id, args.file, args.strength, args.name)
    print(f"{preset.id}: LoRA {lora.name} at strength {lora.strength:g} ({lora.path})")
    return 0


def cmd_lora_list(args) -> int:
    with open_project(args, readonly=True) as project:
        found = store_loras.list_loras(project, args.preset)
    if args.json:
        print_json(found)
    else:
        print_table(["preset", "name", "strength", "file"], [[x.preset, x.name, f"{x.strength:g}", x.path] for x in found])
    return 0


def cmd_lora_remove(args) -> int:
    with open_project(args) as project:
        store_loras.remove_lora(project, args.preset, args.name)
    print(f"{args.preset}: removed LoRA {args.name}")
    return 0
