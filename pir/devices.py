"""This database's device identity: its random id (the database id) and the name people know it
by ("PIS laptop 2"). An incident's entries written here form this device's chain."""

from __future__ import annotations

import socket

from pir.errors import InputError
from pir.log.store import Database

NAME_SETTING = "device_name"
DEFAULT_NAME = "this laptop"
MAX_NAME = 64


def device_id(db: Database) -> str:
    return db.database_id


def device_name(db: Database) -> str:
    """The name set with `pir device --name`, else the computer's host name."""
    name = db.get_setting(NAME_SETTING)
    if isinstance(name, str) and name.strip():
        return name
    try:
        host = socket.gethostname().strip()
    except OSError:
        host = ""
    return host[:MAX_NAME] or DEFAULT_NAME


def set_device_name(db: Database, name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InputError(f"A device name is one line of 1 to {MAX_NAME} characters.")
    db.set_setting(NAME_SETTING, name)
    return name


def short_id(device: str) -> str:
    return device[:8] + "…"
