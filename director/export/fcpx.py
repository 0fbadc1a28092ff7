"""The cut as FCPXML 1.10 (Final Cut Pro X, also read by Resolve), written to Apple's DTD.

Times are rational seconds ("1001/24000s"), every one on a frame boundary: offsets and durations
on the sequence's frames, clip starts on the take's own frames (the in point the core frame map
names). A take at another rate than the project plays at real time, not conformed
(<conform-rate scaleEnabled="0"/>, floor sampling: the frame on screen at that instant, as the
MP4 shows it). Record time starts at the project's programme start (tcStart).

A multicam cut keeps its angles: each timeline clip becomes a multicam (<media><multicam>) with
one <mc-angle> per camera, each angle cut at the same points as the program and starting each
piece on the frame the frame map names; the spine holds <mc-clip>s whose <mc-source> picks the
live angle. The generation facts (prompt, seed, preset, cost) are in each clip's <note> and
<metadata>.

Sound (a mix plan's lanes: A1 the takes' own sound, then each audio track) travels as audio-only
assets of the WAVs copied beside the edit, placed as clips connected below the spine (lane -1 for
A1, -2 for A2…) on the spine element under their start, each with its gain plus its track's as
<adjust-volume>. A muted track's clips (or every track but the soloed ones) are disabled. Where
the sound sits on a frame edge its times are that frame's; elsewhere they are exact samples.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from director.core.audio import SAMPLE_RATE, frame_to_sample, sample_to_frame
from director.core.smpte import drop_frame_possible
from director.core.timecode import Rate
from director.export.audio_mix import SoundLane
from director.export.edit_model import EditModel, Event, facts

VERSION = "1.10"


def seconds(frames: int, rate: Rate) -> str:
    """A FCPXML time: frames at `rate` as rational seconds, '0s', '5s' or '1001/24000s'."""
    value = Fraction(frames) / rate.fraction
    if value.denominator == 1:
        return f"{value.numerator}s"
    # keep the rate's own denominator (1001/24000s, not a reduced form) when it divides evenly
    scale = rate.num // value.denominator if rate.num % value.denominator == 0 else 1
    return f"{value.numerator * scale}/{value.denominator * scale}s"


def _time(value: Fraction, rate: Rate) -> str:
    """Rational seconds, in the rate's own denominator when it divides evenly."""
    if value.denominator == 1:
        return f"{value.numerator}s"
    scale = rate.num // value.denominator if rate.num % value.denominator == 0 else 1
    return f"{value.numerator * scale}/{value.denominator * scale}s"


def sample_seconds(sample: int, rate: Rate) -> Fraction:
    """A sample's instant: its frame's exactly when it is the first sample of a frame (the sound of
    a take sits on its picture's frame edges), else the sample's own."""
    frame = sample_to_frame(sample, rate)
    if frame_to_sample(frame, rate) == sample:
        return Fraction(frame) / rate.fraction
    return Fraction(sample, SAMPLE_RATE)


def _sub(parent: ET.Element, tag: str, **attrs) -> ET.Element:
    return ET.SubElement(parent, tag, {k.rstrip("_"): str(v) for k, v in attrs.items() if v is not None})


class _Writer:
    def __init__(self, model: EditModel, links: dict[int, str], lanes=(), sound_links: dict | None = None):
        self.model = model
        self.links = links
        self.lanes: tuple[SoundLane, ...] = tuple(lanes)
        self.sound_links = sound_links or {}
        self.sound_assets: dict[Path, str] = {}
        # the spine's elements: (element, first record frame, last + 1, the element's own time at its start)
        self.spine: list[tuple[ET.Element, int, int, Fraction]] = []
        self.root = ET.Element("fcpxml", version=VERSION)
        self.resources = _sub(self.root, "resources")
        self.n = 0
        self.formats: dict[tuple, str] = {}
        self.assets: dict[int, str] = {}

    def rid(self) -> str:
        self.n += 1
        return f"r{self.n}"

    def format(self, rate: Rate | None, width: int, height: int) -> str:
        key = (rate, width, height)
        if key not in self.formats:
            fid = self.formats[key] = self.rid()
            attrs = {"id": fid, "width": width, "height": height, "colorSpace": "1-1-1 (Rec. 709)"}
            if rate is not None:
                attrs["frameDuration"] = seconds(1, rate)
            else:
                attrs["name"] = "FFVideoFormatRateUndefined"
            _sub(self.resources, "format", **attrs)
        return self.formats[key]

    def asset(self, event: Event) -> str:
        tid = event.seg.take_id
        if tid in self.assets:
            return self.assets[tid]
        still = event.seg.kind != "video"
        # a still gets the project's rate too: readers (OTIO's fcpx adapter) need a frameDuration
        fmt = self.format(self.model.rate if still else event.source_rate, event.seg.width or self.model.cut.width, event.seg.height or self.model.cut.height)
        aid = self.assets[tid] = self.rid()
        a = _sub(
            self.resources, "asset", id=aid, name=event.media.stem, start="0s",
            duration="0s" if still else seconds(event.source_frames, event.source_rate),
            hasVideo="1", format=fmt, videoSources="1", hasAudio="0",
        )
        _sub(a, "media-rep", kind="original-media", src=self.links[tid], suggestedFilename=event.media.name)
        md = _sub(a, "metadata")
        _sub(md, "md", key="com.apple.proapps.studio.reel", value=event.reel)
        _sub(md, "md", key="com.apple.proapps.studio.shot", value=event.shot)
        _sub(md, "md", key="com.apple.proapps.studio.angle", value=event.camera)
        _sub(md, "md", key="com.apple.proapps.studio.cameraName", value=event.camera)
        return aid

    def note(self, event: Event) -> str:
        f = facts(event)
        parts = []
        if "prompt" in f:
            parts.append(f"prompt: {f['prompt']}")
            if f.get("negative"):
                parts.append(f"negative: {f['negative']}")
            parts.append(f"seed {f['seed']}, preset {f['preset']}")
        elif "recipe" in f:
            parts.append(f["recipe"])
        if f.get("cost"):
            parts.append(f"cost {f['cost']}")
        parts.append(f"take {f['take']}, shot {f['shot']}, camera {f['camera']}")
        if not event.resampling.exact:
            parts.append(event.resampling.describe())
        return "; ".join(parts)

    def asset_clip(self, parent: ET.Element, event: Event, offset: str) -> ET.Element:
        rate = self.model.rate
        still = event.seg.kind != "video"
        c = _sub(
            parent, "asset-clip", ref=self.asset(event), offset=offset, name=event.media.stem,
            start="0s" if still else seconds(event.source_in, event.source_rate),
            duration=seconds(event.duration, rate), enabled=None if event.enabled else "0",
        )
        ET.SubElement(c, "note").text = self.note(event)
        if not still and event.source_rate != rate:
            _sub(c, "conform-rate", scaleEnabled="0", frameSampling="floor")
        md = _sub(c, "metadata")
        f = facts(event)
        for key in ("prompt", "negative", "seed", "preset", "cost"):
            if f.get(key) not in (None, ""):
                _sub(md, "md", key=f"com.director.{key}", value=f[key])
        return c

    def gap(self, parent: ET.Element, offset: str, frames: int) -> ET.Element:
        return _sub(parent, "gap", name="Gap", offset=offset, start="0s", duration=seconds(frames, self.model.rate))

    # -- sound ------------------------------------------------------------------------------------

    def sound_asset(self, path: Path, samples: int) -> str:
        if path not in self.sound_assets:
            aid = self.sound_assets[path] = self.rid()
            a = _sub(self.resources, "asset", id=aid, name=path.stem, start="0s", duration=_time(Fraction(samples, SAMPLE_RATE), self.model.rate),
                     hasAudio="1", audioSources="1", audioChannels="2", audioRate=str(SAMPLE_RATE))
            _sub(a, "media-rep", kind="original-media", src=self.sound_links[path], suggestedFilename=path.name)
        return self.sound_assets[path]

    def sound(self) -> None:
        """Each lane's clips connected below the spine element under their start."""
        rate = self.model.rate
        soloed = any(lane.solo for lane in self.lanes)
        for number, lane in enumerate(self.lanes, start=1):
            audible = lane.solo if soloed else not lane.mute
            for clip in lane.clips:
                aid = self.sound_asset(clip.path, clip.available)
                at = sample_seconds(clip.record_start, rate)
                parent, first, _end, local = next(
                    (e for e in self.spine if Fraction(e[1]) / rate.fraction <= at < Fraction(e[2]) / rate.fraction), self.spine[-1])
                source = sample_seconds(clip.source_in, rate)
                c = ET.Element("asset-clip", {
                    "ref": aid, "lane": str(-number), "offset": _time(local + at - Fraction(first) / rate.fraction, rate),
                    "name": f"{lane.name} {clip.path.stem}", "start": _time(source, rate),
                    "duration": _time(sample_seconds(clip.record_end, rate) - at, rate), "audioRole": "dialogue" if number == 1 else "music",
                })
                if not audible:
                    c.set("enabled", "0")
                ET.SubElement(c, "note").text = f"sound track {lane.name}" + (" (muted)" if lane.mute else "") + (" (solo)" if lane.solo else "")
                gain = round(clip.gain_db + lane.gain_db, 3)
                if gain:
                    _sub(c, "adjust-volume", amount=f"{gain:g}dB")
                md = _sub(c, "metadata")
                _sub(md, "md", key="com.director.track", value=lane.name)
                _sub(md, "md", key="com.director.gain_db", value=f"{gain:g}")
                # anchored clips come before the parent's own metadata (the DTD's order)
                kids = list(parent)
                where = next((k for k, e in enumerate(kids) if e.tag == "metadata"), len(kids))
                parent.insert(where, c)

    def lane(self, parent: ET.Element, events, start: int, end: int, base: int) -> None:
        """Events between record frames start and end as a contiguous run, gaps where none plays;
        offsets counted from record frame `start` at `base` frames."""
        rate = self.model.rate
        position = start
        for event in events:
            if event.record_start > position:
                self.gap(parent, seconds(base + position - start, rate), event.record_start - position)
            offset = seconds(base + event.record_start - start, rate)
            if event.is_gap:
                self.gap(parent, offset, event.duration)
            else:
                self.asset_clip(parent, event, offset)
            position = event.record_end
        if end > position:
            self.gap(parent, seconds(base + position - start, rate), end - position)

    def multicams(self) -> dict[int, tuple[str, int, int]]:
        """One multicam per angle group: group → (media id, first record frame, last + 1)."""
        model = self.model
        rate = model.rate
        groups: dict[int, list[Event]] = {}
        for event in model.program:
            if not event.is_gap and event.group is not None:
                groups.setdefault(event.group, []).append(event)
        out = {}
        fmt = self.format(rate, model.cut.width, model.cut.height)
        for group, live in groups.items():
            start, end = live[0].record_start, live[-1].record_end
            if any(b.record_start != a.record_end for a, b in zip(live, live[1:])):
                continue  # not one contiguous clip: left as plain clips
            mid = self.rid()
            media = _sub(self.resources, "media", id=mid, name=f"{live[0].shot} clip {group}")
            mc = _sub(media, "multicam", format=fmt, tcStart="0s", tcFormat="NDF")
            for camera, events in model.lanes.items():
                mine = [e for e in events if e.group == group and start <= e.record_start < end]
                if not mine:
                    continue
                angle = _sub(mc, "mc-angle", name=camera, angleID=camera)
                self.lane(angle, [_enabled(e) for e in mine], start, end, 0)
            out[group] = (mid, start, end)
        return out

    def document(self, ) -> ET.Element:
        model = self.model
        rate = model.rate
        drop = model.clock.drop_frame and drop_frame_possible(rate)
        fmt = self.format(rate, model.cut.width, model.cut.height)
        for event in model.events():  # resources before whatever refers to them
            if not event.is_gap:
                self.asset(event)
        groups = self.multicams() if model.multicam else {}
        library = _sub(self.root, "library")
        event_el = _sub(library, "event", name="Director")
        project = _sub(event_el, "project", name=model.name)
        tc_start = model.clock.start_frame
        seq = _sub(
            project, "sequence", format=fmt, duration=seconds(model.cut.duration, rate),
            tcStart=seconds(tc_start, rate), tcFormat="DF" if drop else "NDF",
        )
        if self.lanes:
            seq.set("audioLayout", "stereo")
            seq.set("audioRate", f"{SAMPLE_RATE // 1000}k")
        spine = _sub(seq, "spine")
        position = 0
        for event in model.program:
            if event.record_start > position:
                g = self.gap(spine, seconds(tc_start + position, rate), event.record_start - position)
                self.spine.append((g, position, event.record_start, Fraction(0)))
            offset = seconds(tc_start + event.record_start, rate)
            if event.is_gap:
                element, local = self.gap(spine, offset, event.duration), Fraction(0)
            elif event.group in groups:
                mid, start, _ = groups[event.group]
                element = _sub(
                    spine, "mc-clip", ref=mid, offset=offset, name=event.media.stem,
                    start=seconds(event.record_start - start, rate), duration=seconds(event.duration, rate),
                )
                ET.SubElement(element, "note").text = self.note(event)
                _sub(element, "mc-source", angleID=event.camera, srcEnable="video")
                local = Fraction(event.record_start - start) / rate.fraction
            else:
                element = self.asset_clip(spine, event, offset)
                local = Fraction(0) if event.seg.kind != "video" else Fraction(event.source_in) / event.source_rate.fraction
            self.spine.append((element, event.record_start, event.record_end, local))
            position = event.record_end
        if self.lanes and self.spine:
            self.sound()
        return self.root


def _enabled(event: Event) -> Event:
    """Inside a multicam every angle is playable; which one is live is the mc-clip's choice."""
    from dataclasses import replace

    return replace(event, enabled=True)


def write_fcpx(model: EditModel, path: Path, links: dict[int, str], lanes=(), sound_links: dict | None = None) -> int:
    """The FCPXML file; `lanes` (export.audio_mix.sound_lanes) with `sound_links` (WAV path → link)
    add the sound. Returns the picture's clip count."""
    root = _Writer(model, links, lanes, sound_links).document()
    ET.indent(root, "  ")
    body = ET.tostring(root, encoding="unicode")
    Path(path).write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body + "\n", encoding="utf-8")
    return sum(1 for e in model.program if not e.is_gap)
