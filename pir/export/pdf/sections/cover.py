"""The cover: what the document is, the incident's references, the log's head hash, how to check
the file, and the signature panel."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from pir.export.pdf.context import RenderContext
from pir.export.pdf.fonts import FONT_MONO
from pir.export.pdf.furniture import SignaturePanel
from pir.export.pdf.tables import label_table
from pir.incident import Officer
from pir.times import format_uk, parse_iso_utc

REDACTED_NOTICE = (
    "<b>REDACTED COPY.</b> People whose identity is protected are shown by their ciphers "
    "throughout: in every register and person field, and in free text wherever their names, "
    "the parts of them that name only them, or their collar numbers appear. Civilians' contact "
    "details are withheld. A word that could also name someone unprotected was left as written "
    "after review. This copy carries no log file: redacting changes the entries, so their hash "
    "chain cannot be rechecked from it. It states the head hash and entry count of the full "
    "log; verify the full (unredacted) export to check the chain.")


def build(ctx: RenderContext) -> list[Flowable]:
    s, st, tpl, doc = ctx.styles, ctx.state, ctx.template, ctx.doc
    facts = ctx.page_facts()
    cert_fp = ctx.signer.fingerprint_sha256
    exported_at = parse_iso_utc(doc["exported_at"])
    force = ctx.force
    out: list[Flowable] = [Spacer(1, 4 * mm)]
    if force.name:
        out.append(Paragraph(ctx.text(force.name), ParagraphStyle(
            "force", parent=s.h2, alignment=TA_CENTER, spaceBefore=0, spaceAfter=2)))
    out += [
        Paragraph("Post-incident procedure log", s.title),
        Paragraph(ctx.text(f"Incident {st.ref}"), ParagraphStyle(
            "sub", parent=s.h2, alignment=TA_CENTER, spaceBefore=0)),
    ]
    if ctx.redacted:
        out.append(Paragraph(REDACTED_NOTICE, s.body))
    rows = [
        ("Incident / CAD reference", ctx.text(st.ref)),
        ("Title", ctx.short(st.title) or "none recorded"),
        ("IOPC reference", ctx.text(facts.iopc_ref)),
        ("Operation name", ctx.text(facts.operation)),
        ("Procedure", ctx.text(f"{tpl.title} (template {tpl.id}, version {tpl.version})")),
        ("National guidance", ctx.text(tpl.policy_reference)),
        ("Force policy", ctx.text("; ".join(force.policies_for(tpl.id)))
         or "none set (force settings)"),
        ("Scale", ctx.text(st.scale)),
        ("Scale rationale", ctx.short(st.scale_rationale, 1200) or "none recorded"),
        ("Incident opened", ctx.when(st.opened_at) or "not recorded"),
        ("Exported by", ctx.text(Officer.from_dict(doc["exported_by"]).label())),
        ("Exported at", format_uk(exported_at)),
        ("Entries", f"{doc['entry_count']} (numbered 1 to {doc['entry_count']}, no gaps)"),
        ("Log head hash (SHA-256)", f"<font name='{FONT_MONO}'>{doc['head_hash']}</font>"),
        ("Software", escape(doc["software"])),
    ]
    if force.name:
        rows.insert(0, ("Force", ctx.text(force.name)))
    if force.retention_text():
        rows.append(("Records retention", ctx.text(force.retention_text())))
    if ctx.delivered_with:
        rows.append(("Delivered with", "<br/>".join(
            f"{ctx.text(name)}: {escape(what)}" for name, what in ctx.delivered_with)))
    out += [Spacer(1, 3 * mm), label_table(ctx, rows), Spacer(1, 4 * mm)]
    attached = ("The canonical JSON log is attached to this PDF" if not ctx.redacted
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
        f"Signed by: {ctx.text(ctx.signer.subject)}",
        f"Certificate SHA-256 fingerprint:<br/><font name='{FONT_MONO}'>{cert_fp[:32]}"
        f"<br/>{cert_fp[32:]}</font>",
        f"Exported {format_uk(exported_at)}",
    ]
    out += [SignaturePanel(ctx.width, lines, s), PageBreak()]
    return out
