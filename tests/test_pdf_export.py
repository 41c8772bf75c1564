"""The signed PDF export: content, fonts, redaction, signing, and the export's own log entry."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from conftest import PIM
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from pir.errors import InputError
from pir.export.pdf import export_pdf, printable
from pir.export.signing import identity_from_pkcs12, new_self_signed, officer_identity
from pir.force import shipped_settings_path
from pir.incident import IncidentLog, Officer
from pir.log.store import Database

WELSH = "Siân Llŷr Ŵyn"
POLISH = "Tomasz Łukasz Wiśniewski"
IRISH = "Seán Ó Briain"
ARABIC = "نادية الخوري"
PROTECTED = "Rhodri Pryce"
PROTECTED_COLLAR = "AFO 90412"
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT")


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def populate(log: IncidentLog) -> dict[str, int]:
    """A small realistic incident: people (one protected), instruction, separation, welfare,
    exhibits with continuity, a referral, a decision, notes and a correction."""
    add = log.append
    add("incident.declared", {
        "cad_reference": "CAD 0042", "operation_name": "Operation KESTREL",
        "incident_at": "2026-11-25T13:20:00Z", "location": "Canterbury Road",
        "incident_type": "conventional firearm discharge", "discharge": "intentional",
        "dsi_status": "death", "declared_by": "Supt A Clarke",
        "declared_at": "2026-11-25T13:40:00Z"}, author=PIM)
    people = {}
    for name, category, cipher, extra in [
        (PROTECTED, "KPW", "AFO-B12", {"warrant_number": PROTECTED_COLLAR,
                                       "notes": f"{PROTECTED} fired two shots."}),
        (WELSH, "KPW", "", {}),
        (POLISH, "witness officer", "", {}),
        (IRISH, "subject", "", {"injuries": "Gunshot wound to the chest"}),
        (ARABIC, "civilian witness", "", {}),
    ]:
        people[name] = add("person.added", {"name": name, "category": category,
                                            "cipher": cipher, **extra}, author=PIM).seq
    kpws = [people[PROTECTED], people[WELSH]]
    add("anticonferring.given", {"given_at": "2026-11-25T13:50:00Z", "given_by": "Insp Jones",
                                 "to": kpws, "method": "verbal"}, author=PIM)
    add("separation.decided", {"people": kpws, "option": "monitored on BWV",
                               "factors": ["resources"], "decided_by": "Supt A Clarke",
                               "started_at": "2026-11-25T13:52:00Z",
                               "rationale": f"Only one room; {PROTECTED} and the other KPW "
                                            "are monitored on BWV."}, author=PIM)
    add("welfare.check", {"people": kpws, "by": "Insp Jones",
                          "notes": "Both well; refreshments given."}, author=PIM)
    add("exhibit.seized", {"ref": "RP/1", "description": "Glock 17 pistol",
                           "holder": "DC Owen Hughes"}, author=PIM)
    add("exhibit.transferred", {"ref": "RP/1", "from_holder": "DC Owen Hughes",
                                "to_holder": "Exhibits store", "transferred_at":
                                "2026-11-25T13:58:00Z", "place": "Canterbury",
                                "reason": "Storage", "seal_intact": True}, author=PIM)
    add("referral.made", {"referral": "mandatory referral (DSI)", "iopc_reference": "2026/004242",
                          "referred_at": "2026-11-25T13:59:00Z", "referred_by": "DI Moss",
                          "rationale": "DSI following police discharge."}, author=PIM)
    add("decision", {"decision": "No viewing of BWV before initial accounts.",
                     "threat_risk": "Contamination of recollection.",
                     "options_rejected": "Viewing with a legal adviser: refused.",
                     "rationale": "Accounts must come from own recollection."}, author=PIM)
    add("note", {"text": "Fed rep arrived at 16:05 & asked for <tea>."}, author=PIM)
    return people


@pytest.fixture(autouse=True)
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped (neutral) force settings, whatever the machine's data folder holds."""
    monkeypatch.setenv("PIR_FORCE_SETTINGS", str(shipped_settings_path()))


@pytest.fixture(scope="module")
def identity():
    return new_self_signed(PIM)


@pytest.fixture
def incident(log: IncidentLog) -> IncidentLog:
    populate(log)
    return log


def test_signed_pdf_is_valid_for_pdfsig_over_the_whole_document(incident, identity, tmp_path):
    out = tmp_path / "log.pdf"
    result = export_pdf(incident, out, exported_by=PIM, identity=identity)
    report = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert result.certificate_sha256 == identity.fingerprint_sha256
    attached = subprocess.run(["pdfdetach", "-list", str(out)], capture_output=True,
                              text=True).stdout
    assert "CAD-2026-1125-0042-log.json" in attached


def test_the_visible_signature_is_placed_in_the_cover_panel(incident, identity, tmp_path):
    out = tmp_path / "log.pdf"
    export_pdf(incident, out, exported_by=PIM, identity=identity)
    reader = PdfFileReader(BytesIO(out.read_bytes()))
    cover, _ = reader.find_page_for_modification(0)
    widgets = [a.get_object() for a in cover.get_object().get("/Annots", [])]
    signature = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert len(signature) == 1, "the signature field is not on the cover"
    x0, y0, x1, y1 = (float(v) for v in signature[0]["/Rect"])
    # A visible box inside the page's frame (not a hidden zero-size field).
    assert x1 - x0 > 100 and y1 - y0 > 50
    assert 16 * mm <= x0 < x1 <= A4[0] - 16 * mm and 21 * mm <= y0 < y1 <= A4[1] - 20 * mm


def test_the_signature_box_states_its_time_in_uk_time(incident, identity, tmp_path):
    out = tmp_path / "log.pdf"
    export_pdf(incident, out, exported_by=PIM, identity=identity)
    reader = PdfFileReader(BytesIO(out.read_bytes()))
    cover, _ = reader.find_page_for_modification(0)
    widget = next(a.get_object() for a in cover.get_object()["/Annots"]
                  if a.get_object().get("/FT") == "/Sig")
    appearance = widget["/AP"]["/N"].get_object().data.decode("latin-1")
    stamp = re.search(r"\((\d{4}\\055\d\d\\055\d\d [^)]*)\) Tj", appearance)
    assert stamp, appearance
    shown = stamp.group(1).replace("\\055", "-").replace("\\072", ":")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (GMT|BST)", shown), shown
    assert "UTC" not in appearance


def test_every_entry_and_every_name_is_in_the_text(incident, identity, tmp_path):
    out = tmp_path / "log.pdf"
    result = export_pdf(incident, out, exported_by=PIM, identity=identity)
    text = pdftotext(out)
    for name in (WELSH, POLISH, IRISH, PROTECTED):
        assert name in text
    # Arabic is drawn without shaping, but every letter is there (no boxes, no gaps).
    assert set(ARABIC.replace(" ", "")) <= set(text)
    flat = " ".join(text.split())
    for entry in incident.entries():
        if entry.seq > result.entries:
            break  # the export's own entry comes after the copy
        assert f"{entry.seq}. " in flat
        for value in entry.payload.values():
            if isinstance(value, str) and not ISO_TIME.match(value) and value != ARABIC:
                assert " ".join(value.split()) in flat, value
    assert "Fed rep arrived at 16:05 & asked for <tea>." in flat
    assert "Options rejected and why: Viewing with a legal adviser: refused." in flat


def test_every_page_carries_marking_references_and_chain_head(incident, identity, tmp_path):
    out = tmp_path / "log.pdf"
    result = export_pdf(incident, out, exported_by=PIM, identity=identity)
    pages = pdftotext(out).split("\f")[:-1]
    assert len(pages) > 5
    for number, page in enumerate(pages, 1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2
        assert f"Page {number} of {len(pages)}" in page
        assert "CAD-2026-1125-0042" in page
        assert "IOPC ref: 2026/004242" in page
        assert "Operation KESTREL" in page
        assert f"Log head SHA-256 {result.head_hash}" in page
        assert f"{result.entries} entries" in page


def test_summary_shows_each_step_status_and_cover_names_signer(incident, identity, tmp_path):
    out = tmp_path / "log.pdf"
    export_pdf(incident, out, exported_by=PIM, identity=identity)
    text = " ".join(pdftotext(out).split())
    assert "not required: recorded only if it happens" in text  # a step for an event
    assert "OUTSTANDING" in text
    assert identity.fingerprint_sha256[:32] in text
    assert "Police firearms discharge (template firearms-discharge, version" in text
    assert "College of Policing APP Armed policing" in text
    assert "Force policy none set (force settings)" in text
    assert "Kent Police policy" not in text  # force policy comes from the force settings only


def test_export_is_logged_with_the_file_hash(incident, identity, tmp_path):
    before = incident.db.head(incident.row.id)[0]
    out = tmp_path / "log.pdf"
    result = export_pdf(incident, out, exported_by=PIM, identity=identity)
    entry = incident.entry(before + 1)
    assert entry is not None and entry.kind == "export.recorded"
    assert entry.payload["file_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert entry.payload["format"] == "pdf"
    assert entry.payload["entries"] == before == result.entries
    assert entry.payload["certificate_sha256"] == identity.fingerprint_sha256


def test_an_existing_file_is_never_overwritten_and_nothing_is_logged(incident, identity,
                                                                      tmp_path):
    out = tmp_path / "log.pdf"
    out.write_bytes(b"keep me")
    before = incident.db.head(incident.row.id)
    with pytest.raises(InputError, match="already exists"):
        export_pdf(incident, out, exported_by=PIM, identity=identity)
    assert out.read_bytes() == b"keep me"
    assert incident.db.head(incident.row.id) == before


def test_correction_keeps_the_original_readable_beside_the_new_value(incident, identity,
                                                                     tmp_path):
    note = incident.append("note", {"text": "Arrived at the PIS at 16:05."}, author=PIM)
    fix = incident.correct(note.seq, "Misread the visitors' book.", author=PIM,
                           fields={"text": "Arrived at the PIS at 15:50."})
    out = tmp_path / "log.pdf"
    export_pdf(incident, out, exported_by=PIM, identity=identity)
    text = " ".join(pdftotext(out).split())
    assert f"Corrected by entry {fix.seq}" in text
    assert f"{fix.seq}. Correction of entry {note.seq}" in text
    assert "Note (was): Arrived at the PIS at 16:05." in text
    assert "Note (now): Arrived at the PIS at 15:50." in text


def test_redacted_copy_holds_no_protected_name_anywhere(incident, identity, tmp_path):
    out = tmp_path / "redacted.pdf"
    export_pdf(incident, out, exported_by=PIM, identity=identity, redacted=True)
    text = pdftotext(out)
    assert "AFO-B12" in text and WELSH in text  # the cipher, and unprotected names, remain
    assert "REDACTED COPY" in text
    raw = out.read_bytes()
    files = tmp_path / "files"
    files.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(files), str(out)], check=True)
    attached = [p.read_bytes() for p in files.iterdir()]
    assert [p.name for p in files.iterdir()] == ["pir-export-manifest.json"]
    for needle in (PROTECTED, "Rhodri", "Pryce", PROTECTED_COLLAR):
        assert needle.casefold() not in text.casefold()
        assert needle.encode() not in raw
        assert all(needle.encode() not in data for data in attached)
    entry = incident.entry(incident.db.head(incident.row.id)[0])
    assert entry.kind == "export.recorded" and entry.payload["format"] == "pdf-redacted"


@pytest.mark.slow
def test_a_one_megabyte_note_flows_across_pages(log, identity, tmp_path):
    words = " ".join(f"word{i:06d}" for i in range(95_000))
    note = "START-OF-NOTE " + words + " END-OF-NOTE"
    assert len(note) > 1_000_000
    log.append("note", {"text": note}, author=PIM)
    out = tmp_path / "long.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity)
    text = pdftotext(out)
    assert "START-OF-NOTE" in text and "END-OF-NOTE" in text and "word047123" in text
    assert text.count("\f") > 100


def test_characters_the_font_lacks_become_visible_markers(log, identity, tmp_path):
    log.append("note", {"text": "Thumbs \U0001F44D unicorn \U0001F984 flag \U0001F1EC\U0001F1E7 "
                                "Thai \u0e01 bell\x07 smile \U0001F600"}, author=PIM)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity)
    flat = " ".join(pdftotext(out).split())
    assert "Thumbs [emoji] unicorn [emoji] flag [emoji] Thai [U+0E01] bell[U+0007] smile" in flat
    assert printable("Ŵ ŷ ł á") == "Ŵ ŷ ł á"


def test_register_tables_repeat_their_header_on_every_page(log, identity, tmp_path):
    for i in range(70):
        log.append("person.added", {"name": f"Officer {i:02d}", "category": "witness officer"},
                   author=PIM)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=identity)
    pages = pdftotext(out).split("\f")
    start = next(i for i, p in enumerate(pages) if "People register" in p)
    end = next(i for i, p in enumerate(pages) if "Officer 69" in p)
    assert end > start  # the register runs over more than one page
    for page in pages[start:end + 1]:
        assert "Category" in page and "Arrived PIS" in page


def test_officer_identity_is_kept_in_the_database_and_names_the_officer(db: Database):
    first = officer_identity(db, PIM)
    again = officer_identity(db, PIM)
    assert again.fingerprint_sha256 == first.fingerprint_sha256
    subject = first.certificate.subject.rfc4514_string()
    assert "CN=Sarah Jones" in subject and "2.5.4.5=4512" in subject \
        or "serialNumber=4512" in subject
    assert "O=Kent Police" in subject
    other = officer_identity(db, Officer("Dai Jones", "PC", "99", "AFO", "Dyfed-Powys Police"))
    assert other.fingerprint_sha256 != first.fingerprint_sha256
    assert len(db.identities()) == 2
    with pytest.raises(InputError):
        officer_identity(db, Officer("Nobody"), create=False)


def make_p12(tmp_path: Path, password: bytes) -> Path:
    ident = new_self_signed(Officer("Gwenllian Ŵyn", "Supt", "1200", "Firearms lead", "Gwent"))
    data = pkcs12.serialize_key_and_certificates(
        b"lead", ident.key, ident.certificate, None,
        serialization.BestAvailableEncryption(password))
    path = tmp_path / "lead.p12"
    path.write_bytes(data)
    return path


def test_pkcs12_identity_loads_with_its_password_and_refuses_a_wrong_one(tmp_path):
    path = make_p12(tmp_path, b"s3cret pass")
    ident = identity_from_pkcs12(path, b"s3cret pass")
    assert ident.common_name == "Gwenllian Ŵyn"
    with pytest.raises(InputError, match="password is wrong"):
        identity_from_pkcs12(path, b"wrong")
    bad = tmp_path / "bad.p12"
    bad.write_bytes(b"not a pkcs12 file")
    with pytest.raises(InputError, match="not a PKCS#12"):
        identity_from_pkcs12(bad, b"x")
    with pytest.raises(InputError, match="Cannot read"):
        identity_from_pkcs12(tmp_path / "missing.p12", b"x")


def _p12(tmp_path: Path, key, cert, password: bytes | None = b"pw") -> Path:
    encryption = serialization.BestAvailableEncryption(password) if password \
        else serialization.NoEncryption()
    path = tmp_path / "id.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"id", key, cert, None, encryption))
    return path


def _self_signed(key) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Seán Ó Briain")])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()))


def test_a_pkcs12_file_with_a_certificate_but_no_key_or_a_key_but_no_certificate_is_refused(
        tmp_path):
    ident = new_self_signed(Officer("Seán Ó Briain"))
    for key, cert in ((None, ident.certificate), (ident.key, None)):
        path = _p12(tmp_path, key, cert)
        with pytest.raises(InputError, match="holds no private key and certificate to sign "
                                             "with"):
            identity_from_pkcs12(path, b"pw")


def test_a_pkcs12_file_with_a_key_pir_cannot_sign_with_is_refused_as_such(tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    path = _p12(tmp_path, key, _self_signed(key))
    with pytest.raises(InputError, match="of a kind PIR cannot sign PDFs with"):
        identity_from_pkcs12(path, b"pw")


def test_a_pkcs12_file_with_an_ecdsa_key_loads_with_its_chain_and_label(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key)
    path = tmp_path / "ec.p12"
    extra = new_self_signed(Officer("Intermediate")).certificate
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ec", key, cert, [extra], serialization.BestAvailableEncryption(b"pw")))
    ident = identity_from_pkcs12(path, b"pw")
    assert ident.certificate == cert and ident.chain == (extra,)
    assert ident.label == "pkcs12:ec.p12" and ident.pin_protected is None


def test_a_password_protected_pkcs12_file_opened_without_one_asks_for_it(tmp_path):
    path = _p12(tmp_path, *_key_and_cert())
    for none in (None, b""):
        with pytest.raises(InputError, match="without a password: give the file's password"):
            identity_from_pkcs12(path, none)


def test_a_pkcs12_file_without_a_password_opens_without_one(tmp_path):
    key, cert = _key_and_cert()
    path = _p12(tmp_path, key, cert, password=None)
    assert identity_from_pkcs12(path, None).certificate == cert
    assert identity_from_pkcs12(path, b"").certificate == cert


def _key_and_cert():
    ident = new_self_signed(Officer("Seán Ó Briain"))
    return ident.key, ident.certificate


def test_the_attached_files_are_json_with_their_size_and_checksum_as_source_files(log, tmp_path):
    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=new_self_signed(PIM))
    root = PdfFileReader(BytesIO(out.read_bytes()), strict=False).root
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = [names[i + 1].get_object() for i in range(0, len(names), 2)]
    assert [str(s["/F"]) for s in specs] == [f"{log.row.ref}-log.json",
                                             "pir-export-manifest.json"]
    for spec in specs:
        stream = spec["/EF"]["/F"].get_object()
        data = stream.data
        assert stream["/Subtype"] == "/application/json"
        assert int(stream["/Params"]["/Size"]) == len(data)
        assert stream["/Params"]["/CheckSum"].original_bytes == hashlib.md5(data).digest()
        assert spec["/AFRelationship"] == "/Source"
        assert str(spec["/UF"]) == str(spec["/F"])
    assert [str(s["/Desc"]) for s in specs] == [
        "Canonical JSON export of the log (docs/LOG-FORMAT.md)",
        "What this PDF states: incident, entry count, head hash, signer"]
    assert [a.get_object() for a in root["/AF"].get_object()] == specs


def test_the_officers_signature_certifies_the_file_by_pades_and_sha256_with_its_reason(
        log, tmp_path):
    from pyhanko.sign.fields import MDPPerm

    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=new_self_signed(PIM))
    reader = PdfFileReader(BytesIO(out.read_bytes()), strict=False)
    (sig,) = reader.embedded_signatures
    assert sig.field_name == "PIR signature"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig.sig_object["/Reason"] == f"Post-incident log {log.row.ref}"
    assert sig.md_algorithm == "sha256"
    assert sig.docmdp_level == MDPPerm.FILL_FORMS
    assert reader.root["/Perms"]["/DocMDP"].get_object() == sig.sig_object
