"""Filters the timeline by step, kind and person without copying rows."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from ui.timeline.timeline_model import TimelineModel


class TimelineFilter(QSortFilterProxyModel):
    def __init__(self, source: TimelineModel) -> None:
        super().__init__()
        self.setSourceModel(source)
        self._source = source
        self.kind: str | None = None
        self.step: str | None = None
        self.person: int | None = None

    def set_filter(self, *, kind: str | None, step: str | None, person: int | None) -> None:
        self.beginFilterChange()
        self.kind, self.step, self.person = kind, step, person
        if self.active:
            # A filter must see the whole log, not just the rows read so far.
            self._source.fetch_all()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.kind, self.step, self.person))

    def filterAcceptsRow(self, row: int,
                         parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.active:
            return True
        body = self._source.body(row)
        if self.kind is not None and body["kind"] != self.kind:
            return False
        if self.step is not None and body["step"] != self.step:
            return False
        return self.person is None or self.person in self._source.people_in(row)
