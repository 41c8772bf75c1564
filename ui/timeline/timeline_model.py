"""The timeline: every entry in order, as a table model that reads the log in batches as the view
scrolls (fetchMore) and formats text only for rows that are shown (no per-row widgets)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from pir.incident import IncidentLog, officer_label
from pir.procedures.model import FieldSpec, Template
from pir.times import format_uk, parse_iso_utc
from pir.views.merged import KEY_BLOCK
from ui.common.plain_words import fields_text, kind_title, specs_for
from ui.common.style import muted_colour
from ui.common.time_text import short_time

SEQ_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
STEP_ROLE = Qt.ItemDataRole.UserRole + 3
COLUMNS = ("No.", "Event time", "Recorded", "What", "Entry", "Author")
TEXT_COLUMN = 4
BATCH = 2000
_SUMMARY_MAX = 400

Index = QModelIndex | QPersistentModelIndex


class TimelineModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._log: IncidentLog | None = None
        self._bodies: list[dict[str, Any]] = []
        self._source: Iterator | None = None
        self._exhausted = True
        self._corrected_by: dict[int, list[int]] = {}
        self._withdrawn: set[int] = set()
        self._summary: dict[int, str] = {}
        self._person_name: Callable[[int], str] = lambda pid: f"person {pid}"
        self._strike = QFont()
        self._strike.setStrikeOut(True)
        self._specs: dict[str | None, dict[str, FieldSpec]] = {}
        self._template: Template | None = None
        # Other laptops' entries (several laptops, one incident) follow this laptop's, under
        # the merged view's keys; `_local` counts this laptop's rows.
        self._local = 0
        self._others_loaded = False
        self._row_by_key: dict[int, int] = {}
        self._entry_label: Callable[[int], str] = str
        self.data_calls = 0  # read by the benchmark

    # -- loading -------------------------------------------------------------------------------

    def reset(self, log: IncidentLog | None, corrected_by: dict[int, list[int]] | None = None,
              withdrawn: set[int] | None = None,
              person_name: Callable[[int], str] | None = None,
              entry_label: Callable[[int], str] | None = None) -> None:
        """Starts over on `log` (None: empty, e.g. when locked). Corrections come from the
        folded state so an early entry shows struck through before its correction is read."""
        self.beginResetModel()
        self._log = log
        self._bodies = []
        self._local = 0
        self._others_loaded = False
        self._row_by_key = {}
        self._entry_label = entry_label or str
        self._summary = {}
        self._corrected_by = {k: list(v) for k, v in (corrected_by or {}).items()}
        self._withdrawn = set(withdrawn or ())
        self._person_name = person_name or (lambda pid: f"person {pid}")
        self._source = None
        self._exhausted = log is None
        if log is not None:
            self._index_template(log.template)
        self.endResetModel()

    def _index_template(self, template: Template) -> None:
        self._specs = {step.id: {f.key: f for f in step.fields} for step in template.steps}
        self._template = template

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._log is None or self._exhausted:
            return
        if not self._log.db.is_open:  # locked meanwhile: nothing to read until unlocked
            return
        if self._source is None:
            self._source = iter(self._log.entries(self._local + 1))
        batch = [e.body for e in islice(self._source, BATCH)]
        if len(batch) < BATCH:
            self._exhausted = True
            self._source = None
        self._add(batch)
        self._local += len(batch)
        if self._exhausted and not self._others_loaded:
            self._others_loaded = True
            others = [e.body for e in self._log.other_laptops_entries()]
            first = len(self._bodies)
            self._row_by_key.update((b["seq"], first + i) for i, b in enumerate(others))
            self._add(others)

    def fetch_all(self) -> None:
        while self.canFetchMore():
            self.fetchMore()

    def _add(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        first = len(self._bodies)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._bodies.extend(batch)
        self.endInsertRows()
        for body in batch:
            target = body.get("corrects")
            if body.get("corrects_device") and body["seq"] < KEY_BLOCK:
                continue  # this laptop's correction of another's entry: the fold maps it
            if body["kind"] == "correction" and target is not None:
                seqs = self._corrected_by.setdefault(target, [])
                if body["seq"] not in seqs:
                    seqs.append(body["seq"])
                    if body["payload"].get("withdrawn"):
                        self._withdrawn.add(target)
                    self._summary.pop(target, None)
                    row = self.row_of(target)
                    if row is not None and row < first:
                        self.dataChanged.emit(self.index(row, 0),
                                              self.index(row, len(COLUMNS) - 1))

    def new_entries(self, person_name: Callable[[int], str] | None = None,
                    entry_label: Callable[[int], str] | None = None) -> None:
        """After an append: read what is new (if the end was already loaded)."""
        if person_name is not None:
            self._person_name = person_name
        if entry_label is not None:
            self._entry_label = entry_label
        if self._log is None:
            return
        if self._row_by_key or self._log.other_laptops_entries():
            # Other laptops' rows follow this laptop's (and an import may just have brought
            # some): start over rather than insert between.
            self.reset(self._log, self._corrected_by, self._withdrawn, self._person_name,
                       self._entry_label)
            self.fetch_all()
            return
        if self._exhausted:
            self._exhausted = False
            self._source = None
            self.fetch_all()

    # -- reading -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._bodies)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def body(self, row: int) -> dict[str, Any]:
        return self._bodies[row]

    def row_of(self, seq: int) -> int | None:
        """This laptop's rows are its gapless sequence numbers from 1, so no search is needed;
        another laptop's entry is found by its key in the merged view."""
        if seq >= KEY_BLOCK:
            return self._row_by_key.get(seq)
        row = seq - 1
        return row if 0 <= row < self._local else None

    def corrected_by(self, seq: int) -> list[int]:
        return self._corrected_by.get(seq, [])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.data_calls += 1
        if not index.isValid():
            return None
        body = self._bodies[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(body, col)
        seq = body["seq"]
        if role == Qt.ItemDataRole.FontRole:
            return self._strike if seq in self._corrected_by else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return muted_colour() if seq in self._corrected_by else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(body)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(body, col)
            if seq in self._corrected_by and col == TEXT_COLUMN:
                text = f"Corrected: {text}"
            return text
        if role == SEQ_ROLE:
            return seq
        if role == KIND_ROLE:
            return body["kind"]
        if role == STEP_ROLE:
            return body["step"]
        return None

    def _display(self, body: dict[str, Any], col: int) -> str:
        if col == 0:
            return self._entry_label(body["seq"]) if body["seq"] >= KEY_BLOCK else \
                str(body["seq"])
        if col == 1:
            text = short_time(parse_iso_utc(body["event_time"]), seconds=True)
            return text + (" (late)" if body.get("late_reason") else "")
        if col == 2:
            return short_time(parse_iso_utc(body["recorded_time"]), seconds=True)
        if col == 3:
            return self.what(body)
        if col == 4:
            return self.summary(body)
        if col == 5:
            author = officer_label(body["author"])
            dm = officer_label(body.get("decision_maker"))
            return f"{author} for {dm}" if dm else author
        return ""

    def what(self, body: dict[str, Any]) -> str:
        """The entry's kind in words: its step's title (never the kind name)."""
        return kind_title(self._template, body["kind"], body["step"])

    def summary(self, body: dict[str, Any]) -> str:
        seq = body["seq"]
        cached = self._summary.get(seq)
        if cached is None:
            cached = self._summarise(body)
            self._summary[seq] = cached
        return cached

    def _summarise(self, body: dict[str, Any]) -> str:
        p = body["payload"]
        seq = body["seq"]
        prefix = ""
        if seq in self._corrected_by:
            which = ", ".join(str(s) for s in self._corrected_by[seq])
            verb = "withdrawn" if seq in self._withdrawn else "corrected"
            prefix = f"[{verb} by entry {which}] "
        if body["kind"] == "correction":
            parts = [f"Corrects entry {body['corrects']}: {body.get('reason') or ''}"]
            if p.get("withdrawn"):
                parts.append("entry withdrawn")
            if "event_time" in p:
                parts.append(f"event time now {format_uk(parse_iso_utc(p['event_time']))}")
            if "fields" in p:
                parts.append("fields now: " + self._fields_text(body["step"], p["fields"],
                                                                 None))
            text = "; ".join(parts)
        elif body["kind"] == "note":
            text = p.get("text", "")
        else:
            text = self._fields_text(body["step"], p, body["kind"])
        if body.get("late_reason"):
            text += f" — late entry: {body['late_reason']}"
        text = prefix + " ".join(text.split())
        return text if len(text) <= _SUMMARY_MAX else text[:_SUMMARY_MAX - 1] + "…"

    def _fields_text(self, step: str | None, payload: dict[str, Any], kind: str | None) -> str:
        specs = self._specs.get(step) if step else None
        if specs is None:
            specs = specs_for(self._template, kind or "", None)
        return fields_text(specs, payload, self._person_name)

    def _tooltip(self, body: dict[str, Any]) -> str:
        lines = [f"Entry {self._display(body, 0)}: {self.what(body)}",
                 f"Event time: {format_uk(parse_iso_utc(body['event_time']))}",
                 f"Recorded: {format_uk(parse_iso_utc(body['recorded_time']))}"]
        seq = body["seq"]
        if seq in self._corrected_by:
            lines.append("Corrected by entry " + ", ".join(map(str, self._corrected_by[seq]))
                         + ": press Enter or double-click to go there.")
        if body.get("corrects"):
            lines.append(f"Corrects entry {body['corrects']}: press Enter to go there.")
        if body.get("event_time_note"):
            lines.append(body["event_time_note"])
        if body.get("late_reason"):
            lines.append(f"Late entry: {body['late_reason']}")
        if body.get("clock_note"):
            lines.append(body["clock_note"])
        return "\n".join(lines)

    # -- filtering help ------------------------------------------------------------------------

    def people_in(self, row: int) -> set[int]:
        """Register numbers an entry is about (for the person filter)."""
        body = self._bodies[row]
        found: set[int] = set()
        if body["kind"] == "person.added":
            found.add(body["seq"])
        specs = self._specs.get(body["step"] or "", {})
        payload = body["payload"]
        if body["kind"] == "correction":
            payload = payload.get("fields", {})
        for key, value in payload.items():
            spec = specs.get(key)
            if spec is None:
                continue
            if spec.type == "person" and isinstance(value, int):
                found.add(value)
            elif spec.type == "people" and isinstance(value, list):
                found.update(v for v in value if isinstance(v, int))
        return found
