"""The KPW board: for each key police witness, separation, anti-conferring, welfare (last check
and next due, red when overdue) and account status, at a glance."""

from __future__ import annotations

from datetime import datetime, timedelta

from pir.times import format_delay
from pir.views.state import IncidentState
from ui.common.glossary import ABBREVIATIONS
from ui.common.rows_model import Row, RowsModel, when
from ui.common.style import overdue_colour, status_colour


class KpwBoardModel(RowsModel):
    # Next check due comes second: an overdue check must be visible without scrolling.
    COLUMNS = ("KPW", "Next check due", "Separation", "Anti-conferring", "Last welfare check",
               "Account")
    HEADER_TIPS = {0: f"KPW: {ABBREVIATIONS['KPW']}",
                   2: "How the KPW is kept apart (or the alternative, e.g. monitored on BWV)",
                   3: "When the anti-conferring instruction was last given to this person"}

    def build(self, state: IncidentState, now: datetime) -> list[Row]:
        rows = []
        welfare = next((s for s in state.template.steps if s.kind == "welfare.check"), None)
        interval = timedelta(minutes=(welfare.recur_minutes if welfare and welfare.recur_minutes
                                      else state.template.timing.welfare_check_minutes))
        for p in state.kpws():
            colours = {}
            tips = {}
            sep = state.separation.get(p.seq)
            if sep is None:
                sep_text = "not decided"
                colours[2] = overdue_colour()
            elif sep.ended_at is not None:
                sep_text = f"ended {when(sep.ended_at)} (was {sep.option})"
            else:
                sep_text = f"{sep.option} since {when(sep.since)}"
                tips[2] = f"Rationale: {sep.rationale}"
            given = state.instructed(p.seq)
            if given:
                ac_text = f"given {when(given[-1].time)}"
                if len(given) > 1:
                    ac_text += f" ({len(given)} times)"
            else:
                ac_text = "not given"
                colours[3] = overdue_colour()
            last = state.last_welfare(p.seq)
            base = state.opened_at or p.added_at
            due = last.next_due if last else max(base, p.added_at) + interval
            if now > due:
                colours[1] = overdue_colour()
                due_text = f"⚠ overdue by {format_delay(now - due)} (was due {when(due)})"
            else:
                due_text = when(due)
            accounts = state.accounts.get(p.seq, [])
            acc_text = (f"{accounts[-1].account_type} ({when(accounts[-1].time)})"
                        if accounts else "none yet")
            if accounts:
                colours[5] = status_colour("done")
            rows.append(Row(p.seq, [p.label(), due_text, sep_text, ac_text,
                                    when(last.time) if last else "none yet", acc_text],
                            colours, tips))
        return rows
