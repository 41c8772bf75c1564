"""The Qt binding must not leak references to None/True: PySide6 6.12.0 on Python 3.11 does, and
the app then aborts with 'Fatal Python error: none_dealloc' after a few thousand Qt calls."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(bool)


def test_void_qt_calls_and_signals_keep_reference_counts(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    emitter.fired.connect(lambda _: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        label.setText("x")
        emitter.fired.emit(True)
    # Other code may create or drop a few references meanwhile; a leak loses one per call.
    assert sys.getrefcount(None) > none_before - 100
    assert sys.getrefcount(True) > true_before - 100
