"""Locks after N idle minutes: one application-wide event filter and one single-shot timer
(KeePassXC style). Any key, click or wheel restarts the countdown."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.InputMethod,
}
# Restarting a timer on every mouse-move event is wasteful; once a second is plenty.
_RESTART_EVERY_MS = 1000


class IdleLock(QObject):
    timed_out = Signal()

    def __init__(self, app: QApplication, minutes: int) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.timed_out)
        self._since = QElapsedTimer()
        self._since.start()
        self.set_minutes(minutes)
        self._armed = False
        self._app = app
        app.installEventFilter(self)

    def detach(self) -> None:
        """Stops watching the application (when the window goes away)."""
        self.disarm()
        self._app.removeEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self._timer.setInterval(max(1, int(minutes)) * 60_000)
        if self._timer.isActive():
            self._timer.start()

    def set_interval_ms(self, ms: int) -> None:
        """For tests: a lock after milliseconds rather than minutes."""
        self._timer.setInterval(ms)

    def arm(self) -> None:
        self._armed = True
        self._timer.start()

    def disarm(self) -> None:
        self._armed = False
        self._timer.stop()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def remaining_ms(self) -> int:
        return self._timer.remainingTime()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() in _ACTIVITY and \
                self._since.elapsed() >= _RESTART_EVERY_MS:
            self._since.restart()
            self._timer.start()
        return False
