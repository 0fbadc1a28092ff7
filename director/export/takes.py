"""Takes → files: each selected take's media under a readable name, with everything that made it.

A JSON sidecar beside each file records the take's recipe (the prompt exactly as the model received
it, negative, camera setup, preset, params, seeds, what ran), size, frames, fps, timings and money,
so a take dropped into another tool can be regenerated or costed.
The media carries the essentials too, for when the sidecar gets separated: PNG text chunks for
stills, an MP4 `comment` tag (a stream copy, never a re-encode) for video.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import av

from director import __version__
from director.core.errors import DirectorError, InvalidInput
from director.store.destinations import check_output_folder
from director.export.common import CancelFn, ProgressFn, Reporter, safe_name, temp_beside
from director.export.frames import DECODE_ERRORS, MediaIssue, MediaPaths, Skipped, TakeMediaError, damaged, media_issue
from director.export.png_text import add_text
from director.export.takeinfo import TakeInfo


@dataclass(frozen=True)
class TakesResult:
    folder: Path
    files: tuple[Path, ...]  # media files, in the order given
    sidecars: tuple[Path, ...]
    skipped: tuple[MediaIssue, ...] = ()  # takes left out with skip_missing


def file_stem(info: TakeInfo) -> str:
    return f"{safe_name(info.shot_code)}_{safe_name(info.camera or 'X')}_t{info.take_id}"


def sidecar(info: TakeInfo, project_name: str = "") -> dict:
    """The sidecar's fields; `take` keeps every TakeInfo field, the top level the ones people look for.

    The recipe's facts (prompt as the model received it, negative, camera setup, preset, params,
    seeds, run) come from TakeInfo.facts; a take without a recipe says so in `recipe` and shows the
    prompt version its job pointed at, labelled as that, with no `prompt` of its own."""
    data = info.as_dict()
    return {
        "director": __version__,
        "project": project_name,
        "shot": info.shot_code,
        "shot_title": info.shot_title,
        "camera": info.camera,
        "take_id": info.take_id,
        "prompt": info.prompt if info.recipe_recorded else None,
        "negative": info.negative if info.recipe_recorded else None,
        "recipe_recorded": info.recipe_recorded,
        "recipe": info.recipe,
        **info.facts,  # a take without a recipe: "recipe" becomes the sentence saying so
        "model_revision": info.model_revision,
        "width": info.width,
        "height": info.height,
        "frames": info.frames,
        "fps": info.fps,
        "timings": info.timings,
        "money": info.money,
        "job_money": info.job_money,
        "currency": info.currency,
        "take": data,
    }


def _embedded(info: TakeInfo) -> dict[str, str]:
    """The short form carried inside the media itself: every value a string."""
    out = {"shot": info.shot_code, "camera": info.camera, "take_id": str(info.take_id), "model_revision": info.model_revision or ""}
    for key, value in info.facts.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return out


def write_png_with_text(source: Path, dest: Path, info: TakeInfo) -> None:
    values = {"Title": f"{info.shot_code} {info.camera} take {info.take_id}".strip(), "Description": info.prompt_text, "Software": f"Director {__version__}"}
    values.update(_embedded(info))
    values["director"] = json.dumps(_embedded(info), ensure_ascii=False, sort_keys=True)
    try:
        dest.write_bytes(add_text(source.read_bytes(), values))
    except ValueError as exc:
        raise DirectorError(f"take {info.take_id}: {source.name} is not a readable PNG ({exc})") from exc


def remux_with_comment(source: Path, dest: Path, info: TakeInfo) -> None:
    """Copy the packets into a new MP4 whose `comment` tag is the take's JSON: no quality lost."""
    comment = json.dumps(_embedded(info), ensure_ascii=False, sort_keys=True)
    with av.open(str(source)) as inp, av.open(str(dest), "w", format="mp4") as out:
        out.metadata["comment"] = comment
        out.metadata["title"] = f"{info.shot_code} {info.camera} take {info.take_id}".strip()
        mapping = {}
        for s in inp.streams:
            if s.type in ("video", "audio"):
                mapping[s.index] = out.add_stream_from_template(s)
        for packet in inp.demux(list(inp.streams)):
            if packet.stream.index not in mapping or packet.dts is None:
                continue  # the demuxer's flush packets carry no data
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)


def _write_atomic(dest: Path, write) -> None:
    temp = temp_beside(dest)
    try:
        write(temp)
        os.replace(temp, dest)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_takes(
    infos: list[TakeInfo],
    media: MediaPaths,
    folder: str | os.PathLike,
    *,
    project_name: str = "",
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    skip_missing: bool = False,
) -> TakesResult:
    """Write each take's media and sidecar into `folder` (created if missing).

    Each file appears whole or not at all; a cancel keeps the takes already finished. Every take's
    media is looked at first: one that is missing, damaged or tampered raises TakeMediaError naming
    it before anything is written; with skip_missing it is left out and listed in `skipped`.
    """
    if not infos:
        raise InvalidInput("no takes to export: select takes first (or name them)")
    out = check_output_folder(folder)
    skipped = Skipped()
    for info in infos:
        issue = media_issue(media, info.media_path, info.kind, take_id=info.take_id, shot_code=info.shot_code)
        if issue is not None:
            skipped.add(issue)
    if skipped and not skip_missing:
        raise TakeMediaError(skipped)
    chosen = [info for info in infos if info.take_id not in skipped.take_ids()]
    if not chosen:
        raise TakeMediaError(skipped)  # nothing left to write: say why rather than make an empty folder
    out.mkdir(exist_ok=True)
    reporter = Reporter(len(chosen), progress, is_cancelled)
    reporter.start()
    files, sidecars, created = [], [], []
    try:
        for info in chosen:
            reporter.check()
            source = media.path(info.media_path)
            ext = source.suffix.lower() or (".png" if info.kind == "image" else ".mp4")
            target = out / f"{file_stem(info)}{ext}"
            existed = target.exists()
            try:
                if ext == ".png":
                    _write_atomic(target, lambda t: write_png_with_text(source, t, info))
                elif ext in (".mp4", ".mov", ".m4v"):
                    _write_atomic(target, lambda t: remux_with_comment(source, t, info))
                else:  # some other container: copied as is; the sidecar still says everything
                    _write_atomic(target, lambda t: t.write_bytes(source.read_bytes()))
            except DECODE_ERRORS as exc:  # unreadable past its first frame
                if isinstance(exc, TakeMediaError):
                    raise
                issue = damaged(info.take_id, info.shot_code, info.media_path, source, exc)
                if not skip_missing:
                    raise TakeMediaError([issue]) from exc
                skipped.add(issue)
                reporter.step()
                continue
            if not existed:
                created.append(target)
            side = out / f"{file_stem(info)}.json"
            if not side.exists():
                created.append(side)
            text = json.dumps(sidecar(info, project_name), indent=2, ensure_ascii=False) + "\n"
            _write_atomic(side, lambda t: t.write_text(text, encoding="utf-8"))
            files.append(target)
            sidecars.append(side)
            reporter.step()
    except TakeMediaError:
        for path in created:  # a refused export leaves nothing of its own behind
            path.unlink(missing_ok=True)
        raise
    return TakesResult(out, tuple(files), tuple(sidecars), tuple(skipped))
