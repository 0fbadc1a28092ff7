"""Previz: a camera-aware blocking render of a shot (picture, depth and layout), made with numpy
in the engine worker like any preset, with no torch and no weights (issue #15)."""

from director.core.blocking import PREVIZ_LABEL as LABEL
from director.core.blocking import PREVIZ_PRESET as PRESET_ID

__all__ = ["LABEL", "PRESET_ID"]
