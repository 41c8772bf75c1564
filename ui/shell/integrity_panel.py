"""The red panel above the incident list and the incident when the record may not be whole: the
file is older than the last copy this laptop saw, its newest entries are gone, its check file is
missing or edited, or an incident's hash chain is broken (its log refuses entries). Each finding
in plain words with what it means; it cannot be dismissed, only acknowledged with a reason, which
pir.integrity records as an entry in every log concerned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.common.theme import set_role

if TYPE_CHECKING:
    from pir.incident import IncidentLog
    from pir.log.store import Database
    from pir.log.witness import Finding

RESTORE = "Restore the newest copy of the database, or record why this copy is accepted."
UNSURE = ("PIR cannot tell whether this is the newest copy of the database. If it is, record "
          "why; if not, close PIR and restore the newest copy.")


def _finding(f: Finding) -> tuple[str, str]:
    """What a witness finding says, and what it means, in plain words."""
    name = f"{f.ref}: " if f.ref else ""
    w, n = f.witness_seq or 0, f.file_seq or 0
    if f.code == "behind":
        missing = f"entry {w} is" if w == n + 1 else f"entries {n + 1} to {w} are"
        return (f"{name}this file is older than the last one this laptop saw — {missing} "
                "missing.", RESTORE)
    if f.code == "incident-missing":
        return (f"{name}this laptop last saw {w} entries in this incident; this file has none "
                "of them.", RESTORE)
    if f.code == "rewritten":
        return (f"{name}entry {w} is not the entry this laptop saw: the log was rewritten, or "
                "this is a different copy.", RESTORE)
    if f.code == "ahead":
        return (f"{name}the file holds {n - w} entries this laptop did not see being written "
                f"(entries {w + 1} to {n}).",
                "Another program, or an older copy of the check file, may have written them. "
                "Check those entries, then record why they are accepted.")
    if f.code == "unlisted":
        return (f"{name}this laptop has no note of this incident's newest entry.", UNSURE)
    whole = {
        "no-witness": "The check file this laptop keeps beside the database is missing.",
        "other-database": "The check file beside the database belongs to another database.",
        "bad-mac": "The check file beside the database was edited or damaged.",
    }
    return (whole.get(f.code, "The check file beside the database cannot be read."), UNSURE)


def plain_findings(db: Database, logs: list[IncidentLog]) -> list[tuple[str, str]]:
    """Every open finding about the file, and every broken chain among `logs`."""
    from pir.log.witness import NOTICES

    out = [_finding(f) for f in db.witness_report.findings if f.code not in NOTICES]
    for log in logs:
        broken = log.chain_problem
        if broken is not None:
            out.append((f"{log.row.ref}: the log does not hold together at entry {broken.seq} "
                        f"({broken.reason}).",
                        "Its entries may have been changed outside PIR. New entries are refused "
                        "until you record that you have seen this; keep the file and a backup "
                        "as they are."))
    return out


def broken_logs(db: Database) -> list[IncidentLog]:
    """Every incident whose chain does not hold (reads each log)."""
    from pir.incident import IncidentLog

    logs = [IncidentLog.open(db, row.ref) for row in db.incidents()]
    return [log for log in logs if log.chain_problem is not None]


class IntegrityPanel(QFrame):
    acknowledge_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("integrity")
        self.setAccessibleName("The record needs your attention")
        self.items: list[tuple[str, str]] = []
        self.title = QLabel("⚠ The record may not be whole")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        set_role(self.title, "error")
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("What was found")
        self.button = QPushButton("Record why and &accept…")
        self.button.setAccessibleName("Record why the record is accepted as it stands")
        self.button.clicked.connect(self.acknowledge_requested)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(head)
        layout.addWidget(self.text)
        self.hide()

    def show_findings(self, items: list[tuple[str, str]]) -> None:
        from html import escape

        self.items = items
        self.text.setText("".join(f"<p><b>{escape(what)}</b><br>{escape(means)}</p>"
                                  for what, means in items))
        self.setVisible(bool(items))

    def summary(self) -> str:
        """One line for the lock screen."""
        n = len(self.items)
        if not n:
            return ""
        return (f"⚠ The record may not be whole: {n} finding{'s' if n != 1 else ''} not yet "
                f"acknowledged. Unlock to see {'them' if n != 1 else 'it'}.")
