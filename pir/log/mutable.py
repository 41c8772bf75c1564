"""The database's mutable tables: settings, drafts and signing identities (encrypted like the
log, but changed in place; entries and incidents never are)."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from pir.clock import Clock
from pir.times import iso_utc

if TYPE_CHECKING:
    import sqlcipher3


class MutableTables:
    """Mixed into Database, which provides the connection, the clock and `_errors`."""

    clock: Clock

    if TYPE_CHECKING:
        @property
        def conn(self) -> sqlcipher3.Connection: ...

        def _errors(self, action: str, outcome: str | None = None
                    ) -> AbstractContextManager[None]: ...

    def get_setting(self, key: str) -> Any:
        with self._errors("read a setting"):
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_setting(self, key: str, value: Any) -> None:
        with self._errors("save a setting"):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    def save_draft(self, key: str, value: Any) -> None:
        """Unsent form text, kept inside the encrypted file (never in plain anywhere)."""
        with self._errors("keep the draft"):
            self.conn.execute(
                "INSERT INTO drafts (key, value, saved_utc) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "saved_utc = excluded.saved_utc",
                (key, json.dumps(value, ensure_ascii=False), iso_utc(self.clock(), micro=True)),
            )

    def load_draft(self, key: str) -> Any:
        with self._errors("read the draft"):
            row = self.conn.execute("SELECT value FROM drafts WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def discard_draft(self, key: str) -> None:
        with self._errors("discard the draft"):
            self.conn.execute("DELETE FROM drafts WHERE key = ?", (key,))

    # -- signing identities (issue: signed PDF) ------------------------------------------------

    def add_identity(self, label: str, cert_pem: str, key_pem: str) -> int:
        with self._errors("keep the signing identity"):
            cur = self.conn.execute(
                "INSERT INTO identities (label, cert_pem, key_pem, created_utc) VALUES (?,?,?,?)",
                (label, cert_pem, key_pem, iso_utc(self.clock(), micro=True)),
            )
        return int(cur.lastrowid)

    def identities(self) -> list[tuple[int, str, str, str]]:
        """(id, label, cert_pem, key_pem) for each identity kept in the database."""
        with self._errors("read the signing identities"):
            return [tuple(r) for r in self.conn.execute(
                "SELECT id, label, cert_pem, key_pem FROM identities ORDER BY id")]
