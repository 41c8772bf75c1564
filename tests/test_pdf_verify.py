"""`pir verify FILE.pdf` and `pir export pdf`: a sound export verifies; any change is caught."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from conftest import PASSPHRASE, PIM
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from test_pdf_export import PROTECTED, populate

from pir import cli
from pir.canonical import entry_hash
from pir.export.format import MANIFEST_NAME
from pir.export.json_log import build_export, export_bytes
from pir.export.page_binding import digests_of
from pir.export.pdf import build_signed_pdf, export_pdf, log_file_name, manifest, render_pdf
from pir.export.signing import Attachment, SignatureBox, new_self_signed, sign_pdf
from pir.export.verdict import INVALID, SIGNER_UNVERIFIED, VALID
from pir.export.verify import VerifyResult, verify_file
from pir.incident import IncidentLog, Officer
from pir.log.store import Database


@pytest.fixture(scope="module")
def identity():
    return new_self_signed(PIM)


@pytest.fixture(scope="module")
def other_identity():
    return new_self_signed(Officer("Mallory Fake", "PC", "666", "", "Nowhere"))


@pytest.fixture
def signed(log: IncidentLog, identity, tmp_path: Path) -> Path:
    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity)
    return out


def verify(path: Path, trust: Path | None = None, **kw) -> VerifyResult:
    return verify_file(path, trust, **kw)


def failures(result: VerifyResult) -> str:
    return "\n".join(line for line in result.lines if line.startswith("FAIL"))


def test_a_fresh_export_is_intact_but_its_signer_unverified_without_trust(signed: Path,
                                                                          identity):
    result = verify(signed)
    assert result.valid, result.lines
    text = "\n".join(result.lines)
    assert "covers the whole file" in text
    assert "every hash and link holds" in text
    assert "page footers: all" in text
    # Nobody vouched for the key: not VALID, and the fingerprint to confirm by phone is shown.
    assert (result.verdict, result.exit_code) == (SIGNER_UNVERIFIED, 3)
    assert f"certificate SHA-256 {identity.fingerprint_sha256}: NOT VERIFIED" in text
    assert identity.fingerprint_sha256 in "\n".join(result.summary())


def test_a_fresh_interpreter_lays_the_pages_out_again_identically(signed: Path):
    # Another process, another hash seed: the layout must not depend on either.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pir.export.verify import verify_file\n"
        "r = verify_file(Path(sys.argv[1]))\n"
        "print(r.pages_bound)\n"
        "print('\\n'.join(r.lines))\n")
    run = subprocess.run([sys.executable, "-c", code, str(signed)], capture_output=True,
                         text=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("True"), run.stdout
    assert "laid out again from the attached log" in run.stdout


def test_a_flipped_byte_in_the_content_is_detected(signed: Path, tmp_path: Path):
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "flipped.pdf"
    bad.write_bytes(bytes(data))
    result = verify(bad)
    assert not result.valid
    assert "FAIL" in failures(result)


def test_an_appended_incremental_update_is_detected(signed: Path, tmp_path: Path):
    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    writer.root["/PIRTampered"] = generic.pdf_string("yes")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    bad = tmp_path / "appended.pdf"
    bad.write_bytes(out.getvalue())
    result = verify(bad)
    assert not result.valid
    assert "does not cover the whole file" in failures(result)
    assert "updated after it was signed without a signature" in failures(result)


def test_bytes_appended_after_the_end_are_detected(signed: Path, tmp_path: Path):
    bad = tmp_path / "trailing.pdf"
    bad.write_bytes(signed.read_bytes() + b"\n% trailing junk\n")
    assert not verify(bad).valid


def _tampered_log(signed: Path) -> bytes:
    """The attached log with one entry rewritten and every hash recomputed (a sound chain)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(signed.read_bytes()))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    files = {str(names[i]): names[i + 1].get_object()["/EF"]["/F"].get_object().data
             for i in range(0, len(names), 2)}
    doc = json.loads(files[log_file_name("CAD-2026-1125-0042")])
    prev = "0" * 64
    for entry in doc["entries"]:
        if entry["kind"] == "note":
            entry["payload"]["text"] = "Nothing happened."
        entry["prev_hash"] = prev
        body = {k: v for k, v in entry.items() if k != "hash"}
        entry["hash"] = prev = entry_hash(body)
    doc["head_hash"] = prev
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def test_a_replaced_attached_log_is_detected(signed: Path, tmp_path: Path):
    fake = _tampered_log(signed)
    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if str(names[i]).endswith("-log.json"):
            stream = embed.EmbeddedFileObject.from_file_data(writer, fake)
            ref = names.raw_get(i + 1)
            spec = ref.get_object()
            spec["/EF"] = generic.DictionaryObject({generic.pdf_name("/F"): stream.ef_stream_ref,
                                                    generic.pdf_name("/UF"):
                                                        stream.ef_stream_ref})
            writer.mark_update(ref)
    out = BytesIO()
    writer.write(out)
    bad = tmp_path / "replaced.pdf"
    bad.write_bytes(out.getvalue())
    result = verify(bad)
    assert not result.valid
    text = failures(result)
    assert "does not cover the whole file" in text
    assert "is not the file the document was signed with" in text


def test_a_second_signature_is_a_countersignature_nobody_vouched_for(signed: Path,
                                                                      tmp_path: Path, identity,
                                                                      other_identity):
    # The export allows later signatures (DocMDP 2): one by an unknown key is reported, named,
    # and keeps the verdict from VALID even when the officer's own certificate is trusted.
    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    out = BytesIO()
    signers.sign_pdf(writer, PdfSignatureMetadata(field_name="Other"),
                     signer=other_identity.signer(), output=out)
    bad = tmp_path / "resigned.pdf"
    bad.write_bytes(out.getvalue())
    pim = tmp_path / "pim.pem"
    pim.write_text(identity.certificate_pem())
    result = verify(bad, pim)
    assert result.valid, result.lines
    assert result.verdict == SIGNER_UNVERIFIED
    assert any(line.startswith("note countersigner 1: Mallory Fake")
               and other_identity.fingerprint_sha256 in line for line in result.lines)


def test_a_copy_rebuilt_and_signed_by_another_key_fails_against_the_trusted_cert(
        log: IncidentLog, identity, other_identity, tmp_path: Path):
    populate(log)
    data, _ = build_signed_pdf(log, exported_by=PIM, identity=other_identity)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(data)
    trusted = tmp_path / "pim.pem"
    trusted.write_text(identity.certificate_pem())
    # Self-consistent, so intact; but never VALID without a trusted signer or a receipt.
    alone = verify(forged)
    assert alone.valid and alone.verdict == SIGNER_UNVERIFIED and alone.exit_code == 3
    assert other_identity.fingerprint_sha256 in "\n".join(alone.summary())
    result = verify(forged, trusted)
    assert not result.valid
    assert "NOT the certificate given with --trust" in failures(result)


def test_trusting_the_signers_certificate_marks_it_trusted(signed: Path, identity,
                                                           tmp_path: Path):
    cert = tmp_path / "pim.pem"
    cert.write_text(identity.certificate_pem())
    result = verify(signed, cert)
    assert result.valid, result.lines
    assert (result.verdict, result.exit_code) == (VALID, 0)
    assert any(line.startswith("ok   signer: Sarah Jones") and line.endswith(
        "trusted (a certificate given with --trust)") for line in result.lines)


def test_a_redacted_copy_verifies_but_says_the_chain_is_not_rechecked(log, identity, tmp_path):
    populate(log)
    out = tmp_path / "redacted.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity, redacted=True)
    result = verify(out)
    assert result.valid, result.lines
    assert result.verdict == SIGNER_UNVERIFIED
    assert any("NOT rechecked: this is a redacted copy" in line for line in result.lines)
    cert = tmp_path / "pim.pem"
    cert.write_text(identity.certificate_pem())
    assert verify(out, cert).verdict == VALID


def test_a_signed_pdf_that_is_not_a_pir_export_is_refused(identity, tmp_path: Path):
    from reportlab.pdfgen import canvas

    plain = BytesIO()
    c = canvas.Canvas(plain)
    c.drawString(72, 72, "Not a log")
    c.showPage()
    c.save()
    out = BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(plain.getvalue())),
                     PdfSignatureMetadata(field_name="Sig"), signer=identity.signer(),
                     output=out)
    path = tmp_path / "other.pdf"
    path.write_bytes(out.getvalue())
    result = verify(path)
    assert not result.valid
    assert "not a PIR PDF export" in failures(result)


# -- forgers who re-sign: a key the verifier is told to trust, contents that disagree ----------

@pytest.fixture
def forger(tmp_path: Path):
    """A key the verifier is then told to trust (a stolen or PIN-guessed key), and its cert."""
    identity = new_self_signed(Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police"))
    cert = tmp_path / "trusted.pem"
    cert.write_text(identity.certificate_pem())
    return identity, cert


def _forge(log: IncidentLog, stated: dict, attached: dict, identity, *,
           page_hook=None) -> bytes:
    """A PDF whose pages and manifest state `stated` while the attached log is `attached`,
    signed by `identity`: each part made exactly as PIR makes it, then put together wrongly.
    `page_hook(data)` may rewrite the unsigned PDF before it is signed."""
    rendered = render_pdf(log, stated, exported_by=PIM, identity=identity)
    data = page_hook(rendered.data) if page_hook else rendered.data
    # A careful forger records what the rewritten pages draw, so the manifest agrees with them.
    rendered = dataclasses.replace(rendered, data=data, page_sha256=digests_of(data))
    log_name = log_file_name(stated["incident"]["ref"])
    log_data = export_bytes(attached)
    box = rendered.signature_box
    return sign_pdf(data, identity, [
        Attachment(log_name, log_data, "log"),
        Attachment(MANIFEST_NAME, manifest(stated, identity, False, log_name, log_data,
                                           rendered.pages, rendered), "manifest")],
        SignatureBox(*box) if isinstance(box, tuple) else box, reason="forged")


def _check_forgery(data: bytes, cert: Path, tmp_path: Path) -> str:
    path = tmp_path / "forged.pdf"
    path.write_bytes(data)
    result = verify(path, cert)
    assert result.verdict == INVALID and result.exit_code == 1, result.lines
    assert any("signer: Sarah Jones" in x and "trusted" in x for x in result.lines)
    return failures(result)


def test_a_manifest_and_footers_stating_another_head_than_the_attached_log(
        log: IncidentLog, forger, tmp_path: Path):
    populate(log)
    earlier = build_export(log, PIM)  # head X: what the pages and manifest state
    log.append("note", {"text": "Entry added after the stated head."}, author=PIM)
    later = build_export(log, PIM)  # head Y: the attached log, itself perfectly sound
    identity, cert = forger
    text = _check_forgery(_forge(log, earlier, later, identity), cert, tmp_path)
    assert (f"FAIL log chain: the attached log ends at entry {later['entry_count']} with head "
            f"{later['head_hash']}, but the document states {earlier['entry_count']} entries, "
            f"head {earlier['head_hash']}.") in text


def _other_incident(db: Database) -> dict:
    other = IncidentLog.create(db, ref="CAD-2026-1125-0099", template_id="firearms-discharge",
                               scale="full", title="Another incident",
                               rationale="Another discharge.", author=PIM)
    populate(other)
    return build_export(other, PIM)


def test_an_attached_log_of_another_incident(log: IncidentLog, db: Database, forger,
                                             tmp_path: Path):
    populate(log)
    mine, theirs = build_export(log, PIM), _other_incident(db)
    # The document is this incident's, but states the other log's head and count, so only the
    # incident tells them apart.
    stated = {**mine, "entry_count": theirs["entry_count"], "head_hash": theirs["head_hash"]}
    identity, cert = forger
    text = _check_forgery(_forge(log, stated, theirs, identity), cert, tmp_path)
    assert ("FAIL log chain: the attached log is of CAD-2026-1125-0099, not of "
            "CAD-2026-1125-0042.") in text
    assert (f"FAIL log chain: the attached log is of incident id {theirs['incident']['id']}, "
            f"not {mine['incident']['id']} as the document states.") in text
    assert "FAIL log chain: the attached log ends at" not in text


def _one_footer_rewritten(page_index: int, head: str, other: str):
    """Rewrites the footer of one page of the unsigned PDF (an incremental update the
    signature then covers)."""
    def hook(data: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(BytesIO(data))
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(page_index)
        page = page_ref.get_object()
        content = page["/Contents"].get_object().data
        assert content.count(head.encode()) == 1
        stream = generic.StreamObject(stream_data=content.replace(head.encode(),
                                                                  other.encode()))
        page["/Contents"] = writer.add_object(stream)
        writer.mark_update(page_ref)
        out = BytesIO()
        writer.write(out)
        return out.getvalue()
    return hook


def test_one_page_footer_showing_another_head(log: IncidentLog, forger, tmp_path: Path):
    populate(log)
    doc = build_export(log, PIM)
    identity, cert = forger
    hook = _one_footer_rewritten(1, doc["head_hash"], "f" * 64)
    text = _check_forgery(_forge(log, doc, doc, identity, page_hook=hook), cert, tmp_path)
    assert f"FAIL page footers: page(s) 2 do not show head {doc['head_hash']}" in text
    # Laid out again from the log, page 2 is the one that differs, and the line says how.
    assert "FAIL page 2: differs from the page PIR lays out from the attached log (the page " \
           f"shows 'Log head SHA-256 {'f' * 64}" in text
    assert text.count("FAIL") == 2


# -- receipts and an expected head anchor a PDF whose signer nobody vouched for --------------

def test_a_receipt_at_the_head_makes_an_unverified_signers_pdf_valid(log: IncidentLog,
                                                                     signed: Path):
    from pir.receipts import receipt_code

    head = log.db.entry(log.row.id, log.db.head(log.row.id)[0] - 1)  # before export.recorded
    code = receipt_code(head.seq, head.hash)
    result = verify(signed, receipts=[code.lower().replace("-", "")])
    assert (result.verdict, result.exit_code) == (VALID, 0), result.lines
    assert f"ok   receipt {code}: matches the head (entry {head.seq})" in result.lines
    earlier = log.entry(3)
    result = verify(signed, receipts=[receipt_code(3, earlier.hash)])
    assert result.verdict == SIGNER_UNVERIFIED  # entries after 3 are not anchored by it
    wrong = verify(signed, receipts=[receipt_code(3, head.hash)])
    assert wrong.verdict == INVALID
    assert "the log is not the one the receipt was given for" in failures(wrong)
    assert verify(signed, expect_head=head.hash.upper()).verdict == VALID
    assert verify(signed, expect_head="0" * 64).verdict == INVALID


# -- the command line -----------------------------------------------------------------------------

@pytest.fixture
def pir_cli(monkeypatch: pytest.MonkeyPatch, db: Database, log: IncidentLog):
    """`pir` in-process, with the database of the `log` fixture and its officer set up."""
    populate(log)
    db.set_setting("officer", PIM.to_dict())
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PIR_SIGNING_PIN", "pin of the PIM")

    def run(*args: str) -> int:
        return cli.main(["--db", str(db.path), *args])

    return run


def test_cli_exports_with_the_officers_identity_and_verifies(pir_cli, tmp_path, capsys, db):
    out = tmp_path / "cli.pdf"
    assert pir_cli("export", "pdf", "--incident", "CAD-2026-1125-0042", "--out", str(out)) == 0
    assert "Exported" in capsys.readouterr().out
    assert len(db.identities()) == 1
    assert cli.main(["verify", str(out)]) == 3
    assert "\nINTACT BUT SIGNER UNVERIFIED: " in capsys.readouterr().out
    cert = tmp_path / "pim.pem"
    assert pir_cli("identity", "cert", "--out", str(cert)) == 0
    capsys.readouterr()
    assert cli.main(["verify", str(out), "--trust", str(cert)]) == 0
    assert "\nVALID: the signer's certificate was given with --trust" in capsys.readouterr().out
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    assert cli.main(["verify", str(bad)]) == 1
    assert "\nINVALID: " in capsys.readouterr().out


def test_cli_redacted_export_hides_the_protected_name(pir_cli, tmp_path):
    import subprocess

    out = tmp_path / "red.pdf"
    assert pir_cli("export", "pdf", "--incident", "CAD-2026-1125-0042", "--out", str(out),
                   "--redacted") == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert PROTECTED not in text and "AFO-B12" in text


def _write_p12(tmp_path: Path, identity, password: bytes) -> Path:
    path = tmp_path / "lead.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"lead", identity.key, identity.certificate, None,
        serialization.BestAvailableEncryption(password)))
    return path


def test_cli_wrong_pkcs12_password_is_a_clear_error_and_writes_nothing(pir_cli, tmp_path, db,
                                                                      other_identity, capsys):
    p12 = _write_p12(tmp_path, other_identity, b"right password")
    wrong = tmp_path / "pw.txt"
    wrong.write_text("wrong password\n")
    out = tmp_path / "never.pdf"
    head = db.head(db.incidents()[0].id)
    code = pir_cli("export", "pdf", "--incident", "CAD-2026-1125-0042", "--out", str(out),
                   "--identity", str(p12), "--identity-password-file", str(wrong))
    assert code == 2
    assert "password is wrong" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".never.pdf*"))
    assert db.head(db.incidents()[0].id) == head


def test_cli_signs_with_a_pkcs12_identity(pir_cli, tmp_path, other_identity, capsys):
    p12 = _write_p12(tmp_path, other_identity, b"right password")
    password = tmp_path / "pw.txt"
    password.write_text("right password\n")
    out = tmp_path / "p12.pdf"
    assert pir_cli("export", "pdf", "--incident", "CAD-2026-1125-0042", "--out", str(out),
                   "--identity", str(p12), "--identity-password-file", str(password)) == 0
    assert other_identity.fingerprint_sha256 in capsys.readouterr().out
    cert = tmp_path / "lead.pem"
    cert.write_text(other_identity.certificate_pem())
    assert cli.main(["verify", str(out), "--trust", str(cert)]) == 0


def test_a_pdf_of_a_note_full_of_brackets_verifies(log: IncidentLog, identity,
                                                   tmp_path: Path) -> None:
    """Brackets typed in a note are text in the manifest, not nesting."""
    log.append("note", {"text": "[" * 80 + " " + "{" * 80}, author=PIM)
    out = tmp_path / "brackets.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity)
    cert = tmp_path / "pim.pem"
    cert.write_text(identity.certificate_pem())
    result = verify(out, cert)
    assert result.verdict == VALID, result.lines


@pytest.mark.parametrize(("name", "common_name"), [
    ("عبد الرحمن بن محمد بن عبد العزيز بن سعود الخوري",  # 86 bytes: cut at a space
     "عبد الرحمن بن محمد بن عبد العزيز بن"),
    ("Nadia نادية الخوري", "نادية الخوري"),  # two scripts: the right-to-left part
    ("نادية الخوري (2)", "نادية الخوري"),  # ending in what is not a letter
])
def test_an_officer_named_in_arabic_exports_and_the_copy_verifies(log: IncidentLog,
                                                                  db: Database, tmp_path: Path,
                                                                  name: str, common_name: str):
    from cryptography.x509.oid import NameOID

    from pir.export.signing import officer_identity

    long = Officer(name, "PC", "4512", "PIM", "West Midlands Police")
    log.append("note", {"text": "Handed over to the IOPC."}, author=long)
    out = tmp_path / "long.pdf"
    signer = officer_identity(db, long, pin="7391-road")
    subject = signer.certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == common_name
    export_pdf(log, out, exported_by=long, identity=signer)
    cert = tmp_path / "long.pem"
    cert.write_text(signer.certificate_pem())
    result = verify_file(out, [cert])
    assert (result.verdict, result.exit_code) == (VALID, 0), failures(result)
