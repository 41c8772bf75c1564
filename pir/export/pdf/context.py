"""One export being laid out: the incident as exported, and the text helpers every section uses
so that recorded text always passes the font cover, the redaction and escaping."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from pir.export.pdf.fonts import printable, register_fonts
from pir.export.pdf.furniture import PageFacts
from pir.export.pdf.redaction import Redactor
from pir.export.pdf.styles import Styles
from pir.force import ForceSettings
from pir.incident import Officer, officer_label
from pir.log.store import StoredEntry
from pir.procedures.kinds import GLOBAL_KINDS, fields_of_kind
from pir.procedures.model import FieldSpec, Template
from pir.times import UK, format_uk, format_uk_text, parse_iso_utc, uk_zone_name
from pir.views.compliance import Requirement, requirements
from pir.views.merged import KEY_BLOCK, foreign_key, merged_fold, rekey
from pir.views.state import IncidentState

if TYPE_CHECKING:
    from pir.export.signing import SigningIdentity

Progress = Callable[[str, int, int], None]
# A table cell cannot split across pages: long values are cut there and given in full in the
# numbered log, where text flows.
CELL_LIMIT = 240
# Long text is laid out in chunks: ReportLab re-wraps the rest of a paragraph at every page
# break, so one 1 MB paragraph would take minutes.
CHUNK = 3000
IN_FULL_IN_THE_LOG = " … (in full in the log)"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + IN_FULL_IN_THE_LOG


@dataclass(frozen=True)
class SignerFacts:
    """What the pages say about the signer (the key itself never reaches the layout)."""

    subject: str
    fingerprint_sha256: str

    @classmethod
    def of(cls, identity: SigningIdentity) -> SignerFacts:
        return cls(identity.subject_text(), identity.fingerprint_sha256)


@dataclass(frozen=True)
class RenderJob:
    """Everything one copy's layout needs, and nothing that cannot be sent to another process:
    the export (`doc`, from one head), the template, who exports, who signs, which copy, the
    force's settings, and the other files delivered with it (name, what it is)."""

    template: Template
    doc: dict[str, Any]
    exported_by: Officer
    signer: SignerFacts
    redacted: bool = False
    force: ForceSettings = field(default_factory=ForceSettings)
    delivered_with: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OtherChain:
    """Another device's chain carried in the export (format version 2), as the merged fold
    sees it: `entries` re-keyed (k * KEY_BLOCK + seq), `seq_of` giving each its own number."""

    device: str
    name: str
    count: int
    head_hash: str
    entries: list[StoredEntry]

    @staticmethod
    def seq_of(entry: StoredEntry) -> int:
        return entry.seq % KEY_BLOCK


def other_chains(template: Template, doc: dict[str, Any], entries: list[StoredEntry]
                 ) -> tuple[IncidentState | None, tuple[OtherChain, ...]]:
    """The merged fold and the other devices' chains, when the export carries any."""
    if not doc.get("chains"):
        return None, ()
    raw = [(k, c["device"]["id"], c["device"]["name"], c,
            [StoredEntry({k2: v for k2, v in e.items() if k2 != "hash"}, e["hash"])
             for e in c["entries"]]) for k, c in enumerate(doc["chains"], 1)]
    device = doc.get("device") or {}
    incident = doc["incident"]
    state = merged_fold(incident["id"], incident["ref"], template, entries,
                        [(k, dev, name, es) for k, dev, name, _c, es in raw],
                        str(device.get("id", "")), str(device.get("name", "")))
    bases = {dev: foreign_key(k, 0) for k, dev, _n, _c, _e in raw}
    bases[str(device.get("id", ""))] = 0
    return state, tuple(
        OtherChain(dev, name, c["entry_count"], c["head_hash"],
                   [rekey(template, e, bases[dev], bases) for e in es])
        for _k, dev, name, c, es in raw)


@dataclass(frozen=True)
class RenderContext:
    """What the sections read: the exported log (`doc`, its entries, their folded `state`), the
    signer, whether this is the redacted copy, the styles and the frame width. `at` is the
    recorded time of the log's last entry: what the log is judged against (compliance, step
    status), so the same head always prints the same findings, whatever the clock says."""

    template: Template
    doc: dict[str, Any]
    entries: list[StoredEntry]
    state: IncidentState
    by_seq: dict[int, StoredEntry]
    signer: SignerFacts
    redacted: bool
    redact: Redactor
    styles: Styles
    width: float
    progress: Progress | None
    force: ForceSettings
    at: datetime
    requirements: list[Requirement]
    delivered_with: tuple[tuple[str, str], ...] = ()
    # Other devices' chains of the incident (none for a single-device export); `state` and
    # `by_seq` then hold the merged fold, with their entries under their merged keys.
    others: tuple[OtherChain, ...] = ()
    # Filled while the pages are drawn: the page (from 1) where each entry of the numbered log
    # begins, for the manifest (`entry_pages`).
    entry_pages: dict[int, int] = field(default_factory=dict)

    @property
    def all_entries(self) -> list[StoredEntry]:
        """This device's entries, then every other device's (merged keys)."""
        return self.entries + [e for c in self.others for e in c.entries]

    @classmethod
    def for_job(cls, job: RenderJob, progress: Progress | None = None) -> RenderContext:
        register_fonts()
        doc = job.doc
        # The sections show the export itself, not the database, which may have moved on.
        entries = [StoredEntry({k: v for k, v in e.items() if k != "hash"}, e["hash"])
                   for e in doc["entries"]]
        corrections = [e for e in entries if e.kind == "correction"]
        incident = doc["incident"]
        merged, others = other_chains(job.template, job.doc, entries)
        state = merged or IncidentState.fold(incident["id"], incident["ref"], job.template,
                                             entries, corrections)
        everything = entries + [e for c in others for e in c.entries]
        at = parse_iso_utc(entries[-1].recorded_time) if entries else \
            parse_iso_utc(doc["exported_at"])
        return cls(
            template=job.template, doc=doc, entries=entries, state=state,
            by_seq={e.seq: e for e in everything}, signer=job.signer, redacted=job.redacted,
            redact=Redactor.for_log(everything, state) if job.redacted else Redactor(),
            styles=Styles.make(), width=A4[0] - 32 * mm, progress=progress, force=job.force,
            at=at, requirements=requirements(state, at), delivered_with=job.delivered_with,
            others=others)

    def page_facts(self) -> PageFacts:
        iopc = ""
        for rec in reversed(self.state.referrals):
            if str(rec.fields.get("iopc_reference", "")).strip():
                iopc = str(rec.fields["iopc_reference"]).strip()
                break
        operation = str(self.state.latest_fields("incident.declared").get("operation_name", "")
                        or "")
        return PageFacts(self.state.ref, iopc or "not yet referred",
                         operation or "none recorded", self.doc["head_hash"],
                         self.doc["entry_count"], self.redacted)

    # -- text: every piece of recorded text goes through `text` -------------------------------
    def text(self, value: Any) -> str:
        """Recorded text as Paragraph markup: redacted, font-covered, escaped."""
        return self.markup(self.redact(str(value)))

    @staticmethod
    def markup(text: str) -> str:
        """Already-redacted text as Paragraph markup."""
        return escape(printable(text)).replace("\n", "<br/>")

    def short(self, value: Any, limit: int = 400) -> str:
        """Redacted, then cut (never the other way: a cut name could escape the redaction)."""
        return self.markup(cut(self.redact(str(value)), limit))

    def officer(self, data: dict[str, Any] | None) -> str:
        return self.text(officer_label(data)) if data else ""

    def person(self, pid: Any) -> str:
        if not isinstance(pid, int):
            return self.text(pid)
        person = self.state.people.get(pid)
        if person is None:
            return f"person P{pid}"
        if person.cipher and not self.redacted:
            return f"{self.text(person.name)} ({self.text(person.cipher)}, P{pid})"
        return f"{self.text(person.label(self.redacted))} (P{pid})"

    def withheld(self, kind: str, key: str, person: Any) -> bool:
        """Whether this field's value is left out of this copy (contact details, and a
        protected person's collar number)."""
        return self.redacted and self.redact.withholds(kind, key, person)

    def when(self, value: datetime | str | None, seconds: bool = True) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            try:
                return format_uk_text(value, seconds)
            except ValueError:
                return self.text(value)
        return format_uk(value, seconds)

    def clock(self, value: datetime) -> str:
        """A time of day with its zone ("16:16 GMT"), with the date too when it is not the day
        the incident was opened."""
        opened = self.state.opened_at
        if opened is not None and value.astimezone(UK).date() == opened.astimezone(UK).date():
            return f"{value.astimezone(UK):%H:%M} {uk_zone_name(value)}"
        return format_uk(value, False)

    def cell(self, value: Any, bold: bool = False, limit: int = CELL_LIMIT) -> Paragraph:
        return Paragraph(self.short(value, limit),
                         self.styles.cell_bold if bold else self.styles.cell)

    def cell_markup(self, markup: str) -> Paragraph:
        return Paragraph(markup, self.styles.cell)

    def flowing(self, text: str, style: ParagraphStyle, strike: bool = False,
                label: str = "") -> list[Paragraph]:
        """Long text as paragraphs that flow across pages (never one giant flowable)."""
        out: list[Paragraph] = []
        pieces: list[str] = []
        # Redact before cutting, so no name is split across two pieces.
        for line in self.redact(text).split("\n"):
            while len(line) > CHUNK:
                cut = line.rfind(" ", CHUNK // 2, CHUNK)
                cut = cut if cut > 0 else CHUNK
                pieces.append(line[:cut])
                line = line[cut:].lstrip(" ")
            pieces.append(line)
        first = True
        buffer: list[str] = []
        size = 0

        def emit() -> None:
            nonlocal first, buffer, size
            body = "<br/>".join(self.markup(p) for p in buffer)
            if strike:
                body = f"<strike>{body}</strike>"
            if first and label:
                body = f"<b>{label}:</b> {body}"
            out.append(Paragraph(body, style))
            first, buffer, size = False, [], 0

        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size >= CHUNK:
                emit()
        if buffer or first:
            emit()
        return out

    # -- field values --------------------------------------------------------------------------
    def field_specs(self, entry: StoredEntry) -> dict[str, FieldSpec]:
        """The field specs of the entry's step, or of its kind when it belongs to no step."""
        step = self.template.step(entry.step) if entry.step else None
        if step is not None:
            return {f.key: f for f in step.fields}
        if entry.kind not in GLOBAL_KINDS:
            return {}
        return {f.key: f for f in fields_of_kind(self.template, entry.kind)}

    def field_value(self, spec: FieldSpec | None, value: Any) -> str:
        """One field's value as markup (short types); multiline text is handled by `flowing`."""
        kind = spec.type if spec else ""
        if isinstance(value, bool) or kind == "yesno":
            return "Yes" if value else "No"
        if kind == "person" and isinstance(value, int):
            return self.person(value)
        if kind == "people" and isinstance(value, list):
            return ", ".join(self.person(v) for v in value) or "none"
        if kind == "datetime" and isinstance(value, str):
            return self.when(value)
        if kind == "step" and isinstance(value, str):
            step = self.template.step(value)
            return self.text(f"{step.title} ({value})" if step else value)
        if isinstance(value, list):
            return self.text(", ".join(str(v) for v in value))
        if isinstance(value, dict):
            return self.text(json.dumps(value, ensure_ascii=False, sort_keys=True))
        return self.text(value)
