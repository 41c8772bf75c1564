"""Per-user preferences that hold nothing about any incident (window geometry, splitter
positions, theme): a QSettings INI file in the user's configuration folder. Anything about an
incident stays in the encrypted database."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "PIR"
APPLICATION = "pir-desktop"


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION,
                     APPLICATION)


def get_str(key: str, default: str = "") -> str:
    value = settings().value(key, default)
    return value if isinstance(value, str) else default


def put(key: str, value: object) -> None:
    s = settings()
    s.setValue(key, value)
    s.sync()
