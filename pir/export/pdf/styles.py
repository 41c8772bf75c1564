"""The paragraph styles of the export (sizes, weights, spacing), made once per document."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle

from pir.export.pdf.fonts import FONT, FONT_BOLD, FONT_MONO


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
    marker: ParagraphStyle  # a requirement missed, overdue or outstanding, where it fell due
    marker_late: ParagraphStyle  # a requirement met late, where it fell due
    chron: ParagraphStyle  # a line of the chronology

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
            marker=ParagraphStyle("marker", parent=body, fontName=FONT_BOLD, fontSize=8,
                                  leading=10, textColor=colors.HexColor("#8b0000"),
                                  backColor=colors.HexColor("#fbeaea"),
                                  borderColor=colors.HexColor("#8b0000"), borderWidth=0.6,
                                  borderPadding=2, spaceBefore=6, spaceAfter=6),
            marker_late=ParagraphStyle("marker_late", parent=body, fontName=FONT_BOLD,
                                       fontSize=8, leading=10,
                                       textColor=colors.HexColor("#6b4000"),
                                       backColor=colors.HexColor("#fff3dc"),
                                       borderColor=colors.HexColor("#6b4000"), borderWidth=0.6,
                                       borderPadding=2, spaceBefore=6, spaceAfter=6),
            chron=ParagraphStyle("chron", parent=body, fontSize=7.5, leading=9, spaceAfter=0),
        )
