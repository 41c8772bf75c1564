"""Tab order set explicitly, in the order the eye reads a screen: widgets created later (a step
form built when a step is chosen) would otherwise be appended at the end of the window's chain."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None


def focus_stops(container: QWidget) -> list[QWidget]:
    """The Tab stops inside `container`, in its current chain order."""
    out: list[QWidget] = []
    w = container.nextInFocusChain()
    seen = set()
    while w is not None and w is not container and id(w) not in seen:
        seen.add(id(w))
        if container.isAncestorOf(w) and takes_tab(w):
            out.append(w)
        w = w.nextInFocusChain()
    return out


def chain(widgets: Sequence[QWidget]) -> None:
    """Makes Tab go through `widgets` in this order; one that Tab never stops on (a helper
    button kept for the mouse) is left out, or it would break the chain there."""
    stops = [w for w in widgets
             if w is not None and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    for a, b in zip(stops, stops[1:], strict=False):
        QWidget.setTabOrder(a, b)


def visual_order(widgets: Sequence[QWidget], relative_to: QWidget) -> list[QWidget]:
    """Widgets as the eye reads them: rows top to bottom (widgets whose heights overlap by half
    share a row), left to right within a row."""
    boxes = []
    for w in widgets:
        top_left = w.mapTo(relative_to, w.rect().topLeft())
        boxes.append((top_left.y(), top_left.y() + w.height(), top_left.x(), w))
    boxes.sort(key=lambda b: (b[0], b[2]))
    rows: list[list[tuple[int, int, int, QWidget]]] = []
    for box in boxes:
        if rows:
            top, bottom = min(b[0] for b in rows[-1]), max(b[1] for b in rows[-1])
            overlap = min(bottom, box[1]) - max(top, box[0])
            if overlap >= min(bottom - top, box[1] - box[0]) / 2:
                rows[-1].append(box)
                continue
        rows.append([box])
    return [b[3] for row in rows for b in sorted(row, key=lambda b: b[2])]
