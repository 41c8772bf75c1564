"""Database and file failures as the one sentence a user reads: a full disk says what was not
done, a refusal by the database says what it refused, damage says to keep the file and how to
look closer, a read-only file is not called damaged, and anything else is raised as it is."""

from __future__ import annotations

import errno

import pytest
import sqlcipher3

from pir.errors import CorruptDatabaseError, DiskFullError, InputError, StorageError
from pir.log.failures import is_damage, is_full, storage_errors, translate

FULL_TAIL = ". Free some space and try again; everything saved before is intact."


def _full_error() -> sqlcipher3.OperationalError:
    exc = sqlcipher3.OperationalError("database or disk is full")
    return exc


@pytest.mark.parametrize(("exc", "kind", "message"), [
    (sqlcipher3.OperationalError("database or disk is full"), DiskFullError,
     "The disk is full: the backup was NOT written" + FULL_TAIL),
    (sqlcipher3.IntegrityError("UNIQUE constraint failed"), StorageError,
     "The database refused to save the entry: UNIQUE constraint failed."),
    (sqlcipher3.DatabaseError("file is not a database"), CorruptDatabaseError,
     "The database file is damaged (file is not a database); nothing more was written. Keep "
     "the file as it is and run 'pir check --deep' for details."),
    (sqlcipher3.DatabaseError("database disk image is malformed"), CorruptDatabaseError,
     "The database file is damaged (database disk image is malformed); nothing more was "
     "written. Keep the file as it is and run 'pir check --deep' for details."),
    (sqlcipher3.OperationalError("attempt to write a readonly database"), StorageError,
     "Could not save the entry: attempt to write a readonly database."),
    (sqlcipher3.OperationalError("no such table: entries"), StorageError,
     "Could not save the entry: no such table: entries."),
    (OSError(errno.ENOSPC, "No space left on device"), DiskFullError,
     "The disk is full: the backup was NOT written" + FULL_TAIL),
    (OSError(errno.EACCES, "Permission denied"), StorageError,
     "Could not save the entry: Permission denied."),
])
def test_each_failure_is_one_sentence_naming_the_action(exc, kind, message) -> None:
    outcome = "the backup was NOT written" if kind is DiskFullError else None
    found = translate(exc, "save the entry", outcome)
    assert type(found) is kind and str(found) == message


def test_a_full_disk_with_no_outcome_given_names_the_action() -> None:
    found = translate(_full_error(), "save the entry", None)
    assert str(found) == "The disk is full: PIR could not save the entry" + FULL_TAIL
    found = translate(OSError(errno.ENOSPC, "No space"), "write the backup", None)
    assert str(found) == "The disk is full: PIR could not write the backup" + FULL_TAIL


def test_a_full_disk_is_known_by_its_code_or_its_words() -> None:
    coded = sqlcipher3.OperationalError("something")
    coded.sqlite_errorcode = 13
    assert is_full(coded) and is_full(_full_error())
    assert not is_full(sqlcipher3.OperationalError("database is locked"))
    other = sqlcipher3.OperationalError("x")
    other.sqlite_errorcode = 14
    assert not is_full(other)


@pytest.mark.parametrize(("text", "damaged"), [
    ("database disk image is malformed", True), ("file is not a database", True),
    ("HMAC check failed for pgno=2", True), ("attempt to write a readonly database", True),
    ("database is locked", False), ("no such table: x", False),
])
def test_what_counts_as_damage(text: str, damaged: bool) -> None:
    assert is_damage(text) is damaged


def test_anything_else_is_raised_as_it_is() -> None:
    with pytest.raises(KeyError):
        translate(KeyError("x"), "save the entry", None)
    with pytest.raises(InputError, match="^as it was$"), storage_errors("save the entry"):
        raise InputError("as it was")
    with pytest.raises(StorageError, match="^Could not save the entry: no such table: x\\.$"), \
            storage_errors("save the entry"):
        raise sqlcipher3.OperationalError("no such table: x")
