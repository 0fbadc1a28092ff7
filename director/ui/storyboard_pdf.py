"""Moved: the storyboard PDF is written by director/export/storyboard_pdf.py (fpdf2, no Qt), the
one exporter the window (export_menu.py) and the command line both call.

This name stays only because director/commands/demo.py still imports it; once demo.py imports
director.export.storyboard_pdf, delete this file and "director.ui.storyboard_pdf" from
CLI_UI_EXCEPTIONS in tests/test_layers.py.
"""

from director.export.storyboard_pdf import PANELS_PER_PAGE, grid, render_storyboard_pdf

__all__ = ["PANELS_PER_PAGE", "grid", "render_storyboard_pdf"]
