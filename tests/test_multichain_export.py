"""One export of several devices' chains: the JSON (format_version 2) and the signed PDF carry
every chain with its own head and count; pir verify, pdfsig and the standalone verifier of
docs/LOG-FORMAT.md check them; the CLI commands end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes
from pir.cli.main import main
from pir.clock import FixedClock
from pir.devices import set_device_name
from pir.errors import VerificationError
from pir.export.json_log import build_export, export_bytes, verify_export
from pir.export.verify import verify_bytes, verify_file
from pir.force import shipped_settings_path
from pir.incident import IncidentLog
from pir.log import store
from pir.log.store import Database
from pir.merge import import_file
from pir.share import join_incident, share_bytes
from tests.helpers import add_person
from tests.values import LOGGIST, PASSPHRASE, PIM

DOC = Path(__file__).resolve().parents[1] / "docs" / "LOG-FORMAT.md"
REF = "CAD-2026-1125-0042"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))


@pytest.fixture
def merged(tmp_path: Path, clock: FixedClock):
    """Two laptops; the PIM's holds the PIS laptop's chain too (imported twice)."""
    a_db = Database.create(tmp_path / "a.db", PASSPHRASE, clock=clock)
    b_db = Database.create(tmp_path / "b.db", PASSPHRASE, clock=clock)
    set_device_name(a_db, "PIM laptop")
    set_device_name(b_db, "PIS laptop 2")
    a = IncidentLog.create(a_db, ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
    b = join_incident(b_db, share_bytes(a_db, REF), LOGGIST)
    clock.advance(minutes=5)
    add_person(a, "Siân Llŷr")
    b.append("note", {"text": "Welfare: tea and a blanket for the KPWs"}, author=LOGGIST)
    add_person(b, "Rhodri Pryce", "witness officer", author=LOGGIST)
    exported = tmp_path / "b.json"
    exported.write_bytes(export_bytes(build_export(b, LOGGIST)))
    import_file(a_db, exported, PIM)
    # Again, with the head read from the PIS laptop: now anchored (recorded, nothing new).
    import_file(a_db, exported, PIM, expect_head=json.loads(exported.read_bytes())["head_hash"])
    yield a, b
    a_db.close()
    b_db.close()


def standalone(tmp_path: Path, data: bytes) -> subprocess.CompletedProcess:
    script = tmp_path / "verify_log.py"
    script.write_text(re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S)[0])
    f = tmp_path / "export.json"
    f.write_bytes(data)
    return subprocess.run([sys.executable, str(script), str(f)], capture_output=True,
                          text=True)


def test_a_single_device_export_is_still_version_1(log) -> None:
    doc = build_export(log, PIM)
    assert doc["format_version"] == 1 and "chains" not in doc and "device" not in doc


def test_the_merged_json_carries_every_chain_and_verifies_everywhere(merged, tmp_path) -> None:
    a, b = merged
    doc = build_export(a, PIM)
    assert doc["format_version"] == 2
    assert doc["device"] == {"id": a.db.database_id, "name": "PIM laptop"}
    [chain] = doc["chains"]
    assert chain["device"] == {"id": b.db.database_id, "name": "PIS laptop 2"}
    assert (chain["entry_count"], chain["head_hash"]) == b.db.head(b.row.id)
    data = export_bytes(doc)
    result = verify_bytes(data)
    assert result.valid, result.lines
    assert any(f"chain PIS laptop 2 (device {b.db.database_id[:8]}…): 3 entries, head "
               f"{chain['head_hash']}" in line for line in result.lines)
    run = standalone(tmp_path, data)
    assert run.returncode == 0, run.stdout
    assert f"device {b.db.database_id}: 3 entries, head {chain['head_hash']}" in run.stdout


def test_a_change_in_another_devices_chain_fails_both_verifiers(merged, tmp_path) -> None:
    a, _b = merged
    doc = build_export(a, PIM)
    doc["chains"][0]["entries"][1]["payload"]["text"] = "Welfare: nothing given"
    data = canonical_bytes(doc)
    with pytest.raises(VerificationError, match="content does not match its hash"):
        verify_export(data)
    assert standalone(tmp_path, data).returncode == 1
    # A chain cut short under a recorded import fails too, even with its header made to agree.
    doc = build_export(a, PIM)
    chain = doc["chains"][0]
    chain["entries"] = chain["entries"][:2]
    chain["entry_count"], chain["head_hash"] = 2, chain["entries"][-1]["hash"]
    data = canonical_bytes(doc)
    with pytest.raises(VerificationError, match="records an import of 3 entries"):
        verify_export(data)
    run = standalone(tmp_path, data)
    assert run.returncode == 1 and "chain import it records is not in the file" in run.stdout


@pytest.fixture
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIR_FORCE_SETTINGS", str(shipped_settings_path()))


def test_the_merged_pdf_is_signed_attaches_every_chain_and_verifies(
        merged, tmp_path, neutral_force_settings) -> None:
    from pir.export.pdf import export_pdf
    from pir.export.signing import new_self_signed

    a, b = merged
    identity = new_self_signed(PIM)
    out = tmp_path / "merged.pdf"
    export_pdf(a, out, exported_by=PIM, identity=identity)
    report = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in report
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "Siân Llŷr" in text and REF in text
    cert = tmp_path / "officer.pem"
    cert.write_text(identity.certificate_pem())
    result = verify_file(out, trust=cert)
    assert result.verdict == "VALID", result.lines
    head = b.db.head(b.row.id)[1]
    assert any("PIS laptop 2" in line and head in line for line in result.lines)
    detached = tmp_path / "detached"
    detached.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(detached), str(out)], check=True)
    [log_json] = [p for p in detached.iterdir() if p.name.endswith("-log.json")]
    attached = json.loads(log_json.read_bytes())
    assert [c["device"]["name"] for c in attached["chains"]] == ["PIS laptop 2"]
    assert standalone(tmp_path, log_json.read_bytes()).returncode == 0


def test_the_cli_shares_joins_imports_and_verifies(tmp_path, monkeypatch, capsys,
                                                   clock) -> None:
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(store, "system_clock", clock)
    a_db, b_db = str(tmp_path / "a.db"), str(tmp_path / "b.db")

    def pir(db: str, *args: str) -> tuple[int, str]:
        code = main(["--db", db, *args])
        return code, capsys.readouterr().out

    for db, name in ((a_db, "PIM laptop"), (b_db, "PIS laptop 2")):
        assert pir(db, "init", "--name", "Sarah Jones", "--role", "PIM")[0] == 0
        code, out = pir(db, "device", "--name", name)
        assert code == 0 and f"This device: {name}" in out
    assert pir(a_db, "incident", "open", "--ref", REF, "--template", "firearms-discharge",
               "--scale", "full", "--rationale", "Fatal discharge")[0] == 0
    join = tmp_path / "join.json"
    assert pir(a_db, "incident", "share", "--incident", REF, "--out", str(join))[0] == 0
    code, out = pir(b_db, "incident", "join", str(join))
    assert code == 0 and "Joined incident" in out and "PIM laptop" in out
    assert pir(b_db, "entry", "add", "--incident", REF, "--kind", "note", "--text",
               "from the PIS")[0] == 0
    b_json = tmp_path / "b.json"
    assert pir(b_db, "export", "json", "--incident", REF, "--out", str(b_json))[0] == 0
    code, out = pir(a_db, "incident", "import", str(b_json))
    assert code == 0 and "PIS laptop 2" in out and "2 new entries stored" in out, out
    assert "UNANCHORED: nothing outside the file vouched for it" in out
    code, out = pir(a_db, "incident", "import", str(b_json), "--expect-head",
                    json.loads(b_json.read_bytes())["head_hash"])
    assert code == 0 and "Anchored: the head is the one given with --expect-head" in out, out
    code, out = pir(a_db, "incident", "import", str(b_json))
    assert code == 0 and "Nothing new to import" in out
    code, out = pir(a_db, "entry", "correct", "--incident", REF, "--seq", "2", "--device",
                    "PIS laptop 2", "--reason", "recorded twice", "--withdraw")
    assert code == 0 and "correction of entry 2" in out, out
    assert pir(a_db, "entry", "correct", "--incident", REF, "--seq", "2", "--device",
               "no such laptop", "--reason", "x", "--withdraw")[0] == 2
    merged_json = tmp_path / "a.json"
    assert pir(a_db, "export", "json", "--incident", REF, "--out", str(merged_json))[0] == 0
    code, out = pir(a_db, "verify", str(merged_json), "--expect-head",
                    json.loads(merged_json.read_bytes())["head_hash"])
    assert code == 0 and "chain PIS laptop 2" in out, out
    code, out = pir(a_db, "status", "--incident", REF)
    assert code == 0 and "Devices: PIM laptop (this laptop" in out
    assert "PIS laptop 2 (2 entries imported)" in out
    code, out = pir(a_db, "entry", "list", "--incident", REF)
    assert code == 0 and "chain.imported" in out


def test_a_signed_pdf_is_imported_once_it_verifies_with_the_signer_trusted(
        tmp_path, clock, neutral_force_settings) -> None:
    from pir.errors import InputError
    from pir.export.pdf import export_pdf
    from pir.export.signing import new_self_signed
    from pir.log.chains import foreign_chains

    a_db = Database.create(tmp_path / "a.db", PASSPHRASE, clock=clock)
    b_db = Database.create(tmp_path / "b.db", PASSPHRASE, clock=clock)
    try:
        a = IncidentLog.create(a_db, ref=REF, template_id="firearms-discharge", scale="full",
                               title="Shots fired", author=PIM)
        b = join_incident(b_db, share_bytes(a_db, REF), LOGGIST)
        b.append("note", {"text": "from the PIS"}, author=LOGGIST)
        identity, stranger = new_self_signed(LOGGIST), new_self_signed(PIM)
        pdf = tmp_path / "b.pdf"
        export_pdf(b, pdf, exported_by=LOGGIST, identity=identity)
        wrong = tmp_path / "stranger.pem"
        wrong.write_text(stranger.certificate_pem())
        with pytest.raises(InputError, match="NOT the certificate given"):
            import_file(a_db, pdf, PIM, trust=[wrong])
        cert = tmp_path / "pis.pem"
        cert.write_text(identity.certificate_pem())
        outcome = import_file(a_db, pdf, PIM, trust=[cert])
        assert [c.new for c in outcome.chains] == [2]
        assert foreign_chains(a_db, a.row.id)[0].count == 2
    finally:
        a_db.close()
        b_db.close()


def test_an_imported_pdf_anchors_the_chain_only_when_it_verifies_valid(
        tmp_path, clock, neutral_force_settings) -> None:
    from pir.errors import InputError
    from pir.export.pdf import export_pdf
    from pir.export.signing import new_self_signed

    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "abc"]
    try:
        IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
        b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
        b.append("note", {"text": "from the PIS"}, author=LOGGIST)
        identity = new_self_signed(LOGGIST)
        pdf, cert = tmp_path / "b.pdf", tmp_path / "pis.pem"
        head = dbs[1].head(b.row.id)[1]  # the PDF's head: its export is logged after it
        export_pdf(b, pdf, exported_by=LOGGIST, identity=identity)
        cert.write_text(identity.certificate_pem())
        with pytest.raises(InputError, match="expected head"):
            import_file(dbs[0], pdf, PIM, expect_head="ab" * 32)
        unanchored = import_file(dbs[0], pdf, PIM)
        assert unanchored.anchor == "" and [c.new for c in unanchored.chains] == [2]
        json_export = tmp_path / "b.json"
        json_export.write_bytes(export_bytes(build_export(b, LOGGIST)))
        with pytest.raises(InputError) as refused:
            import_file(dbs[0], json_export, PIM, trust=[cert])
        assert str(refused.value) == ("A JSON export carries no signature: give a receipt or "
                                      "the head hash instead of a certificate.")
        anchored = import_file(dbs[0], pdf, PIM, trust=[cert], expect_head=head)
        assert anchored.anchor != "" and [c.new for c in anchored.chains] == [0]
        a = IncidentLog.open(dbs[0], REF)
        imports = [e.payload for e in a.entries() if e.kind == "chain.imported"]
        assert [(p["anchored"], p["entries"]) for p in imports] == [(False, 2), (True, 2)]
    finally:
        for db in dbs:
            db.close()


def test_an_anchored_import_of_one_chain_is_recorded_whatever_another_chain_records(
        tmp_path, clock) -> None:
    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "abc"]
    try:
        a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                               title="Shots fired", author=PIM)
        files = []
        for db in dbs[1:]:
            other = join_incident(db, share_bytes(dbs[0], REF), LOGGIST)
            other.append("note", {"text": f"from {db.path.name}"}, author=LOGGIST)
            path = tmp_path / f"{db.path.stem}.json"
            path.write_bytes(export_bytes(build_export(other, LOGGIST)))
            files.append((path, db.head(other.row.id)[1]))
            import_file(dbs[0], path, PIM)  # held unanchored
        for path, head in reversed(files):  # c's chain anchored first, then b's
            outcome = import_file(dbs[0], path, PIM, expect_head=head)
            assert len(outcome.logged) == 1
        again = import_file(dbs[0], files[0][0], PIM, expect_head=files[0][1])
        assert again.logged == ()  # anchored at that head already: nothing to record
        kinds = [e.kind for e in IncidentLog.open(dbs[0], REF).entries()]
        assert kinds.count("chain.imported") == 4 and a.row.ref == REF
    finally:
        for db in dbs:
            db.close()
