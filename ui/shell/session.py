"""The unlocked database, who is writing, and the open incident: the only door from the UI to the
core's append path. Holds no widgets; the views call it and listen to AppSignals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pir.clock import Clock, system_clock
from ui.shell.signals import AppSignals

if TYPE_CHECKING:
    from pir.incident import IncidentLog, Officer
    from pir.log.store import Database, StoredEntry
    from pir.views.state import IncidentState

# The store (SQLCipher) and pir.incident (templates, registers, checklist) are imported on first
# use, after the unlock dialog is on screen: start-up time matters to someone arriving at a scene.

OFFICER_KEY = "officer"
ON_BEHALF_KEY = "ui.on_behalf_of"
LOCK_MINUTES_KEY = "ui.lock_minutes"
DEFAULT_LOCK_MINUTES = 5
DRAFT_KEY = "ui.session"
STEP_DRAFT_PREFIX = "ui.step:"


@dataclass(frozen=True)
class Credentials:
    """What a worker thread needs to open its own connection (sqlcipher3 connections are bound
    to the thread that made them)."""

    path: Path
    passphrase: str
    kdf_iter: int | None


class Session:
    def __init__(self, signals: AppSignals, clock: Clock = system_clock) -> None:
        self.signals = signals
        self.clock = clock
        self.db: Database | None = None
        self.path: Path | None = None
        self.kdf_iter: int | None = None
        self.log: IncidentLog | None = None
        # Kept while unlocked only, so export workers can open their own connection; dropped on
        # lock. (Python cannot wipe a str; the lock at least ends its use.)
        self._passphrase: str | None = None

    # -- opening and locking -------------------------------------------------------------------

    def create(self, path: Path, passphrase: str, kdf_iter: int | None = None) -> None:
        from pir.log.store import Database

        self._attach(Database.create(path, passphrase, kdf_iter=kdf_iter, clock=self.clock),
                     passphrase)

    def unlock(self, path: Path, passphrase: str, kdf_iter: int | None = None) -> None:
        from pir.log.store import Database

        self._attach(Database.open(path, passphrase, kdf_iter=kdf_iter, clock=self.clock),
                     passphrase)

    def _attach(self, db: Database, passphrase: str) -> None:
        self.db = db
        self.path = db.path
        self.kdf_iter = db.kdf_iter
        self._passphrase = passphrase

    @property
    def is_open(self) -> bool:
        return self.db is not None and self.db.is_open

    def lock(self) -> None:
        """Closes the connection; the incident is remembered by reference only."""
        self.log = None
        if self.db is not None:
            self.db.close()
        self.db = None
        self._passphrase = None

    def credentials(self) -> Credentials:
        if self.path is None or self._passphrase is None:
            raise RuntimeError("credentials asked for while locked")
        return Credentials(self.path, self._passphrase, self.kdf_iter)

    def now(self) -> datetime:
        return self.clock()

    # -- who writes ----------------------------------------------------------------------------

    @property
    def has_officer(self) -> bool:
        return bool(self.require_db().get_setting(OFFICER_KEY))

    def officer(self) -> Officer:
        from pir.incident import stored_officer

        return stored_officer(self.require_db())

    def set_officer(self, officer: Officer) -> None:
        self.require_db().set_setting(OFFICER_KEY, officer.to_dict())
        self.signals.identity_changed.emit()

    def on_behalf_of(self) -> Officer | None:
        from pir.incident import Officer

        data = self.require_db().get_setting(ON_BEHALF_KEY)
        return Officer.from_dict(data) if data else None

    def set_on_behalf_of(self, officer: Officer | None) -> None:
        self.require_db().set_setting(ON_BEHALF_KEY, officer.to_dict() if officer else None)
        self.signals.identity_changed.emit()

    def lock_minutes(self) -> int:
        value = self.require_db().get_setting(LOCK_MINUTES_KEY)
        return int(value) if isinstance(value, int) and value > 0 else DEFAULT_LOCK_MINUTES

    def set_lock_minutes(self, minutes: int) -> None:
        self.require_db().set_setting(LOCK_MINUTES_KEY, int(minutes))

    # -- incidents -----------------------------------------------------------------------------

    def require_db(self) -> Database:
        if self.db is None:
            raise RuntimeError("the database is locked")
        return self.db

    def require_log(self) -> IncidentLog:
        if self.log is None:
            raise RuntimeError("no incident is open")
        return self.log

    def open_incident(self, ref: str) -> IncidentLog:
        from pir.incident import IncidentLog

        self.log = IncidentLog.open(self.require_db(), ref)
        self.signals.incident_opened.emit(ref)
        return self.log

    def create_incident(self, *, ref: str, template_id: str, scale: str, title: str,
                        rationale: str, event_time: str | None = None,
                        late_reason: str | None = None) -> IncidentLog:
        """Entry 1 (and the scale decision) carry the declaration's time: when that is long
        past, the late reason says why it is recorded only now."""
        from pir.incident import IncidentLog

        log = IncidentLog.create(self.require_db(), ref=ref, template_id=template_id,
                                 scale=scale, title=title, rationale=rationale,
                                 author=self.officer(), decision_maker=self.on_behalf_of(),
                                 event_time=event_time or None,
                                 late_reason=late_reason or None)
        self.log = log
        return log

    def state(self) -> IncidentState:
        return self.require_log().refresh()

    # -- the append path -----------------------------------------------------------------------

    def append(self, kind: str, payload: dict[str, Any], *, step: str | None = None,
               event_time: str | None = None, late_reason: str | None = None) -> StoredEntry:
        """Every entry the UI writes goes through here: author = the logged-in officer,
        decision maker = the PIM when a loggist writes on their behalf."""
        entry = self.require_log().append(
            kind, payload, author=self.officer(), step=step, event_time=event_time or None,
            decision_maker=self.on_behalf_of(), late_reason=late_reason or None)
        self.signals.entry_written.emit(entry.seq)
        return entry

    def correct(self, seq: int, reason: str, *, fields: dict[str, Any] | None = None,
                event_time: str | None = None, withdraw: bool = False) -> StoredEntry:
        entry = self.require_log().correct(
            seq, reason, author=self.officer(), fields=fields or None,
            event_time=event_time or None, withdraw=withdraw,
            decision_maker=self.on_behalf_of())
        self.signals.entry_written.emit(entry.seq)
        return entry

    # -- drafts (encrypted, inside the database) ------------------------------------------------

    def save_draft(self, value: dict[str, Any]) -> None:
        self.require_db().save_draft(DRAFT_KEY, value)

    def take_draft(self) -> dict[str, Any] | None:
        db = self.require_db()
        value = db.load_draft(DRAFT_KEY)
        if value is not None:
            db.discard_draft(DRAFT_KEY)
        return value if isinstance(value, dict) else None

    # -- drafts of one step, kept when the user leaves it ("Keep as draft") --------------------

    def _step_key(self, step_id: str) -> str:
        return f"{STEP_DRAFT_PREFIX}{self.require_log().row.ref}:{step_id}"

    def keep_step_draft(self, step_id: str, value: dict[str, Any]) -> None:
        self.require_db().save_draft(self._step_key(step_id), value)
        self._index_draft(step_id, keep=True)

    def take_step_draft(self, step_id: str) -> dict[str, Any] | None:
        db = self.require_db()
        key = self._step_key(step_id)
        value = db.load_draft(key)
        if value is not None:
            db.discard_draft(key)
            self._index_draft(step_id, keep=False)
        return value if isinstance(value, dict) else None

    def step_drafts(self) -> list[str]:
        """Steps of the open incident with a kept draft (so none is forgotten)."""
        value = self.require_db().get_setting(self._index_key())
        return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []

    def _index_key(self) -> str:
        return f"{STEP_DRAFT_PREFIX}{self.require_log().row.ref}"

    def _index_draft(self, step_id: str, keep: bool) -> None:
        steps = [s for s in self.step_drafts() if s != step_id] + ([step_id] if keep else [])
        self.require_db().set_setting(self._index_key(), steps)

    def writer_name(self) -> str:
        """Who acts in person: the PIM a loggist writes for, else the officer writing."""
        who = self.on_behalf_of() or self.officer()
        return " ".join(p for p in (who.rank, who.name) if p)
