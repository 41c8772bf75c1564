"""The exhibits register: reference, description, seal, current holder."""

from __future__ import annotations

from datetime import datetime

from pir.views.state import IncidentState
from ui.common.rows_model import Row, RowsModel, when


class ExhibitsModel(RowsModel):
    COLUMNS = ("Reference", "Description", "Seal", "Current holder", "Seized", "Transfers")

    def build(self, state: IncidentState, now: datetime) -> list[Row]:
        rows = []
        for ex in state.exhibits.values():
            seal = str(ex.fields.get("seal_number", ""))
            if ex.transfers and ex.transfers[-1].fields.get("seal_number"):
                seal = str(ex.transfers[-1].fields["seal_number"])
            rows.append(Row(ex.ref, [ex.ref, ex.description, seal, ex.holder,
                                     when(ex.seized_at), str(len(ex.transfers))]))
        return rows
