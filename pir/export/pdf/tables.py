"""The two table shapes of the export: a register (header row repeated on every page) and a
panel of labelled values."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Table, TableStyle

from pir.export.pdf.context import RenderContext


def register_table(ctx: RenderContext, header: list[str], rows: list[list[Any]],
                   widths: list[float]) -> Table:
    """Rows of cells under a header; `widths` are fractions of the frame width."""
    data = [[Paragraph(escape(h), ctx.styles.cell_bold) for h in header]] + rows
    table = Table(data, colWidths=[w * ctx.width for w in widths], repeatRows=1)
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


def label_table(ctx: RenderContext, rows: list[tuple[str, str]]) -> Table:
    """Label (plain text) and value (markup) pairs, one per line."""
    data = [[Paragraph(f"<b>{escape(k)}</b>", ctx.styles.small), Paragraph(v, ctx.styles.small)]
            for k, v in rows]
    table = Table(data, colWidths=[0.27 * ctx.width, 0.73 * ctx.width])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table
