"""The people register: everyone involved, with category, cipher and BWV serial."""

from __future__ import annotations

from datetime import datetime

from pir.views.state import IncidentState
from ui.common.glossary import ABBREVIATIONS
from ui.common.rows_model import Row, RowsModel, when


class PeopleModel(RowsModel):
    COLUMNS = ("No.", "Name", "Category", "Cipher", "Rank", "Role", "BWV serial", "Added")
    HEADER_TIPS = {2: f"KPW: {ABBREVIATIONS['KPW']}",
                   3: "Pseudonym used where an officer's identity is protected",
                   6: f"BWV: {ABBREVIATIONS['BWV']}"}

    def build(self, state: IncidentState, now: datetime) -> list[Row]:
        rows = []
        for p in state.people.values():
            f = p.fields
            rows.append(Row(p.seq, [f"P{p.seq}", p.name, p.category, p.cipher,
                                    str(f.get("rank", "")), str(f.get("role", "")),
                                    str(f.get("bwv_serial", "")), when(p.added_at)]))
        return rows
