"""The cut for an editing suite: OpenTimelineIO (.otio, .otioz), CMX 3600 EDL and FCP 7 XML.

One OTIO timeline is built from the Cut (one video track; gaps stay gaps) and written through
OTIO's adapters: the EDL and FCP XML adapters are the separate `otio-cmx3600-adapter` and
`otio-fcp-adapter` packages (pinned in pyproject.toml). Clips reference copies of the takes'
media exported beside the file under readable names (`10_A_t17.mp4`), not the content-addressed
store, so the edit survives the project moving. Times are at the cut's rate throughout.

Sound (a mix plan from store.audio.mix_plan): each track that plays something becomes an audio
track (OTIO kind Audio, EDL audio events, FCP 7 XML audio tracks) of clips naming 48 kHz WAVs
copied beside the edit (`take17_sound.wav`, `sound3.wav`); positions are the plan's samples at
the cut's rate, whole frames wherever the sound sits on frame edges.
"""

from __future__ import annotations

import os
import shutil
import stat
import urllib.parse
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import opentimelineio as otio
from opentimelineio.adapters.file_bundle_utils import BUNDLE_DIR_NAME as BUNDLE_MEDIA
from opentimelineio.adapters.file_bundle_utils import BUNDLE_VERSION, BUNDLE_VERSION_FILE

from director.core.cut import Cut, CutSegment
from director.core.errors import DirectorError, InvalidInput
from director.core.smpte import DEFAULT_START, RecordClock
from director.store.destinations import check_output_folder, file_mode
from director.core.audio import MixPlan
from director.export.audio_mix import SoundLane, at_rate, export_sound_media, sound_lanes
from director.export.common import FCP_FLAVOURS, INTERCHANGE_SUFFIXES, CancelFn, ProgressFn, Reporter, atomic_output, check_destination, safe_name, temp_beside
from director.export.edit_model import NAMESPACE, PROGRAM, EditModel, Event, build_model, link
from director.export.frames import MediaIssue, MediaPaths, Skipped, check_media
from director.export.takeinfo import TakeInfo

FORMATS = INTERCHANGE_SUFFIXES


@dataclass(frozen=True)
class InterchangeResult:
    path: Path
    format: str
    clips: int
    media: tuple[Path, ...]  # the exported media files the edit references (none for .otioz)
    skipped: tuple[MediaIssue, ...] = ()  # takes left out (a gap in their place) with skip_missing
    writer: str = ""  # 'otio', 'otioz', 'edl', 'fcp7' (.xml) or 'fcpx' (.fcpxml)


def media_name(info: TakeInfo | None, seg: CutSegment) -> str:
    ext = Path(seg.media_path or "").suffix or (".png" if seg.kind == "image" else ".mp4")
    shot = safe_name((info.shot_code if info else "") or seg.shot_code or "shot")
    camera = safe_name((info.camera if info else "") or seg.camera or "X")
    return f"{shot}_{camera}_t{seg.take_id}{ext}"


def used_takes(cut: Cut) -> list[CutSegment]:
    """The first segment of each take the cut shows (its angles' takes too), in cut order."""
    seen: dict[int, CutSegment] = {}
    for seg in sorted(tuple(cut.segments) + tuple(cut.angles), key=lambda s: (s.record_start, not s.enabled)):
        if seg.take_id is not None and seg.kind != "gap" and seg.media_path and seg.take_id not in seen:
            seen[seg.take_id] = seg
    return list(seen.values())


def export_media(
    cut: Cut,
    infos: dict[int, TakeInfo],
    media: MediaPaths,
    folder: Path,
    reporter: Reporter | None = None,
    *,
    leave_out: set[int] | None = None,
) -> dict[int, Path]:
    """Copy each used take's media into `folder` once; an identical copy already there is kept.

    Each copy goes through a temporary name, so a cancelled export leaves only whole files. The
    takes' files are checked first (check_media) unless `leave_out` gives the ids already found
    wanting, which are not copied.
    """
    if leave_out is None:
        leave_out = check_media(_all_segments(cut), media)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[int, Path] = {}
    for seg in used_takes(cut):
        if seg.take_id in leave_out:
            if reporter:
                reporter.step()
            continue
        if reporter:
            reporter.check()
        source = media.path(seg.media_path)
        target = folder / media_name(infos.get(seg.take_id), seg)
        if not (target.is_file() and target.stat().st_size == source.stat().st_size):
            temp = temp_beside(target)
            try:
                shutil.copyfile(source, temp)
                os.replace(temp, target)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
        out[seg.take_id] = target
        if reporter:
            reporter.step()
    return out


def _clip_metadata(seg: CutSegment, info: TakeInfo | None) -> dict:
    meta = {"take_id": seg.take_id, "shot": seg.shot_code, "camera": seg.camera}
    if info is not None:
        meta.update(shot=info.shot_code, shot_title=info.shot_title, camera=info.camera)
        meta.update(info.facts)  # the recorded recipe, or "recipe": the sentence saying there is none
        meta.update(
            prompt_version=info.prompt_version,
            model_revision=info.model_revision or "",
            money=info.money or "",
            job_money=info.job_money or "",
            currency=info.currency,
            rating=info.rating,
            notes=info.notes,
        )
        if info.mattes:  # its roto mattes (store.roto): name, content address, job, frames
            meta["mattes"] = [dict(m) for m in info.mattes]
    if seg.clip_id is not None:
        meta["clip_id"] = seg.clip_id
    if "source_frame" in seg.metadata:  # the shot frame it starts on: what a re-import rebuilds the clip from
        meta["shot_frame"] = int(seg.metadata["source_frame"])
    return meta


def _one_line(text: str) -> str:
    """One line (a comment holds no line breaks), in full UTF-8."""
    return " ".join(str(text).split())


def edl_comments(info: TakeInfo | None) -> list[str]:
    """The take's prompt as CMX 3600 comment lines (`* PROMPT: …` under its event), or the plain
    statement that its recipe was not recorded and the prompt version its job pointed at."""
    if info is None:
        return []
    if info.recipe_recorded:
        lines = [f"PROMPT: {_one_line(info.prompt)}"]
        if info.negative:
            lines.append(f"NEGATIVE: {_one_line(info.negative)}")
        lines.append(f"SEED: {info.seed}  PRESET: {info.preset}" + ("  (random weights)" if info.random_weights else ""))
        return lines
    lines = [info.recipe_note]
    if info.prompt_version is not None:
        lines.append(f"PROMPT VERSION {info.prompt_version} (the shot prompt alone; its camera framing was not recorded): {_one_line(info.version_prompt)}")
    return lines


def _otio_rate(rate) -> float:
    return rate.fps


def _clip_for(event: Event, model: EditModel, links: dict[int, str]) -> otio.core.Item:
    """An OTIO clip (or gap) for one event. The clip's source range starts on the take frame the
    frame map names, at the media's own rate, and lasts the event's record frames at the cut's
    rate: a reader that plays from that frame at real time shows what the MP4 shows."""
    rate = model.rate
    rt = lambda frames, r=rate: otio.opentime.RationalTime(frames, _otio_rate(r))  # noqa: E731
    seg = event.seg
    if event.is_gap:
        gap = otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(event.duration)))
        if event.note:
            gap.metadata[NAMESPACE] = dict(event.note)
        return gap
    path = event.media
    ref = otio.schema.ExternalReference(
        target_url=links[seg.take_id],
        available_range=otio.opentime.TimeRange(rt(0, event.source_rate), rt(event.source_frames, event.source_rate)),
    )
    ref.name = path.name
    clip = otio.schema.Clip(
        name=path.stem, media_reference=ref,
        source_range=otio.opentime.TimeRange(rt(event.source_in, event.source_rate), rt(event.duration)),
    )
    clip.enabled = event.enabled
    meta = _clip_metadata(seg, event.info)
    meta.update(source_rate=str(event.source_rate), source_in=event.source_in, source_out=event.source_out)
    if not event.resampling.exact:
        meta["resampling"] = event.resampling.as_dict()
    if model.multicam and event.group is not None:
        meta.update(angle_group=f"{event.shot} clip {event.group}", angle=event.camera, live=event.enabled)
    clip.metadata[NAMESPACE] = meta
    clip.metadata["cmx_3600"] = {"reel": event.reel, "comments": edl_comments(event.info)}
    return clip


def _track(name: str, events, model: EditModel, links: dict[int, str]) -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Video)
    rt = lambda frames: otio.opentime.RationalTime(frames, _otio_rate(model.rate))  # noqa: E731
    position = 0
    for event in events:
        if event.record_start > position:
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(event.record_start - position))))
        track.append(_clip_for(event, model, links))
        position = event.record_end
    return track


def build_timeline(model: EditModel, links: dict[int, str]) -> otio.schema.Timeline:
    """The cut as an OTIO timeline: clips with links and `director` metadata, gaps as gaps.

    Record time starts at the project's programme start (01:00:00:00 unless set otherwise). A cut
    with angles gets one track per camera: each record range's live angle enabled, the other
    cameras' takes present and disabled, every clip naming its angle group; without angles one
    track holds the program. A take left out (`skipped`) is a gap whose metadata says which and why.
    """
    cut = model.cut
    timeline = otio.schema.Timeline(name=model.name)
    timeline.global_start_time = otio.opentime.RationalTime(model.clock.start_frame, _otio_rate(cut.rate))
    timeline.metadata[NAMESPACE] = {
        "fps": str(cut.rate), "width": cut.width, "height": cut.height,
        "start_timecode": model.clock.timecode(0), "drop_frame": model.clock.drop_frame,
        "multicam": model.multicam,
    }
    if not model.multicam:
        timeline.tracks.append(_track(PROGRAM, model.program, model, links))
        return timeline
    program = [e for e in model.program]
    for camera, events in model.lanes.items():
        lane = list(events)
        # black in the program (a gap, a take left out) stays black on every camera's track
        track = _track(camera, _with_program_gaps(lane, program), model, links)
        track.metadata[NAMESPACE] = {"camera": camera}
        timeline.tracks.append(track)
    return timeline


def sound_track(lane: SoundLane, rate, links: dict[Path, str]) -> otio.schema.Track:
    """One audio track: gaps and clips at the cut's rate (sample positions as exact frames)."""
    fps = _otio_rate(rate)
    rt = lambda samples: otio.opentime.RationalTime(float(at_rate(samples, rate)), fps)  # noqa: E731
    track = otio.schema.Track(name=lane.name, kind=otio.schema.TrackKind.Audio)
    track.metadata[NAMESPACE] = {"mute": lane.mute, "solo": lane.solo, "gain_db": lane.gain_db, "sample_rate": 48000}
    position = 0
    for clip in lane.clips:
        if clip.record_start > position:
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(clip.record_start - position))))
        ref = otio.schema.ExternalReference(target_url=links[clip.path], available_range=otio.opentime.TimeRange(rt(0), rt(clip.available)))
        ref.name = clip.path.name
        item = otio.schema.Clip(name=clip.path.stem, media_reference=ref, source_range=otio.opentime.TimeRange(rt(clip.source_in), rt(clip.duration)))
        item.metadata[NAMESPACE] = {"record_start_samples": clip.record_start, "source_in_samples": clip.source_in,
                                    "duration_samples": clip.duration, "gain_db": clip.gain_db}
        item.enabled = not lane.mute
        track.append(item)
        position = clip.record_end
    return track


def _with_program_gaps(lane: list[Event], program: list[Event]) -> list[Event]:
    taken = [(e.record_start, e.record_end) for e in lane]
    extra = [g for g in program if g.is_gap and g.note and not any(a < g.record_end and g.record_start < b for a, b in taken)]
    return sorted(lane + extra, key=lambda e: e.record_start)


def default_media_folder(dest: Path) -> Path:
    return dest.with_name(f"{dest.stem}_media")


def resolve_format(path: Path, fmt: str | None) -> tuple[str, str]:
    """(format, writer) for a destination: the format asked for (or the one its suffix names), and
    for 'fcpxml' the flavour its suffix picks: .xml is Final Cut Pro 7 XML, .fcpxml is FCPXML."""
    suffix = path.suffix.lower()
    if fmt is None:
        fmt = next((f for f, ext in FORMATS.items() if suffix == ext), None) or ("fcpxml" if suffix in FCP_FLAVOURS else None)
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown interchange format {fmt!r} for {path.name}; use one of: {', '.join(FORMATS)} (or name the file .fcpxml)")
    if fmt == "fcpxml":
        if suffix not in FCP_FLAVOURS:
            choices = "; ".join(f"{ext} for {text}" for ext, (_, text) in FCP_FLAVOURS.items())
            raise InvalidInput(f"a Final Cut Pro XML file is named {' or '.join(FCP_FLAVOURS)}, not {path.name}: {choices}")
        return fmt, FCP_FLAVOURS[suffix][0]
    return fmt, fmt


def export_interchange(
    cut: Cut,
    infos: dict[int, TakeInfo],
    media: MediaPaths,
    dest: str | os.PathLike,
    fmt: str | None = None,
    *,
    name: str = "Director cut",
    media_folder: str | os.PathLike | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    skip_missing: bool = False,
    absolute: bool = False,
    start_timecode: str = DEFAULT_START,
    drop_frame: bool = False,
    sound: MixPlan | None = None,
) -> InterchangeResult:
    """Write the cut as `fmt` ('otio', 'otioz', 'edl', 'fcpxml'; default from dest's suffix; for
    'fcpxml' a .xml name writes Final Cut Pro 7 XML and a .fcpxml name FCPXML 1.10).

    For all but .otioz the used takes' media (the angles' too) is copied to `media_folder` (default
    DEST-STEM_media beside the file) and linked relative to the file, so the folder can be moved or
    zipped whole; `absolute` writes absolute file URLs instead. .otioz carries the media inside.
    Record timecode starts at `start_timecode` (the project's, store.edit_settings.record_start),
    drop frame at 29.97/59.94 when asked. Every source in point comes from the core frame map.
    `infos` comes from takeinfo.take_infos(project, …) on the caller's thread; the rest touches
    only files, so it can run on a worker thread. A take whose media is missing, damaged or
    tampered raises TakeMediaError naming it before anything is written; with skip_missing its
    clip is left out (a gap of the same length keeps the edit in sync) and listed in `skipped`.
    """
    path = check_destination(dest)
    fmt, writer = resolve_format(path, fmt)
    if cut.duration <= 0:
        raise InvalidInput("the cut is empty: place takes on the timeline first")
    clock = RecordClock(cut.rate, start_timecode, drop_frame)
    clock.start_frame  # a start that does not exist at this rate is refused before any work
    folder = None if fmt == "otioz" else check_output_folder(media_folder if media_folder else default_media_folder(path))
    skipped = Skipped() if skip_missing else None
    leave_out = check_media(_all_segments(cut), media, skipped)  # before any file or folder is made
    skipped = tuple(skipped or ())
    used = used_takes(cut)
    reporter = Reporter(len(used) + 1, progress, is_cancelled)
    reporter.start()
    left_out = {i.take_id: i.as_dict() for i in skipped}
    if fmt == "otioz":
        with atomic_output(path) as temp:
            _write_otioz(cut, infos, media, temp, name, clock, left_out, leave_out, reporter)
            reporter.check()
        reporter.step()
        with zipfile.ZipFile(path) as z:
            clips = _clips(otio.adapters.read_from_string(z.read(BUNDLE_CONTENT).decode("utf-8"), "otio_json"))
        return InterchangeResult(path, fmt, clips, (), skipped, writer)
    files = export_media(cut, infos, media, folder, reporter, leave_out=leave_out)
    lanes: list[SoundLane] = []
    if sound is not None and sound.has_sound:
        sound_files = export_sound_media(sound, media, folder)
        lanes = sound_lanes(sound, sound_files)
    model = build_model(cut, infos, files, name, clock, left_out)
    with atomic_output(path) as temp:
        reporter.check()
        clips = _write(model, temp, path, writer, absolute, lanes)
    reporter.step()
    copied = tuple(dict.fromkeys(list(files.values()) + [c.path for lane in lanes for c in lane.clips]))
    return InterchangeResult(path, fmt, clips, copied, skipped, writer)


def _all_segments(cut: Cut) -> Cut:
    """The cut with its angles as segments too, for the media checks (every file an edit names)."""
    return replace(cut, segments=tuple(cut.segments) + tuple(cut.angles), angles=())


BUNDLE_CONTENT = "content.otio"


def _zip_entry(name: str) -> zipfile.ZipInfo:
    """A zip member that unpacks with the mode any other file the user makes gets (0644 under the
    usual umask), not zipfile's 0600 default."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | file_mode()) << 16
    info.create_system = 3  # unix: readers honour the mode bits
    return info


def _write_otioz(cut: Cut, infos, media: MediaPaths, temp: Path, name: str, clock: RecordClock, left_out: dict, leave_out: set[int], reporter: Reporter) -> None:
    """An OTIOZ bundle as OTIO's own adapter reads it: version.txt, content.otio with links
    'media/NAME' relative to the bundle, and the media stored (not recompressed) under media/."""
    files: dict[int, Path] = {}
    for seg in used_takes(cut):
        if seg.take_id in leave_out:
            continue
        files[seg.take_id] = Path(BUNDLE_MEDIA) / media_name(infos.get(seg.take_id), seg)
    model = build_model(cut, infos, files, name, clock, left_out)
    links = {tid: urllib.parse.quote(p.as_posix(), safe="/") for tid, p in files.items()}
    timeline = build_timeline(model, links)
    with zipfile.ZipFile(temp, "w") as z:
        z.writestr(_zip_entry(BUNDLE_VERSION_FILE), BUNDLE_VERSION, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(_zip_entry(BUNDLE_CONTENT), otio.adapters.write_to_string(timeline, "otio_json"), compress_type=zipfile.ZIP_DEFLATED)
        for seg in used_takes(cut):
            if seg.take_id not in files:
                reporter.step()
                continue
            reporter.check()
            with open(media.path(seg.media_path), "rb") as source, z.open(_zip_entry(files[seg.take_id].as_posix()), "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            reporter.step()


def _clips(timeline: otio.schema.Timeline) -> int:
    return sum(1 for c in timeline.find_clips() if c.enabled)


def _write(model: EditModel, temp: Path, final: Path, writer: str, absolute: bool, lanes: list[SoundLane] = ()) -> int:
    """Write `model` to `temp` (renamed onto `final` afterwards; links are relative to `final`)."""
    media = {e.seg.take_id: e.media for e in model.events() if e.media is not None}
    sounds = {c.path for lane in lanes for c in lane.clips}
    try:
        if writer == "otio":
            links = {tid: link(p, final, absolute) for tid, p in media.items()}
            timeline = build_timeline(model, links)
            count = _clips(timeline)  # the picture's clips; the sound's are counted by the caller's media list
            for lane in lanes:
                timeline.tracks.append(sound_track(lane, model.rate, {p: link(p, final, absolute) for p in sounds}))
            otio.adapters.write_to_file(timeline, str(temp), adapter_name="otio_json")
            return count
        if writer == "edl":
            from director.export.edl import write_edl

            return write_edl(model, temp, {tid: link(p, final, absolute) for tid, p in media.items()}, lanes, {p: link(p, final, absolute) for p in sounds})
        if writer == "fcp7":
            from director.export.fcp7 import write_fcp7

            return write_fcp7(model, temp, {tid: link(p, final, absolute, host="localhost") for tid, p in media.items()},
                              lanes, {p: link(p, final, absolute, host="localhost") for p in sounds})
        if writer == "fcpx":
            from director.export.fcpx import write_fcpx

            return write_fcpx(model, temp, {tid: link(p, final, absolute) for tid, p in media.items()},
                              lanes, {p: link(p, final, absolute) for p in sounds})
    except otio.exceptions.OTIOError as exc:
        raise DirectorError(f"could not write the {writer} file: {exc}") from exc
    raise InvalidInput(f"unknown interchange writer {writer!r}")
