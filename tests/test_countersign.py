"""Countersigning: the officer's signature allows later signatures (DocMDP 2), a supervisor adds
an approval signature, pdfsig shows both, and `pir verify` checks both: each intact, the last
covering the whole file, the earlier covering its revision, nothing but signatures after it."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from test_pdf_export import populate

from pir.cli import main
from pir.errors import InputError
from pir.export import signing
from pir.export.countersign import countersign_bytes
from pir.export.pdf import export_pdf
from pir.export.signing import new_self_signed
from pir.export.verdict import INVALID, SIGNER_UNVERIFIED, VALID
from pir.export.verify import verify_file
from pir.incident import IncidentLog, Officer
from tests import token_helpers
from tests.token_helpers import Token
from tests.values import PASSPHRASE, PIM

SUPERVISOR = Officer("Priya Raman", "Chief Inspector", "1207", "Duty officer", "Kent Police")


@pytest.fixture(scope="module")
def officer():
    return new_self_signed(PIM)


@pytest.fixture(scope="module")
def supervisor():
    return new_self_signed(SUPERVISOR)


@pytest.fixture
def signed(log: IncidentLog, officer, tmp_path: Path) -> Path:
    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=officer)
    return out


def _pem(tmp_path: Path, identity, name: str) -> Path:
    path = tmp_path / name
    path.write_text(identity.certificate_pem())
    return path


def _pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _failures(result) -> str:
    return "\n".join(x for x in result.lines if x.startswith("FAIL"))


def test_a_countersigned_export_verifies_with_both_signers(signed: Path, officer, supervisor,
                                                           tmp_path: Path) -> None:
    both = tmp_path / "both.pdf"
    both.write_bytes(countersign_bytes(signed.read_bytes(), supervisor))
    mine, theirs = _pem(tmp_path, officer, "pim.pem"), _pem(tmp_path, supervisor, "sup.pem")
    result = verify_file(both, [mine, theirs])
    assert (result.verdict, result.exit_code) == (VALID, 0), result.lines
    for line in ("ok   signature: covers its revision; only signatures were added after it",
                 "ok   countersignature 1: covers the whole file"):
        assert line in result.lines
    assert any(x.startswith("ok   countersigner 1: Priya Raman, no. 1207")
               and x.endswith("trusted (a certificate given with --trust)")
               for x in result.lines)
    # The officer alone vouched for: the countersigner is unknown, so not VALID.
    only_officer = verify_file(both, mine)
    assert only_officer.verdict == SIGNER_UNVERIFIED and only_officer.valid
    assert supervisor.fingerprint_sha256 in "\n".join(only_officer.summary())
    # pdfsig (poppler) sees two valid signatures; it exits 0 whatever it finds: read its text.
    text = _pdfsig(both)
    assert text.count("Signature is Valid.") == 2, text
    assert "PIR countersignature 1" in text and "Total document signed" in text


def test_a_byte_changed_in_a_countersigned_file_is_found(signed: Path, supervisor,
                                                         tmp_path: Path) -> None:
    data = bytearray(countersign_bytes(signed.read_bytes(), supervisor))
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    result = verify_file(bad)
    assert result.verdict == INVALID
    assert "the content does not match the signature" in _failures(result)
    run = subprocess.run(["pdfsig", str(bad)], capture_output=True, text=True)
    assert run.returncode == 0  # poppler exits 0 even then: only its text says so
    assert run.stdout.count("Signature is Valid.") < 2


def test_a_countersignature_added_with_another_change_is_refused(signed: Path, supervisor,
                                                                 tmp_path: Path) -> None:
    # In the same update as the countersignature, the attached log is replaced.
    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if str(names[i]).endswith("-log.json"):
            stream = embed.EmbeddedFileObject.from_file_data(writer, b'{"format":"x"}')
            ref = names.raw_get(i + 1)
            ref.get_object()["/EF"] = generic.DictionaryObject(
                {generic.pdf_name("/F"): stream.ef_stream_ref})
            writer.mark_update(ref)
    out = BytesIO()
    signers.sign_pdf(writer, PdfSignatureMetadata(field_name="PIR countersignature 1"),
                     signer=supervisor.signer(), output=out)
    bad = tmp_path / "swapped.pdf"
    bad.write_bytes(out.getvalue())
    result = verify_file(bad)
    assert result.verdict == INVALID
    assert "signature: the document was changed after it by more than a later signature" \
        in _failures(result)


def test_an_update_without_a_signature_between_signatures_is_refused(signed: Path, supervisor,
                                                                     tmp_path: Path) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    writer.root["/PIRNote"] = generic.pdf_string("added later")
    writer.update_root()
    middle = BytesIO()
    writer.write(middle)
    out = BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(middle.getvalue())),
                     PdfSignatureMetadata(field_name="PIR countersignature 1"),
                     signer=supervisor.signer(), output=out)
    bad = tmp_path / "middle.pdf"
    bad.write_bytes(out.getvalue())
    text = _failures(verify_file(bad))
    assert "updated after it was signed without a signature (revision(s) 3 of 4)" in text


def test_an_export_certified_with_no_changes_cannot_be_countersigned(
        log: IncidentLog, officer, supervisor, tmp_path: Path, monkeypatch) -> None:
    # As exports were made before countersigning: certified allowing no change at all.
    real = signing.PdfSignatureMetadata
    monkeypatch.setattr(signing, "PdfSignatureMetadata", lambda **kw: real(
        **{**kw, "docmdp_permissions": fields.MDPPerm.NO_CHANGES}))
    populate(log)
    old = tmp_path / "old.pdf"
    export_pdf(log, old, exported_by=PIM, identity=officer)
    monkeypatch.undo()
    assert verify_file(old, _pem(tmp_path, officer, "pim.pem")).verdict == VALID
    with pytest.raises(InputError, match="made before countersigning was possible"):
        countersign_bytes(old.read_bytes(), supervisor)
    # A tool that ignores the certification adds one anyway: the officer's signature says no.
    monkeypatch.setattr(PdfSigner, "_enforce_certification_constraints", lambda self, r: None)
    out = BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(old.read_bytes())),
                     PdfSignatureMetadata(field_name="Other"), signer=supervisor.signer(),
                     output=out)
    forced = tmp_path / "forced.pdf"
    forced.write_bytes(out.getvalue())
    assert "more than a later signature" in _failures(verify_file(forced))


def test_nothing_that_does_not_verify_is_countersigned(signed: Path, supervisor) -> None:
    data = bytearray(signed.read_bytes())
    data[len(data) // 2] ^= 0x01
    with pytest.raises(InputError, match="does not verify, so it was not countersigned"):
        countersign_bytes(bytes(data), supervisor)
    with pytest.raises(InputError, match="Only a signed PIR PDF"):
        countersign_bytes(b'{"format":"pir-incident-log"}', supervisor)


def test_cli_countersigns_with_a_pkcs12_file(signed: Path, officer, supervisor, tmp_path: Path,
                                             capsys) -> None:
    p12 = tmp_path / "sup.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"sup", supervisor.key, supervisor.certificate, None,
        serialization.BestAvailableEncryption(b"supervisor password")))
    pw = tmp_path / "pw.txt"
    pw.write_text("supervisor password\n")
    out = tmp_path / "countersigned.pdf"
    args = ["countersign", str(signed), "--out", str(out), "--identity", str(p12),
            "--identity-password-file", str(pw)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert f"Certificate SHA-256: {supervisor.fingerprint_sha256}" in text
    assert main(args) == 2  # never over an existing file
    assert "already exists" in capsys.readouterr().err
    again = tmp_path / "again.pdf"
    assert main(["countersign", str(out), "--out", str(again), "--identity", str(p12),
                 "--identity-password-file", str(pw)]) == 2
    assert "already signed" in capsys.readouterr().err
    assert main(["verify", str(out), "--trust", str(_pem(tmp_path, officer, "pim.pem")),
                 "--trust", str(_pem(tmp_path, supervisor, "sup.pem"))]) == 0
    assert "\nVALID: " in capsys.readouterr().out


def test_cli_countersigns_with_the_supervisors_own_pir_key(signed: Path, tmp_path: Path,
                                                           monkeypatch, capsys) -> None:
    from pir.log.store import Database

    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PIR_SIGNING_PIN", "supervisor pin")
    sup_db = tmp_path / "supervisor.db"
    with Database.create(sup_db, PASSPHRASE) as db:
        db.set_setting("officer", SUPERVISOR.to_dict())
    out = tmp_path / "cs.pdf"
    assert main(["--db", str(sup_db), "countersign", str(signed), "--out", str(out)]) == 0
    assert "Created your signing key, protected by your PIN" in capsys.readouterr().out
    assert _pdfsig(out).count("Signature is Valid.") == 2


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Token:
    return token_helpers.softhsm_token(tmp_path_factory)


def test_countersigning_with_a_token(softhsm_token: Token, signed: Path, officer,
                                     tmp_path: Path) -> None:
    from pir.export.token import token_identity

    with token_identity(softhsm_token.module, softhsm_token.label, softhsm_token.key_label,
                        softhsm_token.pin) as identity:
        data = countersign_bytes(signed.read_bytes(), identity)
    path = tmp_path / "token-cs.pdf"
    path.write_bytes(data)
    token_pem = tmp_path / "token.pem"
    token_pem.write_text(softhsm_token.certificate_pem)
    assert verify_file(path, [_pem(tmp_path, officer, "pim.pem"), token_pem]).verdict == VALID


def test_a_countersignature_is_pades_sha256_with_its_reason_in_an_invisible_field(
        signed: Path, supervisor) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from pir.export.format import COUNTERSIGNATURE_FIELD

    data = countersign_bytes(signed.read_bytes(), supervisor, reason="Checked by the duty officer")
    last = max(PdfFileReader(BytesIO(data), strict=False).embedded_signatures,
               key=lambda s: s.signed_revision)
    assert last.field_name == COUNTERSIGNATURE_FIELD.format(n=1)
    assert last.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert last.sig_object["/Reason"] == "Checked by the duty officer"
    assert last.md_algorithm == "sha256"
    assert [float(x) for x in last.sig_field["/Rect"]] == [0, 0, 0, 0]
