"""The multicam cut: the program plus every other camera's take over the same record frames.

build_cut (store/timeline.py) flattens the edit to what plays: one live take per record frame. An
editing suite also wants the angles that were not chosen, so a cut can be re-cut there: for each
program segment that comes from a timeline clip, each other camera of the clip's shot that has a
take becomes an angle segment over the same record range and the same shot frames (Cut.angles),
with metadata 'angle_of' naming the clip (the angle group). Exports write them disabled.
"""

from __future__ import annotations

from dataclasses import replace

from director.core.cut import Cut, CutSegment
from director.core.timeline import Clip
from director.store.project import Project
from director.store.timeline import Resolver, build_cut, load_timeline


def angle_segments(cut: Cut, clips: dict[int, Clip], resolve: Resolver) -> tuple[CutSegment, ...]:
    out: list[CutSegment] = []
    rate = cut.rate
    for seg in sorted(cut.segments, key=lambda s: s.record_start):
        clip = clips.get(seg.clip_id) if seg.clip_id is not None else None
        if clip is None or "source_frame" not in seg.metadata:
            continue
        shot_frame = int(seg.metadata["source_frame"])
        live = seg.metadata.get("camera_id")
        for cam in resolve.cameras(clip.shot_id):
            if cam["id"] == live:
                continue
            src = resolve(clip, cam["id"])
            if src.take_id is None:
                continue
            out.append(
                CutSegment(
                    record_start=seg.record_start,
                    duration=seg.duration,
                    take_id=src.take_id,
                    media_path=src.media_path,
                    kind=src.kind,
                    source_start=rate.rescale(shot_frame, src.rate) if src.kind == "video" else 0,
                    source_rate=src.rate,
                    source_frames=src.frames,
                    width=src.width,
                    height=src.height,
                    shot_code=src.shot_code,
                    camera=src.camera_name,
                    clip_id=clip.id,
                    metadata={"shot_id": clip.shot_id, "camera_id": cam["id"], "source_frame": shot_frame, "angle_of": clip.id},
                )
            )
    return tuple(out)


def multicam_cut(project: Project, timeline_id: int | None = None) -> Cut:
    """build_cut with the unchosen angles filled in (Cut.angles)."""
    cut = build_cut(project, timeline_id)
    timeline = load_timeline(project, timeline_id)
    clips = {item.id: item for track in timeline.tracks for item in track.items if isinstance(item, Clip)}
    return replace(cut, angles=angle_segments(cut, clips, Resolver(project)))
