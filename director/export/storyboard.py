"""The storyboard as plain layout data: one panel per shot (in shot order) or per cut (in cut order).

Renderers draw from this and nothing else: the PDF (director/ui/storyboard_pdf.py, QPdfWriter) and
the PNG contact sheet (contact_sheet.py, opencv). Building it reads the project; drawing touches
only media files, so a renderer can run on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np

from director.core.cost import format_money, from_micros
from director.core.cut import Cut, CutSegment
from director.core.errors import InvalidInput
from director.core.timecode import Rate
from director.export.conform import black, conform
from director.export.frames import DECODE_ERRORS, MediaPaths, Skipped, TakeMediaError, VideoSource, damaged, media_issue, read_image
from director.export.takeinfo import take_info
from director.store import prompts, shots
from director.store.project import Project
from director.store.rows import one, scalar

ORDERS = ("cut", "shots")


@dataclass(frozen=True)
class Still:
    """Which picture a panel shows: a frame of a take's media (store-relative path)."""

    media_path: str
    kind: str  # 'video' | 'image'
    frame: int = 0


@dataclass(frozen=True)
class Panel:
    number: int
    shot_code: str
    shot_title: str
    camera: str
    take_id: int | None
    frames: int
    prompt: str
    notes: str
    money: Decimal  # what the shot's generation cost so far
    still: Still | None

    def duration_text(self, rate: Rate) -> str:
        return f"{float(rate.seconds(self.frames)):.1f} s ({self.frames} fr)"


@dataclass(frozen=True)
class Storyboard:
    project: str
    made_on: str  # ISO date
    order: str  # 'cut' | 'shots'
    rate: Rate
    width: int
    height: int
    currency: str
    panels: tuple[Panel, ...]
    total_money: Decimal  # each shot counted once

    @property
    def total_frames(self) -> int:
        return sum(p.frames for p in self.panels)

    @property
    def shot_count(self) -> int:
        return len({p.shot_code for p in self.panels})

    def money_text(self, amount: Decimal | None = None) -> str:
        return format_money(self.total_money if amount is None else amount, self.currency)

    def summary(self) -> str:
        seconds = float(self.rate.seconds(self.total_frames))
        return f"{self.shot_count} shots, {len(self.panels)} panels, {seconds:.1f} s at {self.rate} fps, {self.money_text()} spent"


def _shot_money(project: Project, shot_id: int) -> Decimal:
    return from_micros(scalar(project.db, "SELECT sum(money_micros) FROM jobs WHERE shot_id = ?", [shot_id]))


def _shot_id_by_code(project: Project, code: str) -> int | None:
    r = one(project.db, "SELECT id FROM shots WHERE code = ? AND deleted_at IS NULL", [code])
    return r["id"] if r else None


def _merged(cut: Cut) -> list[CutSegment]:
    """Non-gap segments, with neighbours showing the same take merged (a split is not a new panel)."""
    out: list[CutSegment] = []
    for seg in sorted(cut.segments, key=lambda s: s.record_start):
        if seg.take_id is None or seg.kind == "gap":
            continue
        if out and out[-1].take_id == seg.take_id and out[-1].record_end == seg.record_start:
            out[-1] = replace(out[-1], duration=out[-1].duration + seg.duration)
        else:
            out.append(seg)
    return out


def storyboard_from_cut(project: Project, cut: Cut) -> Storyboard:
    """A panel per shown take in cut order; the still is the frame in the middle of its time on screen."""
    settings = project.settings()
    panels, money_by_shot = [], {}
    for n, seg in enumerate(_merged(cut), start=1):
        info = take_info(project, seg.take_id)
        notes = shots.get_shot(project, info.shot_id).notes
        if info.notes:
            notes = f"{notes}\nTake: {info.notes}" if notes else f"Take: {info.notes}"
        money_by_shot.setdefault(info.shot_id, _shot_money(project, info.shot_id))
        middle = seg.source_frame_at(seg.record_start + seg.duration // 2, cut.rate)
        panels.append(
            Panel(n, info.shot_code, info.shot_title, info.camera or seg.camera, seg.take_id, seg.duration, info.prompt, notes, money_by_shot[info.shot_id], Still(seg.media_path, seg.kind, middle))
        )
    return Storyboard(settings.name, date.today().isoformat(), "cut", cut.rate, cut.width or settings.width, cut.height or settings.height, settings.currency, tuple(panels), sum(money_by_shot.values(), Decimal(0)))


def _best_take(project: Project, shot_id: int) -> int | None:
    """Selected before unflagged, higher rating first, newest first; rejected and binned takes never."""
    return scalar(
        project.db,
        "SELECT id FROM takes WHERE shot_id = ? AND deleted_at IS NULL AND flag != 'rejected' "
        "ORDER BY flag = 'selected' DESC, rating DESC, created_at DESC, id DESC LIMIT 1",
        [shot_id],
    )


def storyboard_from_shots(project: Project) -> Storyboard:
    """A panel per live shot in shot order, showing its best take (or an empty frame if none yet)."""
    settings = project.settings()
    panels, total = [], Decimal(0)
    for n, shot in enumerate(shots.list_shots(project), start=1):
        money = _shot_money(project, shot.id)
        total += money
        take_id = _best_take(project, shot.id)
        if take_id is None:
            current = prompts.current_prompt(project, shot.id)
            panels.append(Panel(n, shot.code, shot.title, "", None, shot.target_frames, current.composed if current else "", shot.notes, money, None))
            continue
        info = take_info(project, take_id)
        if info.thumb_path:
            still = Still(info.thumb_path, "image")
        else:
            still = Still(info.media_path, info.kind, info.frames // 2 if info.kind == "video" else 0)
        notes = f"{shot.notes}\nTake: {info.notes}" if info.notes and shot.notes else (shot.notes or (f"Take: {info.notes}" if info.notes else ""))
        panels.append(Panel(n, shot.code, shot.title, info.camera, take_id, shot.target_frames, info.prompt, notes, money, still))
    return Storyboard(settings.name, date.today().isoformat(), "shots", settings.rate, settings.width, settings.height, settings.currency, tuple(panels), total)


def build_storyboard(project: Project, order: str = "cut", cut: Cut | None = None) -> Storyboard:
    if order not in ORDERS:
        raise InvalidInput(f"storyboard order must be one of: {', '.join(ORDERS)}")
    if order == "cut":
        if cut is None:
            raise InvalidInput("a storyboard in cut order needs the cut")
        return storyboard_from_cut(project, cut)
    return storyboard_from_shots(project)


def load_still(still: Still | None, media: MediaPaths, width: int, height: int) -> np.ndarray:
    """The panel's picture as BGR, conformed (letterboxed) to width×height; black if there is none.

    A file that is missing, damaged or outside the store raises (TamperedMedia, or one of
    frames.DECODE_ERRORS); `panel_picture` turns that into a message naming the take."""
    if still is None:
        return black(width, height)
    path: Path = media.path(still.media_path)
    if still.kind == "image":
        return conform(read_image(path), width, height)
    source = VideoSource(path)
    try:
        _, frame = source.frame(still.frame)
        return conform(frame.to_ndarray(format="bgr24"), width, height)
    finally:
        source.close()


def panel_picture(panel: Panel, media: MediaPaths, width: int, height: int, skipped: Skipped | None = None) -> np.ndarray:
    """A panel's still; a take whose media is missing, damaged or tampered raises TakeMediaError
    naming it, or with `skipped` given is added there and drawn as a 'media missing' card."""
    still = panel.still
    if still is None:
        return black(width, height)
    issue = media_issue(media, still.media_path, still.kind, take_id=panel.take_id, shot_code=panel.shot_code)
    if issue is None:
        try:
            return load_still(still, media, width, height)
        except DECODE_ERRORS as exc:
            issue = damaged(panel.take_id, panel.shot_code, still.media_path, media.path(still.media_path), exc)
    if skipped is None:
        raise TakeMediaError([issue])
    skipped.add(issue)
    return missing_card(width, height, f"media {issue.problem}")


def missing_card(width: int, height: int, text: str) -> np.ndarray:
    """A dark panel with a red frame and `text` in the middle: where a take's picture would be."""
    card = np.full((height, width, 3), 40, np.uint8)
    cv2.rectangle(card, (0, 0), (width - 1, height - 1), (60, 60, 200), max(1, min(width, height) // 60))
    scale = max(0.3, min(width, height) / 240)
    thick = max(1, round(scale * 1.5))
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    if tw > width - 8:
        scale *= (width - 8) / tw
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    cv2.putText(card, text, ((width - tw) // 2, (height + th) // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (230, 230, 230), thick, cv2.LINE_AA)
    return card
