"""Before a redacted copy (a redacted PDF, or the bundle for the IOPC): every replacement the copy
makes and every ambiguous match it leaves as written, for the user to confirm or cancel. The
export is then given this review as confirmed, so it refuses anything ambiguous not shown here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.fitted_dialog import FittedDialog, dialog_buttons
from ui.common.focus_chain import chain
from ui.common.theme import set_role

if TYPE_CHECKING:
    from pir.export.pdf import RedactionReview


def _table(name: str, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    for c in range(len(headers)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 2, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    return table


class RedactionReviewDialog(FittedDialog):
    def __init__(self, review: RedactionReview, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(900, 600))
        self.review = review
        self.setWindowTitle("Check the redacted copy")
        intro = QLabel(f"The redacted copy of {review.ref} ({review.entry_count} entries) makes "
                       f"{len(review.replacements)} replacement"
                       f"{'' if len(review.replacements) == 1 else 's'}. Check them before it is "
                       "written.")
        intro.setWordWrap(True)
        self.replacements = _table(
            "Replacements", ("Entry", "Where", "Text", "Reads as"),
            [(str(r.seq), r.field, f"“{r.matched}” in “{r.original}”" if r.matched
              else r.original, r.replacement) for r in review.replacements])
        widgets: list[QWidget] = [QLabel("<b>Replaced</b>"), self.replacements]
        self.ambiguous: QTableWidget | None = None
        if review.ambiguous:
            warn = QLabel(f"{len(review.ambiguous)} word"
                          f"{' is' if len(review.ambiguous) == 1 else 's are'} NOT replaced: "
                          "each could be a protected person or someone else. If a protected "
                          "person is meant, cancel and correct the entry to use the full name "
                          "or the cipher.")
            warn.setWordWrap(True)
            set_role(warn, "warning")
            self.ambiguous = _table(
                "Ambiguous words, left as written", ("Entry", "Where", "Word", "In",
                                                     "Could be"),
                [(str(a.seq), a.field, a.word, a.snippet, "; ".join(a.people))
                 for a in review.ambiguous])
            widgets += [QLabel("<b>Left as written</b>"), warn, self.ambiguous]
        self.buttons = dialog_buttons("&Export as shown")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for w in widgets:
            layout.addWidget(w, 1 if isinstance(w, QTableWidget) else 0)
        layout.addWidget(self.buttons)
        tables: list[QWidget] = [self.replacements]
        if self.ambiguous is not None:
            tables.append(self.ambiguous)
        chain([*tables, *self.buttons.buttons()])


def sample_review() -> RedactionReview:
    """A review with one of each finding, for the screenshot matrix and the keyboard tests."""
    from pir.export.pdf.review import Ambiguity, RedactionReview, Replacement

    return RedactionReview(
        "DEMO-CAD-0412", 57, "0" * 64,
        (Replacement(12, "account", "… PC Alex Smith fired two shots …", "AFO-1",
                     "PC Alex Smith"),
         Replacement(14, "rationale", "… separated Alex Smith from B17 …", "AFO-1",
                     "Alex Smith")),
        (Ambiguity(23, "note", "Alex", "… Alex handed over the car keys …",
                   ("Alex Smith (AFO-1, P3)", "Alex Brown (P7)")),))
