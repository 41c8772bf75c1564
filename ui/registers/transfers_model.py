"""Continuity of one exhibit: seizure, then every transfer from -> to, in order."""

from __future__ import annotations

from datetime import datetime

from pir.views.state import IncidentState
from ui.common.rows_model import Row, RowsModel, when
from ui.common.style import overdue_colour


class TransfersModel(RowsModel):
    COLUMNS = ("Entry", "Time", "From", "To", "Place", "Reason", "Seal intact")

    def __init__(self) -> None:
        super().__init__()
        self.ref: str | None = None

    def build(self, state: IncidentState, now: datetime) -> list[Row]:
        ex = state.exhibits.get(self.ref or "")
        if ex is None:
            return []
        rows = [Row(ex.seized_seq, [str(ex.seized_seq), when(ex.seized_at),
                                    str(ex.fields.get("seized_by", "")),
                                    str(ex.fields.get("holder", "")),
                                    str(ex.fields.get("place", "")), "seized", ""])]
        for t in ex.transfers:
            intact = t.fields.get("seal_intact")
            cells = [str(t.seq), when(t.time), t.from_holder, t.to_holder,
                     str(t.fields.get("place", "")), str(t.fields.get("reason", "")),
                     "yes" if intact else ("NO" if intact is False else "")]
            rows.append(Row(t.seq, cells, {6: overdue_colour()} if intact is False else None))
        return rows
