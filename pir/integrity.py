"""What PIR found about the record's integrity (the head witness, a log whose chain does not
hold), and its acknowledgement: an integrity.acknowledged entry in each log concerned, after
which the witness takes the file's heads and a broken log accepts entries again."""

from __future__ import annotations

from dataclasses import dataclass

from pir.errors import InputError
from pir.incident import IncidentLog, Officer
from pir.log.store import Database
from pir.log.witness import NOTICES, Finding


@dataclass(frozen=True)
class IncidentFindings:
    """Everything open about one incident's log, as the sentences a user reads."""

    ref: str
    lines: tuple[str, ...]
    witness: Finding | None = None


def _acknowledgeable(db: Database) -> list[Finding]:
    return [f for f in db.witness_report.findings if f.code not in NOTICES]


def open_findings(db: Database, ref: str | None = None) -> list[IncidentFindings]:
    """Per incident (or the one named), what an acknowledgement would record. Folds each log
    to find a broken chain, so it costs a full read of the logs concerned."""
    findings = _acknowledgeable(db)
    whole = [f for f in findings if f.whole_file]
    rows = [db.incident(ref)] if ref else db.incidents()
    out: list[IncidentFindings] = []
    for row in rows:
        own = [f for f in findings if f.incident_id == row.id and not f.whole_file]
        lines = [f"witness: {f.message}" for f in own + whole]
        broken = IncidentLog.open(db, row.ref).chain_problem
        if broken is not None:
            lines.insert(0, str(broken))
        if lines:
            out.append(IncidentFindings(row.ref, tuple(lines), own[0] if own else None))
    return out


def acknowledge(db: Database, reason: str, author: Officer,
                ref: str | None = None) -> list[tuple[str, int]]:
    """Logs one integrity.acknowledged entry in every incident concerned (or the one named) and
    returns (incident, entry number) for each. Findings about the whole file (no witness, a
    witness that does not verify) concern every incident and cannot be acknowledged for one."""
    if not reason or not reason.strip():
        raise InputError("Say why the record is accepted as it stands (--reason).")
    whole = [f for f in _acknowledgeable(db) if f.whole_file]
    if ref and whole:
        raise InputError("The witness finding concerns the whole database file, not one "
                         "incident: acknowledge it without --incident (each incident's log "
                         "records it).")
    pending = open_findings(db, ref)
    if not pending:
        if whole and not db.incidents():
            db.acknowledge_findings(None)  # no log exists, so none can have lost anything
            return []
        raise InputError("There is nothing to acknowledge: every log is intact and the witness "
                         "agrees with the file.")
    done: list[tuple[str, int]] = []
    for item in pending:
        log = IncidentLog.open(db, item.ref)
        w = item.witness
        entry = log.acknowledge(reason, item.lines, author=author,
                                witness_entry=w.witness_seq if w else None,
                                witness_head=w.witness_head if w else None)
        done.append((item.ref, entry.seq))
    db.acknowledge_findings({db.incident(ref).id} if ref else None)
    return done
