"""What every page carries (protective marking, references, "Page x of y", the log's head hash)
and the visible signature panel on the cover."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph

from pir.export.format import FOOTER_HASH, FOOTER_PAGE
from pir.export.pdf.fonts import FONT, FONT_BOLD, FONT_MONO, printable
from pir.export.pdf.styles import Styles

MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class PageFacts:
    """What the header and footer of every page state."""

    ref: str
    iopc_ref: str
    operation: str
    head_hash: str
    count: int
    redacted: bool


def canvas_class(facts: PageFacts) -> type[rl_canvas.Canvas]:
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
                _draw_furniture(self, facts, number, total)
                super().showPage()
            super().save()

    return DeferredCanvas


def _draw_furniture(c: rl_canvas.Canvas, facts: PageFacts, page: int, pages: int) -> None:
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
        # (0-based page index, box in PDF points), once drawn: where the signature field goes.
        self.placed: tuple[int, tuple[int, int, int, int]] | None = None

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
        self.placed = (c.getPageNumber() - 1,
                       (int(ax) + 1, int(ay) + 1, int(bx) - 1, int(by) - 1))
