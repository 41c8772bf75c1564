"""Choices for a signed PDF (or the bundle for the IOPC: both PDFs and the JSON log in one
folder): which signing identity (the officer's own key kept encrypted in the database under the
officer's PIN, or a certificate file from the force), and whether to redact names behind ciphers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.fitted_dialog import FittedDialog, dialog_buttons
from ui.common.focus_chain import chain
from ui.common.theme import set_role
from ui.dialogs.signing_pin import NEW, SigningPinFields


class PdfExportDialog(FittedDialog):
    draft_kind = "pdf_export"

    def __init__(self, default_out: Path, redacted: bool,
                 parent: QWidget | None = None, *, pin_state: str = NEW,
                 bundle: bool = False) -> None:
        super().__init__(parent, QSize(680, 0))
        self.bundle = bundle
        self.setWindowTitle("Export the bundle for the IOPC" if bundle else
                            "Export a redacted PDF" if redacted else "Export a signed PDF")
        self.own = QRadioButton("&My own signing key, kept encrypted in this database "
                                "(made on first use)")
        self.own.setChecked(True)
        self.pin = SigningPinFields(pin_state)
        self.own.toggled.connect(self.pin.setEnabled)
        self.p12 = QRadioButton("A certificate file from the force (.p12 / .pf&x)")
        self.p12_path = QLineEdit()
        self.p12_path.setAccessibleName("Certificate file")
        self.p12_path.textEdited.connect(lambda _t: self.p12.setChecked(True))
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Browse for the certificate file")
        browse.clicked.connect(self._browse_p12)
        self.p12_password = QLineEdit()
        self.p12_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.p12_password.setAccessibleName("Certificate file password")
        self.redacted = QCheckBox("&Redacted copy: ciphers instead of protected names")
        self.redacted.setChecked(redacted)
        self.redacted.setVisible(not bundle)
        self.out = QLineEdit(str(default_out))
        self.out.setAccessibleName("Folder to write into" if bundle else "PDF file to write")
        out_browse = QPushButton("C&hoose…")
        out_browse.setAccessibleName("Choose the folder" if bundle else
                                     "Choose where to write the PDF")
        out_browse.clicked.connect(self._browse_out)
        note = QLabel("Writes the signed PDF, the redacted signed PDF and the JSON log, all from "
                      "the same point of the log, into a new or empty folder; the export is "
                      "recorded in the log with each file's hash." if bundle else
                      "The export is recorded in the log (who, when, and the file's hash).")
        set_role(note, "help")
        note.setWordWrap(True)
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        p12_row = QHBoxLayout()
        p12_row.addWidget(self.p12_path, 1)
        p12_row.addWidget(browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(out_browse)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, row, buddy in (("Certificate &file:", p12_row, self.p12_path),
                                 ("&Password:", self.p12_password, self.p12_password),
                                 ("&Write to:", out_row, self.out)):
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, row)
        self.buttons = dialog_buttons("&Export")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        heading = QLabel("<b>Sign with</b>")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.own)
        layout.addWidget(self.pin)
        layout.addWidget(self.p12)
        layout.addLayout(form)
        layout.addWidget(self.redacted)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        chain([self.own, *self.pin.fields(), self.p12, self.p12_path, browse,
               self.p12_password, self.out, out_browse, self.redacted,
               *self.buttons.buttons()])

    def _browse_p12(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Certificate file", "",
                                              "PKCS#12 (*.p12 *.pfx);;All files (*)")
        if name:
            self.p12_path.setText(name)
            self.p12.setChecked(True)

    def _browse_out(self) -> None:
        if self.bundle:
            folder = QFileDialog.getExistingDirectory(self, "Write the bundle into",
                                                      self.out.text())
            if folder:
                self.out.setText(folder)
            return
        name, _ = QFileDialog.getSaveFileName(self, "Write the PDF to", self.out.text(),
                                              "PDF (*.pdf)")
        if name:
            self.out.setText(name)

    def _accept(self) -> None:
        if self.p12.isChecked() and not Path(self.p12_path.text()).is_file():
            self.error.setText("Choose the certificate file, or sign with your own key.")
            self.p12_path.setFocus()
            return
        if self.own.isChecked() and (problem := self.pin.problem()):
            self.error.setText(problem)
            self.pin.pin.setFocus()
            return
        if not self.out.text().strip():
            self.error.setText("Choose the folder to write into." if self.bundle else
                               "Choose where to write the PDF.")
            self.out.setFocus()
            return
        if self.bundle:
            folder = self.out_path()
            if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
                self.error.setText("Choose a new or empty folder for the bundle.")
                self.out.setFocus()
                return
        self.accept()

    def identity_source(self) -> tuple[str, Any]:
        """("pkcs12", (path, password)), or the officer's own key: ("officer", PIN or None) or
        ("protect", new PIN) to put a key kept without a PIN under one first. Taken once: the
        PIN fields are cleared."""
        if self.p12.isChecked():
            password = self.p12_password.text().encode("utf-8") or None
            return ("pkcs12", (self.p12_path.text(), password))
        return self.pin.take()

    def out_path(self) -> Path:
        return Path(self.out.text().strip())

    # -- kept across a lock (never the password) ------------------------------------------------

    def draft_args(self) -> dict[str, Any]:
        return {"redacted": self.redacted.isChecked(), "bundle": self.bundle}

    def draft(self) -> dict[str, Any]:
        return {"p12": self.p12.isChecked(), "p12_path": self.p12_path.text(),
                "out": self.out.text()}

    def has_text(self) -> bool:
        return bool(self.p12_path.text())

    def restore(self, draft: dict[str, Any]) -> None:
        self.p12_path.setText(draft.get("p12_path", ""))
        self.p12.setChecked(bool(draft.get("p12")))
        if draft.get("out"):
            self.out.setText(draft["out"])
