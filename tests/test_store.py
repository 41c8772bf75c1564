"""The encrypted store: keying, wrong passphrases, damage, rekey, backup, append-only rules."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from pir.canonical import canonical_bytes
from pir.entry_body import entry_body as _body
from pir.errors import (
    CorruptDatabaseError,
    DamagedHeaderError,
    DatabaseExistsError,
    DatabaseMissingError,
    DiskFullError,
    InputError,
    NewerSchemaError,
    PassphraseChangedError,
    StorageError,
    WrongPassphraseError,
)
from pir.incident import IncidentLog
from pir.log import chain, store
from pir.log.chain import verify_stored
from pir.log.schema import SCHEMA_VERSION
from pir.log.store import Database
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER

_INSERT = ("INSERT INTO entries (incident, seq, kind, step, corrects, body, hash) "
           "VALUES (?,?,?,?,?,?,?)")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def _make(db_path: Path, n_notes: int = 3) -> None:
    db = Database.create(db_path, PASSPHRASE)
    log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    for i in range(n_notes):
        log.append("note", {"text": f"note {i}: Dafydd ap Gwilym"}, author=PIM)
    db.close()


def test_created_database_reopens_with_its_passphrase(db_path: Path) -> None:
    _make(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        assert [r.ref for r in db.incidents()] == ["CAD-1"]
        assert db.count_entries() == 4


@pytest.mark.parametrize("wrong", ["", "correct horse battery ", "Correct horse battery",
                                   "x", "correct horse batter", "'; DROP TABLE entries; --",
                                   "ŵŷ łá ناديا 🔥"])
def test_wrong_passphrase_is_refused_and_file_unchanged(db_path: Path, wrong: str) -> None:
    _make(db_path)
    before, files = _digest(db_path), _siblings(db_path)
    with pytest.raises(WrongPassphraseError) as exc:
        Database.open(db_path, wrong)
    assert "passphrase does not open" in str(exc.value)
    assert _digest(db_path) == before
    assert _siblings(db_path) == files


def test_passphrase_with_quotes_and_unicode_works(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    secret = "it's \"quoted\" -- ŵ ناديا 🔥"
    Database.create(path, secret).close()
    Database.open(path, secret).close()
    with pytest.raises(WrongPassphraseError):
        Database.open(path, "it's")


def test_passphrase_with_nul_or_too_short_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        Database.create(tmp_path / "a.db", "abc\x00defghij")
    with pytest.raises(InputError, match="at least 8"):
        Database.create(tmp_path / "b.db", "short")
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def test_missing_empty_and_foreign_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissingError):
        Database.open(tmp_path / "nope.db", PASSPHRASE)
    assert not (tmp_path / "nope.db").exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(CorruptDatabaseError, match="empty"):
        Database.open(empty, PASSPHRASE)
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    with pytest.raises(WrongPassphraseError):
        Database.open(junk, PASSPHRASE)
    plain = tmp_path / "plain.db"
    conn = sqlcipher3.connect(str(plain))
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(WrongPassphraseError):
        Database.open(plain, PASSPHRASE)


def test_another_encrypted_database_is_not_taken_for_pir(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlcipher3.connect(str(other))
    conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
    conn.execute(f"PRAGMA kdf_iter = {TEST_KDF_ITER}")
    conn.execute("CREATE TABLE secrets (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CorruptDatabaseError, match="not PIR"):
        Database.open(other, PASSPHRASE)


def test_create_refuses_an_existing_file(db_path: Path) -> None:
    db_path.write_bytes(b"precious")
    with pytest.raises(DatabaseExistsError):
        Database.create(db_path, PASSPHRASE)
    assert db_path.read_bytes() == b"precious"


def test_nothing_readable_on_disk(db_path: Path) -> None:
    db = Database.create(db_path, PASSPHRASE)
    log = IncidentLog.create(db, ref="CAD-SECRET-77", template_id="firearms-discharge",
                             scale="full", author=PIM)
    log.append("note", {"text": "Zebedee Quartermaine saw the shot"}, author=PIM)
    db.save_draft("form", {"text": "unsent draft Xylophone"})
    # Read every file while the database is open (WAL and shm included), then after close.
    for moment in ("open", "closed"):
        for f in db_path.parent.iterdir():
            data = f.read_bytes()
            for needle in ("Zebedee", "CAD-SECRET-77", "Xylophone", "SQLite format"):
                assert needle.encode() not in data, (moment, f.name, needle)
        db.close()


def test_pragmas_and_schema_version(db: Database) -> None:
    conn = db.conn
    # A rollback journal: when an append returns, the entry is in pir.db itself.
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "truncate"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused_clearly(db_path: Path) -> None:
    db = Database.create(db_path, PASSPHRASE)
    db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(NewerSchemaError, match="newer PIR"):
        Database.open(db_path, PASSPHRASE)


def test_database_refuses_update_and_delete_of_entries(log: IncidentLog) -> None:
    conn = log.db.conn
    for sql in ("UPDATE entries SET body = '{}' WHERE seq = 1",
                "DELETE FROM entries WHERE seq = 1",
                "UPDATE incidents SET ref = 'X'",
                "DELETE FROM incidents"):
        with pytest.raises(sqlcipher3.IntegrityError, match="cannot"):
            conn.execute(sql)
    assert log.db.count_entries() == 2


def test_database_refuses_a_gap_a_broken_link_or_a_foreign_entry(log: IncidentLog) -> None:
    conn = log.db.conn
    head_seq, head_hash = log.db.head(log.row.id)
    num = log.db._num(log.row.id)

    def body(prev: str, incident: str = log.row.id) -> str:
        return json.dumps({"incident": incident, "prev_hash": prev})

    with pytest.raises(sqlcipher3.IntegrityError, match="gaps|hash of the one before"):
        conn.execute(_INSERT, (num, head_seq + 2, "note", None, None, body(head_hash),
                               bytes(32)))
    with pytest.raises(sqlcipher3.IntegrityError, match="hash of the one before"):
        conn.execute(_INSERT, (num, head_seq + 1, "note", None, None, body("f" * 64),
                               bytes(32)))
    with pytest.raises(sqlcipher3.IntegrityError, match="name the incident"):
        conn.execute(_INSERT, (num, head_seq + 1, "note", None, None,
                               body(head_hash, "another"), bytes(32)))
    with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"):
        conn.execute(_INSERT, (num, head_seq + 1, "note", None, None, body(head_hash),
                               "0" * 64))


def test_rekey_changes_the_passphrase(db_path: Path) -> None:
    _make(db_path)
    new = "a new and longer passphrase"
    with Database.open(db_path, PASSPHRASE) as db:
        with pytest.raises(WrongPassphraseError):
            db.rekey("not the old one", new)
        db.rekey(PASSPHRASE, new)
    with pytest.raises(WrongPassphraseError):
        Database.open(db_path, PASSPHRASE)
    with Database.open(db_path, new) as db:
        assert db.count_entries() == 4
        assert db.integrity_check() == []


def test_backup_is_encrypted_and_verified(db_path: Path, tmp_path: Path) -> None:
    _make(db_path)
    dest = tmp_path / "backup.db"
    with Database.open(db_path, PASSPHRASE) as db:
        db.backup(dest, PASSPHRASE)
        with pytest.raises(DatabaseExistsError):
            db.backup(dest, PASSPHRASE)
    assert b"Dafydd" not in dest.read_bytes()
    assert not list(tmp_path.glob("*.partial*"))
    with pytest.raises(WrongPassphraseError):
        Database.open(dest, "wrong passphrase")
    with Database.open(dest, PASSPHRASE) as copy:
        row = copy.incident("CAD-1")
        assert verify_stored(copy, row.id).count == 4


def test_damaged_page_is_found_by_the_integrity_check(db_path: Path) -> None:
    _make(db_path, n_notes=200)
    size = db_path.stat().st_size
    assert size > 4096 * 4
    with open(db_path, "r+b") as f:
        f.seek(4096 * 3 + 100)
        f.write(b"\xff" * 16)
    try:
        db = Database.open(db_path, PASSPHRASE)
    except (CorruptDatabaseError, WrongPassphraseError):
        return  # damage to a page needed at open is refused at open: also acceptable
    try:
        problems = db.integrity_check()
        assert any("HMAC" in p or "page" in p for p in problems), problems
    finally:
        db.close()


def test_full_disk_loses_nothing_already_saved(log: IncidentLog) -> None:
    db = log.db
    log.append("note", {"text": "saved before the disk filled"}, author=PIM)
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(DiskFullError, match="NOT saved"):
        log.append("note", {"text": "x" * 1_000_000}, author=PIM)
    assert db.count_entries() == 3
    db.conn.execute("PRAGMA max_page_count = 1073741823")
    entry = log.append("note", {"text": "saved after space was freed"}, author=PIM)
    assert entry.seq == 4
    assert verify_stored(db, log.row.id).count == 4


def test_closed_database_says_it_is_locked(db: Database) -> None:
    db.close()
    with pytest.raises(StorageError, match="locked"):
        db.incidents()


def test_drafts_and_settings_round_trip(db: Database) -> None:
    db.save_draft("p2.separation", {"rationale": "Siân — ناديا"})
    assert db.load_draft("p2.separation") == {"rationale": "Siân — ناديا"}
    db.discard_draft("p2.separation")
    assert db.load_draft("p2.separation") is None
    db.set_setting("officer", {"name": "Ŵyn"})
    db.set_setting("officer", {"name": "Ŷsgol"})
    assert db.get_setting("officer") == {"name": "Ŷsgol"}


# -- schema 2: migration, indexes, size ------------------------------------------------------

FIXTURE = Path(__file__).parent / "data" / "schema-v1.db"
FIXTURE_FACTS = json.loads((Path(__file__).parent / "data" / "schema-v1.json").read_text())


def _v1_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "pir.db"
    shutil.copyfile(FIXTURE, dest)
    return dest


def _bulk_notes(log: IncidentLog, n: int, text: Callable[[int], str]) -> int:
    """n chained notes in one transaction (fast set-up); returns the bytes of their bodies."""
    db = log.db
    seq, prev = db.head(log.row.id)
    now = db.clock()
    total = 0
    db.conn.execute("BEGIN IMMEDIATE")
    for i in range(n):
        seq += 1
        body = _body(log.row.id, seq, prev, "note", None, now, None, now, PIM, None,
                     {"text": text(i)})
        total += len(canonical_bytes(body))
        prev = db._insert(body).hash
    db.conn.execute("COMMIT")
    db.reset_witness()
    log._state = None
    return total


def _plan(db: Database, sql: str, params: tuple) -> str:
    return " | ".join(r[3] for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_a_schema_1_file_is_migrated_keeping_every_entry_and_hash(tmp_path: Path) -> None:
    path = _v1_copy(tmp_path)
    with Database.open(path, PASSPHRASE) as db:
        conn = db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "truncate"
        table = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'entries'").fetchone()
        assert "WITHOUT ROWID" not in table[0] and "INTEGER PRIMARY KEY" in table[0]
        assert conn.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'entries'"
                            ).fetchone()[0] == 2
        # The space schema 1's table took is given back (VACUUM after the copy).
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] * 4 <= conn.execute(
            "PRAGMA page_count").fetchone()[0]
        for ref, facts in FIXTURE_FACTS["incidents"].items():
            row = db.incident(ref)
            assert row.id == facts["id"]
            report = verify_stored(db, row.id, ref)
            assert (report.count, report.head_hash) == (facts["entries"], facts["head"])
        assert db.get_setting("officer")["name"] == PIM.name
        assert db.load_draft("p2.separation") == {"rationale": "unsent draft"}
        assert len(db.identities()) == 1
        # The first open since the witness existed starts one, without a finding.
        assert db.witness_report.ok
        log = IncidentLog.open(db, "CAD-2026-1125-0042")
        assert log.chain_problem is None and log.state.last_seq == 48
        assert log.append("note", {"text": "after the upgrade"}, author=PIM).seq == 49
        with pytest.raises(sqlcipher3.IntegrityError, match="cannot"):
            conn.execute("DELETE FROM entries WHERE seq = 1")
    assert not Path(str(path) + "-wal").exists()
    with Database.open(path, PASSPHRASE) as db:
        assert db.witness_report.ok and db.count_entries() == 51


@pytest.mark.parametrize("migrated", [False, True])
def test_lookups_go_through_the_indexes(tmp_path: Path, migrated: bool) -> None:
    if migrated:
        db = Database.open(_v1_copy(tmp_path), PASSPHRASE)
    else:
        _make(tmp_path / "new.db", n_notes=30)
        db = Database.open(tmp_path / "new.db", PASSPHRASE)
    try:
        inc = db._num(db.incidents()[0].id)
        head = _plan(db, "SELECT seq, hash FROM entries WHERE incident = ? "
                         "ORDER BY seq DESC LIMIT 1", (inc,))
        kind = _plan(db, "SELECT body, hash FROM entries WHERE incident = ? AND kind = ? "
                         "ORDER BY seq", (inc, "correction"))
        batch = _plan(db, "SELECT seq, kind, step, corrects, body, hash FROM entries "
                          "WHERE incident = ? AND seq >= ? ORDER BY seq LIMIT ?",
                      (inc, 1, 1000))
        count = _plan(db, "SELECT count(*) FROM entries WHERE incident = ?", (inc,))
        assert "USING INDEX entries_seq (incident=?)" in head
        assert "USING INDEX entries_kind (incident=? AND kind=?)" in kind
        assert "USING INDEX entries_seq (incident=? AND seq>?)" in batch
        assert "COVERING INDEX entries_seq" in count
        for plan in (head, kind, batch):
            assert "TEMP B-TREE" not in plan and "SCAN" not in plan
    finally:
        db.close()


def test_an_entry_of_about_a_kilobyte_takes_under_1_3_kilobytes_of_file(db_path: Path) -> None:
    db = Database.create(db_path, PASSPHRASE)
    log = IncidentLog.create(db, ref="SIZE-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    text = "Welfare check at the PIS: all content, refreshments provided. " * 20
    # Notes of 100 to 900 characters in a cycle (as benchmarks/bench_storage.py writes them):
    # stored bodies of ~600 to ~1,400 bytes, ~1 KB on average.
    bodies = _bulk_notes(log, 5000, lambda i: text[: 100 + 50 * (i % 17)])
    db.close()
    assert 980 < bodies / 5000 < 1050
    per_entry = db_path.stat().st_size / 5001
    assert per_entry <= 1300, per_entry


# -- keying, hygiene, honest errors ---------------------------------------------------------

def test_a_damaged_first_page_is_told_apart_from_a_wrong_passphrase(db_path: Path) -> None:
    _make(db_path, n_notes=20)
    with open(db_path, "r+b") as f:
        f.seek(200)
        f.write(b"\x00" * 8)
    with pytest.raises(DamagedHeaderError, match="first page .* passphrase is right"):
        Database.open(db_path, PASSPHRASE)
    with pytest.raises(WrongPassphraseError):
        Database.open(db_path, "another passphrase")


def test_a_damaged_salt_cannot_be_told_from_a_wrong_passphrase_and_says_both(
        db_path: Path) -> None:
    _make(db_path)
    with open(db_path, "r+b") as f:
        f.seek(3)
        f.write(b"\xff\xff")
    with pytest.raises(WrongPassphraseError,
                       match="passphrase does not open .* first bytes are damaged"):
        Database.open(db_path, PASSPHRASE)


def test_a_passphrase_changed_by_another_program_is_not_called_damage(db_path: Path) -> None:
    _make(db_path)
    app = Database.open(db_path, PASSPHRASE)
    log = IncidentLog.open(app, "CAD-1")
    with Database.open(db_path, PASSPHRASE) as other:
        other.rekey(PASSPHRASE, "the new passphrase")
    for action in (lambda: log.append("note", {"text": "x"}, author=PIM),
                   lambda: app.incidents()):
        with pytest.raises(PassphraseChangedError, match="changed elsewhere.*unlock with the"):
            action()
    app.close()
    with Database.open(db_path, "the new passphrase") as db:
        assert db.count_entries() == 4 and db.witness_report.ok


def test_the_passphrase_is_kept_as_bytes_and_wiped_on_close(db_path: Path) -> None:
    db = Database.create(db_path, PASSPHRASE)
    secret = db._secret
    assert isinstance(secret, bytearray) and bytes(secret) == PASSPHRASE.encode()
    db.close()
    assert not any(secret) and len(db._secret) == 0


def test_sqlcipher_wipes_its_memory(db: Database) -> None:
    assert db.conn.execute("PRAGMA cipher_memory_security").fetchone()[0] == "1"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_files_pir_creates_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        folder = tmp_path / "made" / "by" / "pir"
        db = Database.create(folder / "pir.db", PASSPHRASE)
        log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                 scale="full", author=PIM)
        log.append("note", {"text": "x"}, author=PIM)
        db.backup(tmp_path / "backup.db")
        # The journal exists while the database is open, and is private too.
        journal_mode = stat.S_IMODE((folder / "pir.db-journal").stat().st_mode)
        db.close()
        from pir.export.files import write_new_file

        write_new_file(tmp_path / "export.json", b"{}")
    finally:
        os.umask(old)
    for made in (tmp_path / "made", tmp_path / "made" / "by", folder):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made
    assert journal_mode == 0o600
    for name in ("pir.db", "pir.db.witness"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    # Closed, the database leaves no journal behind (no 0-byte side file).
    assert not (folder / "pir.db-journal").exists()
    for name in ("backup.db", "export.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_an_older_database_and_pir_s_own_folder_are_made_private_on_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "data" / "PIR"
    monkeypatch.setattr("pir.paths.user_data_dir", lambda *a, **k: str(own))
    own.mkdir(parents=True, mode=0o755)
    os.chmod(own, 0o755)
    path = own / "pir.db"
    shutil.copyfile(FIXTURE, path)
    os.chmod(path, 0o644)
    Database.open(path, PASSPHRASE).close()
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A folder the user chose keeps its mode.
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chmod(theirs, 0o755)
    Database.create(theirs / "pir.db", PASSPHRASE).close()
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o755


def test_a_reader_half_way_through_a_log_does_not_hold_up_a_writer(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "READ_BATCH", 1000)  # the log spans several batches
    db = Database.create(db_path, PASSPHRASE)
    _bulk_notes(IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                   scale="full", author=PIM), 2500, str)
    db.close()
    reader = Database.open(db_path, PASSPHRASE)
    writer = Database.open(db_path, PASSPHRASE)
    try:
        inc = reader.incident("CAD-1").id
        pending = reader.entries(inc)
        assert next(pending).seq == 1  # a timeline that read one batch and stopped
        writer.conn.execute("PRAGMA busy_timeout = 200")
        log = IncidentLog.open(writer, "CAD-1")
        assert log.append("note", {"text": "written meanwhile"}, author=PIM).seq == 2502
        assert sum(1 for _ in pending) == 2501  # the reader goes on, and sees the new entry
    finally:
        reader.close()
        writer.close()


def test_folding_a_log_parses_each_body_once_with_the_collector_paused(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    db = Database.create(db_path, PASSPHRASE)
    log = IncidentLog.create(db, ref="FOLD-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    _bulk_notes(log, 3000, lambda i: f"note {i}")
    log.correct(5, "typo", fields={"text": "corrected"}, author=PIM)
    log = IncidentLog.open(db, "FOLD-1")
    parses = 0
    real_loads = json.loads

    def counting_loads(text: str) -> object:
        nonlocal parses
        parses += 1
        return real_loads(text)

    collections = 0

    def count_collections(phase: str, _info: dict) -> None:
        nonlocal collections
        collections += phase == "start"

    real_body_of = chain.body_of

    def counting_body_of(text: str) -> object:
        nonlocal parses
        parses += 1
        return real_body_of(text)

    monkeypatch.setattr(json, "loads", counting_loads)
    monkeypatch.setattr(chain, "body_of", counting_body_of)
    gc.callbacks.append(count_collections)
    try:
        assert log.state.last_seq == 3002
    finally:
        gc.callbacks.remove(count_collections)
    assert parses == 3002 and collections == 0
    assert gc.isenabled()
    db.close()


def test_a_reading_thread_and_a_writing_thread_share_the_file_without_lock_errors(
        db_path: Path) -> None:
    import threading

    _make(db_path, n_notes=50)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            with Database.open(db_path, PASSPHRASE) as db:
                inc = db.incident("CAD-1").id
                while not stop.is_set():
                    assert sum(1 for _ in db.entries(inc)) >= 51
                    db.head(inc)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        with Database.open(db_path, PASSPHRASE) as db:
            log = IncidentLog.open(db, "CAD-1")
            for i in range(40):
                log.append("note", {"text": f"while the screen reads {i}"}, author=PIM)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert not errors, errors
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.count_entries() == 91 and db.witness_report.ok
