"""`director cut …`: build and inspect the edit from a script (the same store verbs the timeline widget uses).

  director cut show PROJECT [--json]
  director cut add PROJECT 12A [--take ID] [--at FRAME | --index N] [--frames N]
  director cut angle PROJECT --at FRAME --camera B
  director cut trim PROJECT CLIP --head|--tail FRAMES
  director cut split PROJECT --at FRAME
  director cut delete PROJECT CLIP [--lift]
  director cut move PROJECT CLIP --index N
  director cut take PROJECT CLIP TAKE
"""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, apply_and_say, add_project_arg, open_project, print_json, print_table
from director.core.errors import InvalidInput
from director.core.timeline import Clip
from director.store import shots
from director.store import timeline as st
from director.store.cuts import find_timeline


def register(sub: argparse._SubParsersAction) -> None:
    verbs = sub.add_parser("cut", help="the timeline: show it, add shots, cut angles, trim, split").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")

    p = verbs.add_parser("show", help="the timeline's clips and the flattened cut")
    add_project_arg(p)
    p.add_argument("--timeline", metavar="CUT", help="which cut, by name or id (default: the current one)")
    add_json_arg(p)
    p.set_defaults(func=cmd_show)

    p = verbs.add_parser("add", help="place a shot on the timeline (at the end unless told)")
    add_project_arg(p)
    p.add_argument("shot", metavar="SHOT", help="shot code, such as 12A")
    p.add_argument("--take", type=int, help="show this take on its camera")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--at", type=int, metavar="FRAME", help="insert at the clip boundary nearest this frame")
    where.add_argument("--index", type=int, help="insert before the Nth item (0 = first)")
    p.add_argument("--frames", type=int, help="clip length (default: the shot's target length)")
    p.add_argument("--track", type=int, help="track id (default: the first)")
    p.add_argument("--timeline", metavar="CUT", help="which cut, by name or id (default: the current one)")
    add_json_arg(p)
    p.set_defaults(func=cmd_add)

    p = verbs.add_parser("angle", help="cut to a camera at a frame")
    add_project_arg(p)
    p.add_argument("--at", type=int, required=True, metavar="FRAME")
    p.add_argument("--camera", required=True, help="camera name (A, B…) or its number in the shot (1, 2…)")
    p.add_argument("--timeline", metavar="CUT", help="which cut, by name or id (default: the current one)")
    p.set_defaults(func=cmd_angle)

    p = verbs.add_parser("trim", help="ripple-trim a clip's head or tail by a number of frames")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    edge = p.add_mutually_exclusive_group(required=True)
    edge.add_argument("--head", type=int, metavar="FRAMES", help="positive trims in, negative extends")
    edge.add_argument("--tail", type=int, metavar="FRAMES", help="positive extends, negative trims in")
    p.set_defaults(func=cmd_trim)

    p = verbs.add_parser("split", help="split the clip at a frame")
    add_project_arg(p)
    p.add_argument("--at", type=int, required=True, metavar="FRAME")
    p.add_argument("--timeline", metavar="CUT", help="which cut, by name or id (default: the current one)")
    p.set_defaults(func=cmd_split)

    p = verbs.add_parser("delete", help="remove a clip and close the gap (or --lift to leave it)")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.add_argument("--lift", action="store_true", help="leave a gap so later clips keep their place")
    p.set_defaults(func=cmd_delete)

    p = verbs.add_parser("move", help="move a clip to another position")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.add_argument("--index", type=int, required=True, help="new position (0 = first)")
    p.set_defaults(func=cmd_move)

    p = verbs.add_parser("take", help="choose the take a clip shows on that take's camera")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.add_argument("take", type=int, metavar="TAKE")
    p.set_defaults(func=cmd_take)

    from director.commands.audio import register_cut_audio

    register_cut_audio(verbs)


def cmd_show(args) -> int:
    with open_project(args, readonly=True) as project:
        tid = find_timeline(project, args.timeline)
        timeline = st.load_timeline(project, tid)
        cut = st.build_cut(project, tid)
        res = st.Resolver(project)
        clips = []
        for track in timeline.tracks:
            for item, start in zip(track.items, track.starts()):
                row = {"id": item.id, "track": track.name, "start": start, "duration": item.duration}
                if isinstance(item, Clip):
                    row.update(kind="clip", shot=res.shot_code(item.shot_id), source_in=item.source_in,
                               takes={str(k): v for k, v in item.takes.items()},
                               angle_cuts=[{"source_frame": a.source_frame, "camera_id": a.camera_id} for a in item.angle_cuts])
                else:
                    row["kind"] = "gap"
                clips.append(row)
        segments = [{"start": s.record_start, "duration": s.duration, "shot": s.shot_code, "camera": s.camera, "take": s.take_id,
                     "kind": s.kind, "source_start": s.source_start, "clip": s.clip_id} for s in cut.segments]
        if args.json:
            print_json({"timeline": timeline.name, "rate": str(timeline.rate), "duration": cut.duration, "clips": clips, "segments": segments})
            return 0
        print(f"{timeline.name}: {cut.duration} frames ({timeline.rate.timecode(cut.duration)} at {timeline.rate} fps)")
        print_table(["clip", "track", "start", "frames", "shot", "source in"],
                    [[c["id"], c["track"], c["start"], c["duration"], c.get("shot", "(gap)"), c.get("source_in", "")] for c in clips])
        print()
        print_table(["start", "frames", "shot", "camera", "take", "source"],
                    [[s["start"], s["duration"], s["shot"] or "(black)", s["camera"], s["take"] if s["take"] is not None else "—", s["source_start"]] for s in segments])
    return 0


def cmd_add(args) -> int:
    with open_project(args) as project:
        shot = shots.find_shot(project, args.shot)
        edit = st.insert_shot(project, shot.id, take_id=args.take, timeline_id=find_timeline(project, args.timeline), track_id=args.track, index=args.index, frame=args.at, duration=args.frames)
        edit.apply(project)
        clip_id = edit.edit.subjects[0]
        if args.json:
            print_json({"clip": clip_id, "text": edit.text})
        else:
            print(f"{edit.text} (clip {clip_id})")
    return 0


def cmd_angle(args) -> int:
    with open_project(args) as project:
        camera = args.camera.strip()
        kw = {"number": int(camera)} if camera.isdigit() else {"name": camera}
        return apply_and_say(project, st.cut_to_camera(project, args.at, timeline_id=find_timeline(project, args.timeline), **kw))


def cmd_trim(args) -> int:
    edge, delta = ("head", args.head) if args.head is not None else ("tail", args.tail)
    if delta == 0:
        raise InvalidInput("trim by a number of frames other than 0")
    with open_project(args) as project:
        return apply_and_say(project, st.trim_clip(project, args.clip, edge, delta=delta))


def cmd_split(args) -> int:
    with open_project(args) as project:
        return apply_and_say(project, st.split_clip(project, args.at, timeline_id=find_timeline(project, args.timeline)))


def cmd_delete(args) -> int:
    with open_project(args) as project:
        return apply_and_say(project, st.lift_clip(project, args.clip) if args.lift else st.ripple_delete(project, args.clip))


def cmd_move(args) -> int:
    with open_project(args) as project:
        return apply_and_say(project, st.move_clip(project, args.clip, args.index))


def cmd_take(args) -> int:
    with open_project(args) as project:
        return apply_and_say(project, st.set_clip_take(project, args.clip, args.take))
