"""The store's side of the head witness: reading the heads, comparing them with the witness on
open, and rewriting the witness after every commit (see pir.log.witness for the file)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from pir.log import witness
from pir.log.witness import Finding, Heads, WitnessReport

if TYPE_CHECKING:
    import sqlcipher3


class HeadWitnessing:
    """Mixed into Database, which provides the connection, `_errors` and the attributes below."""

    path: Path
    witness_path: Path
    witness_report: WitnessReport
    database_id: str
    _witness_key: bytes
    _witness_on: bool
    _new_identity: bool
    _heads: Heads
    _held: Heads
    _held_absent: set[str]
    _frozen: bool

    if TYPE_CHECKING:
        @property
        def conn(self) -> sqlcipher3.Connection: ...

        def _errors(self, action: str, outcome: str | None = None
                    ) -> AbstractContextManager[None]: ...

        def incidents(self) -> list: ...

    def _read_heads(self) -> Heads:
        heads: Heads = {}
        with self._errors("read the log"):
            for inc, num in self.conn.execute("SELECT id, num FROM incidents").fetchall():
                row = self.conn.execute(
                    "SELECT seq, hash FROM entries WHERE incident = ? "
                    "ORDER BY seq DESC LIMIT 1", (num,)).fetchone()
                if row is not None:
                    heads[inc] = (row[0], bytes(row[1]).hex())
        return heads

    def _start_witness(self) -> None:
        self._heads = self._read_heads()
        if not self._witness_on:
            return
        found = witness.read(self.witness_path, self._witness_key, self.database_id)
        if found.heads is None:
            if found.problem == "missing" and (not self._heads or self._new_identity):
                # A new database, or the first open since PIR kept a witness: start one.
                self._write_witness(force=None)
                return
            self._frozen = True
            self._report([witness.problem_finding(found.problem or "unreadable",
                                                  self.witness_path, found.database_id)])
            return
        refs = {r.id: r.ref for r in self.incidents()}
        findings = witness.compare(found.heads, self._heads, refs, self.hash_at)
        if not findings:
            if found.heads != self._heads:
                self._write_witness(force=None)
            return
        for f in findings:
            if f.incident_id in found.heads:
                self._held[f.incident_id] = found.heads[f.incident_id]
            elif f.incident_id is not None:
                self._held_absent.add(f.incident_id)
        self._report(findings)

    def _report(self, findings: list[Finding]) -> None:
        self.witness_report.findings.extend(findings)
        witness.announce(self.path, findings)

    def _write_witness(self, force: frozenset[str] | None = frozenset()) -> None:
        """Records the heads after a commit. Incidents with an open finding keep what the
        witness said (the evidence stays until acknowledged); heads another process wrote
        meanwhile are kept, except for incidents in `force` (None: all) which take this
        file's. A failure is reported, never raised: the entry is already saved, and saying
        otherwise would invite saving it twice."""
        if not self._witness_on or self._frozen:
            return
        try:
            with witness.folder_lock(self.witness_path.parent):
                heads = dict(self._heads)
                on_disk = witness.read(self.witness_path, self._witness_key, self.database_id)
                if force is not None:
                    if on_disk.heads is None and on_disk.problem != "missing":
                        self._frozen = True
                        self._report([witness.problem_finding(
                            on_disk.problem or "unreadable", self.witness_path,
                            on_disk.database_id)])
                        return
                    for inc, (seq, digest) in (on_disk.heads or {}).items():
                        if inc not in force and (inc not in heads or seq > heads[inc][0]):
                            heads[inc] = (seq, digest)
                heads.update(self._held)
                for inc in self._held_absent:
                    heads.pop(inc, None)
                # Rewritten whole when it starts afresh (a new database, after an
                # acknowledgement); otherwise one slot in place.
                witness.write(self.witness_path, self._witness_key, self.database_id, heads,
                              on_disk.generation + 1, whole=force is None)
        except OSError as exc:
            self._report([Finding(
                witness.WARN, witness.NOT_UPDATED,
                f"the witness file could not be updated ({exc.strerror or exc}); the entry "
                "itself is saved. Free some space, or check the folder's permissions.")])
        else:
            self.witness_report.findings = [f for f in self.witness_report.findings
                                            if f.code != witness.NOT_UPDATED]

    def reset_witness(self) -> None:
        """Rewrites the witness to the file's actual heads and clears the findings: only after
        they were acknowledged by logged entries (pir.integrity), or after a bulk load."""
        self._heads = self._read_heads()
        self._held.clear()
        self._held_absent.clear()
        self._frozen = False
        self.witness_report = WitnessReport(path=self.witness_path)
        self._write_witness(force=None)

    def acknowledge_findings(self, incident_ids: set[str] | None = None) -> None:
        """After integrity.acknowledged entries were logged: the witness takes the file's heads
        for those incidents (None: every incident, and the whole-file findings) and their
        findings are cleared."""
        if incident_ids is None:
            self.reset_witness()
            return
        self._heads = self._read_heads()
        for inc in incident_ids:
            self._held.pop(inc, None)
            self._held_absent.discard(inc)
        self.witness_report.findings = [f for f in self.witness_report.findings
                                        if f.incident_id not in incident_ids]
        self._write_witness(force=frozenset(incident_ids))

    def heads(self) -> Heads:
        """Each incident's (last sequence number, its hash), as the file has them now."""
        return self._read_heads()

    def hash_at(self, incident_id: str, seq: int) -> str | None:
        with self._errors("read the log"):
            row = self.conn.execute(
                "SELECT e.hash FROM entries AS e JOIN incidents AS i ON e.incident = i.num "
                "WHERE i.id = ? AND e.seq = ?", (incident_id, seq)).fetchone()
        return bytes(row[0]).hex() if row else None
