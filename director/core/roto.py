"""Roto prompts: what a user clicks on a take's frames so SAM 2 can cut an object out.

A take holds named objects; each object holds prompts on chosen frames: a positive point (this is
the object), a negative point (this is not) or a box around it. Coordinates are pixels of the
take's own frames, frames are 0-based. Plain Python: the store keeps them, the engine turns them
into SAM 2 inputs, the CLI parses them from `x,y@frame`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from director.core.errors import InvalidInput

PROMPT_KINDS = ("positive", "negative", "box")
NAME_MAX = 80

_NUMBER = r"-?\d+(?:\.\d+)?"
_POINT = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*@\s*(\d+)\s*$")
_BOX = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*,\s*({_NUMBER})\s*,\s*({_NUMBER})\s*@\s*(\d+)\s*$")


@dataclass(frozen=True)
class RotoPrompt:
    """One click or box on one frame. A box uses (x0, y0)–(x1, y1); a point only (x0, y0)."""

    kind: str
    frame: int
    x0: float
    y0: float
    x1: float | None = None
    y1: float | None = None
    id: int | None = None
    object_id: int | None = None

    def describe(self) -> str:
        if self.kind == "box":
            return f"box {self.x0:g},{self.y0:g},{self.x1:g},{self.y1:g}@{self.frame}"
        return f"{'+' if self.kind == 'positive' else '-'}{self.x0:g},{self.y0:g}@{self.frame}"

    def as_dict(self) -> dict:
        d = {"kind": self.kind, "frame": self.frame, "x0": self.x0, "y0": self.y0}
        if self.kind == "box":
            d.update(x1=self.x1, y1=self.y1)
        return d


@dataclass(frozen=True)
class RotoObject:
    id: int
    take_id: int
    name: str
    prompts: tuple[RotoPrompt, ...] = ()


def parse_point(text: str, kind: str = "positive") -> RotoPrompt:
    """`x,y@frame` → a positive or negative point."""
    m = _POINT.match(text or "")
    if not m:
        raise InvalidInput(f"a point looks like x,y@frame (e.g. 120,80@0), got {text!r}")
    return RotoPrompt(kind, int(m.group(3)), float(m.group(1)), float(m.group(2)))


def parse_box(text: str) -> RotoPrompt:
    """`x0,y0,x1,y1@frame` → a box (corners in any order)."""
    m = _BOX.match(text or "")
    if not m:
        raise InvalidInput(f"a box looks like x0,y0,x1,y1@frame (e.g. 10,10,90,120@4), got {text!r}")
    x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
    return RotoPrompt("box", int(m.group(5)), min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or any(c in name for c in "\n\r\t"):
        raise InvalidInput(f"an object's name is 1 to {NAME_MAX} characters on one line, got {name!r}")
    return name


def check_prompt(p: RotoPrompt, width: int, height: int, frames: int) -> RotoPrompt:
    """Refuse a prompt outside the take (frame or pixel), naming the take's size and length."""
    if p.kind not in PROMPT_KINDS:
        raise InvalidInput(f"a prompt is one of {', '.join(PROMPT_KINDS)}, got {p.kind!r}")
    if not 0 <= p.frame < frames:
        raise InvalidInput(f"frame {p.frame} is outside the take (frames 0 to {frames - 1})")
    corners = [(p.x0, p.y0)] + ([(p.x1, p.y1)] if p.kind == "box" else [])
    for x, y in corners:
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
            raise InvalidInput(f"{p.describe()}: coordinates must be numbers")
        if not (0 <= x <= width and 0 <= y <= height):
            raise InvalidInput(f"{p.describe()} is outside the take's {width}×{height} frame "
                               f"(x 0 to {width}, y 0 to {height})")
    if p.kind == "box" and (p.x1 - p.x0 < 1 or p.y1 - p.y0 < 1):
        raise InvalidInput(f"{p.describe()} is empty; a box is at least one pixel wide and high")
    return p
