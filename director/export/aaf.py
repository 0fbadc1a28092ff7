"""The cut as AAF for Avid Media Composer, through the otio-aaf-adapter (optional: `director[aaf]`).

Built from the same OTIO edit as every other export (one frame map, media copied beside it, links
relative unless asked), then handed to the adapter. What the adapter allows decides two limits,
both said before any file is made:

- Every video take must run at the cut's rate. The adapter checks each clip's media rate against
  the timeline's and refuses otherwise ("Clip.media_reference.available_range.duration.rate not
  equal to 24.0 (expected) != 12.0 (actual)"), so a mixed-rate cut is refused with that reason.
- Only the live edit goes in: the adapter drops OTIO's per-clip `enabled`, so an unchosen angle
  kept beside the live one would play on top of it in Avid. Multicam cuts go out flattened.

- Media is linked by absolute file URL: the adapter reads a relative link back as
  `file://cut_media/…`, a URL whose host is the folder's name, which resolves nowhere.

Clips get empty mob ids (the adapter's `use_empty_mob_ids`): Director's takes never came from an
AAF, so there is no Avid mob to point at; Avid relinks by file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from director.core.cut import Cut
from director.core.errors import DirectorError, InvalidInput
from director.core.smpte import DEFAULT_START, fps_text
from director.export.common import CancelFn, ProgressFn, atomic_output, check_destination, temp_beside
from director.export.frames import MediaPaths
from director.export.interchange import InterchangeResult, default_media_folder, export_interchange
from director.export.takeinfo import TakeInfo

INSTALL = "AAF export needs the otio-aaf-adapter: pip install 'director[aaf]' (or pip install otio-aaf-adapter)"


def check_aaf_cut(cut: Cut) -> None:
    """Refuse, before any work, a cut the adapter cannot write: takes at another rate than the cut."""
    odd = [s for s in cut.segments if s.kind == "video" and s.take_id is not None and s.source_rate is not None and s.source_rate != cut.rate]
    if odd:
        takes = ", ".join(f"take {s.take_id} at {fps_text(s.source_rate)} fps" for s in odd[:5]) + (" …" if len(odd) > 5 else "")
        raise InvalidInput(
            f"AAF needs every take at the cut's rate ({fps_text(cut.rate)} fps); this cut has {takes}. The otio-aaf-adapter "
            "refuses mixed rates (media rate not equal to the timeline's); export .otio, .xml or .fcpxml, which keep them"
        )


def export_aaf(
    cut: Cut,
    infos: dict[int, TakeInfo],
    media: MediaPaths,
    dest: str | os.PathLike,
    *,
    name: str = "Director cut",
    media_folder: str | os.PathLike | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    skip_missing: bool = False,
    start_timecode: str = DEFAULT_START,
) -> InterchangeResult:
    """Write `cut`'s live edit (its angles left out) as AAF at `dest`, the media beside it."""
    try:
        import otio_aaf_adapter  # noqa: F401  (registers the 'AAF' adapter with OpenTimelineIO)
    except ImportError:
        raise DirectorError(INSTALL) from None
    import opentimelineio as otio

    final = check_destination(dest)
    if final.suffix.lower() != ".aaf":
        raise InvalidInput(f"an AAF file is named .aaf, not {final.name}")
    check_aaf_cut(cut)
    cut = replace(cut, angles=())
    edit = temp_beside(final.with_suffix(".otio"))
    try:
        result = export_interchange(
            cut, infos, media, edit, "otio", name=name, media_folder=media_folder or default_media_folder(final), progress=progress,
            is_cancelled=is_cancelled, skip_missing=skip_missing, absolute=True, start_timecode=start_timecode,
        )
        timeline = otio.adapters.read_from_file(str(edit))
        with atomic_output(final) as temp:
            try:
                otio.adapters.write_to_file(timeline, str(temp), adapter_name="AAF", use_empty_mob_ids=True)
            except Exception as exc:  # the adapter's own refusal (AAFValidationError, AAFAdapterError): its words
                reason = " ".join(str(exc).split())[:400]
                raise DirectorError(f"the otio-aaf-adapter could not write this cut: {reason}") from exc
    finally:
        Path(edit).unlink(missing_ok=True)
    return replace(result, path=final, format="aaf", writer="aaf")
