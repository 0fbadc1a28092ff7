"""`director export cut|takes|storyboard|otio|otioz|edl|fcpxml|aaf PROJECT -o OUT`, `director export start-tc PROJECT [TC]`.

The project is opened read-only (an export never edits it, and the window may hold the lock).
Ctrl-C stops an export and leaves nothing at the destination: every exporter writes through a
temporary file that only a finished export renames into place.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from director.commands.common import ProgressBar, add_json_arg, add_project_arg, open_project, parse_size, print_json
from director.core.cut import Cut
from director.core.errors import DirectorError, InvalidInput
from director.export.common import INTERCHANGE_SUFFIXES as FORMATS
from director.export.common import X264_PRESETS
from director.export.takeinfo import take_infos
from director.store.destinations import check_output_file, check_output_folder
from director.store.project import Project

# The exporters (PyAV, opencv, OpenTimelineIO) are imported inside each verb: every command line
# run builds this parser, and most never export.

INTERCHANGE_HELP = {
    "otio": "the cut as OpenTimelineIO (.otio), with the takes' media copied beside it",
    "otioz": "the cut as an OpenTimelineIO bundle (.otioz) with the media inside",
    "edl": "the cut as a CMX 3600 EDL, with the takes' media copied beside it",
    "fcpxml": "the cut as Final Cut Pro XML: FILE.xml is Final Cut Pro 7 XML (Premiere, Resolve), FILE.fcpxml is FCPXML 1.10 (Final Cut Pro X); "
    "the media is copied beside it",
}


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="export the cut, takes, storyboard or an edit for an editing suite", description="Write exports. Nothing is left at the destination if an export fails or is interrupted.")
    verbs = export.add_subparsers(dest="subverb", required=True, metavar="WHAT")

    p = verbs.add_parser("cut", help="the cut as an H.264 MP4", description="Encode the timeline's cut as H.264 (yuv420p) at the project's frame rate.")
    _common(p, "FILE.mp4 (default: PROJECT_cut.mp4 beside the project)")
    p.add_argument("--crf", type=int, default=18, help="quality, 0 (lossless) to 51; 18 looks lossless (default 18)")
    p.add_argument("--preset", default="medium", choices=X264_PRESETS, metavar="PRESET", help="x264 speed/size trade-off: ultrafast … veryslow (default medium)")
    p.add_argument("--size", help="output size WxH (default: the project's); other shapes get black bars")
    p.add_argument("--burn-in", action="store_true", help="burn shot code, camera, take and timecode into the picture")
    p.add_argument("--no-audio", action="store_true", help="leave the sound out (default: an AAC stereo 48 kHz mix as long as the picture)")
    _drop_frame_arg(p)
    p.set_defaults(func=cmd_cut)

    p = verbs.add_parser("takes", help="takes' media with a JSON sidecar each", description="Copy takes with a JSON sidecar each; PNGs carry the prompt in text chunks, MP4s in a comment tag. Default: every selected take, in shot order.")
    _common(p, "FOLDER (default: PROJECT_takes beside the project)", timeline=False)
    p.add_argument("--take", type=int, action="append", default=[], metavar="ID", help="a take id (repeatable)")
    p.add_argument("--shot", action="append", default=[], metavar="CODE", help="the selected takes of a shot (repeatable)")
    p.add_argument("--cut", action="store_true", help="the takes the cut shows, in cut order")
    p.set_defaults(func=cmd_takes)

    p = verbs.add_parser("storyboard", help="the storyboard as PDF (or a PNG contact sheet)", description="A title page, then panels with still, shot, camera, duration, prompt, notes and cost. A .png destination makes a contact sheet.")
    _common(p, "FILE.pdf or FILE.png (default: PROJECT_storyboard.pdf beside the project)")
    p.add_argument("--order", choices=("cut", "shots"), default="cut", help="panels in cut order (default) or one per shot in shot order")
    p.add_argument("--per-page", type=int, default=6, help="panels per PDF page: 1, 2, 4, 6, 8, 9 or 12 (default 6)")
    p.add_argument("--columns", type=int, default=4, help="panels per row of a PNG contact sheet (default 4)")
    p.set_defaults(func=cmd_storyboard)

    for fmt, text in INTERCHANGE_HELP.items():
        p = verbs.add_parser(fmt, help=text, description=text[0].upper() + text[1:] + ".")
        _common(p, f"FILE{FORMATS[fmt]} (default: PROJECT{FORMATS[fmt]} beside the project)")
        if fmt != "otioz":
            p.add_argument("--media-folder", metavar="DIR", help="where the takes' media goes (default: OUT's name + _media)")
            p.add_argument(
                "--absolute", action="store_true",
                help="link the media by absolute file URL (default: relative to OUT, so the folder can be moved or zipped whole)",
            )
        _drop_frame_arg(p)
        if fmt != "otioz":
            p.add_argument("--no-audio", action="store_true", help="leave the sound tracks out (default: one audio track per sound track, WAVs beside the media)")
        p.add_argument("--no-multicam", action="store_true", help="only what the cut shows (default: every camera's take kept beside the live one, disabled, so the angles can be re-cut)")
        p.set_defaults(func=cmd_interchange, format=fmt)

    p = verbs.add_parser(
        "aaf", help="the cut as AAF for Avid (needs the aaf extra)",
        description="The cut's live edit as AAF through the otio-aaf-adapter, the media copied beside it. Every take must run at "
        "the cut's rate (the adapter refuses mixed rates); unchosen angles are left out (the adapter drops 'enabled'); media is "
        "linked by absolute file URL (the adapter cannot read a relative one back).",
    )
    _common(p, "FILE.aaf (default: PROJECT.aaf beside the project)")
    p.add_argument("--media-folder", metavar="DIR", help="where the takes' media goes (default: OUT's name + _media)")
    p.set_defaults(func=cmd_aaf)

    from director.commands.audio import register_exports

    register_exports(verbs, _common)

    p = verbs.add_parser(
        "start-tc", help="show or set the programme start timecode every export uses",
        description="The record timecode of the cut's first frame in every export (MP4 timecode track, OTIO, EDL, XML, FCPXML). Default 01:00:00:00.",
    )
    add_project_arg(p)
    p.add_argument("timecode", nargs="?", metavar="HH:MM:SS:FF", help="the new start (omit to show the current one)")
    add_json_arg(p)
    p.set_defaults(func=cmd_start_tc)


def _drop_frame_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--drop-frame", action="store_true", help="drop-frame record timecode (29.97 and 59.94 fps cuts only; default non-drop)")


def _common(p: argparse.ArgumentParser, out_help: str, timeline: bool = True) -> None:
    add_project_arg(p)
    p.add_argument("-o", "--output", metavar="OUT", help=out_help + ". An existing file there is replaced (whole, once the export finishes); the project, its journal, lock and media folder are refused")
    if timeline:
        p.add_argument("--timeline", metavar="CUT", help="which cut, by name or id (default: the current one)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.add_argument(
        "--skip-missing",
        action="store_true",
        help="leave out takes whose media is missing, damaged or outside the media folder (a cut plays black, an edit keeps a gap, "
        "a storyboard shows a 'media missing' panel) and list them; without it such a take stops the export and nothing is written",
    )
    add_json_arg(p)


def _output(args: argparse.Namespace, project: Project, default_suffix: str) -> Path:
    """-o, or a default beside the project; checked before any work (never the project's own files)."""
    dest = Path(args.output) if args.output else project.path.with_name(project.path.stem + default_suffix)
    if default_suffix.endswith("_takes"):
        return check_output_folder(dest)
    return check_output_file(dest)


def _bar(args: argparse.Namespace, label: str) -> ProgressBar:
    return ProgressBar(label, enabled=False if args.no_progress or args.json else None)


def project_cut(project: Project, timeline: str | int | None = None) -> Cut:
    """The cut's flattened edit (by name or id; None is the current cut); an empty one is refused."""
    from director.store.cuts import find_timeline
    from director.store.timeline import build_cut

    timeline_id = find_timeline(project, timeline)
    cut = build_cut(project, timeline_id)
    if cut.duration <= 0:
        raise InvalidInput(f"the timeline of {project.path.name} is empty: place shots on it first")
    return cut


def _timeline_name(project: Project, timeline: str | int | None) -> str:
    from director.store.cuts import find_timeline
    from director.store.edit_settings import edit_title

    return edit_title(project, find_timeline(project, timeline))


def _run(args, label: str, fn):
    from director.export.frames import TakeMediaError

    bar = _bar(args, label)
    try:
        return fn(bar.update)
    except TakeMediaError as exc:
        raise DirectorError(f"{exc} Nothing was written; add --skip-missing to export without {'it' if len(exc.issues) == 1 else 'them'}.") from exc
    finally:
        bar.close()


def _print_skipped(skipped) -> None:
    """What --skip-missing left out: one line per take, with its shot, problem and file."""
    for issue in skipped:
        print(f"skipped {issue.describe()}")


def _skipped_json(skipped) -> list[dict]:
    return [issue.as_dict() for issue in skipped]


def cmd_cut(args: argparse.Namespace) -> int:
    from director.export.audio_mix import export_cut_with_sound
    from director.export.mp4 import Mp4Options
    from director.store import audio as sound
    from director.store.cuts import find_timeline
    from director.store.edit_settings import record_start

    with open_project(args, readonly=True) as project:
        cut = project_cut(project, args.timeline)
        width, height = parse_size(args.size) if args.size else (0, 0)
        options = Mp4Options(
            crf=args.crf, preset=args.preset, width=width, height=height, burn_in=args.burn_in,
            start_timecode=record_start(project), drop_frame=args.drop_frame,
            sound_takes=frozenset(sound.take_sound(project, [s.take_id for s in cut.segments])),
        )
        dest = _output(args, project, "_cut.mp4")
        plan = None if args.no_audio else sound.mix_plan(project, find_timeline(project, args.timeline), cut)
        result = _run(args, "Encoding", lambda progress: export_cut_with_sound(cut, project.media, dest, options, plan, progress=progress, skip_missing=args.skip_missing))
    audio_text = "no audio" if plan is None else "AAC stereo 48 kHz"
    if args.json:
        print_json({"path": result.path, "frames": result.frames, "width": result.width, "height": result.height, "fps": str(result.rate), "seconds": float(result.seconds), "colour": result.colour, "audio": plan is not None, "audio_samples": result.audio_samples, "skipped": _skipped_json(result.skipped)})
    else:
        print(f"wrote {result.path} ({result.frames} frames, {result.width}x{result.height}, {float(result.seconds):.2f} s at {result.rate} fps, {result.colour.upper()}, {audio_text})")
        if result.skipped:
            print(f"{len(result.skipped)} take(s) left out, black in their place:")
        _print_skipped(result.skipped)
    return 0


def _chosen_takes(project: Project, args: argparse.Namespace) -> list[int]:
    from director.store import shots, takes

    if args.cut:
        return [s.take_id for s in project_cut(project).segments if s.take_id is not None and s.kind != "gap"]
    ids = list(args.take)
    for code in args.shot:
        ids += [t.id for t in takes.selected_takes(project, shots.find_shot(project, code).id)]
    if not args.take and not args.shot:
        for shot in shots.list_shots(project):
            ids += [t.id for t in takes.selected_takes(project, shot.id)]
        if not ids:
            raise InvalidInput("no selected takes to export: select some (director take set … --flag selected), or name them with --take")
    return ids


def cmd_takes(args: argparse.Namespace) -> int:
    from director.export.takes import export_takes

    with open_project(args, readonly=True) as project:
        infos = list(take_infos(project, _chosen_takes(project, args)).values())
        dest = _output(args, project, "_takes")
        name = project.settings().name
        result = _run(args, "Takes", lambda progress: export_takes(infos, project.media, dest, project_name=name, progress=progress, skip_missing=args.skip_missing))
    if args.json:
        print_json({"folder": result.folder, "files": result.files, "sidecars": result.sidecars, "skipped": _skipped_json(result.skipped)})
    else:
        print(f"wrote {len(result.files)} take(s) with sidecars to {result.folder}")
        if result.skipped:
            print(f"{len(result.skipped)} take(s) left out:")
        _print_skipped(result.skipped)
    return 0


def cmd_storyboard(args: argparse.Namespace) -> int:
    from director.export.frames import Skipped
    from director.export.storyboard import build_storyboard

    skipped = Skipped() if args.skip_missing else None
    with open_project(args, readonly=True) as project:
        cut = project_cut(project, args.timeline) if args.order == "cut" else None
        board = build_storyboard(project, args.order, cut)
        dest = _output(args, project, "_storyboard.pdf")
        if dest.suffix.lower() == ".png":
            from director.export.contact_sheet import render_contact_sheet

            from director.store.audio import take_sound

            sound_takes = frozenset(take_sound(project, [p.take_id for p in board.panels]))
            size = _run(args, "Storyboard", lambda progress: render_contact_sheet(board, project.media, dest, columns=args.columns, progress=progress, skipped=skipped, sound_takes=sound_takes))
            summary = {"path": dest, "format": "png", "width": size[0], "height": size[1], "panels": len(board.panels)}
        elif dest.suffix.lower() == ".pdf":
            from director.export.storyboard_pdf import render_storyboard_pdf

            pages = _run(args, "Storyboard", lambda progress: render_storyboard_pdf(board, project.media, dest, panels_per_page=args.per_page, progress=progress, skipped=skipped))
            summary = {"path": dest, "format": "pdf", "pages": pages, "panels": len(board.panels)}
        else:
            raise InvalidInput(f"a storyboard is written as .pdf or .png, not {dest.suffix or 'a file without a suffix'}")
    skipped = list(skipped or ())
    if args.json:
        print_json({**summary, "skipped": _skipped_json(skipped)})
    else:
        extent = f"{summary['pages']} pages" if "pages" in summary else f"{summary['width']}x{summary['height']}"
        print(f"wrote {dest} ({summary['panels']} panels, {extent}; {board.summary()})")
        if skipped:
            print(f"{len(skipped)} panel(s) show 'media missing':")
        _print_skipped(skipped)
    return 0


def multicam_project_cut(project: Project, timeline: str | int | None = None) -> Cut:
    """project_cut with every camera's takes kept beside the live one (store.angles)."""
    from director.store.angles import multicam_cut
    from director.store.cuts import find_timeline

    project_cut(project, timeline)  # refuses an empty cut with the usual words
    return multicam_cut(project, find_timeline(project, timeline))


def cmd_interchange(args: argparse.Namespace) -> int:
    from director.core.cut import resampling
    from director.export.interchange import export_interchange, resolve_format
    from director.store.edit_settings import record_start

    with open_project(args, readonly=True) as project:
        cut = project_cut(project, args.timeline) if args.no_multicam else multicam_project_cut(project, args.timeline)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        dest = _output(args, project, FORMATS[args.format])
        resolve_format(dest, args.format)  # a .fcpxml/.xml choice is refused before any work
        name = _timeline_name(project, args.timeline)
        folder = getattr(args, "media_folder", None)
        start = record_start(project)
        plan = None
        if args.format != "otioz" and not args.no_audio:
            from director.store.audio import mix_plan
            from director.store.cuts import find_timeline

            plan = mix_plan(project, find_timeline(project, args.timeline), cut)
        result = _run(
            args, args.format.upper(),
            lambda progress: export_interchange(
                cut, infos, project.media, dest, args.format, name=name, media_folder=folder, progress=progress,
                skip_missing=args.skip_missing, absolute=getattr(args, "absolute", False), start_timecode=start, drop_frame=args.drop_frame,
                sound=plan,
            ),
        )
    notes = [(s, resampling(s, cut.rate)) for s in cut.segments if s.kind == "video" and s.take_id is not None]
    notes = [(s, r) for s, r in notes if not r.exact]
    if args.json:
        print_json({
            "path": result.path, "format": result.format, "writer": result.writer, "clips": result.clips, "media": result.media,
            "angles": len(cut.angles), "start_timecode": start, "skipped": _skipped_json(result.skipped),
            "resampled": [{"take_id": s.take_id, "record_start": s.record_start, **r.as_dict()} for s, r in notes],
        })
    else:
        media = f", media in {result.media[0].parent}" if result.media else ""
        angles = f", {len(cut.angles)} unchosen angle clip(s) kept disabled" if cut.angles else ""
        print(f"wrote {result.path} ({result.clips} clips{angles}{media})")
        for s, r in notes:
            print(f"take {s.take_id} at record frame {s.record_start}: {r.describe()}")
        if result.skipped:
            print(f"{len(result.skipped)} clip(s) left out, a gap in their place:")
        _print_skipped(result.skipped)
    return 0


def cmd_aaf(args: argparse.Namespace) -> int:
    from director.export.aaf import check_aaf_cut, export_aaf
    from director.store.edit_settings import record_start

    with open_project(args, readonly=True) as project:
        cut = project_cut(project, args.timeline)
        check_aaf_cut(cut)
        infos = take_infos(project, [s.take_id for s in cut.segments])
        dest = _output(args, project, ".aaf")
        name, start = _timeline_name(project, args.timeline), record_start(project)
        result = _run(args, "AAF", lambda progress: export_aaf(
            cut, infos, project.media, dest, name=name, media_folder=args.media_folder, progress=progress,
            skip_missing=args.skip_missing, start_timecode=start,
        ))
    if args.json:
        print_json({"path": result.path, "format": "aaf", "clips": result.clips, "media": result.media, "start_timecode": start,
                    "skipped": _skipped_json(result.skipped)})
    else:
        media = f", media in {result.media[0].parent}" if result.media else ""
        print(f"wrote {result.path} ({result.clips} clips{media})")
        _print_skipped(result.skipped)
    return 0


def cmd_start_tc(args: argparse.Namespace) -> int:
    from director.store.edit_settings import record_start, set_record_start

    with open_project(args, readonly=args.timecode is None) as project:
        if args.timecode is not None:
            set_record_start(project, args.timecode)
        value = record_start(project)
    if args.json:
        print_json({"start_timecode": value})
    else:
        print(f"programme start: {value}")
    return 0
