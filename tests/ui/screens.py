"""Draws the main screens over the demo incident and saves PNGs (run in-process by the
screenshot test, and as a subprocess with QT_SCALE_FACTOR=1.5 for the high-DPI check). PNGs go
only to the folder given: the tests give test-output/ (ignored by git), the database tmp_path."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from pir.clock import FixedClock  # noqa: E402
from pir.demo import DEMO_REF, build_demo  # noqa: E402
from pir.log import store  # noqa: E402
from ui.shell.main_window import MainWindow  # noqa: E402
from ui.shell.session import Session  # noqa: E402
from ui.shell.signals import AppSignals  # noqa: E402
from ui.shell.unlock_dialog import UnlockDialog  # noqa: E402

PASSPHRASE = "correct horse battery"
END = datetime(2026, 11, 25, 18, 10, tzinfo=UTC)
TEST_KDF_ITER = 2000


def _save(widget: QWidget, path: Path) -> Path:
    QApplication.processEvents()
    assert widget.grab().save(str(path)), path
    return path


def shoot(out: Path, db: Path, suffix: str = "") -> list[Path]:
    """Builds the demo database at `db` (must not exist) and writes the PNGs into `out`."""
    store.DEFAULT_KDF_ITER = TEST_KDF_ITER  # screenshots only, never the product
    out.mkdir(parents=True, exist_ok=True)
    build_demo(db, PASSPHRASE, kdf_iter=TEST_KDF_ITER, end=END)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    session = Session(AppSignals(), clock=FixedClock(END))
    written = []
    unlock = UnlockDialog(session, db)
    unlock.show()
    unlock.passphrase.setText("wrong passphrase")
    unlock.submit()
    unlock.passphrase.setText("")
    written.append(_save(unlock, out / f"unlock{suffix}.png"))
    unlock.passphrase.setText(PASSPHRASE)
    unlock.submit()
    window = MainWindow(session, app)
    window.resize(1440, 900)
    window.show()
    window.open_incident(DEMO_REF)
    window.incident.open_step("p2.separation")
    written.append(_save(window, out / f"procedure-step{suffix}.png"))
    window.incident.show_tab("people")
    written.append(_save(window, out / f"kpw-board{suffix}.png"))
    window.incident.show_tab("timeline")
    written.append(_save(window, out / f"timeline{suffix}.png"))
    window.incident.show_tab("exhibits")
    exhibits = window.incident.exhibits
    if exhibits.exhibits.rowCount():
        exhibits.table.setCurrentIndex(exhibits.exhibits.index(0, 0))
    written.append(_save(window, out / f"exhibits{suffix}.png"))
    window.lock()
    written.append(_save(window, out / f"locked{suffix}.png"))
    window.close()
    window.deleteLater()
    unlock.deleteLater()
    app.processEvents()
    return written


if __name__ == "__main__":
    paths = shoot(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
    print("\n".join(str(p) for p in paths))
