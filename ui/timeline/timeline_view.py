"""The timeline screen: every entry in order with both times, author, kind and text; filters;
corrections struck through and linked both ways; correct the selected entry."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pir.views.state import IncidentState
from ui.common.plain_words import kind_title
from ui.shell import shortcuts
from ui.timeline.timeline_filter import TimelineFilter
from ui.timeline.timeline_model import SEQ_ROLE, TimelineModel


class TimelineView(QWidget):
    correct_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TimelineModel()
        self.total = 0
        self.proxy = TimelineFilter(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Timeline of entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures 50,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        # Fixed widths (never ResizeToContents: that would measure every row).
        widths = (48, 150, 150, 190, 520, 230)
        for col, width in enumerate(widths):
            header.resizeSection(col, width)
        self.table.doubleClicked.connect(self._follow)
        self.table.activated.connect(self._follow)

        self.kind = QComboBox()
        self.kind.setAccessibleName("Filter by kind")
        self.step = QComboBox()
        self.step.setAccessibleName("Filter by step")
        self.person = QComboBox()
        self.person.setAccessibleName("Filter by person")
        for combo in (self.kind, self.step, self.person):
            combo.currentIndexChanged.connect(self._apply_filter)
            combo.setMinimumContentsLength(7)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.count = QLabel()
        self.correct_button = QPushButton(
            f"&Correct selected entry… ({shortcuts.label('correct_entry')})")
        self.correct_button.setAccessibleName("Correct the selected entry")
        self.correct_button.clicked.connect(self._correct)
        self.link_button = QPushButton("Go to li&nked entry")
        self.link_button.setToolTip("From a corrected entry to its correction, and back (Enter)")
        self.link_button.clicked.connect(lambda: self._follow(self.table.currentIndex()))
        for seq in shortcuts.sequences("correct_entry"):
            sc = QShortcut(seq, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self._correct)
        for seq in shortcuts.sequences("timeline_filter"):
            sc = QShortcut(seq, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.kind.setFocus)

        bar = QHBoxLayout()
        for text, combo in (("&What:", self.kind), ("S&tep:", self.step),
                            ("&Person:", self.person)):
            label = QLabel(text)
            label.setBuddy(combo)
            bar.addWidget(label)
            bar.addWidget(combo, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.link_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # -- data ----------------------------------------------------------------------------------

    def load(self, log, state: IncidentState) -> None:  # noqa: ANN001 - IncidentLog | None
        self.total = state.last_seq if log else 0
        self.model.reset(log, state.corrections if log else None,
                         state.withdrawn if log else None,
                         lambda pid: state.person_name(pid, redact=False),
                         state.entry_label if log else None)
        self._fill_filters(state if log else None)
        self._update_count()

    def entries_written(self, state: IncidentState) -> None:
        self.total = state.last_seq
        self.model.new_entries(lambda pid: state.person_name(pid), state.entry_label)
        self._fill_filters(state)
        self._update_count()

    def clear(self) -> None:
        self.model.reset(None)
        self._fill_filters(None)

    def _fill_filters(self, state: IncidentState | None) -> None:
        current = (self.kind.currentData(), self.step.currentData(), self.person.currentData())
        for combo in (self.kind, self.step, self.person):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("All", None)
        if state is not None:
            kinds = sorted({s.kind for s in state.template.steps}
                           | {"note", "decision", "correction", "incident.opened",
                              "export.recorded"})
            titled = []
            for kind in kinds:
                steps = state.template.steps_for_kind(kind)
                title = " / ".join(s.title for s in steps) if len(steps) > 1 else \
                    kind_title(state.template, kind)
                titled.append((title, kind))
            for title, kind in sorted(titled, key=lambda t: t[0].casefold()):
                self.kind.addItem(title, kind)
            for step in state.template.steps:
                self.step.addItem(f"{step.phase_id} · {step.title}", step.id)
            for person in state.people.values():
                self.person.addItem(f"P{person.seq}  {person.label()}", person.seq)
        for combo, value in zip((self.kind, self.step, self.person), current, strict=True):
            index = combo.findData(value) if value is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _apply_filter(self) -> None:
        self.proxy.set_filter(kind=self.kind.currentData(), step=self.step.currentData(),
                              person=self.person.currentData())
        self._update_count()

    def set_filter(self, *, kind: str | None = None, step: str | None = None,
                   person: int | None = None) -> None:
        for combo, value in ((self.kind, kind), (self.step, step), (self.person, person)):
            combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)

    def _update_count(self) -> None:
        total = max(self.total, self.model.rowCount())
        self.count.setText(f"{self.proxy.rowCount()} of {total} entries" if self.proxy.active
                           else f"{total} entries")

    # -- navigation ----------------------------------------------------------------------------

    def selected_seq(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(SEQ_ROLE) if index.isValid() else None

    def select_newest(self) -> None:
        """Shown with nothing chosen: the newest entry, the one most often corrected."""
        if not self.table.currentIndex().isValid() and self.total:
            self.select_seq(self.total)

    def select_seq(self, seq: int) -> bool:
        while self.model.row_of(seq) is None and self.model.canFetchMore():
            self.model.fetchMore()
        row = self.model.row_of(seq)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.set_filter()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _follow(self, index: QModelIndex) -> None:
        """Corrected entry -> its (latest) correction; correction -> the entry it corrects."""
        if not index.isValid():
            return
        seq = index.data(SEQ_ROLE)
        row = self.model.row_of(seq)
        if row is None:
            return
        body = self.model.body(row)
        if body.get("corrects"):
            self.select_seq(body["corrects"])
        elif self.model.corrected_by(seq):
            self.select_seq(self.model.corrected_by(seq)[-1])

    def _correct(self) -> None:
        seq = self.selected_seq()
        if seq is not None:
            self.correct_requested.emit(seq)
