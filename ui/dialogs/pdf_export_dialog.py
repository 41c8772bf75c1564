"""Choices for a signed PDF: which signing identity (the officer's own key kept encrypted in the
database, or a certificate file from the force), and whether to redact names behind ciphers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
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

from ui.common.style import ERROR_STYLE, HELP_STYLE


class PdfExportDialog(QDialog):
    def __init__(self, default_out: Path, redacted: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a redacted PDF" if redacted else "Export a signed PDF")
        self.own = QRadioButton("My own signing key, kept encrypted in this database "
                                "(made on first use)")
        self.own.setChecked(True)
        self.p12 = QRadioButton("A certificate file from the force (.p12 / .pfx)")
        self.p12_path = QLineEdit()
        self.p12_path.setAccessibleName("Certificate file")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse_p12)
        self.p12_password = QLineEdit()
        self.p12_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.p12_password.setAccessibleName("Certificate file password")
        self.redacted = QCheckBox("&Redacted copy: ciphers instead of protected names")
        self.redacted.setChecked(redacted)
        self.out = QLineEdit(str(default_out))
        self.out.setAccessibleName("PDF file to write")
        out_browse = QPushButton("C&hoose…")
        out_browse.clicked.connect(self._browse_out)
        note = QLabel("The export is recorded in the log (who, when, and the file's hash).")
        note.setStyleSheet(HELP_STYLE)
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        p12_row = QHBoxLayout()
        p12_row.addWidget(self.p12_path, 1)
        p12_row.addWidget(browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(out_browse)
        form = QFormLayout()
        form.addRow("Certificate file:", p12_row)
        form.addRow("Password:", self.p12_password)
        form.addRow("&Write to:", out_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Sign with</b>"))
        layout.addWidget(self.own)
        layout.addWidget(self.p12)
        layout.addLayout(form)
        layout.addWidget(self.redacted)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(640)

    def _browse_p12(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Certificate file", "",
                                              "PKCS#12 (*.p12 *.pfx);;All files (*)")
        if name:
            self.p12_path.setText(name)
            self.p12.setChecked(True)

    def _browse_out(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Write the PDF to", self.out.text(),
                                              "PDF (*.pdf)")
        if name:
            self.out.setText(name)

    def _accept(self) -> None:
        if self.p12.isChecked() and not Path(self.p12_path.text()).is_file():
            self.error.setText("Choose the certificate file, or sign with your own key.")
            return
        if not self.out.text().strip():
            self.error.setText("Choose where to write the PDF.")
            return
        self.accept()

    def identity_source(self) -> tuple[str, Any]:
        if self.p12.isChecked():
            password = self.p12_password.text().encode("utf-8") or None
            return ("pkcs12", (self.p12_path.text(), password))
        return ("officer", None)

    def out_path(self) -> Path:
        return Path(self.out.text().strip())
