"""Which colour standard a picture of a given size is in: the one rule both the cut MP4
(export.colour) and the engine's takes (engine.media_out) convert by and tag, so a take and the
cut that shows it say the same thing about their numbers.

BT.709 for HD (above 576 lines or wider than 1024), BT.601 (SMPTE 170M) for SD, as broadcast and
players assume; limited ("TV") range always. Code points are ISO/IEC 23091-2's, the values FFmpeg's
color_primaries, color_trc and colorspace take.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standard:
    name: str  # 'bt709' | 'bt601'
    primaries: int  # 1 = BT.709, 6 = SMPTE 170M
    transfer: int
    matrix: int


BT709 = Standard("bt709", 1, 1, 1)
BT601 = Standard("bt601", 6, 6, 6)


def standard_for_size(width: int, height: int) -> Standard:
    return BT709 if height > 576 or width > 1024 else BT601
