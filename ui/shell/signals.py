"""App-wide signals on one object (Vorta style): views listen here instead of to each other."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

# The application's display name: Qt adds it after any window title that does not end with it,
# so every title PIR sets ends with it (said once).
APP_TITLE = "PIR — Post-Incident Recorder"


class AppSignals(QObject):
    # An entry (or correction) was written to the open incident; carries its sequence number.
    entry_written = Signal(int)
    incident_opened = Signal(str)
    locked = Signal()
    unlocked = Signal()
    # The attention list was re-evaluated: a list of pir.views.checklist.Alert.
    alerts_changed = Signal(list)
    # Who entries are written as, or on behalf of, changed.
    identity_changed = Signal()
