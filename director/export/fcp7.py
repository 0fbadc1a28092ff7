"""The cut as Final Cut Pro 7 XML (xmeml version 5), as Premiere, Resolve and Avid read it.

The sequence declares its format (frame size, rate, square pixels). Each clipitem has one <rate>,
the take's own (12 fps media says 12, not the sequence's 24), with <in>/<out> in the take's frames
from the core frame map and <start>/<end> in sequence frames; its <file> has the same real rate
and a percent-encoded pathurl (relative to the XML unless asked for absolute). The generation
facts (prompt, seed, preset, cost) are in the clip's comments. A take with a sound track gets an
audio clip linked to its picture; a silent take gets none, and a cut of silent takes no <audio>.
A multicam cut keeps its angles: track 1 is the program, then one disabled track per camera with
every take of that camera over the same record frames, clips naming their angle group.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from director.core.smpte import drop_frame_possible, timecode
from director.core.timecode import Rate
from director.core.audio import SAMPLE_RATE, db_to_gain
from director.export.audio_mix import SoundLane, at_rate
from director.export.edit_model import EditModel, Event, facts


def _sub(parent: ET.Element, tag: str, text=None, **attrs) -> ET.Element:
    e = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        e.text = str(text)
    return e


def _rate(parent: ET.Element, rate: Rate) -> ET.Element:
    r = _sub(parent, "rate")
    _sub(r, "timebase", rate.nominal)
    _sub(r, "ntsc", "TRUE" if rate.den == 1001 else "FALSE")
    return r


def _timecode(parent: ET.Element, frames: int, rate: Rate, drop: bool) -> None:
    drop = drop and drop_frame_possible(rate)
    tc = _sub(parent, "timecode")
    _rate(tc, rate)
    _sub(tc, "string", timecode(frames, rate, drop))
    _sub(tc, "frame", frames)
    _sub(tc, "displayformat", "DF" if drop else "NDF")


def audio_of(path: Path) -> tuple[int, int] | None:
    """(channels, sample rate) of a media file's first sound track, or None for a silent one."""
    if path.suffix.lower() not in (".mp4", ".mov", ".m4v", ".mkv", ".webm"):
        return None
    import av

    try:
        with av.open(str(path)) as c:
            if not c.streams.audio:
                return None
            a = c.streams.audio[0].codec_context
            return a.channels, a.sample_rate
    except (av.FFmpegError, OSError):
        return None


class _Writer:
    def __init__(self, model: EditModel, links: dict[int, str], lanes=(), sound_links: dict | None = None):
        self.model = model
        self.links = links
        self.lanes: tuple[SoundLane, ...] = tuple(lanes)
        self.sound_links = sound_links or {}
        self.sound_files: dict[Path, str] = {}
        self.files: dict[int, str] = {}  # take id → file id, written in full once
        self.audio: dict[int, tuple[int, int] | None] = {}
        self.ids = 0

    def next_id(self, kind: str) -> str:
        self.ids += 1
        return f"{kind}-{self.ids}"

    def sound(self, event: Event):
        tid = event.seg.take_id
        if tid not in self.audio:
            self.audio[tid] = audio_of(event.media) if event.media is not None else None
        return self.audio[tid]

    def file(self, parent: ET.Element, event: Event) -> None:
        tid = event.seg.take_id
        if tid in self.files:
            _sub(parent, "file", id=self.files[tid])
            return
        fid = self.files[tid] = f"file-{tid}"
        f = _sub(parent, "file", id=fid)
        _sub(f, "name", event.media.name)
        _sub(f, "pathurl", self.links[tid])
        _rate(f, event.source_rate)
        _sub(f, "duration", event.source_frames)
        _timecode(f, 0, event.source_rate, self.model.clock.drop_frame)
        media = _sub(f, "media")
        video = _sub(media, "video")
        sc = _sub(video, "samplecharacteristics")
        _rate(sc, event.source_rate)
        _sub(sc, "width", event.seg.width or self.model.cut.width)
        _sub(sc, "height", event.seg.height or self.model.cut.height)
        sound = self.sound(event)
        if sound:
            audio = _sub(media, "audio")
            asc = _sub(audio, "samplecharacteristics")
            _sub(asc, "depth", 16)
            _sub(asc, "samplerate", sound[1])
            _sub(audio, "channelcount", sound[0])

    def clipitem(self, track: ET.Element, event: Event, *, kind: str = "video", link_to: str | None = None) -> str:
        cid = self.next_id("clipitem")
        c = _sub(track, "clipitem", id=cid)
        _sub(c, "masterclipid", f"masterclip-{event.seg.take_id}")
        _sub(c, "name", event.media.stem)
        _sub(c, "enabled", "TRUE" if event.enabled else "FALSE")
        _sub(c, "duration", event.source_frames)
        _rate(c, event.source_rate)
        _sub(c, "start", event.record_start)
        _sub(c, "end", event.record_end)
        _sub(c, "in", event.source_in)
        _sub(c, "out", event.source_out)
        self.file(c, event)
        if kind == "audio":
            st = _sub(c, "sourcetrack")
            _sub(st, "mediatype", "audio")
            _sub(st, "trackindex", 1)
        if link_to:
            for other, mediatype in ((cid, kind), (link_to, "video" if kind == "audio" else "audio")):
                lk = _sub(c, "link")
                _sub(lk, "linkclipref", other)
                _sub(lk, "mediatype", mediatype)
        self.comments(c, event)
        return cid

    def comments(self, clip: ET.Element, event: Event) -> None:
        f = facts(event)
        com = _sub(clip, "comments")
        if "prompt" in f:
            _sub(com, "mastercomment1", f"prompt: {f['prompt']}")
            _sub(com, "mastercomment2", f"seed {f['seed']} · preset {f['preset']}" + (f" · negative: {f['negative']}" if f.get("negative") else ""))
        elif "recipe" in f:
            _sub(com, "mastercomment1", f["recipe"])
        if f.get("cost"):
            _sub(com, "mastercomment3", f"cost {f['cost']}")
        _sub(com, "mastercomment4", f"take {f['take']} · shot {f['shot']} · camera {f['camera']}")
        group = []
        if self.model.multicam and event.group is not None:
            group.append(f"angle group {event.shot} clip {event.group}, angle {event.camera}" + ("" if event.enabled else " (not live)"))
        if not event.resampling.exact:
            group.append(event.resampling.describe())
        if group:
            _sub(com, "clipcommenta", "; ".join(group))
        if f.get("notes"):
            _sub(com, "clipcommentb", f["notes"])

    def track(self, video: ET.Element, events, *, enabled: bool = True, audio_track: ET.Element | None = None) -> None:
        t = _sub(video, "track")
        for event in events:
            if event.is_gap:
                continue
            sound = self.sound(event) if audio_track is not None else None
            if sound:
                vid = f"clipitem-{self.ids + 1}"
                aid = f"clipitem-{self.ids + 2}"
                self.clipitem(t, event, link_to=aid)
                self.clipitem(audio_track, event, kind="audio", link_to=vid)
            else:
                self.clipitem(t, event)
        _sub(t, "enabled", "TRUE" if enabled else "FALSE")
        _sub(t, "locked", "FALSE")

    def document(self) -> ET.Element:
        model, cut = self.model, self.model.cut
        root = ET.Element("xmeml", version="5")
        seq = _sub(root, "sequence", id="sequence-1")
        _sub(seq, "name", model.name)
        _sub(seq, "duration", cut.duration)
        _rate(seq, cut.rate)
        _timecode(seq, model.clock.start_frame, cut.rate, model.clock.drop_frame)
        media = _sub(seq, "media")
        video = _sub(media, "video")
        fmt = _sub(video, "format")
        sc = _sub(fmt, "samplecharacteristics")
        _rate(sc, cut.rate)
        _sub(sc, "width", cut.width)
        _sub(sc, "height", cut.height)
        _sub(sc, "anamorphic", "FALSE")
        _sub(sc, "pixelaspectratio", "square")
        _sub(sc, "fielddominance", "none")
        has_sound = any(not e.is_gap and self.sound(e) for e in model.program)
        audio = ET.Element("audio") if has_sound else None
        audio_track = ET.SubElement(audio, "track") if audio is not None else None
        self.track(video, model.program, audio_track=audio_track)
        for camera, events in model.lanes.items():
            self.track(video, events, enabled=False)
        if audio is not None:
            _sub(audio_track, "enabled", "TRUE")
            _sub(audio_track, "locked", "FALSE")
        if self.lanes:
            audio = audio if audio is not None else ET.Element("audio")
            for lane in self.lanes:
                self.sound_track(audio, lane)
        if audio is not None:
            media.append(audio)
        return root

    def sound_track(self, audio: ET.Element, lane: SoundLane) -> None:
        """An audio track of WAV clipitems (stereo, 48 kHz) in sequence frames, with its gain."""
        rate = self.model.rate
        t = _sub(audio, "track")
        for clip in lane.clips:
            start = round(at_rate(clip.record_start, rate))
            length = max(1, round(at_rate(clip.duration, rate)))
            source = round(at_rate(clip.source_in, rate))
            c = _sub(t, "clipitem", id=self.next_id("clipitem"))
            _sub(c, "name", clip.path.stem)
            _sub(c, "enabled", "TRUE")
            _sub(c, "duration", round(at_rate(clip.available, rate)))
            _rate(c, rate)
            _sub(c, "start", start)
            _sub(c, "end", start + length)
            _sub(c, "in", source)
            _sub(c, "out", source + length)
            if clip.path in self.sound_files:
                _sub(c, "file", id=self.sound_files[clip.path])
            else:
                fid = self.sound_files[clip.path] = f"sound-{len(self.sound_files) + 1}"
                f = _sub(c, "file", id=fid)
                _sub(f, "name", clip.path.name)
                _sub(f, "pathurl", self.sound_links[clip.path])
                _rate(f, rate)
                _sub(f, "duration", round(at_rate(clip.available, rate)))
                a = _sub(_sub(f, "media"), "audio")
                asc = _sub(a, "samplecharacteristics")
                _sub(asc, "depth", 16)
                _sub(asc, "samplerate", SAMPLE_RATE)
                _sub(a, "channelcount", 2)
            st = _sub(c, "sourcetrack")
            _sub(st, "mediatype", "audio")
            _sub(st, "trackindex", 1)
            gain = clip.gain_db + lane.gain_db
            if gain:
                effect = _sub(_sub(c, "filter"), "effect")
                _sub(effect, "name", "Audio Levels")
                _sub(effect, "effectid", "audiolevels")
                _sub(effect, "effectcategory", "audiolevels")
                _sub(effect, "effecttype", "audiolevels")
                _sub(effect, "mediatype", "audio")
                p = _sub(effect, "parameter")
                _sub(p, "parameterid", "level")
                _sub(p, "name", "Level")
                _sub(p, "value", f"{db_to_gain(gain):.6f}")
        _sub(t, "enabled", "FALSE" if lane.mute else "TRUE")
        _sub(t, "locked", "FALSE")


def write_fcp7(model: EditModel, path: Path, links: dict[int, str], lanes=(), sound_links: dict | None = None) -> int:
    root = _Writer(model, links, lanes, sound_links).document()
    ET.indent(root, "  ")
    body = ET.tostring(root, encoding="unicode")
    Path(path).write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + body + "\n", encoding="utf-8")
    return sum(1 for e in model.program if not e.is_gap)
