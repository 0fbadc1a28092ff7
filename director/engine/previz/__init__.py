"""Previz: a camera-aware blocking render of a shot (picture, depth and layout), made with numpy
in the engine worker like any preset, with no torch and no weights (issue #15)."""

LABEL = "previz (blocking render)"
PRESET_ID = "previz"
