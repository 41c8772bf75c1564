"""The open incident: attention banner, procedure navigator, the Now view, the step page and the
registers in tabs, and the quick log line. Refreshes from the folded state after every entry and
on a timer. Leaving a step with unsaved text asks first, whichever way the user leaves it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError
from pir.views.applicability import unmet_condition
from pir.views.checklist import StepStatus, checklist
from pir.views.state import IncidentState
from ui.common.focus_chain import chain, focus_stops
from ui.common.glossary import tooltip
from ui.common.screen_fit import restore_splitter, save_splitter
from ui.dialogs.correction_dialog import CorrectionDialog
from ui.incident.attention_banner import AttentionBanner
from ui.incident.navigator_model import STEP_ID_ROLE, NavigatorModel
from ui.incident.now_items import RESOLVE_CONFLICT, Item
from ui.incident.now_view import NowView
from ui.incident.quick_log import QuickLog
from ui.incident.referral_panel import ReferralPanel
from ui.incident.step_page import StepPage
from ui.registers.decisions_view import DecisionsView
from ui.registers.exhibits_view import ExhibitsView
from ui.registers.people_view import PeopleView
from ui.shell.session import Session
from ui.timeline.chart_view import ChartView
from ui.timeline.timeline_view import TimelineView

TABS = ("now", "step", "people", "exhibits", "decisions", "referral", "timeline", "chart")
SPLITTER_KEY = "incident"


class IncidentView(QWidget):
    reopen_requested = Signal()
    # A conflict between laptops to resolve (Now view): the entries and the conflict's text.
    resolve_requested = Signal(dict)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.statuses: dict[str, StepStatus] = {}
        self._syncing = False
        self.header = QLabel()
        self.header.setWordWrap(True)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.header.setAccessibleName("Incident")
        self.banner = AttentionBanner()
        self.banner.go_to_step.connect(self.open_step)

        self.nav_model = NavigatorModel()
        self.navigator = QTreeView()
        self.navigator.setModel(self.nav_model)
        self.navigator.setAccessibleName("Procedure navigator")
        self.navigator.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.navigator.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.navigator.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.navigator.setUniformRowHeights(True)
        self.navigator.setAllColumnsShowFocus(True)
        self.navigator.setIndentation(12)
        self.navigator.setToolTip("Enter opens the step's form")
        nav_header = self.navigator.header()
        nav_header.setStretchLastSection(False)
        nav_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        nav_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        nav_header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.navigator.selectionModel().currentChanged.connect(self._nav_changed)
        self.navigator.activated.connect(self._nav_activated)

        self.now_view = NowView()
        self.step_page = StepPage(session)
        self.step_page.saved.connect(lambda _seq: self._after_save())
        self.step_page.reopen_requested.connect(self.reopen_requested)
        self.step_page.draft_kept.connect(self.refresh)
        self.people = PeopleView()
        self.exhibits = ExhibitsView()
        self.decisions = DecisionsView()
        self.referral = ReferralPanel()
        self.timeline = TimelineView()
        self.timeline.correct_requested.connect(self.correct_entry)
        for view in (self.now_view, self.people, self.exhibits, self.decisions, self.referral):
            view.step_requested.connect(self.open_step)
        # The incident at a glance; Enter on an item opens its entry in the Timeline tab.
        self.chart = ChartView(session)

        def open_in_log(seq: int) -> None:
            self.tabs.setCurrentWidget(self.timeline)
            if self.timeline.select_seq(seq):
                self.timeline.table.setFocus(Qt.FocusReason.OtherFocusReason)

        self.chart.entry_activated.connect(open_in_log)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Incident pages")
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setDocumentMode(True)
        self.pages = (self.now_view, self.step_page, self.people, self.exhibits,
                      self.decisions, self.referral, self.timeline, self.chart)
        for widget, title, tip in (
            (self.now_view, "Now", "What is overdue and what is next (Ctrl+0)"),
            (self.step_page, "Step", "The open procedure step's form (Ctrl+2)"),
            (self.people, "People", "People register and KPW board (Ctrl+3)"),
            (self.exhibits, "Exhibits", "Exhibits and continuity (Ctrl+4)"),
            (self.decisions, "Decisions", "Decisions on the NDM (Ctrl+5)"),
            (self.referral, "Referral", "IOPC referral and its deadline (Ctrl+6)"),
            (self.timeline, "Timeline", "Every entry in order (Ctrl+7)"),
            (self.chart, "Chart", "The incident at a glance: who, what and when, in lanes"),
        ):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, tooltip(title, tip))

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.navigator)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 5)
        # Room for most step names beside their mark and due time, even at 150 % on 1280x720.
        self.navigator.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 28)
        self.quick_log = QuickLog(session)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.quick_log)
        self.split.setSizes([340, 760])
        restore_splitter(self.split, SPLITTER_KEY)

        session.signals.entry_written.connect(self._entry_written)
        self.fix_tab_order()

    def save_layout(self) -> None:
        save_splitter(self.split, SPLITTER_KEY)
        self.people.save_layout()
        self.exhibits.save_layout()

    # -- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        """Shows the session's open incident from scratch, at the Now view."""
        log = self.session.require_log()
        state = self.session.state()
        self.nav_model.set_template(log.template)
        self.navigator.expandAll()
        self.step_page.clear()
        self.timeline.load(log, state)
        self.tabs.setCurrentWidget(self.now_view)
        self.refresh()
        self.fix_tab_order()

    def unload(self) -> None:
        """Forgets everything shown (on lock or when another incident is chosen)."""
        self.step_page.clear()
        self.quick_log.clear()
        self.timeline.clear()
        self.nav_model.clear_all()
        for view in (self.people, self.exhibits, self.decisions, self.referral, self.now_view):
            view.refresh(None, self.session.now())
        self.banner.show_sections([], None)
        self.header.clear()

    def refresh(self) -> list[Item]:
        """Re-evaluates statuses and the Now view (after an entry and every ~30 s); returns the
        overdue items."""
        if self.session.log is None or not self.session.is_open:
            return []
        state = self.session.state()
        now = self.session.now()
        found = checklist(state, now)
        self.statuses = {st.step.id: st for st in found}
        self.nav_model.update(found, now, closed=state.closed_seq is not None)
        self._hide_steps_the_case_does_not_need(state, found)
        self._header(state)
        for view in (self.people, self.exhibits, self.decisions, self.referral):
            view.refresh(state, now)
        try:
            drafts = tuple(self.session.step_drafts())
        except PirError:
            drafts = ()
        self.now_view.refresh(state, now, drafts=drafts)
        current = self.statuses.get(self.step_page.step.id) if self.step_page.step else None
        self.step_page.refresh(current)
        self.banner.show_sections(self.now_view.sections, self.now_view.most_urgent())
        return self.now_view.overdue()

    def _header(self, state: IncidentState) -> None:
        log = self.session.require_log()
        title = f" — {state.title}" if state.title else ""
        closed = "  ·  CLOSED" if state.closed_seq else ""
        self.header.setText(f"{log.row.ref}{title}{closed}")
        self.header.setToolTip(f"{log.template.title} · scale: {state.scale} · "
                               f"{state.last_seq} entries")

    def header_text(self) -> str:
        return f"{self.header.text()} {self.header.toolTip()}"

    def _entry_written(self, _seq: int) -> None:
        if self.session.log is None:
            return
        state = self.session.state()
        self.timeline.entries_written(state)
        self.session.signals.alerts_changed.emit(self.refresh())

    def _after_save(self) -> None:
        self.fix_tab_order()

    # -- navigation ----------------------------------------------------------------------------

    def _nav_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._syncing:
            return
        step_id = current.data(STEP_ID_ROLE)
        if not step_id or (self.step_page.step and self.step_page.step.id == step_id):
            return
        if not self.step_page.confirm_leave("Open another step"):
            self._select(self.step_page.step.id if self.step_page.step else None, previous)
            return
        self._show_step(step_id, None)

    def _nav_activated(self, index: QModelIndex) -> None:
        step_id = index.data(STEP_ID_ROLE)
        if step_id:
            self.open_step(step_id)

    def _select(self, step_id: str | None, fallback: QModelIndex | None = None) -> None:
        """Moves the navigator's selection without reacting to it (one row highlighted)."""
        index = self._nav_index(step_id) if step_id else None
        if index is None:
            index = fallback
        if index is None or not index.isValid():
            return
        self._syncing = True
        try:
            self.navigator.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.navigator.scrollTo(index)
        finally:
            self._syncing = False

    def _show_step(self, step_id: str, prefill: dict[str, Any] | None) -> None:
        step = self.session.require_log().template.step(step_id)
        if step is None:
            return
        self.step_page.show_step(step, self.statuses.get(step_id), prefill)
        self.fix_tab_order()

    def open_step(self, step_id: str, prefill: dict[str, Any] | None = None) -> bool:
        """Opens the step's page (optionally prefilled), selects it in the navigator and puts
        the cursor in its first field. Asks first if the open step has unsaved text; False if
        the user chose to stay."""
        if step_id == RESOLVE_CONFLICT:
            self.resolve_requested.emit(dict(prefill or {}))
            return True
        same = self.step_page.step is not None and self.step_page.step.id == step_id
        if same:
            if prefill and self.step_page.form is not None:
                self.step_page.form.set_values(
                    {k: v for k, v in prefill.items() if k in self.step_page.form.editors
                     and self.step_page.form.editors[k].value() is None})
        elif not self.step_page.confirm_leave("Open another step"):
            self.tabs.setCurrentWidget(self.step_page)
            return False
        else:
            self._show_step(step_id, prefill)
        self._select(step_id)
        self.tabs.setCurrentWidget(self.step_page)
        self.step_page.focus_first()
        return True

    def _hide_steps_the_case_does_not_need(self, state, found) -> None:
        """Steps whose condition the incident does not meet (after a death, when there was no
        death; the pursuit record, when nothing was pursued) leave the navigator, and a phase
        with none left goes too; they come back when the DSI status or the declaration
        changes. Steps not required at the chosen scale stay, marked, as optional."""
        hidden = {st.step.id for st in found if not st.count and unmet_condition(state, st.step)}
        root = QModelIndex()
        for p in range(self.nav_model.rowCount()):
            phase = self.nav_model.index(p, 0)
            rows = self.nav_model.rowCount(phase)
            gone = 0
            for s in range(rows):
                hide = self.nav_model.index(s, 0, phase).data(STEP_ID_ROLE) in hidden
                gone += hide
                if self.navigator.isRowHidden(s, phase) != hide:
                    self.navigator.setRowHidden(s, phase, hide)
            if self.navigator.isRowHidden(p, root) != (gone == rows):
                self.navigator.setRowHidden(p, root, gone == rows)

    def _nav_index(self, step_id: str) -> QModelIndex | None:
        for p in range(self.nav_model.rowCount()):
            phase = self.nav_model.index(p, 0)
            for s in range(self.nav_model.rowCount(phase)):
                index = self.nav_model.index(s, 0, phase)
                if index.data(STEP_ID_ROLE) == step_id:
                    return index
        return None

    def selected_rows(self) -> int:
        return len(self.navigator.selectionModel().selectedRows())

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))
        if name == "step":
            if not self.step_page.focus_first():
                self.navigator.setFocus()
            return
        widget = self.tabs.currentWidget()
        stops = focus_stops(widget)
        if name == "timeline":
            self.timeline.select_newest()
        target = {"timeline": self.timeline.table, "now": self.now_view.list}.get(name)
        (target or (stops[0] if stops else widget)).setFocus(
            Qt.FocusReason.ShortcutFocusReason)

    def go_urgent(self) -> bool:
        item = self.now_view.most_urgent()
        if item is None or not item.step_id:
            self.show_tab("now")
            return False
        return self.open_step(item.step_id, dict(item.prefill))

    def correct_entry(self, seq: int, draft: dict[str, Any] | None = None) -> int | None:
        entry = self.session.require_log().entry(seq)
        if entry is None:
            return None
        dialog = CorrectionDialog(self.session, entry, self)
        if draft:
            dialog.restore(draft)
        dialog.exec()
        if dialog.saved_seq is not None:
            self.timeline.select_seq(dialog.saved_seq)
        return dialog.saved_seq

    def fix_tab_order(self) -> None:
        """Tab follows what the eye sees: banner, navigator, the page tabs, the page's fields
        top to bottom, then the quick log (new forms are otherwise appended at the end)."""
        order: list[QWidget] = [self.banner.button, self.navigator, self.tabs.tabBar()]
        for page in self.pages:
            stops = getattr(page, "focus_order", None)
            order += stops() if callable(stops) else focus_stops(page)
        order += self.quick_log.focus_order()
        chain(order)

    # -- lock and resume -----------------------------------------------------------------------

    def position(self) -> dict[str, Any]:
        return {"step": self.step_page.step.id if self.step_page.step else None,
                "tab": TABS[self.tabs.currentIndex()]}

    def has_unsaved_text(self) -> bool:
        return self.step_page.has_changes() or bool(self.quick_log.line.text())

    def draft(self) -> dict[str, Any]:
        return {"step_form": self.step_page.draft() if self.step_page.has_changes() else {},
                "quick_log": self.quick_log.draft()}

    def resume(self, position: dict[str, Any], draft: dict[str, Any] | None) -> None:
        step = position.get("step")
        if step:
            self.open_step(step)
            if draft and draft.get("step_form"):
                self.step_page.restore(draft["step_form"])
        if draft and draft.get("quick_log"):
            self.quick_log.restore(draft["quick_log"])
        tab = position.get("tab")
        if tab in TABS:
            self.tabs.setCurrentIndex(TABS.index(tab))
