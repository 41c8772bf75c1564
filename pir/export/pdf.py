"""The signed PDF of an incident's log, for the IOPC, a coroner or a court (ReportLab platypus).

Every page carries the protective marking, the references, "Page x of y" and the log's head
hash with its entry count. The canonical JSON export is attached inside the PDF and the whole
file is signed (see signing.py); `pir verify` (pdf_verify.py) checks all of it.

The redacted copy replaces the names (and collar numbers) of people with a cipher by that
cipher, everywhere: registers, log text, authors. Redacting changes entries, so their hashes
could no longer be checked: the redacted copy therefore attaches no log file, only a manifest
with the head hash and entry count of the full log, and its verification says the chain cannot
be rechecked from it. The full copy remains the evidence of the chain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pir import __version__
from pir.canonical import sha256_hex
from pir.errors import InputError
from pir.export.files import write_new_file
from pir.export.json_log import build_export, export_bytes
from pir.export.signing import Attachment, SignatureBox, SigningIdentity, sign_pdf
from pir.incident import IncidentLog, Officer, officer_label
from pir.log.store import StoredEntry
from pir.procedures.kinds import GLOBAL_KINDS
from pir.procedures.loader import resources_dir
from pir.procedures.model import FieldSpec
from pir.times import format_delay, format_uk, format_uk_text, parse_iso_utc
from pir.views.checklist import NOT_REQUIRED, OUTSTANDING, OVERDUE, checklist, referral_deadline
from pir.views.state import IncidentState, apply_corrections

MARKING = "OFFICIAL-SENSITIVE"
MANIFEST_NAME = "pir-export-manifest.json"
MANIFEST_FORMAT = "pir-pdf-manifest"
# The footer line verification reads back from every page; ASCII only, so it stays literal
# in the page content (ReportLab maps ASCII to itself in the first font subset).
FOOTER_HASH = "Log head SHA-256 {head}  |  {count} entries"
FOOTER_PAGE = "Page {page} of {pages}"
FONT, FONT_BOLD, FONT_MONO = "PIRSans", "PIRSans-Bold", "PIRMono"
# A table cell cannot split across pages: long values are cut there and given in full in the
# numbered log, where text flows.
CELL_LIMIT = 240
# Long text is laid out in chunks: ReportLab re-wraps the rest of a paragraph at every page
# break, so one 1 MB paragraph would take minutes.
CHUNK = 3000

Progress = Callable[[str, int, int], None]
# Titles of the entries that belong to no template step.
KIND_TITLES = {"note": "Note", "decision": "Decision (NDM)", "incident.opened": "Incident opened",
               "scale.changed": "Scale decision", "export.recorded": "Export issued"}


@dataclass(frozen=True)
class PdfExportResult:
    path: Path
    sha256: str
    entries: int
    head_hash: str
    signer: str
    certificate_sha256: str


# -- fonts and text -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def register_fonts() -> frozenset[int]:
    """Registers the bundled DejaVu fonts; returns the code points the text font can draw."""
    folder = resources_dir() / "fonts"
    files = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf",
             FONT_MONO: "DejaVuSansMono.ttf"}
    for name, file in files.items():
        path = folder / file
        if not path.is_file():
            raise InputError(f"The font {path} is missing; reinstall PIR.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    face = pdfmetrics.getFont(FONT).face
    bold = pdfmetrics.getFont(FONT_BOLD).face
    # Glyph 0 is .notdef (the box); a code point must be drawable in both weights.
    return frozenset(cp for cp, g in face.charToGlyph.items()
                     if g and bold.charToGlyph.get(cp) and cp >= 0x20) | {0x0A}


@lru_cache(maxsize=1)
def _missing_run() -> re.Pattern[str]:
    """A run of characters the font cannot draw (as one regex character class)."""
    cps = sorted(register_fonts())
    ranges: list[tuple[int, int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                  for a, b in ranges)
    return re.compile(f"[^{cls}]+")


def _is_emoji(cp: int) -> bool:
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF
            or 0xFE00 <= cp <= 0xFE0F or cp == 0x200D or 0xE0020 <= cp <= 0xE007F)


def _marker(match: re.Match[str]) -> str:
    run = match.group(0)
    if any(_is_emoji(ord(c)) for c in run):
        return "[emoji]"
    shown = [c for c in run if c not in "\t\r"]
    if not shown:
        return " "
    # Control characters and scripts the font lacks: name them rather than draw a box.
    return "".join(f"[U+{ord(c):04X}]" for c in shown[:8]) + ("[…]" if len(shown) > 8 else "")


def printable(text: str) -> str:
    """The text with every character the embedded font lacks replaced by a visible marker."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _missing_run().sub(_marker, text)


# -- redaction ------------------------------------------------------------------------------------

# Words that are part of how names are written but identify nobody.
_NOT_NAMES = {"mr", "mrs", "miss", "ms", "dr", "pc", "ps", "dc", "ds", "di", "dci", "sgt",
              "insp", "inspector", "sergeant", "constable", "chief", "superintendent",
              "detective", "officer", "acting", "temporary", "the", "and"}


@dataclass
class Redactor:
    """Replaces protected names (and their parts and collar numbers) by the person's cipher."""

    pattern: re.Pattern[str] | None = None
    by_word: dict[str, str] = field(default_factory=dict)
    protected: dict[int, str] = field(default_factory=dict)  # person seq -> cipher
    names: set[str] = field(default_factory=set)

    @classmethod
    def for_log(cls, entries: list[StoredEntry], state: IncidentState) -> Redactor:
        names: dict[int, set[str]] = {}
        numbers: dict[int, set[str]] = {}
        ciphers: dict[int, str] = {}

        def note(pid: int, payload: dict[str, Any]) -> None:
            if isinstance(payload.get("name"), str) and payload["name"].strip():
                names.setdefault(pid, set()).add(payload["name"].strip())
            if isinstance(payload.get("warrant_number"), str) and payload["warrant_number"]:
                numbers.setdefault(pid, set()).add(payload["warrant_number"].strip())
            if isinstance(payload.get("cipher"), str) and payload["cipher"].strip():
                ciphers[pid] = payload["cipher"].strip()

        kinds = {e.seq: e.kind for e in entries}
        for e in entries:
            if e.kind == "person.added":
                note(e.seq, e.payload)
            elif e.kind == "person.updated" and isinstance(e.payload.get("person"), int):
                note(e.payload["person"], e.payload)
            elif e.kind == "correction" and kinds.get(e.corrects) == "person.added":
                note(e.corrects, e.payload.get("fields") or {})
        for pid, person in state.people.items():
            if person.cipher:
                ciphers[pid] = person.cipher  # the current cipher wins
        words: dict[str, str] = {}
        for pid, cipher in ciphers.items():
            for name in names.get(pid, ()):
                _add_word(words, name, cipher)
                for part in re.split(r"[\s,]+", name):
                    part = part.strip(".'’-")
                    if len(part) >= 3 and part.casefold() not in _NOT_NAMES:
                        _add_word(words, part, cipher)
            for number in numbers.get(pid, ()):
                if len(number) >= 3:
                    _add_word(words, number, cipher)
        if not words:
            return cls(protected=dict(ciphers))
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        all_names = {n for pid in ciphers for n in names.get(pid, ())}
        return cls(pattern, words, dict(ciphers), all_names)

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.by_word.get(m.group(0).casefold(),
                                                           "[name withheld]"), text)


def _add_word(words: dict[str, str], word: str, cipher: str) -> None:
    key = word.casefold()
    # A word shared by two protected people cannot name either: withhold it.
    words[key] = cipher if words.get(key, cipher) == cipher else "[name withheld]"


# -- page furniture -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageFacts:
    ref: str
    iopc_ref: str
    operation: str
    head_hash: str
    count: int
    redacted: bool


def _canvas_class(facts: PageFacts) -> type[rl_canvas.Canvas]:
    """A canvas that holds pages back until the end, so each can say "Page x of y"."""

    class DeferredCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, page in enumerate(self._held, 1):
                self.__dict__.update(page)
                _furniture(self, facts, number, total)
                super().showPage()
            super().save()

    return DeferredCanvas


def _furniture(c: rl_canvas.Canvas, facts: PageFacts, page: int, pages: int) -> None:
    width, height = A4
    left, right = 16 * mm, width - 16 * mm
    c.saveState()
    c.setFillColor(colors.black)
    c.setFont(FONT_BOLD, 10)
    c.drawCentredString(width / 2, height - 10 * mm, MARKING)
    c.setFont(FONT, 7.5)
    c.drawString(left, height - 15 * mm, printable(f"Incident {facts.ref}"))
    c.drawRightString(right, height - 15 * mm,
                      printable(f"IOPC ref: {facts.iopc_ref}   Operation: {facts.operation}"))
    if facts.redacted:
        c.setFont(FONT_BOLD, 7.5)
        c.drawRightString(right, height - 10 * mm, "REDACTED COPY")
    c.setLineWidth(0.4)
    c.line(left, height - 16.5 * mm, right, height - 16.5 * mm)
    c.line(left, 17 * mm, right, 17 * mm)
    c.setFont(FONT, 7.5)
    c.drawString(left, 13.5 * mm, printable(f"Incident {facts.ref}"))
    c.drawRightString(right, 13.5 * mm, FOOTER_PAGE.format(page=page, pages=pages))
    c.setFont(FONT_MONO, 6.5)
    c.drawCentredString(width / 2, 9.5 * mm,
                        FOOTER_HASH.format(head=facts.head_hash, count=facts.count))
    c.setFont(FONT_BOLD, 10)
    c.drawCentredString(width / 2, 4.5 * mm, MARKING)
    c.restoreState()


class SignaturePanel(Flowable):
    """The visible signature block: who signs, the certificate fingerprint, and the box where
    the signature field itself is placed (its position is recorded while the page is drawn)."""

    def __init__(self, width: float, lines: list[str], styles: Styles) -> None:
        super().__init__()
        self.width = width
        self.height = 34 * mm
        self.lines = lines
        self.styles = styles
        self.placed: SignatureBox | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.8)
        c.rect(0, 0, self.width, self.height)
        box_w = 62 * mm
        text = Paragraph("<br/>".join(self.lines), self.styles.small)
        _, h = text.wrap(self.width - box_w - 8 * mm, self.height)
        text.drawOn(c, 3 * mm, self.height - 3 * mm - h)
        c.setDash(2, 2)
        c.setLineWidth(0.4)
        x0, y0 = self.width - box_w - 2 * mm, 3 * mm
        c.rect(x0, y0, box_w, self.height - 6 * mm)
        c.setDash()
        ax, ay = c.absolutePosition(x0, y0)
        bx, by = c.absolutePosition(x0 + box_w, self.height - 3 * mm)
        self.placed = SignatureBox(c.getPageNumber() - 1,
                                   (int(ax) + 1, int(ay) + 1, int(bx) - 1, int(by) - 1))


# -- styles ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    title: ParagraphStyle
    entry_head: ParagraphStyle
    entry_meta: ParagraphStyle
    entry_body: ParagraphStyle
    mono: ParagraphStyle

    @classmethod
    def make(cls) -> Styles:
        body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, spaceAfter=2)
        small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0)
        return cls(
            body=body, small=small,
            cell=ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
            cell_bold=ParagraphStyle("cellb", parent=body, fontName=FONT_BOLD, fontSize=7.5,
                                     leading=9, spaceAfter=0),
            h1=ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18,
                              spaceBefore=4, spaceAfter=6),
            h2=ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14,
                              spaceBefore=8, spaceAfter=4),
            h3=ParagraphStyle("h3", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=12,
                              spaceBefore=6, spaceAfter=2),
            title=ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=18,
                                 leading=23, alignment=TA_CENTER, spaceAfter=4),
            entry_head=ParagraphStyle("ehead", parent=body, fontName=FONT_BOLD, fontSize=9,
                                      leading=11.5, spaceBefore=5, spaceAfter=0,
                                      backColor=colors.HexColor("#ececec"), borderPadding=1.5),
            entry_meta=ParagraphStyle("emeta", parent=body, fontSize=7.5, leading=9.5,
                                      spaceAfter=1, textColor=colors.HexColor("#333333")),
            entry_body=ParagraphStyle("ebody", parent=body, leftIndent=8, spaceAfter=1),
            mono=ParagraphStyle("mono", parent=body, fontName=FONT_MONO, fontSize=7.5,
                                leading=9.5),
        )


# -- the document ---------------------------------------------------------------------------------

def _latest(state: IncidentState, kind: str) -> dict[str, Any]:
    items = state.by_kind.get(kind) or []
    return items[-1].fields if items else {}


def page_facts(state: IncidentState, count: int, head: str, redacted: bool) -> PageFacts:
    iopc = ""
    for rec in reversed(state.referrals):
        if str(rec.fields.get("iopc_reference", "")).strip():
            iopc = str(rec.fields["iopc_reference"]).strip()
            break
    operation = str(_latest(state, "incident.declared").get("operation_name", "") or "")
    return PageFacts(state.ref, iopc or "not yet referred", operation or "none recorded",
                     head, count, redacted)


class LogDocument:
    """Builds the flowables of one export: cover, summary, registers, annexes, numbered log."""

    def __init__(self, log: IncidentLog, doc: dict[str, Any], exported_by: Officer,
                 identity: SigningIdentity, redacted: bool, progress: Progress | None) -> None:
        register_fonts()
        self.log = log
        self.template = log.template
        self.doc = doc
        self.entries = [StoredEntry({k: v for k, v in e.items() if k != "hash"}, e["hash"])
                        for e in doc["entries"]]
        corrections = [e for e in self.entries if e.kind == "correction"]
        self.state = IncidentState.fold(log.row.id, log.row.ref, log.template, self.entries,
                                        corrections)
        self.by_seq = {e.seq: e for e in self.entries}
        self.exported_by = exported_by
        self.identity = identity
        self.redacted = redacted
        self.redact = Redactor.for_log(self.entries, self.state) if redacted else Redactor()
        self.progress = progress
        self.s = Styles.make()
        self.width = A4[0] - 32 * mm
        self.signature: SignaturePanel | None = None

    # text helpers: every piece of recorded text goes through `t` (font cover, redaction, escape)
    def t(self, value: Any) -> str:
        return self.plain(self.redact(str(value)))

    @staticmethod
    def plain(text: str) -> str:
        """Already-redacted text as Paragraph markup."""
        return escape(printable(text)).replace("\n", "<br/>")

    def officer(self, data: dict[str, Any] | None) -> str:
        return self.t(officer_label(data)) if data else ""

    def person(self, pid: Any) -> str:
        if not isinstance(pid, int):
            return self.t(pid)
        person = self.state.people.get(pid)
        if person is None:
            return f"person P{pid}"
        return f"{self.t(person.label(self.redacted))} (P{pid})"

    def cell(self, value: Any, bold: bool = False, limit: int = CELL_LIMIT) -> Paragraph:
        text = str(value)
        if len(text) > limit:
            text = text[:limit] + " … (in full in the log)"
        return Paragraph(self.t(text), self.s.cell_bold if bold else self.s.cell)

    def cell_markup(self, markup: str) -> Paragraph:
        return Paragraph(markup, self.s.cell)

    def when(self, value: datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            try:
                return format_uk_text(value)
            except ValueError:
                return self.t(value)
        return format_uk(value)

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
            body = "<br/>".join(self.plain(p) for p in buffer)
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
    def specs(self, entry: StoredEntry) -> dict[str, FieldSpec]:
        step = self.template.step(entry.step) if entry.step else None
        if step is not None:
            return {f.key: f for f in step.fields}
        return {f.key: f for f in GLOBAL_KINDS.get(entry.kind, ())}

    def value(self, spec: FieldSpec | None, value: Any) -> str:
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
        if isinstance(value, list):
            return self.t(", ".join(str(v) for v in value))
        if isinstance(value, dict):
            return self.t(json.dumps(value, ensure_ascii=False, sort_keys=True))
        if self.redacted and spec and spec.key == "warrant_number" and value:
            return "[withheld]"
        return self.t(value)

    def fields(self, entry: StoredEntry, payload: dict[str, Any], struck: set[str] | None = None,
               strike_all: bool = False) -> list[Flowable]:
        """An entry's fields: short ones gathered in one paragraph, long text flowing."""
        specs = self.specs(entry)
        keys = [k for k in specs if k in payload] + [k for k in payload if k not in specs]
        short: list[str] = []
        out: list[Flowable] = []
        for key in keys:
            value = payload[key]
            if value is None or value == "" or value == []:
                continue
            spec = specs.get(key)
            label = escape(spec.label if spec else key)
            strike = strike_all or (struck is not None and key in struck)
            if self.redacted and entry.kind in ("person.added", "person.updated") \
                    and key == "warrant_number" and self._protected_entry(entry):
                value = "[withheld]"
            if spec and spec.type == "multiline" or (isinstance(value, str) and
                                                      (len(value) > 300 or "\n" in value)):
                out.extend(self.flowing(str(value), self.s.entry_body, strike, label))
                continue
            shown = self.value(spec, value)
            short.append(f"<b>{label}:</b> " + (f"<strike>{shown}</strike>" if strike else shown))
        if short:
            out.insert(0, Paragraph("<br/>".join(short), self.s.entry_body))
        return out

    def _protected_entry(self, entry: StoredEntry) -> bool:
        pid = entry.seq if entry.kind == "person.added" else entry.payload.get("person")
        return pid in self.redact.protected

    # -- sections ------------------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        story += self.cover()
        story += self.summary()
        story += self.people()
        story += self.decisions()
        story += self.integrity_annex()
        story += self.welfare_annex()
        story += self.exhibits_annex()
        story += self.accounts()
        story += self.chronological()
        return story

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        data = [[Paragraph(escape(h), self.s.cell_bold) for h in header]] + rows
        table = Table(data, colWidths=[w * self.width for w in widths], repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#888888")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dddddd")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        return table

    def pairs(self, rows: list[tuple[str, str]]) -> Table:
        data = [[Paragraph(f"<b>{escape(k)}</b>", self.s.small), Paragraph(v, self.s.small)]
                for k, v in rows]
        table = Table(data, colWidths=[0.27 * self.width, 0.73 * self.width])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        return table

    def short(self, value: Any, limit: int = 400) -> str:
        text = str(value)
        return self.t(text if len(text) <= limit else text[:limit] + " … (in full in the log)")

    def cover(self) -> list[Flowable]:
        s, st, tpl, doc = self.s, self.state, self.template, self.doc
        facts = page_facts(st, doc["entry_count"], doc["head_hash"], self.redacted)
        cert_fp = self.identity.fingerprint_sha256
        exported_at = parse_iso_utc(doc["exported_at"])
        out: list[Flowable] = [
            Spacer(1, 4 * mm),
            Paragraph("Post-incident procedure log", s.title),
            Paragraph(self.t(f"Incident {st.ref}"), ParagraphStyle(
                "sub", parent=s.h2, alignment=TA_CENTER, spaceBefore=0)),
        ]
        if self.redacted:
            out.append(Paragraph(
                "<b>REDACTED COPY.</b> The names and collar numbers of people whose identity is "
                "protected are replaced by their ciphers throughout. This copy carries no log "
                "file: redacting changes the entries, so their hash chain cannot be rechecked "
                "from it. It states the head hash and entry count of the full log; verify the "
                "full (unredacted) export to check the chain.", s.body))
        rows = [
            ("Incident / CAD reference", self.t(st.ref)),
            ("Title", self.short(st.title) or "none recorded"),
            ("IOPC reference", self.t(facts.iopc_ref)),
            ("Operation name", self.t(facts.operation)),
            ("Procedure", self.t(f"{tpl.title} (template {tpl.id}, version {tpl.version})")),
            ("Policy reference", self.t(tpl.policy_reference)),
            ("Scale", self.t(st.scale)),
            ("Scale rationale", self.short(st.scale_rationale, 1200) or "none recorded"),
            ("Incident opened", self.when(st.opened_at) or "not recorded"),
            ("Exported by", self.t(Officer.from_dict(doc["exported_by"]).label())),
            ("Exported at", format_uk(exported_at)),
            ("Entries", f"{doc['entry_count']} (numbered 1 to {doc['entry_count']}, no gaps)"),
            ("Log head hash (SHA-256)", f"<font name='{FONT_MONO}'>{doc['head_hash']}</font>"),
            ("Software", escape(doc["software"])),
        ]
        out += [Spacer(1, 3 * mm), self.pairs(rows), Spacer(1, 4 * mm)]
        attached = ("The canonical JSON log is attached to this PDF" if not self.redacted
                    else "A manifest (no log) is attached to this PDF")
        out.append(Paragraph(
            "How to check this document: the whole file is digitally signed; any change after "
            f"signing breaks the signature. {attached}; 'pir verify FILE.pdf' rechecks the "
            "signature, the log's hash chain, and that the head hash and entry count printed on "
            "every page are those of the log. Confirm the certificate fingerprint below with the "
            "sender by telephone or in person.", s.small))
        out.append(Spacer(1, 4 * mm))
        lines = [
            "<b>Digital signature</b> (PAdES, whole file; certified: no changes allowed)",
            f"Signed by: {self.t(self.redact(self.identity.subject_text()))}",
            f"Certificate SHA-256 fingerprint:<br/><font name='{FONT_MONO}'>{cert_fp[:32]}"
            f"<br/>{cert_fp[32:]}</font>",
            f"Exported {format_uk(exported_at)}",
        ]
        self.signature = SignaturePanel(self.width, lines, s)
        out += [self.signature, PageBreak()]
        return out

    def summary(self) -> list[Flowable]:
        s, st = self.s, self.state
        now = parse_iso_utc(self.doc["exported_at"])
        out: list[Flowable] = [Paragraph("Summary", s.h1), Paragraph("Key times", s.h2)]
        declared = _latest(st, "incident.declared")
        rows = [("Incident opened in PIR", self.when(st.opened_at) or "not recorded")]
        for key, label in (("incident_at", "Incident"), ("declared_at", "Procedure declared"),
                           ("pim_arrived_at", "PIM arrived")):
            if declared.get(key):
                rows.append((label, self.when(declared[key])))
        deadline = referral_deadline(self.template, st.opened_at)
        if st.referrals:
            ref = st.referrals[-1]
            made = ref.fields.get("referred_at") or ref.fields.get("first_call_at")
            rows.append(("IOPC referral", f"{self.t(ref.fields.get('referral', 'recorded'))}, "
                         f"entry {ref.seq}, {self.when(made) if made else self.when(ref.time)}"))
        else:
            rows.append(("IOPC referral", "not yet made" + (
                f"; due by {format_uk(deadline)}" if deadline else "")))
        mode = _latest(st, "iopc.mode_decided")
        if mode:
            rows.append(("IOPC mode of investigation", self.t(mode.get("mode", ""))))
        closed = _latest(st, "incident.closed")
        rows.append(("Closed", self.when(closed.get("closed_at")) if closed else "not closed"))
        rows.append(("Late entries", str(st.late_entries)))
        rows.append(("Corrections", str(sum(len(v) for v in st.corrections.values()))))
        out.append(self.pairs(rows))

        statuses = checklist(st, now)
        counts = {k: sum(1 for x in statuses if x.status == k)
                  for k in ("done", OUTSTANDING, OVERDUE, NOT_REQUIRED)}
        out.append(Paragraph("Steps of the procedure", s.h2))
        out.append(Paragraph(
            f"At {format_uk(now)} (scale: {self.t(st.scale)}): {counts['done']} done, "
            f"{counts[OUTSTANDING]} outstanding, {counts[OVERDUE]} overdue, "
            f"{counts[NOT_REQUIRED]} not required at this scale.", s.body))
        rows2 = []
        for item in statuses:
            status = ("not required at this scale" if item.status == NOT_REQUIRED
                      else item.status)
            if item.status in (OUTSTANDING, OVERDUE):
                status = f"<b>{status.upper()}</b>"
            due = ""
            if item.due and item.status != "done":
                due = f"due {format_uk(item.due, False)}"
            elif item.last_time:
                due = f"last {format_uk(item.last_time, False)}"
            rows2.append([self.cell(item.step.phase_id), self.cell(item.step.title),
                          self.cell_markup(status), self.cell(str(item.count or "")),
                          self.cell(due)])
        out.append(self.table(["Phase", "Step", "Status", "Entries", "Due / last"], rows2,
                              [0.07, 0.43, 0.2, 0.08, 0.22]))
        if st.anomalies:
            out.append(Paragraph("Record anomalies", s.h2))
            for seq, text in st.anomalies:
                out.append(Paragraph(f"Entry {seq}: {self.t(text)}", s.body))
        out.append(PageBreak())
        return out

    def people(self) -> list[Flowable]:
        s, st = self.s, self.state
        out: list[Flowable] = [Paragraph("People register", s.h1)]
        if self.redacted:
            out.append(Paragraph("Redacted copy: where a cipher is set, only the cipher is "
                                 "shown.", s.small))
        if not st.people:
            return [*out, Paragraph("No one has been registered.", s.body), PageBreak()]
        rows = []
        details: list[Flowable] = []
        for pid, p in st.people.items():
            f = p.fields
            protected = self.redacted and pid in self.redact.protected
            name = p.cipher if protected else p.name
            number = "[withheld]" if protected and f.get("warrant_number") else \
                f.get("warrant_number", "")
            rank = " ".join(x for x in (f.get("rank", ""), number) if x)
            rows.append([self.cell(f"P{pid}"), self.cell(name, bold=True),
                         self.cell(p.cipher or ""), self.cell(p.category), self.cell(rank),
                         self.cell(" / ".join(x for x in (f.get("force", ""), f.get("role", ""))
                                              if x)),
                         self.cell(f.get("bwv_serial", "")),
                         self.cell(self.when(f.get("arrived_pis_at")) if f.get("arrived_pis_at")
                                   else "")])
            extra = [(k, lbl) for k, lbl in (("weapons_carried", "Weapons / equipment"),
                                             ("injuries", "Injuries"), ("notes", "Notes"))
                     if f.get(k)]
            if extra or p.updates:
                details.append(Paragraph(f"P{pid} {self.t(name)}", s.h3))
                for key, label in extra:
                    details.extend(self.flowing(str(f[key]), s.entry_body, label=label))
                if p.updates:
                    details.append(Paragraph("Updated by entries " + ", ".join(
                        str(u) for u in p.updates), s.entry_body))
        out.append(self.table(["No.", "Name", "Cipher", "Category", "Rank, number",
                               "Force / role", "BWV", "Arrived PIS"], rows,
                              [0.06, 0.17, 0.09, 0.12, 0.13, 0.17, 0.1, 0.16]))
        if details:
            out += [Paragraph("Details", s.h2), *details]
        out.append(PageBreak())
        return out

    def recorded_block(self, seq: int, title: str, payload: dict[str, Any]) -> list[Flowable]:
        entry = self.by_seq[seq]
        meta = (f"Entry {seq} · {self.when(self._event_time(entry))} · by "
                f"{self.officer(entry.body['author'])}")
        if entry.body.get("decision_maker"):
            meta += f" · decision maker {self.officer(entry.body['decision_maker'])}"
        if seq in self.state.corrections:
            meta += " · corrected by entry " + ", ".join(map(str, self.state.corrections[seq]))
        head = [Paragraph(self.t(title), self.s.h3), Paragraph(meta, self.s.entry_meta)]
        body = self.fields(entry, payload)
        return [KeepTogether(head + body[:1]), *body[1:]]

    def _event_time(self, entry: StoredEntry) -> str:
        seqs = self.state.corrections.get(entry.seq, [])
        return apply_corrections(entry, [self.by_seq[c] for c in seqs]).event_time

    def decisions(self) -> list[Flowable]:
        s, st = self.s, self.state
        out: list[Flowable] = [Paragraph("Decisions and rationale", s.h1),
                               Paragraph("Decisions (National Decision Model)", s.h2)]
        if not st.decisions:
            out.append(Paragraph("No NDM decisions recorded.", s.body))
        for rec in st.decisions:
            out += self.recorded_block(rec.seq, str(rec.fields.get("decision", ""))[:160],
                                       rec.fields)
        others = [rec for kind, recs in st.by_kind.items() if kind != "decision"
                  for rec in recs if rec.fields.get("rationale")]
        others.sort(key=lambda r: r.seq)
        out.append(Paragraph("Other decisions with their rationale", s.h2))
        if not others:
            out.append(Paragraph("None recorded.", s.body))
        for rec in others:
            step = self.template.step(rec.step) if rec.step else None
            out += self.recorded_block(rec.seq, step.title if step else rec.kind, rec.fields)
        out.append(PageBreak())
        return out

    def kind_blocks(self, kinds: Iterable[str], empty: str) -> list[Flowable]:
        recs = sorted((r for k in kinds for r in self.state.by_kind.get(k, [])),
                      key=lambda r: r.seq)
        out: list[Flowable] = []
        for rec in recs:
            step = self.template.step(rec.step) if rec.step else None
            out += self.recorded_block(rec.seq, step.title if step else rec.kind, rec.fields)
        return out or [Paragraph(empty, self.s.body)]

    def integrity_annex(self) -> list[Flowable]:
        s, st = self.s, self.state
        out: list[Flowable] = [Paragraph("Annex: separation and anti-conferring", s.h1),
                               Paragraph("Anti-conferring instructions", s.h2)]
        rows = [[self.cell(str(i.seq)), self.cell(self.when(i.time)),
                 self.cell(i.given_by), self.cell_markup(
                     ", ".join(self.person(p) for p in i.to)), self.cell(i.method)]
                for i in st.instructions]
        out.append(self.table(["Entry", "Time", "Given by", "To", "How"], rows,
                              [0.08, 0.2, 0.2, 0.37, 0.15]) if rows else
                   Paragraph("No anti-conferring instruction recorded.", s.body))
        out.append(Paragraph("Separation (current position)", s.h2))
        rows = [[self.cell_markup(self.person(pid)), self.cell(sep.option),
                 self.cell(self.when(sep.since)),
                 self.cell(self.when(sep.ended_at) if sep.ended_at else "continuing"),
                 self.cell(f"{sep.decided_seq}" + (f", ended {sep.ended_seq}"
                                                   if sep.ended_seq else ""))]
                for pid, sep in st.separation.items()]
        out.append(self.table(["Person", "Option", "From", "Until", "Entries"], rows,
                              [0.3, 0.2, 0.2, 0.2, 0.1]) if rows else
                   Paragraph("No separation decision recorded.", s.body))
        out.append(Paragraph("Separation decisions", s.h2))
        out += self.kind_blocks(["separation.decided", "separation.ended"],
                                "None recorded.")
        out.append(Paragraph("Conferring reported", s.h2))
        out += self.kind_blocks(["conferring.reported"], "None reported.")
        out.append(Paragraph("Access to material before accounts", s.h2))
        out += self.kind_blocks(["material.access_decided"], "No access decision recorded.")
        out.append(PageBreak())
        return out

    def welfare_annex(self) -> list[Flowable]:
        s, st = self.s, self.state
        out: list[Flowable] = [Paragraph("Annex: welfare", s.h1),
                               Paragraph("Timed welfare checks", s.h2)]
        rows = [[self.cell(str(w.seq)), self.cell(self.when(w.time)),
                 self.cell_markup(", ".join(self.person(p) for p in w.people) or "everyone"),
                 self.cell(w.fields.get("by", "")), self.cell(self.when(w.next_due))]
                for w in st.welfare_checks]
        out.append(self.table(["Entry", "Time", "People", "By", "Next due"], rows,
                              [0.08, 0.2, 0.37, 0.15, 0.2]) if rows else
                   Paragraph("No timed welfare check recorded.", s.body))
        out.append(Paragraph("Welfare entries in full", s.h2))
        out += self.kind_blocks(["welfare.check", "welfare.subject", "welfare.officer"],
                                "None recorded.")
        out.append(PageBreak())
        return out

    def exhibits_annex(self) -> list[Flowable]:
        s, st = self.s, self.state
        out: list[Flowable] = [Paragraph("Annex: exhibits and continuity", s.h1)]
        if not st.exhibits:
            out.append(Paragraph("No exhibit recorded.", s.body))
        for ex in st.exhibits.values():
            f = ex.fields
            seized = ", ".join(x for x in (
                f"entry {ex.seized_seq}", self.when(f.get("seized_at") or ex.seized_at),
                f"by {f['seized_by']}" if f.get("seized_by") else "",
                f"at {f['place']}" if f.get("place") else "",
                f"seal {f['seal_number']}" if f.get("seal_number") else "",
                f"bag {f['bag_number']}" if f.get("bag_number") else "") if x)
            head = [Paragraph(f"{self.t(ex.ref)}: {self.short(ex.description)}", s.h3),
                    Paragraph(f"Seized: {self.t(seized)}. First holder: "
                              f"{self.t(f.get('holder', ''))}. Current holder: "
                              f"<b>{self.t(ex.holder)}</b>.", s.small)]
            rows = [[self.cell(str(n)), self.cell(self.when(tr.fields.get("transferred_at")
                                                            or tr.time)),
                     self.cell(tr.from_holder), self.cell(tr.to_holder),
                     self.cell(tr.fields.get("place", "")), self.cell(tr.fields.get("reason", "")),
                     self.cell(("yes" if tr.fields.get("seal_intact") else "NO")
                               + (f", {tr.fields['seal_number']}"
                                  if tr.fields.get("seal_number") else "")),
                     self.cell(str(tr.seq))]
                    for n, tr in enumerate(ex.transfers, 1)]
            if rows:
                table = self.table(["#", "Time", "From", "To", "Place", "Reason", "Seal intact",
                                    "Entry"], rows, [0.04, 0.16, 0.15, 0.15, 0.15, 0.17, 0.11,
                                                     0.07])
                out += [KeepTogether(head), table]
            else:
                out += [KeepTogether(head), Paragraph("No transfer recorded.", s.small)]
            for tr in ex.transfers:
                if tr.fields.get("notes"):
                    out += self.flowing(str(tr.fields["notes"]), s.entry_body,
                                        label=f"Notes on transfer entry {tr.seq}")
        anomalies = [(q, t) for q, t in st.anomalies if "exhibit" in t or "transfer" in t]
        for seq, text in anomalies:
            out.append(Paragraph(f"<b>Continuity problem</b>, entry {seq}: {self.t(text)}",
                                 s.body))
        out.append(PageBreak())
        return out

    def accounts(self) -> list[Flowable]:
        s, st = self.s, self.state
        out: list[Flowable] = [Paragraph("Accounts", s.h1)]
        rows = []
        for pid, accounts in sorted(st.accounts.items()):
            for a in accounts:
                f = a.fields
                when = f.get("started_at") or f.get("taken_at") or a.time
                detail = ", ".join(str(x) for x in (
                    f.get("format"), f.get("status"),
                    f"handed to {f['handed_to']}" if f.get("handed_to") else "",
                    f"exhibit {f['exhibit_ref']}" if f.get("exhibit_ref") else "") if x)
                rows.append([self.cell(str(a.seq)), self.cell_markup(self.person(pid)),
                             self.cell(a.account_type), self.cell(self.when(when)),
                             self.cell(str(f.get("material_viewed", ""))), self.cell(detail)])
        out.append(self.table(["Entry", "Person", "Type", "Time", "Material viewed", "Format, "
                               "status, handed to"], rows, [0.07, 0.22, 0.16, 0.17, 0.15, 0.23])
                   if rows else Paragraph("No account recorded.", s.body))
        kpws = [p for p in st.kpws() if p.seq not in st.accounts]
        if kpws:
            out.append(Paragraph("KPWs with no account recorded: " + ", ".join(
                self.person(p.seq) for p in kpws), s.body))
        out.append(Paragraph("Basic facts", s.h2))
        out += self.kind_blocks(["account.basic_facts"], "None recorded.")
        out.append(PageBreak())
        return out

    # -- the numbered log -------------------------------------------------------------------------
    def chronological(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [
            Paragraph("The log, in full and in order", s.h1),
            Paragraph("Every entry as recorded, numbered without gaps. Event time is when it "
                      "happened; recorded time is when it was written (computer clock). A "
                      "correction is a later entry: the values it replaced stay readable, "
                      "struck through, at the original entry and beside the correction.",
                      s.small)]
        # Effective payload and event time of each entry as corrections are met in order.
        current: dict[int, tuple[dict[str, Any], str]] = {}
        total = len(self.entries)
        for n, entry in enumerate(self.entries, 1):
            if self.progress and n % 250 == 0:
                self.progress("Laying out the log", n, total)
            out += self.entry(entry, current)
            if entry.kind != "correction":
                current[entry.seq] = (entry.payload, entry.event_time)
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(
            f"End of the log: {self.doc['entry_count']} entries; head hash "
            f"<font name='{FONT_MONO}'>{self.doc['head_hash']}</font>.", s.small))
        return out

    def entry(self, e: StoredEntry,
              current: dict[int, tuple[dict[str, Any], str]]) -> list[Flowable]:
        s, st = self.s, self.state
        step = self.template.step(e.step) if e.step else None
        what = step.title if step else KIND_TITLES.get(e.kind, e.kind)
        if e.kind == "correction":
            what = f"Correction of entry {e.corrects}"
        head = f"{e.seq}.  {self.t(what)}  <font size='7'>({self.t(e.kind)})</font>"
        meta = [f"Event {self.when(e.event_time)} · recorded {self.when(e.recorded_time)}",
                f"Author {self.officer(e.body['author'])}"]
        if e.body.get("decision_maker"):
            meta[-1] += f" · decision maker {self.officer(e.body['decision_maker'])}"
        if e.body.get("late_reason"):
            delay = parse_iso_utc(e.recorded_time) - parse_iso_utc(e.event_time)
            meta.append(f"<b>Late entry</b>, recorded {format_delay(delay)} after the event. "
                        f"Reason: {self.t(e.body['late_reason'])}")
        for key, label in (("event_time_note", "Time note"), ("clock_note", "Clock note")):
            if e.body.get(key):
                meta.append(f"{label}: {self.t(e.body[key])}")
        correctors = st.corrections.get(e.seq, [])
        struck: set[str] = set()
        withdrawn = e.seq in st.withdrawn
        if correctors:
            for c in correctors:
                cp = self.by_seq[c].payload
                if "fields" in cp:
                    struck |= {k for k in set(e.payload) | set(cp["fields"])
                               if e.payload.get(k) != cp["fields"].get(k)}
                if "event_time" in cp:
                    meta[0] = (f"Event <strike>{self.when(e.event_time)}</strike> · recorded "
                               f"{self.when(e.recorded_time)}")
            state = "WITHDRAWN by" if withdrawn else "Corrected by"
            meta.append(f"<b>{state} entry {', '.join(map(str, correctors))}</b>; "
                        "the replaced values are struck through below.")
        flow: list[Flowable] = [Paragraph(head, s.entry_head),
                                Paragraph("<br/>".join(meta), s.entry_meta)]
        if e.kind == "correction":
            body = self.correction_body(e, current)
        else:
            body = self.fields(e, e.payload, struck, strike_all=withdrawn)
        # A conditional break keeps an entry's heading off the foot of a page; KeepTogether
        # would do the same at a third of the layout time for a long log.
        return [CondPageBreak(26 * mm), *flow, *body]

    def correction_body(self, e: StoredEntry,
                        current: dict[int, tuple[dict[str, Any], str]]) -> list[Flowable]:
        s = self.s
        target = self.by_seq.get(e.corrects)
        before, before_time = current.get(e.corrects, ({}, ""))
        out: list[Flowable] = [Paragraph(f"<b>Reason:</b> {self.t(e.body.get('reason') or '')}",
                                         s.entry_body)]
        p = e.payload
        if p.get("withdrawn"):
            out.append(Paragraph(f"<b>Entry {e.corrects} is withdrawn</b> (struck through, "
                                 "still readable, at its place in the log).", s.entry_body))
        if "event_time" in p:
            out.append(Paragraph(f"<b>Event time:</b> <strike>{self.when(before_time)}</strike>"
                                 f" → {self.when(p['event_time'])}", s.entry_body))
            current[e.corrects] = (before, p["event_time"])
            before_time = p["event_time"]
        if "fields" in p and target is not None:
            new = p["fields"]
            specs = self.specs(target)
            for key in [k for k in specs if k in before or k in new] + \
                    [k for k in set(before) | set(new) if k not in specs]:
                if before.get(key) == new.get(key):
                    continue
                spec = specs.get(key)
                label = escape(spec.label if spec else key)
                old_v, new_v = before.get(key), new.get(key)
                if (spec and spec.type == "multiline") or len(str(old_v)) + len(str(new_v)) > 300:
                    if old_v not in (None, ""):
                        out += self.flowing(str(old_v), s.entry_body, True, f"{label} (was)")
                    out += self.flowing(str(new_v) if new_v not in (None, "") else "(empty)",
                                        s.entry_body, False, f"{label} (now)")
                else:
                    was = self.value(spec, old_v) if old_v not in (None, "") else "(empty)"
                    now = self.value(spec, new_v) if new_v not in (None, "") else "(empty)"
                    out.append(Paragraph(f"<b>{label}:</b> <strike>{was}</strike> → {now}",
                                         s.entry_body))
            current[e.corrects] = (new, before_time)
        return out


# -- build, sign, write ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    signature_box: SignatureBox | None
    pages: int


def render_pdf(log: IncidentLog, doc: dict[str, Any], *, exported_by: Officer,
               identity: SigningIdentity, redacted: bool = False,
               progress: Progress | None = None) -> RenderedPdf:
    """Lays out the document (unsigned)."""
    layout = LogDocument(log, doc, exported_by, identity, redacted, progress)
    facts = page_facts(layout.state, doc["entry_count"], doc["head_hash"], redacted)
    buffer = BytesIO()
    title = f"{MARKING} post-incident log {log.row.ref}" + (" (redacted)" if redacted else "")
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=20 * mm,
        bottomMargin=21 * mm, title=title, author=layout.redact(exported_by.label()),
        subject=f"Incident {log.row.ref}: {doc['entry_count']} entries, head {doc['head_hash']}",
        creator=f"PIR {__version__}", keywords=[MARKING, log.row.ref])
    story = layout.story()
    if progress:
        progress("Drawing pages", 0, 1)
    pdf.build(story, canvasmaker=_canvas_class(facts))
    box = layout.signature.placed if layout.signature else None
    return RenderedPdf(buffer.getvalue(), box, pdf.page)


def manifest(doc: dict[str, Any], identity: SigningIdentity, redacted: bool,
             log_name: str | None, log_data: bytes | None, pages: int) -> bytes:
    """The small signed statement verification compares everything else against."""
    return json.dumps({
        "format": MANIFEST_FORMAT,
        "format_version": 1,
        "incident_ref": doc["incident"]["ref"],
        "incident_id": doc["incident"]["id"],
        "entry_count": doc["entry_count"],
        "head_hash": doc["head_hash"],
        "exported_at": doc["exported_at"],
        "redacted": redacted,
        "log_file": log_name,
        "log_sha256": sha256_hex(log_data) if log_data is not None else None,
        "pages": pages,
        "certificate_sha256": identity.fingerprint_sha256,
        "software": f"PIR {__version__}",
    }, sort_keys=True, indent=1).encode("utf-8")


def log_file_name(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ref).strip("_") + "-log.json"


def build_signed_pdf(log: IncidentLog, *, exported_by: Officer, identity: SigningIdentity,
                     redacted: bool = False,
                     progress: Progress | None = None) -> tuple[bytes, dict[str, Any]]:
    """The signed PDF as bytes, and the export it was built from (nothing written yet)."""
    if progress:
        progress("Reading and checking the log", 0, 1)
    doc = build_export(log, exported_by)
    rendered = render_pdf(log, doc, exported_by=exported_by, identity=identity,
                          redacted=redacted, progress=progress)
    attachments = []
    log_name = log_data = None
    if not redacted:
        log_name, log_data = log_file_name(log.row.ref), export_bytes(doc)
        attachments.append(Attachment(log_name, log_data,
                                      "Canonical JSON export of the log (docs/LOG-FORMAT.md)"))
    attachments.append(Attachment(
        MANIFEST_NAME, manifest(doc, identity, redacted, log_name, log_data, rendered.pages),
        "What this PDF states: incident, entry count, head hash, signer"))
    if progress:
        progress("Signing", 0, 1)
    signed = sign_pdf(rendered.data, identity, attachments, rendered.signature_box,
                      reason=f"Post-incident log {log.row.ref}"
                             + (" (redacted copy)" if redacted else ""))
    return signed, doc


def export_pdf(log: IncidentLog, out: Path, *, exported_by: Officer, identity: SigningIdentity,
               redacted: bool = False, progress: Progress | None = None) -> PdfExportResult:
    """Builds, signs and writes the PDF (never over an existing file), then logs the export."""
    out = Path(out)
    if out.exists():
        raise InputError(f"{out} already exists; choose another name (exports never overwrite).")
    if not out.parent.is_dir():
        raise InputError(f"The folder {out.parent} does not exist.")
    data, doc = build_signed_pdf(log, exported_by=exported_by, identity=identity,
                                 redacted=redacted, progress=progress)
    if progress:
        progress("Writing the file", 0, 1)
    digest = write_new_file(out, data)
    signer = identity.subject_text()
    log.record_export(author=exported_by, fmt="pdf-redacted" if redacted else "pdf",
                      file_name=out.name, file_sha256=digest, entries=doc["entry_count"],
                      head_hash=doc["head_hash"], signer=signer,
                      certificate_sha256=identity.fingerprint_sha256)
    if progress:
        progress("Done", 1, 1)
    return PdfExportResult(out, digest, doc["entry_count"], doc["head_hash"], signer,
                           identity.fingerprint_sha256)
