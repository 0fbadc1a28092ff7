"""Subtitles from the dialogue on shots: each line keeps its place in its shot's own frames.

A shot's k lines share its frames evenly (line i covers shot frames [i·S/k, (i+1)·S/k) of the S its
clips show at most), and each line appears wherever the cut shows those shot frames: a trim that
takes a line's frames away takes the line with it, a split keeps each line on its side.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from director.core.cut import Cut
from director.core.timecode import Rate


@dataclass(frozen=True)
class Subtitle:
    start: int  # record frame
    end: int  # exclusive
    text: str


def subtitles(cut: Cut, dialogue: dict[int, list[str]]) -> list[Subtitle]:
    spans: dict[int, list[tuple[int, int, int]]] = {}  # shot → (record start, source start, length)
    for s in cut.segments:
        shot = s.metadata.get("shot_id")
        if shot in dialogue and dialogue[shot] and s.enabled:
            spans.setdefault(shot, []).append((s.record_start, int(s.metadata.get("source_frame", 0)), s.duration))
    out: list[Subtitle] = []
    for shot, pieces in spans.items():
        lines = dialogue[shot]
        length = max(src + n for _, src, n in pieces)
        for i, text in enumerate(lines):
            a, b = i * length // len(lines), (i + 1) * length // len(lines)
            for record, src, n in pieces:
                lo, hi = max(a, src), min(b, src + n)
                if lo < hi:
                    out.append(Subtitle(record + lo - src, record + hi - src, text))
    out.sort(key=lambda x: (x.start, x.end))
    merged: list[Subtitle] = []
    for sub in out:  # one line shown across an angle cut stays one subtitle
        if merged and merged[-1].text == sub.text and merged[-1].end == sub.start:
            merged[-1] = Subtitle(merged[-1].start, sub.end, sub.text)
        else:
            merged.append(sub)
    return merged


def srt_time(frame: int, rate: Rate) -> str:
    ms = int(Fraction(frame) / rate.fraction * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt_text(subs: list[Subtitle], rate: Rate) -> str:
    blocks = [f"{i}\n{srt_time(s.start, rate)} --> {srt_time(s.end, rate)}\n{s.text}\n" for i, s in enumerate(subs, 1)]
    return "\n".join(blocks)
