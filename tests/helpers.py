"""Small builders the tests share: a person, an exhibit, a log with KPWs."""

from __future__ import annotations

from pir.incident import IncidentLog, Officer
from tests.values import PIM


def add_person(log: IncidentLog, name: str, category: str = "KPW", cipher: str = "",
               author: Officer = PIM, **extra: str) -> int:
    return log.append("person.added", {"name": name, "category": category, "cipher": cipher,
                                       **extra}, author=author).seq


def seize(log: IncidentLog, ref: str, holder: str, description: str = "Glock 17 pistol") -> int:
    return log.append("exhibit.seized", {"ref": ref, "description": description,
                                         "holder": holder}, author=PIM).seq


def transfer(log: IncidentLog, ref: str, frm: str, to: str) -> int:
    return log.append("exhibit.transferred", {
        "ref": ref, "from_holder": frm, "to_holder": to, "transferred_at": "2026-11-25T13:55Z",
        "place": "PIS", "reason": "continuity", "seal_intact": True}, author=PIM).seq
