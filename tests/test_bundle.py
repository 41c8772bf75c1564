"""One export action, one head: `pir export bundle` writes the full signed PDF, the redacted
signed PDF and the JSON log from the same head, logged once; exports that fail (bundle, PDF or
JSON) leave no file behind; a redacted export with ambiguous matches needs --confirm after
--review."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from pir import operations
from pir.cli import main
from pir.clock import FixedClock
from pir.errors import DiskFullError, InputError, SigningError, StorageError
from pir.export import bundle as bundle_module
from pir.export import signing
from pir.export.bundle import FULL, JSON, REDACTED, bundle_names, export_bundle
from pir.export.pdf import RedactionUnconfirmedError, export_pdf
from pir.export.signing import new_self_signed
from pir.force import ENV_OVERRIDE, shipped_settings_path
from pir.incident import IncidentLog
from pir.log import store
from pir.log.store import Database
from pir.procedures.loader import resources_dir
from tests.values import PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"
NOT_UTF8 = os.fsdecode(b"\xff.json")


@pytest.fixture(autouse=True)
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_OVERRIDE, str(shipped_settings_path()))


@pytest.fixture(scope="module")
def identity():
    return new_self_signed(PIM)


@pytest.fixture
def incident(log: IncidentLog) -> IncidentLog:
    pryce = log.append("person.added", {"name": "PC Rhodri Pryce", "category": "KPW",
                                        "cipher": "AFO-B12", "warrant_number": "AFO 90412"},
                       author=PIM).seq
    log.append("person.added", {"name": "Nadia Al-Khouri", "category": "civilian witness",
                                "contact": "14 Castle Row, Canterbury"}, author=PIM)
    log.append("discharge.recorded", {
        "officer": pryce, "category": "conventional firearm", "weapon_type": "pistol",
        "serial": "BKL221", "rounds": 2, "discharged_at": "2026-11-25T13:20:00Z",
        "place": "Canterbury Road", "intentional": "intentional"}, author=PIM)
    log.append("note", {"text": "Pryce handed his pistol to DC Owen Hughes."}, author=PIM)
    return log


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


def attachments(path: Path, into: Path) -> dict[str, bytes]:
    into.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(into), str(path)], check=True)
    return {p.name: p.read_bytes() for p in into.iterdir()}


def test_one_head_three_files_one_export_entry(incident, identity, tmp_path):
    head_before = incident.db.head(incident.row.id)
    folder = tmp_path / "bundle"
    result = export_bundle(incident, folder, exported_by=PIM, identity=identity)
    names = bundle_names(REF)
    assert sorted(p.name for p in folder.iterdir()) == sorted(names.values())
    assert result.entries == head_before[0] and result.head_hash == head_before[1]
    for f in result.files:
        assert f.sha256 == hashlib.sha256(f.path.read_bytes()).hexdigest()
        assert f.path.stat().st_mode & 0o777 == 0o600
    # One entry, naming all three files.
    assert incident.db.head(incident.row.id)[0] == head_before[0] + 1
    entry = incident.entry(result.recorded_seq)
    assert entry.kind == "export.recorded"
    assert entry.payload == {
        "format": "bundle", "file_name": names[FULL], "file_sha256": result.file(FULL).sha256,
        "entries": head_before[0], "head_hash": head_before[1],
        "signer": identity.subject_text(), "certificate_sha256": identity.fingerprint_sha256,
        "redacted_file_name": names[REDACTED], "redacted_sha256": result.file(REDACTED).sha256,
        "json_file_name": names[JSON], "json_sha256": result.file(JSON).sha256}
    # The JSON is the log of that head, and the full PDF carries it byte for byte.
    log_data = result.file(JSON).path.read_bytes()
    doc = json.loads(log_data)
    assert (doc["entry_count"], doc["head_hash"]) == head_before
    attached = attachments(result.file(FULL).path, tmp_path / "full")
    assert attached[names[JSON]] == log_data
    # The redacted copy states the same head and count on every page, and its manifest too.
    manifest = json.loads(attachments(result.file(REDACTED).path,
                                      tmp_path / "red")["pir-export-manifest.json"])
    assert (manifest["entry_count"], manifest["head_hash"]) == head_before
    pages = subprocess.run(["pdftotext", str(result.file(REDACTED).path), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")[:-1]
    for page in pages:
        assert f"Log head SHA-256 {head_before[1]}" in page
        assert f"{head_before[0]} entries" in page
    redacted = text_of(result.file(REDACTED).path)
    assert "Pryce" not in redacted and "Castle Row" not in redacted
    assert f"Delivered with {names[FULL]}" in redacted and names[JSON] in redacted
    for pdf in (result.file(FULL).path, result.file(REDACTED).path):
        report = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in report and "Total document signed" in report


def test_the_files_verify_against_the_head(incident, identity, tmp_path):
    result = export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    cert = tmp_path / "signer.pem"
    cert.write_text(identity.certificate_pem(), encoding="ascii")
    full = operations.verify_file(result.file(FULL).path, trust=cert)
    assert full.ok, full.lines
    assert operations.verify_file(result.file(JSON).path, expect_head=result.head_hash).ok
    redacted = operations.verify_file(result.file(REDACTED).path, trust=cert)
    assert redacted.verdict != "INVALID", redacted.lines


def test_pir_check_accepts_the_bundles_recorded_head(incident, identity, tmp_path):
    export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    incident.append("note", {"text": "After the bundle."}, author=PIM)
    result = operations.check_database(incident.db)
    assert any(REF in line and line.startswith("ok") for line in result.lines), result.lines
    assert not [line for line in result.lines if line.startswith("FAIL")], result.lines


def test_the_redacted_copy_is_laid_out_side_by_side(incident, identity, tmp_path):
    if not bundle_module.can_lay_out_side_by_side():
        pytest.skip("one core: the copies are laid out one after the other")
    result = export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    assert result.side_by_side
    alone = export_bundle(incident, tmp_path / "c", exported_by=PIM, identity=identity,
                          side_by_side=False)
    assert not alone.side_by_side
    for made in (result, alone):
        text = text_of(made.file(REDACTED).path)
        assert "REDACTED COPY" in text and "AFO-B12" in text and "Pryce" not in text


def test_a_worker_that_fails_is_replaced_by_laying_the_copy_out_here(incident, identity,
                                                                     tmp_path, monkeypatch):
    from pir.export.pdf import worker

    def broken(self):
        raise worker.WorkerError("the layout worker failed (killed)")

    monkeypatch.setattr(worker.LayoutWorker, "result", broken)
    result = export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    assert not result.side_by_side
    assert "AFO-B12" in text_of(result.file(REDACTED).path)


def test_a_frozen_build_starts_a_worker_only_when_its_entry_point_runs_one(monkeypatch):
    import sys
    import types

    from pir.export.pdf import worker

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    entry = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", entry)
    assert not worker.available()  # it would start a second copy of the app
    entry.RUNS_LAYOUT_WORKER = True  # type: ignore[attr-defined]
    assert worker.available() and worker.command() == [sys.executable]
    monkeypatch.delenv(worker.ENV_WORKER, raising=False)
    worker.run_if_asked()  # not a worker: returns at once


def test_a_failure_here_stops_the_worker(incident, identity, tmp_path, monkeypatch):
    from pir.export.pdf import worker

    started: list[worker.LayoutWorker] = []
    real_init = worker.LayoutWorker.__init__

    def remember(self):
        real_init(self)
        started.append(self)

    def full_copy_fails(job, progress=None):
        raise SigningError("The PDF could not be laid out (test).")

    monkeypatch.setattr(worker.LayoutWorker, "__init__", remember)
    monkeypatch.setattr(bundle_module, "render_job", full_copy_fails)
    with pytest.raises(SigningError):
        export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    if bundle_module.can_lay_out_side_by_side():
        assert started and started[0].proc.poll() is not None  # not left running
    assert not (tmp_path / "b").exists()


def test_the_folder_must_be_new_or_empty(incident, identity, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    before = incident.db.head(incident.row.id)
    with pytest.raises(InputError, match="not a new or empty folder"):
        export_bundle(incident, busy, exported_by=PIM, identity=identity)
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    export_bundle(incident, empty, exported_by=PIM, identity=identity)
    assert len(list(empty.iterdir())) == 3
    with pytest.raises(InputError, match="does not exist"):
        export_bundle(incident, tmp_path / "no" / "such", exported_by=PIM, identity=identity)
    assert incident.db.head(incident.row.id)[0] == before[0] + 1


# -- nothing left behind ------------------------------------------------------------------------

def read_only(log: IncidentLog) -> None:
    """The database refuses writes from here on (as a read-only file would; root ignores
    file modes, so a mode cannot be used)."""
    log.db.conn.execute("PRAGMA query_only = 1")


def fill_disk(log: IncidentLog) -> None:
    """The database cannot grow by another page, and its last pages are full (as on a full
    disk): short notes are added until one does not fit."""
    pages = log.db.conn.execute("PRAGMA page_count").fetchone()[0]
    log.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    for _ in range(100):
        try:
            log.append("note", {"text": "x"}, author=PIM)
        except DiskFullError:
            return
    raise AssertionError("the database never filled")


@pytest.mark.parametrize("spoil", [read_only, fill_disk])
def test_a_bundle_that_cannot_be_recorded_leaves_no_file(incident, identity, tmp_path, spoil):
    spoil(incident)
    folder = tmp_path / "bundle"
    with pytest.raises((StorageError, DiskFullError)):
        export_bundle(incident, folder, exported_by=PIM, identity=identity)
    assert not folder.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises((StorageError, DiskFullError)):
        export_bundle(incident, existing, exported_by=PIM, identity=identity)
    assert list(existing.iterdir()) == []


def test_a_bundle_whose_signing_fails_leaves_no_file(incident, identity, tmp_path,
                                                     monkeypatch):
    real = signing.sign_pdf
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SigningError("The PDF could not be signed (token removed); nothing was "
                               "written.")
        return real(*args, **kwargs)

    monkeypatch.setattr(signing, "sign_pdf", second_fails)
    before = incident.db.head(incident.row.id)
    with pytest.raises(SigningError):
        export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    assert not (tmp_path / "b").exists() and incident.db.head(incident.row.id) == before


def test_a_write_that_fails_part_way_removes_the_files_already_written(incident, identity,
                                                                       tmp_path, monkeypatch):
    from pir.export import files

    real = files.write_new_file

    def json_fails(path: Path, data: bytes) -> str:
        if path.suffix == ".json":
            raise DiskFullError("the export was not written")
        return real(path, data)

    monkeypatch.setattr(files, "write_new_file", json_fails)
    before = incident.db.head(incident.row.id)
    with pytest.raises(DiskFullError):
        export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    assert not (tmp_path / "b").exists() and incident.db.head(incident.row.id) == before


@pytest.mark.parametrize("spoil", [read_only, fill_disk])
def test_a_pdf_or_json_export_that_cannot_be_recorded_leaves_no_file(incident, identity,
                                                                     tmp_path, spoil):
    spoil(incident)
    pdf, js = tmp_path / "log.pdf", tmp_path / "ro-export.json"
    with pytest.raises((StorageError, DiskFullError)):
        export_pdf(incident, pdf, exported_by=PIM, identity=identity)
    with pytest.raises((StorageError, DiskFullError)):
        operations.export_json(incident.db, REF, js, PIM)
    assert not pdf.exists() and not js.exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".pdf", ".json", ".partial")]


def test_a_redacted_export_with_ambiguity_writes_nothing_until_confirmed(log, identity,
                                                                         tmp_path):
    log.append("person.added", {"name": "Łucja Nowak", "category": "KPW", "cipher": "B12"},
               author=PIM)
    log.append("person.added", {"name": "Anna Nowak", "category": "civilian witness"},
               author=PIM)
    log.append("note", {"text": "Nowak was calm."}, author=PIM)
    with pytest.raises(RedactionUnconfirmedError):
        export_bundle(log, tmp_path / "b", exported_by=PIM, identity=identity)
    assert not (tmp_path / "b").exists()
    review = operations.redaction_review(log.db, REF)
    result = export_bundle(log, tmp_path / "b", exported_by=PIM, identity=identity,
                           confirmed=review)
    assert "[name withheld] was calm." in text_of(result.file(REDACTED).path)


# -- the command line ---------------------------------------------------------------------------

@pytest.fixture
def pir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture,
        clock: FixedClock):
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PIR_SIGNING_PIN", "4512 pin")
    monkeypatch.setattr(store, "system_clock", clock)
    db = tmp_path / "cli.db"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("init", "--name", "Sarah Jones", "--rank", "Inspector", "--collar", "4512",
               "--role", "PIM", "--force", "Kent Police")[0] == 0
    assert run("incident", "open", "--ref", REF, "--template", "firearms-discharge",
               "--scale", "full", "--rationale", "Fatal discharge")[0] == 0
    for name, category, cipher in (("Łucja Nowak", "KPW", "B12"),
                                   ("Anna Nowak", "civilian witness", "")):
        assert run("entry", "add", "--incident", REF, "--kind", "person.added",
                   "--field", f"name={name}", "--field", f"category={category}",
                   "--field", f"cipher={cipher}")[0] == 0
    assert run("entry", "add", "--incident", REF, "--kind", "note",
               "--text", "Lucja Nowak drew; Anna Nowak watched; Nowak was calm.")[0] == 0
    run.db = db  # type: ignore[attr-defined]
    return run


def entry_count(pir) -> int:
    with Database.open(pir.db, PASSPHRASE) as db:
        return db.count_entries()


def test_cli_review_writes_the_file_and_exports_nothing(pir, tmp_path):
    before = entry_count(pir)
    for command in (["export", "pdf", "--redacted", "--out", str(tmp_path / "r.pdf")],
                    ["export", "bundle", "--out", str(tmp_path / "b")]):
        review = tmp_path / f"review-{command[1]}.txt"
        code, out, err = pir(*command, "--incident", REF, "--review", str(review))
        assert code == 0, err
        assert "Nothing was exported." in out
        text = review.read_text(encoding="utf-8")
        assert '-> B12' in text and '"Lucja Nowak"' in text
        assert '"Nowak" in' in text and "Łucja Nowak (B12, P3); Anna Nowak (P4)" in text
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "b").exists()
    assert entry_count(pir) == before


def test_cli_ambiguity_needs_confirm(pir, tmp_path):
    before = entry_count(pir)
    for command in (["export", "pdf", "--redacted", "--out", str(tmp_path / "r.pdf")],
                    ["export", "bundle", "--out", str(tmp_path / "b")]):
        code, out, err = pir(*command, "--incident", REF)
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "--review" in lines[0] and "--confirm" in lines[0]
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "b").exists()
    assert entry_count(pir) == before
    code, out, err = pir("export", "bundle", "--incident", REF, "--out", str(tmp_path / "b"),
                         "--confirm")
    assert code == 0, err
    assert "one head, three files" in out and "Recorded in the log as entry" in out
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        bundle_names(REF).values())
    code, out, err = pir("export", "pdf", "--redacted", "--incident", REF, "--out",
                         str(tmp_path / "r.pdf"), "--confirm")
    assert code == 0, err
    assert entry_count(pir) == before + 2


def test_cli_a_name_that_is_not_utf8_is_refused_and_nothing_is_left(pir, tmp_path):
    before = entry_count(pir)
    for command, name in ((["export", "json"], NOT_UTF8),
                          (["export", "pdf"], os.fsdecode(b"\xff.pdf"))):
        out_path = tmp_path / name
        code, _, err = pir(*command, "--incident", REF, "--out", str(out_path))
        assert code == 2
        assert "not valid UTF-8" in err and "\\xff" in err
        assert not os.path.lexists(os.fsencode(out_path))
    left = os.listdir(os.fsencode(tmp_path))
    assert not [n for n in left if n.endswith((b".json", b".pdf", b".partial"))]
    assert entry_count(pir) == before


def test_cli_json_from_a_read_only_database_leaves_no_file(pir, tmp_path, monkeypatch):
    real_open = Database.open

    def open_read_only(*args, **kwargs):
        db = real_open(*args, **kwargs)
        db.conn.execute("PRAGMA query_only = 1")
        return db

    monkeypatch.setattr(Database, "open", open_read_only)
    out_path = tmp_path / "ro-export.json"
    code, _, err = pir("export", "json", "--incident", REF, "--out", str(out_path))
    assert code != 0 and err.startswith("pir: ")
    assert not out_path.exists()


def test_the_cover_names_the_force_from_its_settings(incident, identity, tmp_path,
                                                     monkeypatch):
    monkeypatch.setenv(ENV_OVERRIDE, str(resources_dir() / "force.example.toml"))
    result = export_bundle(incident, tmp_path / "b", exported_by=PIM, identity=identity)
    for role in (FULL, REDACTED):
        text = text_of(result.file(role).path)
        assert "Kent Police Post-incident procedure log" in text
        assert "Force policy Kent Police policy O12 Post Incident Procedure" in text


def test_the_layout_worker_is_not_given_the_passphrase_or_the_pin(monkeypatch):
    from pir.export.pdf.worker import SECRET_ENV, LayoutWorker

    for name in SECRET_ENV:
        monkeypatch.setenv(name, "secret-" + name)
    monkeypatch.setenv("PIR_HARMLESS_SETTING", "kept")
    worker = LayoutWorker()
    try:
        environ = Path(f"/proc/{worker.proc.pid}/environ").read_bytes().split(b"\0")
    finally:
        worker.close()
    assert b"PIR_HARMLESS_SETTING=kept" in environ
    for name in ("PIR_PASSPHRASE", "PIR_SIGNING_PIN", "PIR_IDENTITY_PASSWORD"):
        assert not [v for v in environ if v.startswith(name.encode() + b"=")], name
