"""The screenshot matrix, run in its own process (the offscreen screens must be configured before
Qt starts): every main screen and every dialog on each screen given, each screen a real
offscreen QScreen with its own size and scale (device pixel ratio), so the logical geometry is
exactly what a laptop at 125 % or 150 % gives. For each it checks that the window lies inside the
available geometry, that no widget sticks out of its window, that no label, button or tab is
narrower or shorter than its text needs, and writes a PNG.

    QT_QPA_PLATFORM=offscreen:configfile=SCREENS.json python screen_matrix.py OUT DB [names...]

Prints one JSON object: {"problems": [...], "shots": n, "seconds": s}.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QScreen  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QTabBar,
    QWidget,
)

from pir.clock import FixedClock  # noqa: E402
from pir.demo import DEMO_REF, build_demo  # noqa: E402
from pir.log import store  # noqa: E402

PASSPHRASE = "correct horse battery"
END = datetime(2026, 11, 25, 18, 10, tzinfo=UTC)
TEST_KDF_ITER = 2000
SIZES = ((1280, 720), (1366, 768), (1920, 1080))
SCALES = (1.0, 1.25, 1.5)


def screen_name(width: int, height: int, scale: float) -> str:
    return f"{width}x{height}@{int(scale * 100)}"


def screens_config(scales: tuple[float, ...] = SCALES) -> dict:
    """Offscreen screens side by side, one per size and scale. The scale is given as the
    logical DPI (96 x scale), which is how Qt's offscreen plugin scales a screen: its logical
    size is then the pixel size divided by the scale, as on a laptop set to 125 % or 150 %."""
    screens, x = [], 0
    for scale in scales:
        for width, height in SIZES:
            screens.append({"name": screen_name(width, height, scale), "x": x, "y": 0,
                            "width": width, "height": height, "logicalDpi": 96 * scale,
                            "logicalBaseDpi": 96, "dpr": 1})
            x += width
    return {"screens": screens}


def _in_scroll_content(w: QWidget) -> bool:
    """Inside a scroll area's viewport: it may be scrolled out of view by design."""
    p = w.parentWidget()
    while p is not None:
        q = p.parentWidget()
        if isinstance(q, QAbstractScrollArea) and p is q.viewport():
            return True
        p = q
    return False


def check(window: QWidget, screen: QScreen, name: str) -> list[str]:
    """Everything of `window` inside the screen, and nothing narrower than its text."""
    where = f"{screen.name()} {name}"
    out = []
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    if not area.contains(frame):
        out.append(f"{where}: window {frame.getRect()} is outside the available "
                   f"{area.getRect()}")
    inside = window.rect()
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow():
            continue
        scrolled = _in_scroll_content(w)
        top_left = w.mapTo(window, w.rect().topLeft())
        rect = w.rect().translated(top_left)
        if not scrolled and not inside.contains(rect):
            out.append(f"{where}: {_what(w)} {rect.getRect()} sticks out of the window "
                       f"{inside.getRect()}")
        if isinstance(w, QLabel) and w.text():
            out += _label_problems(w, where)
        elif isinstance(w, QAbstractButton) and w.text():
            need = w.minimumSizeHint()
            if w.width() < need.width() - 1 or w.height() < need.height() - 1:
                out.append(f"{where}: button '{w.text()}' is {w.width()}x{w.height()}, "
                           f"needs {need.width()}x{need.height()}")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.tabRect(i).width() < w.tabSizeHint(i).width() - 1 or \
                        w.tabRect(i).right() > w.width():
                    out.append(f"{where}: tab '{w.tabText(i)}' is cut")
        elif isinstance(w, QAbstractScrollArea) and w.horizontalScrollBar().isVisible() and \
                w.objectName() == "form_scroll":
            out.append(f"{where}: the form needs a horizontal scroll bar")
    return out


def _label_problems(label: QLabel, where: str) -> list[str]:
    if label.wordWrap():
        need_h = label.heightForWidth(label.width())
        if need_h > label.height() + 1:
            return [f"{where}: wrapped label '{label.text()[:50]}' is {label.height()} high, "
                    f"needs {need_h}"]
        return []
    hint = label.sizeHint()
    if label.width() < hint.width() - 1 or label.height() < hint.height() - 1:
        return [f"{where}: label '{label.text()[:50]}' is {label.width()}x{label.height()}, "
                f"its text needs {hint.width()}x{hint.height()}"]
    return []


def _what(w: QWidget) -> str:
    text = getattr(w, "text", lambda: "")()
    return f"{type(w).__name__} {w.accessibleName() or w.objectName() or text!r}"


def screen_named(name: str) -> QScreen:
    """Looked up each time: the offscreen plugin may replace its QScreen objects."""
    return next(s for s in QApplication.screens() if s.name() == name)


class Shooter:
    def __init__(self, out: Path, screen: QScreen) -> None:
        self.name = screen.name()
        self.out = out / self.name
        self.out.mkdir(parents=True, exist_ok=True)
        self.problems: list[str] = []
        self.shots = 0

    @property
    def screen(self) -> QScreen:
        return screen_named(self.name)

    def shot(self, window: QWidget, name: str) -> None:
        QApplication.processEvents()
        self.problems += check(window, self.screen, name)
        window.grab().save(str(self.out / f"{name}.png"))
        self.shots += 1


@contextmanager
def shown(dialog: QDialog) -> Iterator[QDialog]:
    dialog.show()
    QApplication.processEvents()
    try:
        yield dialog
    finally:
        dialog.closing_for_lock = True  # type: ignore[attr-defined]
        dialog.done(0)
        dialog.deleteLater()


def run_screen(app: QApplication, screen: QScreen, db: Path, out: Path,
               settings_dir: Path) -> Shooter:
    from ui.common.screen_fit import place_window
    from ui.dialogs.correction_dialog import CorrectionDialog
    from ui.dialogs.help_dialogs import abbreviations_dialog, shortcuts_dialog
    from ui.dialogs.new_incident_dialog import NewIncidentDialog
    from ui.dialogs.officer_dialog import OfficerDialog
    from ui.dialogs.pdf_export_dialog import PdfExportDialog
    from ui.dialogs.reason_dialog import ReasonDialog
    from ui.dialogs.receipt_dialog import ReceiptDialog
    from ui.dialogs.redaction_review_dialog import RedactionReviewDialog, sample_review
    from ui.dialogs.resolve_conflict_dialog import ResolveConflictDialog, sample_conflict
    from ui.dialogs.unsaved_prompt import unsaved_box
    from ui.shell.main_window import PREFERRED_SIZE, WINDOW_KEY, MainWindow
    from ui.shell.session import Session
    from ui.shell.signals import AppSignals
    from ui.shell.unlock_dialog import UnlockDialog

    # A first start on this screen: nothing remembered yet.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(settings_dir / screen.name()))
    shooter = Shooter(out, screen)
    screen_name_ = shooter.name
    session = Session(AppSignals(), clock=FixedClock(END))
    for create in (True, False):
        unlock = UnlockDialog(session, db.with_name("new.db") if create else db)
        unlock.setScreen(screen_named(screen_name_))
        unlock.move(screen_named(screen_name_).availableGeometry().topLeft())
        unlock.show()
        if not create:
            unlock.passphrase.setText("wrong passphrase")
            unlock.submit()
        shooter.shot(unlock, "unlock-create" if create else "unlock-wrong-passphrase")
        if not create:
            unlock.passphrase.setText(PASSPHRASE)
            unlock.submit()
        unlock.done(0)
        unlock.deleteLater()
    window = MainWindow(session, app)
    window.ask = lambda *_a, **_k: "discard"
    window.incident.step_page.ask = window.ask
    window.setScreen(screen_named(screen_name_))
    place_window(window, WINDOW_KEY, PREFERRED_SIZE)
    window.show()
    shooter.shot(window, "incident-list")
    window.open_incident(DEMO_REF)
    shooter.shot(window, "now")
    for step in ("p0.declare", "p2.separation", "p3.welfare_check", "p4.transfer"):
        window.incident.open_step(step)
        shooter.shot(window, f"step-{step.replace('.', '-')}")
    window.incident.step_page.save()  # every problem beside its field
    shooter.shot(window, "step-validation")
    for tab in ("people", "exhibits", "decisions", "referral", "timeline"):
        window.incident.show_tab(tab)
        shooter.shot(window, tab)
    dialogs: list[tuple[str, Callable[[], QDialog]]] = [
        ("new-incident", lambda: NewIncidentDialog(session, window)),
        ("correction", lambda: CorrectionDialog(session, session.require_log().entry(6),
                                                window)),
        ("officer", lambda: OfficerDialog("Officer identity", "Entries are written in this "
                                          "name.", session.officer(), window)),
        ("pdf-export", lambda: PdfExportDialog(Path.home() / "DEMO-CAD-0412-20261125.pdf",
                                               False, window)),
        ("pdf-export-pin", lambda: PdfExportDialog(Path.home() / "DEMO-CAD-0412.pdf", True,
                                                   window, pin_state="bare")),
        ("bundle-export", lambda: PdfExportDialog(Path.home() / "DEMO-CAD-0412-iopc", False,
                                                  window, pin_state="protected", bundle=True)),
        ("redaction-review", lambda: RedactionReviewDialog(sample_review(), window)),
        ("receipt", lambda: ReceiptDialog(session, window)),
        ("acknowledge", lambda: ReasonDialog("acknowledge", window)),
        ("resolve-conflict", lambda: ResolveConflictDialog(sample_conflict(), window)),
        ("writeup", lambda: ReasonDialog("writeup", window)),
        ("reopen", lambda: ReasonDialog("reopen", window)),
        ("shortcuts", lambda: shortcuts_dialog(window)),
        ("abbreviations", lambda: abbreviations_dialog(window)),
        ("unsaved-prompt", lambda: unsaved_box(window, "“Timed welfare check”")),
    ]
    for name, make in dialogs:
        with shown(make()) as dialog:
            if isinstance(dialog, QMessageBox):
                QApplication.processEvents()
            shooter.shot(dialog, f"dialog-{name}")
    window.lock()
    shooter.shot(window, "locked")
    window.unlock("wrong passphrase")
    shooter.shot(window, "locked-wrong-passphrase")
    window.ask = lambda *_a, **_k: "discard"
    window.close()
    window.deleteLater()
    app.processEvents()
    return shooter


def main(argv: list[str]) -> int:
    out, db = Path(argv[1]), Path(argv[2])
    wanted = set(argv[3:])
    started = time.monotonic()
    store.DEFAULT_KDF_ITER = TEST_KDF_ITER  # screenshots only, never the product
    if not db.exists():
        build_demo(db, PASSPHRASE, kdf_iter=TEST_KDF_ITER, end=END)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    problems: list[str] = []
    shots = 0
    settings_dir = db.parent / "settings"
    for name in [s.name() for s in app.screens()]:
        if wanted and name not in wanted:
            continue
        screen = screen_named(name)
        copy = db.with_name(f"{name}.db")
        shutil.copy(db, copy)
        for suffix in (".witness",):
            if Path(str(db) + suffix).exists():
                shutil.copy(str(db) + suffix, str(copy) + suffix)
        shooter = run_screen(app, screen, copy, out, settings_dir)
        problems += shooter.problems
        shots += shooter.shots
    print(json.dumps({"problems": problems, "shots": shots,
                      "seconds": round(time.monotonic() - started, 1)}))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main(sys.argv))
