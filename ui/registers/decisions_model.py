"""Decisions recorded on the National Decision Model, with the options rejected."""

from __future__ import annotations

from datetime import datetime

from pir.incident import officer_label
from pir.views.state import IncidentState
from ui.common.plain_words import fields_text, specs_for
from ui.common.rows_model import Row, RowsModel, when


def _one_line(text: object) -> str:
    return " ".join(str(text or "").split())


class DecisionsModel(RowsModel):
    COLUMNS = ("Entry", "Time", "Decision", "Options rejected", "Rationale", "Decision maker")
    HEADER_TIPS = {2: "NDM: National Decision Model"}

    def build(self, state: IncidentState, now: datetime) -> list[Row]:
        rows = []
        for d in state.decisions:
            f = d.fields
            maker = officer_label(d.decision_maker) or officer_label(d.author)
            tip = fields_text(specs_for(state.template, d.kind, d.step), f,
                              state.person_name).replace("; ", "\n")
            rows.append(Row(d.seq, [str(d.seq), when(d.time), _one_line(f.get("decision")),
                                    _one_line(f.get("options_rejected")),
                                    _one_line(f.get("rationale")), maker],
                            tips={2: tip, 3: tip, 4: tip}))
        return rows
