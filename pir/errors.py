"""Errors the core raises: each carries one sentence a user can act on."""

from __future__ import annotations


class PirError(Exception):
    """Base for every error PIR reports to a user. str(error) is the sentence to show."""


class InputError(PirError):
    """Something the user supplied is wrong; nothing was written."""


class WrongPassphraseError(PirError):
    def __init__(self, path: str, detail: str = "") -> None:
        super().__init__(
            f"The passphrase does not open {path} (or the file is not a PIR database, or its "
            "first bytes are damaged: then no passphrase opens it). Nothing was changed."
            + (f" {detail}" if detail else "")
        )
        self.path = path


class PassphraseChangedError(PirError):
    """The file no longer opens with the key this open database was unlocked with: another
    program changed the passphrase (or replaced the file). Not damage."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"The passphrase of {path} was changed elsewhere while it was open here (or the file "
            "was replaced); nothing more was written. Lock and unlock with the new passphrase."
        )
        self.path = path


class DatabaseMissingError(PirError):
    def __init__(self, path: str) -> None:
        super().__init__(f"There is no PIR database at {path}; create one first with 'pir init'.")
        self.path = path


class DatabaseExistsError(PirError):
    def __init__(self, path: str) -> None:
        super().__init__(f"A file already exists at {path}; PIR will not overwrite it.")
        self.path = path


class CorruptDatabaseError(PirError):
    """The file opened but its pages or structure are damaged."""


class DamagedHeaderError(CorruptDatabaseError):
    """The first page (SQLCipher's salt and the schema root) fails its check while the passphrase
    is right: the other pages verify with it."""

    def __init__(self, path: str, pages: int) -> None:
        super().__init__(
            f"{path} is damaged: its first page does not verify, though the passphrase is right "
            f"(the other {pages - 1} pages verify with it). Nothing was changed. Keep this file, "
            "and restore the newest backup beside it; 'pir check --deep' lists the damage."
        )
        self.path = path


class NewerSchemaError(PirError):
    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"This database was written by a newer PIR (schema {found}; this PIR knows up to "
            f"{supported}). Update PIR to open it."
        )


class DiskFullError(PirError):
    """The disk filled during an action; the sentence names the action that failed."""

    def __init__(self, outcome: str = "the entry was NOT saved", detail: str = "") -> None:
        super().__init__(
            f"The disk is full: {outcome}. Free some space and try again; everything saved "
            "before is intact." + (f" ({detail})" if detail else "")
        )
        self.outcome = outcome


class StorageError(PirError):
    """The database refused a write for a reason other than a full disk."""


class ValidationError(InputError):
    """An entry's fields do not match the procedure template. `problems` maps each field at
    fault to its sentence (all of them, not only the first); `field` is the first."""

    def __init__(self, message: str, field: str | None = None,
                 problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.problems = problems if problems is not None else ({field: message} if field else {})


class UnknownIncidentError(InputError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"There is no incident with reference '{ref}'.")
        self.ref = ref


class DuplicateIncidentError(InputError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"An incident with reference '{ref}' already exists.")
        self.ref = ref


class TemplateError(PirError):
    """A procedure template file is broken: names the file, the key and the reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file = file
        self.key = key
        self.reason = reason


class UnknownTemplateError(InputError):
    def __init__(self, template_id: str, known: list[str]) -> None:
        super().__init__(
            f"There is no procedure template '{template_id}'. Known: {', '.join(sorted(known))}."
        )


class ChainBrokenError(PirError):
    """The hash chain does not hold: names the first entry at fault and why."""

    def __init__(self, seq: int, reason: str, incident: str = "") -> None:
        where = f"incident {incident}, " if incident else ""
        super().__init__(f"The log is not intact: {where}entry {seq}: {reason}")
        self.seq = seq
        self.reason = reason
        self.incident = incident


class LogNotIntactError(PirError):
    """An incident whose chain does not hold takes no new entries until the damage is
    acknowledged by a logged entry (which is always accepted)."""

    def __init__(self, ref: str, seq: int, reason: str) -> None:
        super().__init__(
            f"No entry was added to {ref}: its log is not intact at entry {seq} ({reason}). "
            f"Keep the file and a backup as they are, then acknowledge the damage with "
            f"'pir acknowledge --incident {ref} --reason ...' (it is recorded in the log); "
            "new entries are accepted after that."
        )
        self.ref = ref
        self.seq = seq
        self.reason = reason


class VerificationError(PirError):
    """An exported file does not verify."""


class SigningError(PirError):
    """The PDF could not be signed with the chosen identity."""
