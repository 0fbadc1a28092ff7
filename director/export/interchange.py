"""The cut for an editing suite: OpenTimelineIO (.otio, .otioz), CMX 3600 EDL and FCP 7 XML.

One OTIO timeline is built from the Cut (one video track; gaps stay gaps) and written through
OTIO's adapters: the EDL and FCP XML adapters are the separate `otio-cmx3600-adapter` and
`otio-fcp-adapter` packages (pinned in pyproject.toml). Clips reference copies of the takes'
media exported beside the file under readable names (`10_A_t17.mp4`), not the content-addressed
store, so the edit survives the project moving. Times are at the cut's rate throughout.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from director.core.cut import Cut, CutSegment
from director.core.errors import DirectorError, InvalidInput
from director.store.destinations import check_output_folder
from director.export.common import INTERCHANGE_SUFFIXES, CancelFn, ProgressFn, Reporter, atomic_output, check_destination, safe_name, temp_beside
from director.export.frames import MediaIssue, MediaPaths, Skipped, check_media
from director.export.takeinfo import TakeInfo

FORMATS = INTERCHANGE_SUFFIXES
ADAPTERS = {"otio": "otio_json", "otioz": "otioz", "edl": "cmx_3600", "fcpxml": "fcp_xml"}
NAMESPACE = "director"


@dataclass(frozen=True)
class InterchangeResult:
    path: Path
    format: str
    clips: int
    media: tuple[Path, ...]  # the exported media files the edit references (none for .otioz)
    skipped: tuple[MediaIssue, ...] = ()  # takes left out (a gap in their place) with skip_missing


def media_name(info: TakeInfo | None, seg: CutSegment) -> str:
    ext = Path(seg.media_path or "").suffix or (".png" if seg.kind == "image" else ".mp4")
    shot = safe_name((info.shot_code if info else "") or seg.shot_code or "shot")
    camera = safe_name((info.camera if info else "") or seg.camera or "X")
    return f"{shot}_{camera}_t{seg.take_id}{ext}"


def used_takes(cut: Cut) -> list[CutSegment]:
    """The first segment of each take the cut shows, in cut order."""
    seen: dict[int, CutSegment] = {}
    for seg in sorted(cut.segments, key=lambda s: s.record_start):
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
        leave_out = check_media(cut, media)
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
    if seg.clip_id is not None:
        meta["clip_id"] = seg.clip_id
    return meta


def _one_line(text: str) -> str:
    """One line of ASCII, as an EDL holds: accents folded ("über" → "uber"), anything else '?'."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", " ".join(text.split())) if not unicodedata.combining(c))
    return folded.encode("ascii", "replace").decode("ascii")


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


def _ceil_rescale(frames: int, src, dst) -> int:
    return -(-frames * dst.num * src.den // (src.num * dst.den))


def build_timeline(cut: Cut, infos: dict[int, TakeInfo], media_files: dict[int, Path], name: str = "Director cut", skipped: tuple[MediaIssue, ...] = ()) -> otio.schema.Timeline:
    """The cut as an OTIO timeline: clips with file references and `director` metadata, gaps as gaps.

    Record time starts at 01:00:00:00 (the editing-suite convention for a programme's first frame).
    A take left out (`skipped`) becomes a gap of its length whose metadata says which and why.
    """
    left_out = {i.take_id: i for i in skipped}
    rate = cut.rate.fps
    rt = lambda frames: otio.opentime.RationalTime(frames, rate)  # noqa: E731
    timeline = otio.schema.Timeline(name=name)
    timeline.global_start_time = rt(cut.rate.nominal * 3600)
    timeline.metadata[NAMESPACE] = {"fps": str(cut.rate), "width": cut.width, "height": cut.height}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    still_lengths: dict[int, int] = {}
    for seg in cut.segments:
        if seg.kind == "image" and seg.take_id is not None:
            still_lengths[seg.take_id] = max(still_lengths.get(seg.take_id, 0), seg.duration)
    position = 0
    for seg in sorted(cut.segments, key=lambda s: s.record_start):
        if seg.record_start > position:  # a hole the contract left implicit
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(seg.record_start - position))))
        position = seg.record_end
        if seg.take_id is None or seg.kind == "gap" or seg.take_id not in media_files:
            gap = otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(seg.duration)))
            if seg.metadata.get("missing"):
                gap.metadata[NAMESPACE] = {"missing": seg.metadata["missing"]}
            if seg.take_id in left_out:
                gap.metadata[NAMESPACE] = {"skipped": left_out[seg.take_id].as_dict(), "shot": seg.shot_code, "camera": seg.camera}
            track.append(gap)
            continue
        info = infos.get(seg.take_id)
        if seg.kind == "image":
            start, available = 0, still_lengths[seg.take_id]
        else:
            start = seg.source_rate.rescale(seg.source_start, cut.rate) if seg.source_rate != cut.rate else seg.source_start
            available = _ceil_rescale(seg.source_frames, seg.source_rate, cut.rate)
        path = media_files[seg.take_id]
        ref = otio.schema.ExternalReference(
            target_url=otio.url_utils.url_from_filepath(str(path)),
            available_range=otio.opentime.TimeRange(rt(0), rt(max(available, start + seg.duration))),
        )
        ref.name = path.name
        clip_name = path.stem
        clip = otio.schema.Clip(name=clip_name, media_reference=ref, source_range=otio.opentime.TimeRange(rt(start), rt(seg.duration)))
        clip.metadata[NAMESPACE] = _clip_metadata(seg, info)
        # EDL reels are at most 8 characters; a take id is unique and short.
        clip.metadata["cmx_3600"] = {"reel": f"T{seg.take_id}"[:8], "comments": edl_comments(info)}
        track.append(clip)
    return timeline


def default_media_folder(dest: Path) -> Path:
    return dest.with_name(f"{dest.stem}_media")


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
) -> InterchangeResult:
    """Write the cut as `fmt` ('otio', 'otioz', 'edl', 'fcpxml'; default from dest's suffix).

    For all but .otioz the used takes' media is copied to `media_folder` (default DEST-STEM_media
    beside the file) and referenced by absolute file URL; .otioz carries the media inside the zip.
    `infos` comes from takeinfo.take_infos(project, …) on the caller's thread; the rest touches
    only files, so it can run on a worker thread. A take whose media is missing, damaged or
    tampered raises TakeMediaError naming it before anything is written; with skip_missing its
    clip is left out (a gap of the same length keeps the edit in sync) and listed in `skipped`.
    """
    path = check_destination(dest)
    fmt = fmt or next((f for f, ext in FORMATS.items() if path.suffix.lower() == ext), None)
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown interchange format {fmt!r} for {path.name}; use one of: {', '.join(FORMATS)}")
    if cut.duration <= 0:
        raise InvalidInput("the cut is empty: place takes on the timeline first")
    folder = None if fmt == "otioz" else check_output_folder(media_folder if media_folder else default_media_folder(path))
    skipped = Skipped() if skip_missing else None
    leave_out = check_media(cut, media, skipped)  # before any file or folder is made
    skipped = tuple(skipped or ())
    used = used_takes(cut)
    reporter = Reporter(len(used) + 1, progress, is_cancelled)
    reporter.start()
    if fmt == "otioz":
        # The bundle names its media by file name: stage readable copies (hard links when the
        # filesystem allows) in a private folder that is removed afterwards.
        with tempfile.TemporaryDirectory(prefix=".director-otioz-", dir=path.parent) as staging:
            files = _stage(cut, infos, media, Path(staging), reporter, leave_out)
            timeline = build_timeline(cut, infos, files, name, skipped)
            with atomic_output(path) as temp:
                reporter.check()
                _write(timeline, temp, fmt, cut)
        reporter.step()
        return InterchangeResult(path, fmt, _clips(timeline), (), skipped)
    files = export_media(cut, infos, media, folder, reporter, leave_out=leave_out)
    timeline = build_timeline(cut, infos, files, name, skipped)
    with atomic_output(path) as temp:
        reporter.check()
        _write(timeline, temp, fmt, cut)
    reporter.step()
    return InterchangeResult(path, fmt, _clips(timeline), tuple(dict.fromkeys(files.values())), skipped)


def _stage(cut: Cut, infos, media: MediaPaths, folder: Path, reporter: Reporter, leave_out: set[int]) -> dict[int, Path]:
    out = {}
    for seg in used_takes(cut):
        if seg.take_id in leave_out:
            reporter.step()
            continue
        reporter.check()
        target = folder / media_name(infos.get(seg.take_id), seg)
        try:
            os.link(media.path(seg.media_path), target)
        except OSError:
            shutil.copyfile(media.path(seg.media_path), target)
        out[seg.take_id] = target
        reporter.step()
    return out


def _clips(timeline: otio.schema.Timeline) -> int:
    return sum(1 for _ in timeline.find_clips())


def _write(timeline: otio.schema.Timeline, path: Path, fmt: str, cut: Cut) -> None:
    try:
        if fmt == "edl":
            text = otio.adapters.write_to_string(timeline, adapter_name="cmx_3600", rate=cut.rate.fps, style="avid")
            path.write_text(text, encoding="ascii", errors="replace")
        else:
            otio.adapters.write_to_file(timeline, str(path), adapter_name=ADAPTERS[fmt])
    except otio.exceptions.OTIOError as exc:
        raise DirectorError(f"could not write the {fmt} file: {exc}") from exc
