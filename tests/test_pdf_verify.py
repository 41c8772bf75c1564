"""`pir verify FILE.pdf` and `pir export pdf`: a sound export verifies; any change is caught."""

from __future__ import annotations

import json
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
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from test_pdf_export import PROTECTED, populate

from pir import cli
from pir.canonical import entry_hash
from pir.export.pdf import build_signed_pdf, export_pdf, log_file_name
from pir.export.signing import new_self_signed
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


def verify(path: Path, trust: Path | None = None) -> VerifyResult:
    return verify_file(path, trust)


def failures(result: VerifyResult) -> str:
    return "\n".join(line for line in result.lines if line.startswith("FAIL"))


def test_a_fresh_export_verifies(signed: Path):
    result = verify(signed)
    assert result.valid, result.lines
    text = "\n".join(result.lines)
    assert "covers the whole file" in text
    assert "every hash and link holds" in text
    assert "page footers: all" in text
    assert "certificate SHA-256" in text


def test_verifying_a_pdf_loads_no_reportlab(signed: Path):
    # In a fresh interpreter: in this session the exporter has long since loaded ReportLab.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pir.export import pdf_verify\n"
        "from pir.export.verify import verify_file\n"
        "assert verify_file(Path(sys.argv[1])).valid\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('reportlab'))\n"
        "assert not loaded, loaded\n")
    run = subprocess.run([sys.executable, "-c", code, str(signed)], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr


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


def test_a_second_signature_by_another_key_is_detected(signed: Path, tmp_path: Path,
                                                       other_identity, monkeypatch):
    # pyHanko honours the certification's "no changes"; a forger's tool would not.
    monkeypatch.setattr(PdfSigner, "_enforce_certification_constraints", lambda self, r: None)
    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    out = BytesIO()
    signers.sign_pdf(writer, PdfSignatureMetadata(field_name="Other"),
                     signer=other_identity.signer(), output=out)
    bad = tmp_path / "resigned.pdf"
    bad.write_bytes(out.getvalue())
    result = verify(bad)
    assert not result.valid
    assert "2 signatures" in failures(result)


def test_a_copy_rebuilt_and_signed_by_another_key_fails_against_the_trusted_cert(
        log: IncidentLog, identity, other_identity, tmp_path: Path):
    populate(log)
    data, _ = build_signed_pdf(log, exported_by=PIM, identity=other_identity)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(data)
    trusted = tmp_path / "pim.pem"
    trusted.write_text(identity.certificate_pem())
    assert verify(forged).valid  # self-consistent: only the signer gives it away
    result = verify(forged, trusted)
    assert not result.valid
    assert "NOT the certificate given with --trust" in failures(result)


def test_trusting_the_signers_certificate_marks_it_trusted(signed: Path, identity,
                                                           tmp_path: Path):
    cert = tmp_path / "pim.pem"
    cert.write_text(identity.certificate_pem())
    result = verify(signed, cert)
    assert result.valid, result.lines
    assert any("signer: trusted" in line for line in result.lines)


def test_a_redacted_copy_verifies_but_says_the_chain_is_not_rechecked(log, identity, tmp_path):
    populate(log)
    out = tmp_path / "redacted.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity, redacted=True)
    result = verify(out)
    assert result.valid, result.lines
    assert any("NOT rechecked: this is a redacted copy" in line for line in result.lines)


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


# -- the command line -----------------------------------------------------------------------------

@pytest.fixture
def pir_cli(monkeypatch: pytest.MonkeyPatch, db: Database, log: IncidentLog):
    """`pir` in-process, with the database of the `log` fixture and its officer set up."""
    populate(log)
    db.set_setting("officer", PIM.to_dict())
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)

    def run(*args: str) -> int:
        return cli.main(["--db", str(db.path), *args])

    return run


def test_cli_exports_with_the_officers_identity_and_verifies(pir_cli, tmp_path, capsys, db):
    out = tmp_path / "cli.pdf"
    assert pir_cli("export", "pdf", "--incident", "CAD-2026-1125-0042", "--out", str(out)) == 0
    assert "Exported" in capsys.readouterr().out
    assert len(db.identities()) == 1
    assert cli.main(["verify", str(out)]) == 0
    assert "VALID" in capsys.readouterr().out
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    assert cli.main(["verify", str(bad)]) == 1
    assert "INVALID" in capsys.readouterr().out


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
