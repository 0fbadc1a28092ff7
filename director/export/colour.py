"""Which colour standard a picture is in, and the one conversion every export encode makes.

An MP4 says what its numbers mean: BT.709 primaries, transfer and matrix for HD (above 576
lines), BT.601 (SMPTE 170M) for SD, limited ("TV", 16–235) range in both. The encoder is told the
same values it converts with, so the tags describe the pixels. A take without colour tags is read
as BT.601 limited range: that is how PyAV's default conversion wrote takes before the engine
tagged them (engine.media_out now tags by the same rule); a tagged take is read as it says.
"""

from __future__ import annotations

from dataclasses import dataclass

import av
from av.video.reformatter import ColorPrimaries, ColorRange, ColorTrc, Colorspace

from director.core.colour import standard_for_size


@dataclass(frozen=True)
class Colour:
    name: str  # 'bt709' | 'bt601'
    matrix: Colorspace  # what swscale converts with
    primaries: int  # the codec's tag values (ISO/IEC 23091-2): 1 = BT.709, 6 = SMPTE 170M
    transfer: int
    colorspace: int

    def tag(self, target) -> None:
        """Put the tags on an encoder's codec context or on a frame; limited range always."""
        target.color_primaries = self.primaries
        target.color_trc = self.transfer
        target.colorspace = self.colorspace
        target.color_range = ColorRange.MPEG


BT709 = Colour("bt709", Colorspace.ITU709, int(ColorPrimaries.BT709), int(ColorTrc.BT709), 1)
BT601 = Colour("bt601", Colorspace.ITU601, int(ColorPrimaries.SMPTE170M), int(ColorTrc.SMPTE170M), 6)


def for_size(width: int, height: int) -> Colour:
    """BT.709 for HD, BT.601 for SD (576 lines or fewer): core.colour's rule, which takes follow too."""
    return BT709 if standard_for_size(width, height).name == "bt709" else BT601


def of_frame(frame: av.VideoFrame) -> tuple[Colorspace, ColorRange]:
    """The matrix and range a decoded frame is in: its tags, or BT.601 limited when it has none."""
    cs = int(frame.colorspace)
    matrix = Colorspace.ITU709 if cs == 1 else Colorspace.ITU601  # 5, 6 (601) and unspecified (2)
    rng = ColorRange.JPEG if int(frame.color_range) == int(ColorRange.JPEG) else ColorRange.MPEG
    return matrix, rng


def to_output(frame: av.VideoFrame, colour: Colour, width: int | None = None, height: int | None = None, interpolation=None) -> av.VideoFrame:
    """A yuv420p frame in `colour` (limited range), converted from whatever `frame` is in
    (a bgr24 picture, or a decoded take read by of_frame), scaled if a size is given."""
    if frame.format.name in ("bgr24", "rgb24"):
        out = frame.reformat(width, height, "yuv420p", dst_colorspace=colour.matrix, dst_color_range=ColorRange.MPEG, interpolation=interpolation)
    else:
        matrix, rng = of_frame(frame)
        out = frame.reformat(
            width, height, "yuv420p", src_colorspace=matrix, dst_colorspace=colour.matrix,
            src_color_range=rng, dst_color_range=ColorRange.MPEG, interpolation=interpolation,
        )
    if out is frame:  # nothing to convert: same picture, tagged anew
        out = frame.reformat(width, height, "yuv420p")
    colour.tag(out)
    return out


def to_bgr(frame: av.VideoFrame):
    """A decoded frame as a BGR array, read with its own matrix and range (of_frame)."""
    matrix, rng = of_frame(frame)
    return frame.reformat(format="bgr24", src_colorspace=matrix, src_color_range=rng).to_ndarray()
