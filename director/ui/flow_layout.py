"""FlowLayout: a row of controls that wraps onto the next line instead of widening its panel.

A QHBoxLayout of buttons or filter boxes asks for the sum of their widths; in a dock that sum
becomes the dock's minimum (a horizontal scroll bar inside it) and in the central widget the
window's minimum (a window wider than a laptop's screen, issue #21). A flow layout asks only for
its widest item and grows in height (height-for-width) when the width is short. Items keep their
order; an item with a horizontal stretch policy (Expanding) takes the rest of its line.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Left to right, wrapping at the layout's width."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4, margins: tuple[int, int, int, int] = (0, 0, 0, 0)):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(*margins))

    # -- QLayout -----------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, apply=True)

    def sizeHint(self) -> QSize:
        """All on one line: what the row would take given the room."""
        margins = self.contentsMargins()
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """The widest single item: everything else wraps."""
        margins = self.contentsMargins()
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def spacing(self) -> int:
        return self._spacing

    def setSpacing(self, spacing: int) -> None:
        self._spacing = spacing
        self.invalidate()

    # -- placing -----------------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _lines(self, width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            w = item.sizeHint().width()
            if lines[-1] and used + self._spacing + w > width:
                lines.append([])
                used = 0
            used += (self._spacing if lines[-1] else 0) + w
            lines[-1].append(item)
        return lines

    def _place(self, rect: QRect, *, apply: bool) -> int:
        """Lay the items out in `rect` (when apply); return the height they need at its width."""
        margins = self.contentsMargins()
        inner = rect.marginsRemoved(margins)
        y = inner.y()
        for line in self._lines(inner.width()):
            if not line:
                continue
            height = max(item.sizeHint().height() for item in line)
            widths = [min(item.sizeHint().width(), inner.width()) for item in line]
            spare = inner.width() - sum(widths) - self._spacing * (len(line) - 1)
            growers = [i for i, item in enumerate(line) if item.expandingDirections() & Qt.Orientation.Horizontal]
            if apply:
                if spare > 0 and growers:
                    share, extra = divmod(spare, len(growers))
                    for n, i in enumerate(growers):
                        widths[i] += share + (1 if n < extra else 0)
                x = inner.x()
                for item, w in zip(line, widths):
                    h = item.sizeHint().height()
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(w, h)))
                    x += w + self._spacing
            y += height + self._spacing
        return y - self._spacing - inner.y() + margins.top() + margins.bottom() if y > inner.y() else margins.top() + margins.bottom()

