"""The only layer that imports Qt: windows, widgets, item models and undo commands."""
