"""The open incident: attention banner, procedure navigator, the step page and the registers in
tabs, and the quick log line. Refreshes from the folded state after every entry and on a timer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
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

from pir.views.checklist import StepStatus, alerts, checklist
from pir.views.state import IncidentState
from ui.common.glossary import tooltip
from ui.dialogs.correction_dialog import CorrectionDialog
from ui.incident.attention_banner import AttentionBanner
from ui.incident.navigator_model import STEP_ID_ROLE, NavigatorModel
from ui.incident.quick_log import QuickLog
from ui.incident.referral_panel import ReferralPanel, referral_text
from ui.incident.step_page import StepPage
from ui.registers.decisions_view import DecisionsView
from ui.registers.exhibits_view import ExhibitsView
from ui.registers.people_view import PeopleView
from ui.shell.session import Session
from ui.timeline.timeline_view import TimelineView

TABS = ("step", "people", "exhibits", "decisions", "referral", "timeline")


class IncidentView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.statuses: dict[str, StepStatus] = {}
        self.header = QLabel()
        self.header.setWordWrap(True)
        font = self.header.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.header.setFont(font)
        self.banner = AttentionBanner()
        self.banner.go_to_step.connect(self.open_step)

        self.nav_model = NavigatorModel()
        self.navigator = QTreeView()
        self.navigator.setModel(self.nav_model)
        self.navigator.setAccessibleName("Procedure navigator")
        self.navigator.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.navigator.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.navigator.setUniformRowHeights(True)
        self.navigator.setAllColumnsShowFocus(True)
        nav_header = self.navigator.header()
        nav_header.setStretchLastSection(False)
        nav_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        nav_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        nav_header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.navigator.selectionModel().currentChanged.connect(self._nav_changed)

        self.step_page = StepPage(session)
        self.people = PeopleView()
        self.exhibits = ExhibitsView()
        self.decisions = DecisionsView()
        self.referral = ReferralPanel()
        self.timeline = TimelineView()
        self.timeline.correct_requested.connect(self.correct_entry)
        for view in (self.people, self.exhibits, self.decisions, self.referral):
            view.step_requested.connect(self.open_step)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Incident pages")
        for widget, title, tip in (
            (self.step_page, "&Step", "The open procedure step (Ctrl+2)"),
            (self.people, "&People && KPWs", "People register and KPW board (Ctrl+3)"),
            (self.exhibits, "E&xhibits", "Exhibits and continuity (Ctrl+4)"),
            (self.decisions, "&Decisions", "Decisions on the NDM (Ctrl+5)"),
            (self.referral, "&IOPC referral", "Referral and its deadline (Ctrl+6)"),
            (self.timeline, "&Timeline", "Every entry in order (Ctrl+7)"),
        ):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, tooltip(title.replace("&", ""), tip))

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.navigator)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([540, 900])
        self.quick_log = QuickLog(session)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.quick_log)

        session.signals.entry_written.connect(self._entry_written)

    # -- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        """Shows the session's open incident from scratch."""
        log = self.session.require_log()
        state = self.session.state()
        self.nav_model.set_template(log.template)
        self.navigator.expandAll()
        self.step_page.clear()
        self.timeline.load(log, state)
        self.refresh()

    def unload(self) -> None:
        """Forgets everything shown (on lock or when another incident is chosen)."""
        self.step_page.clear()
        self.quick_log.clear()
        self.timeline.clear()
        self.nav_model.clear_all()
        for view in (self.people, self.exhibits, self.decisions, self.referral):
            view.refresh(None, self.session.now())
        self.banner.hide()
        self.header.clear()

    def refresh(self) -> list[Any]:
        """Re-evaluates statuses and alerts (after an entry and every ~30 s)."""
        if self.session.log is None or not self.session.is_open:
            return []
        state = self.session.state()
        now = self.session.now()
        found = checklist(state, now)
        self.statuses = {st.step.id: st for st in found}
        self.nav_model.update(found)
        self._header(state)
        for view in (self.people, self.exhibits, self.decisions, self.referral):
            view.refresh(state, now)
        current = self.statuses.get(self.step_page.step.id) if self.step_page.step else None
        self.step_page.refresh(current)
        found_alerts = alerts(state, now)
        line, _ = referral_text(state, now)
        self.banner.show_alerts(found_alerts, line)
        return found_alerts

    def _header(self, state: IncidentState) -> None:
        log = self.session.require_log()
        title = f" — {state.title}" if state.title else ""
        closed = "  [CLOSED]" if state.closed_seq else ""
        self.header.setText(f"{log.row.ref}{title}  ·  {log.template.title}  ·  scale: "
                            f"{state.scale}  ·  {state.last_seq} entries{closed}")

    def _entry_written(self, _seq: int) -> None:
        if self.session.log is None:
            return
        state = self.session.state()
        self.timeline.entries_written(state)
        self.session.signals.alerts_changed.emit(self.refresh())

    # -- navigation ----------------------------------------------------------------------------

    def _nav_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        step_id = current.data(STEP_ID_ROLE)
        if step_id:
            self._show_step(step_id, None)

    def _show_step(self, step_id: str, prefill: dict[str, Any] | None) -> None:
        step = self.session.require_log().template.step(step_id)
        if step is None:
            return
        self.step_page.show_step(step, self.statuses.get(step_id), prefill)

    def open_step(self, step_id: str, prefill: dict[str, Any] | None = None) -> None:
        """Selects the step in the navigator and opens its page (optionally prefilled)."""
        index = self._nav_index(step_id)
        if index is not None:
            self.navigator.selectionModel().blockSignals(True)
            self.navigator.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.navigator.selectionModel().blockSignals(False)
            self.navigator.scrollTo(index)
        self._show_step(step_id, prefill)
        self.tabs.setCurrentWidget(self.step_page)
        if self.step_page.form is not None:
            first = next(iter(self.step_page.form.editors.values()), None)
            if first is not None:
                first.focus_target().setFocus()

    def _nav_index(self, step_id: str) -> QModelIndex | None:
        for p in range(self.nav_model.rowCount()):
            phase = self.nav_model.index(p, 0)
            for s in range(self.nav_model.rowCount(phase)):
                index = self.nav_model.index(s, 0, phase)
                if index.data(STEP_ID_ROLE) == step_id:
                    return index
        return None

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))
        widget = self.tabs.currentWidget()
        widget.setFocus()
        if name == "timeline":
            self.timeline.table.setFocus()

    def correct_entry(self, seq: int) -> int | None:
        entry = self.session.require_log().entry(seq)
        if entry is None:
            return None
        dialog = CorrectionDialog(self.session, entry, self)
        dialog.exec()
        if dialog.saved_seq is not None:
            self.timeline.select_seq(dialog.saved_seq)
        return dialog.saved_seq

    # -- lock and resume -----------------------------------------------------------------------

    def position(self) -> dict[str, Any]:
        return {"step": self.step_page.step.id if self.step_page.step else None,
                "tab": TABS[self.tabs.currentIndex()]}

    def has_unsaved_text(self) -> bool:
        return self.step_page.has_text() or bool(self.quick_log.line.text())

    def draft(self) -> dict[str, Any]:
        return {"step_form": self.step_page.draft(), "quick_log": self.quick_log.draft()}

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
