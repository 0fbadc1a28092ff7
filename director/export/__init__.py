"""Exports: the cut as MP4, takes as files, the storyboard, interchange files for an editing suite.

No Qt here (the storyboard PDF renderer lives in director/ui/storyboard_pdf.py, fed by the pure
layout in storyboard.py). Every exporter streams, reports progress through a callback, checks a
cancel callable, and writes through a temporary file renamed into place, so an interrupted export
never leaves a half-written file under the name the user asked for.
"""
