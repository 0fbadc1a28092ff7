"""The cut as a CMX 3600 EDL, the way editing suites (Avid, Resolve, Premiere) read one.

    TITLE: Rooftop Film - Cut
    FCM: NON-DROP FRAME

    001  T1       V     C        00:00:00:00 00:00:00:12 01:00:00:00 01:00:00:12
    * FROM CLIP NAME: 10_A_t1
    * FROM CLIP: cut_media/10_A_t1.mp4
    * REEL T1 IS 10_A_t1.mp4: TAKE 1, SHOT 10, CAMERA A, 24 FPS

The event line is ASCII (reel, channel, transition, timecodes); the title is transliterated to
ASCII. Comments keep full UTF-8 (a prompt in any language). Record timecode starts at the
project's programme start; FCM says NON-DROP or DROP FRAME (29.97/59.94 when asked). Source
timecodes are at each take's own rate: a 12 fps take's in point is 00:00:01:04, never 00:00:00:16.
A take at another rate than the cut plays at real time, so its source and record durations
differ; no M2 line is written because there is no speed change, and a comment says which take
frames the frame map holds or skips. Only the program is written: an EDL has one picture track.
Sound follows the picture events: one stereo event (channel AA) per clip of each audio track, its
reel `S` and a number, a comment naming the track (A1 the takes' own sound), gain and mute.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from director.core.cost import format_money
from director.core.smpte import drop_frame_possible, fps_text, timecode
from director.export.audio_mix import at_rate
from director.export.edit_model import EditModel, Event, ascii_text

# CMX 3600 comment lines are conventionally short; long prompts wrap onto more '*' lines.
COMMENT_WIDTH = 200


def _comment(text: str) -> list[str]:
    text = " ".join(str(text).split())
    out = []
    while text:
        out.append(f"* {text[:COMMENT_WIDTH]}")
        text = text[COMMENT_WIDTH:]
    return out


def _source_tc(frames: int, event: Event, drop: bool) -> str:
    return timecode(frames, event.source_rate, drop and drop_frame_possible(event.source_rate))


def event_lines(number: int, event: Event, model: EditModel, links: dict[int, str]) -> list[str]:
    clock = model.clock
    drop = clock.drop_frame
    rec_in, rec_out = clock.timecode(event.record_start), clock.timecode(event.record_end)
    src_in, src_out = _source_tc(event.source_in, event, drop), _source_tc(event.source_out, event, drop)
    lines = [f"{number:03d}  {event.reel:<8} V     C        {src_in} {src_out} {rec_in} {rec_out}"]
    name = event.media.stem
    lines.append(f"* FROM CLIP NAME: {ascii_text(name)}")
    lines.append(f"* FROM CLIP: {links[event.seg.take_id]}")
    lines.append(
        f"* REEL {event.reel} IS {event.media.name}: TAKE {event.seg.take_id}, SHOT {event.shot}, "
        f"CAMERA {event.camera}, {fps_text(event.source_rate)} FPS" if event.seg.kind == "video" else
        f"* REEL {event.reel} IS {event.media.name}: TAKE {event.seg.take_id}, SHOT {event.shot}, CAMERA {event.camera}, STILL"
    )
    if not event.resampling.exact:
        lines += _comment(event.resampling.describe().upper())
    from director.export.interchange import edl_comments

    for text in edl_comments(event.info):
        lines += _comment(text)
    if event.info is not None and event.info.money:
        lines += _comment(f"COST: {format_money(Decimal(event.info.money), event.info.currency)}")
    return lines


def sound_lines(number: int, reel: str, clip, lane, model: EditModel, link: str) -> list[str]:
    """A stereo audio event (AA) for one clip of a sound track, in whole frames of the cut."""
    rate, clock = model.rate, model.clock
    start = round(at_rate(clip.record_start, rate))
    length = max(1, round(at_rate(clip.duration, rate)))
    src = round(at_rate(clip.source_in, rate))
    tc = lambda f: timecode(f, rate, clock.drop_frame and drop_frame_possible(rate))  # noqa: E731
    lines = [f"{number:03d}  {reel:<8} AA    C        {tc(src)} {tc(src + length)} {clock.timecode(start)} {clock.timecode(start + length)}"]
    lines.append(f"* FROM CLIP NAME: {ascii_text(clip.path.stem)}")
    lines.append(f"* FROM CLIP: {link}")
    state = ", MUTED" if lane.mute else (", SOLO" if lane.solo else "")
    lines.append(f"* AUDIO TRACK {ascii_text(lane.name)}: 48000 HZ STEREO, GAIN {clip.gain_db + lane.gain_db:+g} DB{state}")
    return lines


def edl_text(model: EditModel, links: dict[int, str], lanes=(), sound_links: dict | None = None) -> str:
    title = ascii_text(model.name)[:70] or "Director cut"
    fcm = "DROP FRAME" if model.clock.drop_frame else "NON-DROP FRAME"
    lines = [f"TITLE: {title}", f"FCM: {fcm}", ""]
    number = 0
    for event in model.program:
        if event.is_gap:
            continue  # black: the record timecodes leave it out
        number += 1
        lines += event_lines(number, event, model, links)
    reels: dict = {}
    for lane in lanes:
        for clip in lane.clips:
            number += 1
            reel = reels.setdefault(clip.path, f"S{len(reels) + 1}")
            lines += sound_lines(number, reel, clip, lane, model, (sound_links or {})[clip.path])
    return "\n".join(lines) + "\n"


def write_edl(model: EditModel, path: Path, links: dict[int, str], lanes=(), sound_links: dict | None = None) -> int:
    """Write the EDL as UTF-8 (ASCII everywhere but comments); returns the number of picture events."""
    text = edl_text(model, links, lanes, sound_links)
    Path(path).write_text(text, encoding="utf-8", newline="\n")
    return sum(1 for e in model.program if not e.is_gap)
