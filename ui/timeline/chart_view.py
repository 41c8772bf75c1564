"""The Chart tab: the incident at a glance (the same timeline description the PDF prints), with
zoom and pan buttons, scroll bars, and a line under the chart saying what the focused or hovered
item is and which entry records it. Enter (or a double-click) opens that entry in the log.

It follows the session by itself: rebuilt when an entry is written or every minute while shown
(overdue marks move with the clock), emptied on lock. It keeps only the few entries the chart
needs beyond the folded state (late entries, corrections, corrected originals), reading new ones
as they are written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollBar,
    QVBoxLayout,
    QWidget,
)

from pir.views.timeline_chart import Bar, Lane, Mark, Timeline, build_timeline, needed_entries
from ui.common.plain_words import fields_text, kind_title, specs_for
from ui.common.theme import current as current_theme
from ui.common.time_text import short_time
from ui.timeline.chart_canvas import ChartCanvas, Item

if TYPE_CHECKING:
    from datetime import datetime

    from pir.incident import IncidentLog
    from pir.log.store import StoredEntry
    from pir.views.state import IncidentState
    from ui.shell.session import Session

HINT = ("Arrows: move between items and lanes · + / − zoom · 0 whole chart · Shift+arrows or "
        "drag: pan · Ctrl+wheel: zoom · Enter: open the entry in the timeline")


class ChartView(QWidget):
    entry_activated = Signal(int)

    def __init__(self, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.log: IncidentLog | None = None
        self.state: IncidentState | None = None
        self.timeline: Timeline | None = None
        self._entries: list[StoredEntry] = []  # what the chart needs beyond the state
        self._read_to = 0
        self._incident: str | None = None
        self._details: dict[int, str] = {}
        self._stale = True

        self.canvas = ChartCanvas()
        self.canvas.describe = self.describe
        self.canvas.activated.connect(self.entry_activated)
        self.canvas.focused.connect(self._show_focused)
        self.canvas.view_changed.connect(self._sync_bars)
        self.hbar = QScrollBar(Qt.Orientation.Horizontal)
        self.hbar.setAccessibleName("Chart time scroll")
        self.hbar.valueChanged.connect(self._hbar_moved)
        self.vbar = QScrollBar(Qt.Orientation.Vertical)
        self.vbar.setAccessibleName("Chart lanes scroll")
        self.vbar.valueChanged.connect(self._vbar_moved)
        self._syncing = False

        buttons = QHBoxLayout()
        for text, tip, slot in (
            ("&Zoom in", "Zoom in (+, or Ctrl+wheel)", lambda: self.canvas.zoom(1.5)),
            ("Zoom &out", "Zoom out (−)", lambda: self.canvas.zoom(1 / 1.5)),
            ("&Whole chart", "The whole incident in view (0)", self.canvas.fit),
            ("Open &entry", "Open the focused item's entry in the timeline (Enter)",
             self._open_current),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.clicked.connect(slot)
            button.clicked.connect(lambda: self.canvas.setFocus())
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.status = QLabel(HINT)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName("Focused item")
        self.status.setMinimumHeight(self.fontMetrics().height() * 2 + 4)

        grid = QGridLayout()
        grid.setSpacing(0)
        grid.addWidget(self.canvas, 0, 0)
        grid.addWidget(self.vbar, 0, 1)
        grid.addWidget(self.hbar, 1, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(grid, 1)
        layout.addWidget(self.status)
        self.setFocusProxy(self.canvas)

        self._clock = QTimer(self)
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        current_theme().changed.connect(self.canvas.update)
        if session is not None:
            session.signals.entry_written.connect(self._changed)
            session.signals.incident_opened.connect(self._changed)
            session.signals.locked.connect(self.clear)

    # -- following the session -----------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        self._stale = True
        if self.isVisible():
            QTimer.singleShot(0, self.refresh)

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt's name)
        super().showEvent(event)
        if self._stale or (self.session is not None and self.session.log is not self.log):
            self.refresh()

    def refresh(self) -> None:
        """Rebuilds from the session's open incident, as it stands now."""
        s = self.session
        if s is None or s.log is None or not s.is_open:
            self.clear()
            return
        self.show_incident(s.log, s.state(), s.now())

    def show_incident(self, log: IncidentLog, state: IncidentState, now: datetime) -> None:
        if log.row.id != self._incident:
            self._incident, self._entries, self._read_to = log.row.id, [], 0
            self._details = {}
        if state.last_seq > self._read_to:
            known = {e.seq for e in self._entries}
            new = list(log.entries(self._read_to + 1))
            self._entries += needed_entries(state, new)
            for entry in new:  # a correction of an entry read before: keep its original
                if entry.kind == "correction" and entry.corrects is not None and \
                        entry.corrects <= self._read_to and entry.corrects not in known:
                    original = log.entry(entry.corrects)
                    if original is not None:
                        self._entries.append(original)
                        known.add(original.seq)
                self._details.pop(entry.corrects or 0, None)
            self._read_to = state.last_seq
        self.log, self.state = log, state
        # Other laptops' entries held here (several laptops, one incident), as the fold keys them.
        others = needed_entries(state, log.other_laptops_entries())
        self.timeline = build_timeline(state, self._entries + others, now)
        self.canvas.set_timeline(self.timeline)
        self._stale = False

    def clear(self) -> None:
        """Forgets the incident (on lock, or when none is open)."""
        self.log = self.state = self.timeline = None
        self._entries, self._read_to, self._incident, self._details = [], 0, None, {}
        self.canvas.set_timeline(None)
        self.status.setText(HINT)
        self._stale = True

    # -- what an item is -------------------------------------------------------------------------

    def describe(self, item: Item, lane: Lane) -> str:
        """One or two lines: the item, then the entry that records it."""
        if isinstance(item, Mark):
            head = f"{item.label}: due {short_time(item.at)}"
            if item.until is not None:
                head += f", done {short_time(item.until)}"
        elif isinstance(item, Bar):
            end = "no end recorded" if item.open_end else short_time(item.end)
            head = f"{item.label}: {short_time(item.start)} to {end}"
        else:
            head = f"{item.label}: {short_time(item.at)}"
            if item.faint:
                head += " (the value first recorded, since corrected)"
        head += f" · {lane.label}"
        return head + ("\n" + self._entry_text(item.seq) if item.seq else "")

    def _entry_text(self, seq: int) -> str:
        if seq in self._details:
            return self._details[seq]
        entry = self.log.entry(seq) if self.log is not None else None
        if entry is None:
            return f"Entry {seq}"
        template = self.log.template if self.log is not None else None
        state = self.state

        def name(pid: int) -> str:
            return state.person_name(pid) if state is not None else f"person {pid}"

        body = entry.body
        author = (body.get("author") or {}).get("name", "")
        text = fields_text(specs_for(template, entry.kind, entry.step), entry.payload, name) \
            if entry.kind != "correction" else f"corrects entry {entry.corrects}: " \
            f"{body.get('reason') or ''}"
        late = f" · written late: {body['late_reason']}" if body.get("late_reason") else ""
        if len(text) > 260:
            text = text[:259] + "…"
        line = (f"Entry {seq} · {kind_title(template, entry.kind, entry.step)} · by {author}"
                f"{late} — {text}")
        self._details[seq] = line
        return line

    def _show_focused(self, item: Item | None) -> None:
        where = self.canvas.current
        if item is None or where is None:
            self.status.setText(HINT)
            return
        self.status.setText(self.describe(item, self.canvas.rows[where[0]].lane))

    def _open_current(self) -> None:
        item = self.canvas.current_item()
        if item is not None and item.seq:
            self.entry_activated.emit(item.seq)

    # -- scroll bars -------------------------------------------------------------------------

    def _sync_bars(self) -> None:
        c = self.canvas
        self._syncing = True
        try:
            a, b = c.span()
            visible = c.plot_w / c.pps
            lo, hi = a - visible * 0.5, max(a - visible * 0.5, b - visible * 0.5)
            self.hbar.setRange(0, max(0, int(hi - lo)))
            self.hbar.setPageStep(max(1, int(visible)))
            self.hbar.setSingleStep(max(1, int(visible / 10)))
            self.hbar.setValue(int(c.t0 - lo))
            self.vbar.setRange(0, max(0, int(c.content_h - c.lanes_h)))
            self.vbar.setPageStep(max(1, int(c.lanes_h)))
            self.vbar.setSingleStep(max(1, int(c.row_h)))
            self.vbar.setValue(int(c.y_off))
            self.vbar.setVisible(c.content_h > c.lanes_h)
        finally:
            self._syncing = False

    def _hbar_moved(self, value: int) -> None:
        if self._syncing:
            return
        c = self.canvas
        a, _ = c.span()
        c.t0 = a - c.plot_w / c.pps * 0.5 + value
        c._clamp()

    def _vbar_moved(self, value: int) -> None:
        if not self._syncing:
            self.canvas.y_off = float(value)
            self.canvas._clamp()
