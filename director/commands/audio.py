"""Sound from the command line: the same store verbs the window uses.

  director audio import PROJECT FILE [--name NAME]       WAV, FLAC, MP3 or AAC into the bin
  director audio list PROJECT [--json]
  director cut audio show PROJECT                         the cut's audio tracks and clips
  director cut audio add PROJECT SOUND --at FRAME [--track A2] [--gain DB] [--from FRAME] [--frames N]
  director cut audio gain PROJECT CLIP DB                 an audio clip's gain
  director cut audio mute|solo PROJECT TRACK [--off]      A1 is the takes' own sound
  director cut audio track-gain PROJECT TRACK DB
  director cut audio move PROJECT CLIP --at FRAME [--track A3]   another place (and track) for an audio clip
  director cut audio trim PROJECT CLIP [--from FRAME] [--frames N] its edges: --from alone keeps its end
  director cut audio remove PROJECT CLIP
  director cut audio link PROJECT PICTURE_CLIP [--lead FRAMES] [--lag FRAMES] [--gain DB] [--take ID | --follow-live]
  director export stems PROJECT -o FOLDER                 one WAV per track
  director export srt PROJECT -o FILE.srt                 subtitles from the shots' dialogue

Positions are given in frames of the project's rate and stored as samples at 48 kHz.
"""

from __future__ import annotations

import argparse

from director.commands.common import add_json_arg, apply_and_say, add_project_arg, open_project, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    verbs = sub.add_parser("audio", help="sound: import files into the project's bin, list them").add_subparsers(dest="subverb", required=True, metavar="SUBVERB")
    p = verbs.add_parser("import", help="decode a WAV, FLAC, MP3 or AAC file into the bin (48 kHz stereo)")
    add_project_arg(p)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", help="its name in the bin (default: the file's name)")
    add_json_arg(p)
    p.set_defaults(func=cmd_import)
    p = verbs.add_parser("list", help="the sounds in the bin")
    add_project_arg(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_list)


def register_cut_audio(cut_verbs: argparse._SubParsersAction) -> None:
    """`director cut audio …`, under the `cut` verb of commands/timeline.py."""
    verbs = cut_verbs.add_parser("audio", help="the cut's sound: tracks, clips, gain, mute, solo, J/L cuts").add_subparsers(
        dest="audio_verb", required=True, metavar="SUBVERB"
    )

    def common(p: argparse.ArgumentParser) -> None:
        add_project_arg(p)
        p.add_argument("--timeline", metavar="CUT", help="which cut, by name or id (default: the current one)")

    p = verbs.add_parser("show", help="the cut's audio tracks and their clips")
    common(p)
    add_json_arg(p)
    p.set_defaults(func=cmd_show)
    p = verbs.add_parser("add", help="place a sound from the bin at a frame")
    common(p)
    p.add_argument("sound", metavar="SOUND", help="its name or id in the bin")
    p.add_argument("--at", type=int, required=True, metavar="FRAME", help="record frame where it starts")
    p.add_argument("--track", help="track name (default: the first audio track it fits on, else a new one)")
    p.add_argument("--gain", type=float, default=0.0, metavar="DB")
    p.add_argument("--from", dest="source_frame", type=int, default=0, metavar="FRAME", help="start this many frames into the sound")
    p.add_argument("--frames", type=int, help="how long it plays (default: to the sound's end)")
    add_json_arg(p)
    p.set_defaults(func=cmd_add)
    p = verbs.add_parser("gain", help="an audio clip's gain in dB")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.add_argument("gain_db", type=float, metavar="DB")
    p.set_defaults(func=cmd_gain)
    for verb, text in (("mute", "mute a track (A1: the takes' own sound)"), ("solo", "solo a track: only soloed tracks are heard")):
        p = verbs.add_parser(verb, help=text)
        common(p)
        p.add_argument("track", metavar="TRACK")
        p.add_argument("--off", action="store_true", help=f"un{verb}")
        p.set_defaults(func=cmd_track, what=verb)
    p = verbs.add_parser("track-gain", help="a track's gain in dB")
    common(p)
    p.add_argument("track", metavar="TRACK")
    p.add_argument("gain_db", type=float, metavar="DB")
    p.set_defaults(func=cmd_track, what="gain")
    p = verbs.add_parser("move", help="play an audio clip from another frame, on its track or another")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.add_argument("--at", type=int, required=True, metavar="FRAME", help="record frame where it starts")
    p.add_argument("--track", help="an audio track of imported clips (default: the one it is on)")
    p.set_defaults(func=cmd_move)
    p = verbs.add_parser("trim", help="an audio clip's edges: where in its sound it starts, how long it plays")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.add_argument("--from", dest="source_frame", type=int, metavar="FRAME",
                   help="start this many frames into the sound; its record start moves with it (its end stays unless --frames)")
    p.add_argument("--frames", type=int, metavar="N", help="how long it plays")
    p.set_defaults(func=cmd_trim)
    p = verbs.add_parser("remove", help="remove an audio clip")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="CLIP")
    p.set_defaults(func=cmd_remove)
    p = verbs.add_parser("link", help="a picture clip's own sound: J/L cut, gain, or the take its sound stays on")
    add_project_arg(p)
    p.add_argument("clip", type=int, metavar="PICTURE_CLIP")
    p.add_argument("--lead", type=int, metavar="FRAMES", help="J cut: sound starts this many frames before the picture")
    p.add_argument("--lag", type=int, metavar="FRAMES", help="L cut: sound runs this many frames past the picture")
    p.add_argument("--gain", type=float, metavar="DB")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--take", type=int, metavar="ID", help="keep this take's sound across angle cuts")
    which.add_argument("--follow-live", action="store_true", help="sound follows the live camera (the default)")
    p.set_defaults(func=cmd_link)


def register_exports(export_verbs: argparse._SubParsersAction, common) -> None:
    """`director export stems|srt`, under the `export` verb (commands/export.py passes its `_common`)."""
    p = export_verbs.add_parser("stems", help="one WAV per audio track, each as long as the cut", description="One 48 kHz stereo WAV per audio track (A1 the takes' own sound), each exactly as long as the picture.")
    common(p, "FOLDER (default: PROJECT_stems beside the project)")
    p.set_defaults(func=cmd_stems)
    p = export_verbs.add_parser("srt", help="subtitles (SRT) from the dialogue on the cut's shots", description="SRT subtitles from the screenplay dialogue stored on each shot, timed where the cut shows it.")
    common(p, "FILE.srt (default: PROJECT.srt beside the project)")
    p.set_defaults(func=cmd_srt)


# -- the bin -------------------------------------------------------------------------------------


def cmd_import(args) -> int:
    from director.store import audio

    with open_project(args) as project:
        found, _ = audio.import_audio(project, args.file, args.name)
    if args.json:
        print_json(found)
    else:
        print(f"imported {found.name!r} (sound {found.id}, {found.seconds:.2f} s, 48 kHz stereo)")
    return 0


def cmd_list(args) -> int:
    from director.store import audio

    with open_project(args, readonly=True) as project:
        found = audio.list_audio(project)
    if args.json:
        print_json(found)
    else:
        print_table(["id", "name", "seconds", "from"], [[a.id, a.name, f"{a.seconds:.2f}", a.source_name] for a in found])
    return 0


# -- the cut's sound -----------------------------------------------------------------------------


def _timeline(project, args) -> int:
    from director.store.cuts import find_timeline

    return find_timeline(project, getattr(args, "timeline", None))


def cmd_show(args) -> int:
    from director.core.audio import SAMPLE_RATE
    from director.store import audio

    with open_project(args, readonly=True) as project:
        tracks = audio.tracks(project, _timeline(project, args))
    if args.json:
        print_json(tracks)
        return 0
    for t in tracks:
        state = " ".join(w for w, on in (("muted", t.mute), ("solo", t.solo)) if on)
        print(f"{t.name}: {'takes own sound' if t.kind == 'linked' else f'{len(t.clips)} clip(s)'} gain {t.gain_db:+g} dB {state}".rstrip())
        for c in t.clips:
            print(f"  clip {c.id}: {c.name} at {c.record_start / SAMPLE_RATE:.3f} s for {c.duration / SAMPLE_RATE:.3f} s, gain {c.gain_db:+g} dB")
    return 0


def cmd_add(args) -> int:
    from director.core.audio import frame_to_sample
    from director.store import audio

    with open_project(args) as project:
        rate = project.settings().rate
        sound = audio.find_audio(project, args.sound)
        if args.at < 0:
            from director.core.errors import InvalidInput

            raise InvalidInput(f"a sound cannot start before the cut's first frame (got frame {args.at})")
        edit = audio.add_clip(
            project, _timeline(project, args), sound, frame_to_sample(args.at, rate), source_in=frame_to_sample(args.source_frame, rate),
            duration=frame_to_sample(args.frames, rate) if args.frames else None, gain_db=args.gain, track=args.track,
        )
        edit.apply(project)
        clip_id = next(k for table, k, _, _ in edit.changes if table == "audio_clips")
    if args.json:
        print_json({"clip": clip_id, "text": edit.text})
    else:
        print(f"{edit.text} (audio clip {clip_id})")
    return 0


def cmd_gain(args) -> int:
    from director.store import audio

    with open_project(args) as project:
        return apply_and_say(project, audio.set_clip_gain(project, args.clip, args.gain_db))


def cmd_track(args) -> int:
    from director.store import audio

    with open_project(args) as project:
        tid = _timeline(project, args)
        if args.what == "gain":
            return apply_and_say(project, audio.set_track(project, tid, args.track, gain_db=args.gain_db))
        return apply_and_say(project, audio.set_track(project, tid, args.track, **{args.what: not args.off}))


def cmd_move(args) -> int:
    from director.core.audio import frame_to_sample
    from director.store import audio

    with open_project(args) as project:
        at = frame_to_sample(args.at, project.settings().rate)
        return apply_and_say(project, audio.move_clip(project, args.clip, at, track=args.track))


def cmd_trim(args) -> int:
    from director.core.audio import frame_to_sample
    from director.store import audio

    with open_project(args) as project:
        rate = project.settings().rate
        source_in = frame_to_sample(args.source_frame, rate) if args.source_frame is not None else None
        duration = frame_to_sample(args.frames, rate) if args.frames is not None else None
        return apply_and_say(project, audio.trim_clip(project, args.clip, source_in, duration))


def cmd_remove(args) -> int:
    from director.store import audio

    with open_project(args) as project:
        return apply_and_say(project, audio.remove_clip(project, args.clip))


def cmd_link(args) -> int:
    from director.core.audio import frame_to_sample
    from director.store import audio

    with open_project(args) as project:
        rate = project.settings().rate
        lead = frame_to_sample(args.lead, rate) if args.lead is not None else None
        lag = frame_to_sample(args.lag, rate) if args.lag is not None else None
        return apply_and_say(project, audio.set_clip_sound(project, args.clip, lead=lead, lag=lag, gain_db=args.gain, take_id=args.take, follow_live=args.follow_live))


# -- exports -------------------------------------------------------------------------------------


def cmd_stems(args) -> int:
    from pathlib import Path

    from director.commands.export import project_cut
    from director.export.audio_mix import export_stems
    from director.store import audio
    from director.store.destinations import check_output_folder

    with open_project(args, readonly=True) as project:
        cut = project_cut(project, args.timeline)
        plan = audio.mix_plan(project, _timeline(project, args), cut)
        folder = check_output_folder(Path(args.output) if args.output else project.path.with_name(project.path.stem + "_stems"))
        paths = export_stems(plan, project.media, folder, prefix=project.path.stem + "_")
    if args.json:
        print_json({"folder": folder, "files": paths, "samples": plan.length})
    else:
        print(f"wrote {len(paths)} stem(s) to {folder} ({plan.length / 48000:.2f} s each)")
    return 0


def cmd_srt(args) -> int:
    from pathlib import Path

    from director.commands.export import project_cut
    from director.core.subtitles import srt_text, subtitles
    from director.export.common import atomic_output
    from director.store.destinations import check_output_file
    from director.store.script import dialogue_of

    with open_project(args, readonly=True) as project:
        cut = project_cut(project, args.timeline)
        subs = subtitles(cut, dialogue_of(project, [s.metadata.get("shot_id") for s in cut.segments]))
        dest = check_output_file(Path(args.output) if args.output else project.path.with_name(project.path.stem + ".srt"))
    with atomic_output(dest) as temp:
        temp.write_text(srt_text(subs, cut.rate), encoding="utf-8")
    if args.json:
        print_json({"path": dest, "subtitles": len(subs)})
    else:
        print(f"wrote {dest} ({len(subs)} subtitle(s))")
    return 0
