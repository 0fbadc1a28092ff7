"""Keeping the window inside the screen: panels that scroll instead of widening their dock, and
window geometry clamped to the screen it is on (issue #21).

A QMainWindow is never smaller than the sum of its docks' minimum sizes, and a dock's minimum is
its panel's minimumSizeHint: a form of twelve rows, a word-wrapped label holding one long word, or a
row of buttons then pushes the whole window past the screen's edge. A panel in a `PanelScroll`
contributes only the dock's own minimum; what does not fit scrolls inside the dock.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QLabel, QScrollArea, QSizePolicy, QWidget


class PanelScroll(QScrollArea):
    """A frameless scroll area around one panel; the panel fills it whenever it fits."""

    def __init__(self, panel: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"scroll_{panel.objectName()}")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusProxy(panel)
        self.setWidget(panel)

    def panel(self) -> QWidget:
        return self.widget()


def in_dock(panel: QWidget) -> QWidget:
    """What a dock holds for a panel: the panel itself when it already scrolls (a list, a table, the
    timeline), else the panel in a PanelScroll."""
    return panel if isinstance(panel, QAbstractScrollArea) else PanelScroll(panel)


def available_area(widget: QWidget) -> QRect:
    """The usable desktop (without panels and docks of the OS) of the screen the widget is on, or of
    the primary screen before it is placed."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def clamp_to_screen(widget: QWidget, area: QRect | None = None) -> bool:
    """Move and shrink a top-level window so its frame lies inside `area` (the available area of
    its screen); a geometry saved on a larger monitor then opens whole on a laptop. True if it moved."""
    area = area or available_area(widget)
    frame, inner = widget.frameGeometry(), widget.geometry()
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()  # title bar and borders
    width = min(inner.width(), area.width() - extra_w)
    height = min(inner.height(), area.height() - extra_h)
    x = min(max(frame.x(), area.left()), area.right() + 1 - (width + extra_w))
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - (height + extra_h))
    if (width, height) == (inner.width(), inner.height()) and (x, y) == (frame.x(), frame.y()):
        return False
    widget.resize(width, height)
    widget.move(x, y)
    return True


def wrap_within(label: QLabel) -> QLabel:
    """A word-wrapped label that takes the width its layout gives it: a word longer than that (a
    pasted URL, a held key) is cut at the edge instead of widening the panel, its dock and the
    window. Height still follows the text (height-for-width is kept)."""
    label.setWordWrap(True)
    policy = label.sizePolicy()  # word wrap set height-for-width on it; a new policy would drop that
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    return label


# Views whose content runs along time and scrolls sideways by nature: the cut's time axis, the
# storyboard's strip of panels. Every other scroll area in a dock should fit the dock's width.
SCROLLS_SIDEWAYS = frozenset({"TimelineView", "StoryboardView"})


def sideways_scrollers(docks: dict) -> list[dict]:
    """Every scroll area on screen inside one of `docks` (name → QDockWidget) whose horizontal scroll
    bar shows: a panel or a view wider than its dock gives it. `wrapper` is True for the dock's own
    PanelScroll (the panel as a whole does not fit). What the screen-fit test and the screenshot
    script report."""
    found = []
    for name, dock in docks.items():
        if not dock.isVisible() or dock.visibleRegion().isEmpty():
            continue
        for area in dock.findChildren(QAbstractScrollArea):
            bar = area.horizontalScrollBar()
            if not area.isVisible() or area.visibleRegion().isEmpty() or not bar.isVisible():
                continue
            if type(area).__name__ in SCROLLS_SIDEWAYS:
                continue
            found.append({"dock": name, "area": f"{type(area).__name__} {area.objectName()}".strip(), "wrapper": isinstance(area, PanelScroll),
                          "viewport": area.viewport().width(), "range": bar.maximum()})
    return found
