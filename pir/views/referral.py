"""The IOPC referral's life: first contact, formal referral or a declined voluntary referral,
attendance, and the IOPC's decision on the form of investigation; and when it is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from pir.procedures.model import Template
from pir.times import UK

if TYPE_CHECKING:
    from pir.views.state import Recorded


@dataclass
class ReferralLife:
    first_contact: Recorded | None = None
    formal: Recorded | None = None
    declined: Recorded | None = None
    attendances: list[Recorded] = field(default_factory=list)
    decisions: list[Recorded] = field(default_factory=list)

    @property
    def made(self) -> bool:
        return self.formal is not None

    @property
    def settled(self) -> bool:
        """Referred, or (where no DSI applies) a voluntary referral declined."""
        return self.formal is not None or self.declined is not None

    def stages(self) -> list[tuple[str, Recorded]]:
        """Each stage reached, in the order of the procedure, with its entry."""
        out: list[tuple[str, Recorded]] = []
        if self.first_contact is not None:
            out.append(("first contact", self.first_contact))
        if self.formal is not None:
            out.append(("referred", self.formal))
        if self.declined is not None:
            out.append(("voluntary referral declined", self.declined))
        out.extend(("IOPC attended", rec) for rec in self.attendances)
        if self.decisions:
            out.append(("form of investigation decided", self.decisions[-1]))
        return out

    def headline(self) -> str:
        """'made / attended / decided' in one line, as `pir status` and the app show it."""
        if self.declined is not None and self.formal is None:
            return "voluntary referral declined"
        words = []
        if self.formal is not None:
            words.append("made")
        elif self.first_contact is not None:
            words.append("first contact only; formal referral not yet made")
        else:
            words.append("not yet made")
        if self.attendances:
            words.append("attended")
        if self.decisions:
            words.append("decided")
        return " / ".join(words)


def referral_deadline(template: Template, start: datetime | None) -> datetime | None:
    """When a mandatory referral is due, by the template's rule, counted from when the DSI
    matter came to the force's attention."""
    if start is None:
        return None
    rule = template.timing.referral_deadline
    if rule.startswith("hours:"):
        return start + timedelta(hours=int(rule.split(":", 1)[1]))
    day = start.astimezone(UK).date() + timedelta(days=1)
    return datetime.combine(day, time(23, 59, 59), tzinfo=UK).astimezone(start.tzinfo)
