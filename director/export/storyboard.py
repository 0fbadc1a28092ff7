"""The storyboard as plain layout data: one panel per shot (in shot order) or per cut (in cut order).

Renderers draw from this and nothing else: the PDF (storyboard_pdf.py, fpdf2) and the PNG contact
sheet (contact_sheet.py, opencv). Building it reads the project; drawing touches only media files,
so a renderer can run on a worker thread.

Each fact has one rule, shared with the rest of Director: which take a shot shows is
store.choice's; what a shot cost is store.ledger.spend_by_shot's (jobs and expenses in the
project's currency), shared evenly over the shot's panels so the panels add up to the title page;
what a take was made from is its recorded recipe (takeinfo.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np

from director.core.cost import format_money, from_micros, split_evenly, to_micros
from director.core.cut import Cut, CutSegment
from director.core.errors import InvalidInput
from director.core.timecode import Rate
from director.export.conform import black, conform
from director.export.qc_report import with_qc_notes
from director.export.frames import DECODE_ERRORS, MediaPaths, Skipped, TakeMediaError, VideoSource, damaged, media_issue, read_image
from director.core.blocking import PREVIZ_LABEL, PREVIZ_PRESET
from director.export.takeinfo import RANDOM_WEIGHTS, TakeInfo, take_info
from director.store import choice, ledger, prompts, shots
from director.store import finals as store_finals
from director.store.project import Project

ORDERS = ("cut", "shots")
NO_TAKE = "no take yet"


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
    take_id: int | None  # None: a placeholder for a shot with no take yet
    frames: int
    prompt: str  # what the take was made from (its recipe), or the shot's current prompt for a placeholder
    notes: str
    money: Decimal  # this panel's share of what its shot has cost (its shot's panels add up to it)
    still: Still | None
    shot_id: int | None = None
    random_weights: bool = False  # made with a tiny preset's random weights
    qc_note: str = ""  # continuity QC footnote (export.qc_report.qc_footnote); '' when nothing to say
    previz: bool = False  # drawn from the blocking (engine.previz), not generated
    final_of: int | None = None  # the draft take this panel's take is the conformed final of

    @property
    def placeholder(self) -> bool:
        return self.take_id is None

    @property
    def badge(self) -> str:
        """The warning a panel carries beside its heading ('' for most)."""
        if self.previz:
            return PREVIZ_LABEL
        words = [RANDOM_WEIGHTS] if self.random_weights else []
        if self.final_of is not None:  # the chain draft → final, as the timeline's FINAL badge says
            words.append(f"FINAL of take {self.final_of}")
        return " · ".join(words)

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
    total_money: Decimal  # each shot counted once: the sum of the panels' shares
    running_frames: int | None = None  # the cut's whole length, gaps included; None: the panels' sum

    @property
    def total_frames(self) -> int:
        """The running time in frames: the whole cut (gaps included), or the panels' sum in shot order."""
        return self.running_frames if self.running_frames is not None else sum(p.frames for p in self.panels)

    @property
    def shot_count(self) -> int:
        return len({p.shot_code for p in self.panels})

    def money_text(self, amount: Decimal | None = None) -> str:
        return format_money(self.total_money if amount is None else amount, self.currency)

    def running_text(self) -> str:
        return f"{float(self.rate.seconds(self.total_frames)):.1f} s ({self.total_frames} frames at {self.rate} fps)"

    def summary(self) -> str:
        seconds = float(self.rate.seconds(self.total_frames))
        return f"{self.shot_count} shots, {len(self.panels)} panels, {seconds:.1f} s at {self.rate} fps, {self.money_text()} spent"


def _with_versions(project: Project, panels: list[Panel]) -> list[Panel]:
    """Mark the panels whose take is a conformed final with the draft it replaced."""
    drafts = store_finals.drafts_of_finals(project)
    return [replace(p, final_of=drafts[p.take_id]) if p.take_id in drafts else p for p in panels]


def _with_money(project: Project, panels: list[Panel]) -> tuple[list[Panel], Decimal]:
    """Each panel's share of its shot's spend (ledger.spend_by_shot, split evenly in micro-units over
    the shot's panels, earlier panels taking the odd micro-unit), and the total of the shots shown."""
    shot_ids = list(dict.fromkeys(p.shot_id for p in panels if p.shot_id is not None))
    spend = ledger.spend_by_shot(project, shot_ids)
    shares: dict[int, list[int]] = {}
    for sid in shot_ids:
        count = sum(1 for p in panels if p.shot_id == sid)
        shares[sid] = split_evenly(to_micros(spend.get(sid, Decimal(0))), count)
    out = []
    for p in panels:
        micros = shares[p.shot_id].pop(0) if p.shot_id is not None else 0
        out.append(replace(p, money=from_micros(micros)))
    return out, sum((spend.get(sid, Decimal(0)) for sid in shot_ids), Decimal(0))


def _notes(shot_notes: str, take_notes: str) -> str:
    if take_notes:
        return f"{shot_notes}\nTake: {take_notes}" if shot_notes else f"Take: {take_notes}"
    return shot_notes


def _take_panel(n: int, info: TakeInfo, shot_notes: str, frames: int, still: Still, camera: str = "") -> Panel:
    return Panel(
        n, info.shot_code, info.shot_title, info.camera or camera, info.take_id, frames, info.prompt_text,
        _notes(shot_notes, info.notes), Decimal(0), still, info.shot_id, info.random_weights,
        previz=info.preset == PREVIZ_PRESET,
    )


def _placeholder(project: Project, n: int, shot_id: int, frames: int, camera: str = "") -> Panel:
    """A panel for a shot with no take yet: its title, notes and the prompt it will be made from."""
    shot = shots.get_shot(project, shot_id)
    current = prompts.current_prompt(project, shot_id)
    return Panel(n, shot.code, shot.title, camera, None, frames, current.composed if current else "", shot.notes, Decimal(0), None, shot_id)


def _pieces(cut: Cut) -> list[CutSegment]:
    """What the cut shows, in order: takes (neighbours showing the same take merged: a split is not
    a new panel) and clips of shots with no take yet (merged the same way); plain gaps are left out."""
    out: list[CutSegment] = []
    for seg in sorted(cut.segments, key=lambda s: s.record_start):
        if seg.take_id is None and not (seg.metadata.get("missing") and seg.metadata.get("shot_id")):
            continue
        if out and out[-1].record_end == seg.record_start and out[-1].take_id == seg.take_id and (
            seg.take_id is not None or (out[-1].metadata.get("shot_id"), out[-1].camera) == (seg.metadata.get("shot_id"), seg.camera)
        ):
            out[-1] = replace(out[-1], duration=out[-1].duration + seg.duration)
        else:
            out.append(seg)
    return out


def storyboard_from_cut(project: Project, cut: Cut) -> Storyboard:
    """A panel per piece of the cut in cut order: each shown take (the still is the frame in the
    middle of its time on screen) and a placeholder for each clip whose shot has no take yet. The
    running time is the whole cut, gaps included."""
    settings = project.settings()
    panels = []
    for n, seg in enumerate(_pieces(cut), start=1):
        if seg.take_id is None:
            panels.append(_placeholder(project, n, seg.metadata["shot_id"], seg.duration, seg.camera))
            continue
        info = take_info(project, seg.take_id)
        middle = seg.source_frame_at(seg.record_start + seg.duration // 2, cut.rate)
        shot_notes = shots.get_shot(project, info.shot_id).notes
        panels.append(_take_panel(n, info, shot_notes, seg.duration, Still(seg.media_path, seg.kind, middle), seg.camera))
    panels, total = _with_money(project, with_qc_notes(project, _with_versions(project, panels), cut))
    width, height = cut.width or settings.width, cut.height or settings.height
    return Storyboard(settings.name, date.today().isoformat(), "cut", cut.rate, width, height, settings.currency, tuple(panels), total, cut.duration)


def storyboard_from_shots(project: Project) -> Storyboard:
    """A panel per live shot in shot order, showing its chosen take (store.choice), or a placeholder
    for a shot with no take yet (or only rejected ones)."""
    settings = project.settings()
    live = shots.list_shots(project)
    chosen = choice.chosen_takes(project, [s.id for s in live])
    panels = []
    for n, shot in enumerate(live, start=1):
        take_id = chosen.get(shot.id)
        if take_id is None:
            panels.append(_placeholder(project, n, shot.id, shot.target_frames))
            continue
        info = take_info(project, take_id)
        if info.thumb_path:
            still = Still(info.thumb_path, "image")
        else:
            still = Still(info.media_path, info.kind, info.frames // 2 if info.kind == "video" else 0)
        panels.append(_take_panel(n, info, shot.notes, shot.target_frames, still))
    panels, total = _with_money(project, with_qc_notes(project, _with_versions(project, panels)))
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
        return placeholder_card(width, height) if panel.placeholder else black(width, height)
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


def placeholder_card(width: int, height: int, text: str = NO_TAKE) -> np.ndarray:
    """A light grey panel with a dashed-looking grey frame and `text`: a shot still to be made."""
    card = np.full((height, width, 3), 225, np.uint8)
    step = max(4, min(width, height) // 20)
    edge = max(1, min(width, height) // 80)
    for x in range(0, width, 2 * step):
        card[:edge, x : x + step] = 150
        card[height - edge :, x : x + step] = 150
    for y in range(0, height, 2 * step):
        card[y : y + step, :edge] = 150
        card[y : y + step, width - edge :] = 150
    _centred_text(card, text, (90, 90, 90))
    return card


def _centred_text(card: np.ndarray, text: str, color) -> None:
    height, width = card.shape[:2]
    scale = max(0.3, min(width, height) / 240)
    thick = max(1, round(scale * 1.5))
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    if tw > width - 8:
        scale *= (width - 8) / tw
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    cv2.putText(card, text, ((width - tw) // 2, (height + th) // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, color, thick, cv2.LINE_AA)


def missing_card(width: int, height: int, text: str) -> np.ndarray:
    """A dark panel with a red frame and `text` in the middle: where a take's picture would be."""
    card = np.full((height, width, 3), 40, np.uint8)
    cv2.rectangle(card, (0, 0), (width - 1, height - 1), (60, 60, 200), max(1, min(width, height) // 60))
    _centred_text(card, text, (230, 230, 230))
    return card
