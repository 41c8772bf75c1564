"""Redaction by person, not by string: the redacted copy replaces only the forms the register
records for a protected person, leaves a civilian who shares a surname alone, lists what is
ambiguous for the user to confirm, withholds contact details, and leaks no protected name
anywhere in the file (text, content streams, attachments, metadata)."""

from __future__ import annotations

import base64
import re
import subprocess
import unicodedata
import zlib
from pathlib import Path

import pytest

from pir.export.json_log import build_export
from pir.export.pdf import RedactionUnconfirmedError, export_pdf, redaction_review
from pir.export.pdf.redaction import fold
from pir.export.signing import new_self_signed
from pir.force import shipped_settings_path
from pir.incident import IncidentLog
from tests.values import PIM


@pytest.fixture(autouse=True)
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIR_FORCE_SETTINGS", str(shipped_settings_path()))


@pytest.fixture(scope="module")
def identity():
    return new_self_signed(PIM)


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


def person(log: IncidentLog, name: str, category: str, cipher: str = "", **extra: str) -> int:
    return log.append("person.added", {"name": name, "category": category, "cipher": cipher,
                                       **extra}, author=PIM).seq


# -- a civilian who shares a protected officer's surname ----------------------------------------

NOTE = ("Anna Nowak saw Łucja Nowak draw. Later Lucja Nowak spoke to Anna. LUCJA NOWAK left; "
        "Nowak was calm.")


@pytest.fixture
def nowak(log: IncidentLog) -> IncidentLog:
    person(log, "Łucja Nowak", "KPW", "B12")
    person(log, "Anna Nowak", "civilian witness",
           contact="14 Castle Row, Canterbury CT1; 07700 900412")
    log.append("note", {"text": NOTE}, author=PIM)
    return log


def test_the_review_lists_each_replacement_and_the_ambiguous_surname(nowak):
    review = redaction_review(nowak, build_export(nowak, PIM))
    replaced = {(r.field, r.replacement) for r in review.replacements}
    assert ("name", "B12") in replaced  # the register entry itself
    assert ("contact", "[withheld]") in replaced
    in_note = [r for r in review.replacements if r.field == "text"]
    assert all("nowak" in r.original.casefold() for r in in_note) and len(in_note) == 3
    assert all(r.replacement == "B12" for r in in_note)
    assert len(review.ambiguous) == 1
    only = review.ambiguous[0]
    assert only.word == "Nowak" and only.field == "text"
    assert only.people == ("Łucja Nowak (B12, P3)", "Anna Nowak (P4)")
    text = "\n".join(review.lines())
    assert 'LUCJA NOWAK left; Nowak was calm." could be: Łucja Nowak (B12, P3); Anna Nowak ' \
           "(P4)" in text
    assert re.search(r'entry 5, text: "Nowak" in ".*LUCJA NOWAK left; Nowak was calm\." could be',
                     text)


def test_a_redacted_export_with_an_ambiguous_match_needs_confirmation(nowak, identity,
                                                                      tmp_path):
    out = tmp_path / "redacted.pdf"
    before = nowak.db.head(nowak.row.id)
    with pytest.raises(RedactionUnconfirmedError, match="1 ambiguous name match "):
        export_pdf(nowak, out, exported_by=PIM, identity=identity, redacted=True)
    assert not out.exists() and nowak.db.head(nowak.row.id) == before
    review = redaction_review(nowak, build_export(nowak, PIM))
    export_pdf(nowak, out, exported_by=PIM, identity=identity, redacted=True, confirmed=review)
    text = text_of(out)
    # The surname alone could be either of them: withheld, neither the cipher nor the name.
    assert "Anna Nowak saw B12 draw. Later B12 spoke to Anna. B12 left; [name withheld] was " \
           "calm." in text
    assert "Anna B12" not in text  # never a cipher beside someone else's forename
    for gone in ("Łucja", "Lucja", "Castle Row", "07700"):
        assert gone.casefold() not in text.casefold()
    assert "Contact details: [withheld]" in text


def test_the_full_copy_is_untouched(nowak, identity, tmp_path):
    out = tmp_path / "full.pdf"
    export_pdf(nowak, out, exported_by=PIM, identity=identity)
    assert NOTE in text_of(out)


# -- the leak corpus ------------------------------------------------------------------------------

# Every form of the two protected officers' names that must not survive anywhere in the file.
NEEDLES = ("Rhodri", "Pryce", "90412", "Wynne-Price", "Wynne-Pryse", "Wynne", "Ceri")


@pytest.fixture
def corpus(log: IncidentLog) -> IncidentLog:
    pryce = person(log, "PC Rhodri Pryce", "KPW", "AFO-B12", warrant_number="AFO 90412",
                   rank="PC")
    misspelt = person(log, "Ceri Wynne-Pryse", "KPW", "B7")
    person(log, "Sgt Dafydd Evans", "witness officer")
    log.correct(misspelt, "Surname misspelt when registered.", author=PIM,
                fields={"name": "Ceri Wynne-Price"})
    for text in ("Pryce fired twice; Rhodri then made the pistol safe.",
                 "AFO 90412 handed the carbine to Sgt Dafydd Evans.",
                 "Wynne-Price gave first aid until the paramedics arrived.",
                 "Wynne-Pryse (as first typed) held the cordon; PC Pryce's BWV was docked.",
                 "Ceri asked for her Fed rep."):
        log.append("note", {"text": text}, author=PIM)
    log.append("exhibit.seized", {"ref": "RP/1", "description": "Glock 17 of PC Rhodri Pryce",
                                  "holder": "PC Rhodri Pryce"}, author=PIM)
    log.append("welfare.check", {"people": [pryce, misspelt], "by": "Sgt Dafydd Evans",
                                 "notes": "Wynne-Price shaken; Pryce calm."}, author=PIM)
    return log


def _plain(data: bytes) -> bytes:
    """An uncompressed stream as it is; compressed bytes that would not inflate are not text,
    and searching them would find short words by chance."""
    if not data.isascii():
        raise ValueError("not plain text")
    return data


def streams(data: bytes) -> list[bytes]:
    """Every stream of the file, decompressed where it is compressed (Flate, or ASCII85 then
    Flate as ReportLab writes page contents)."""
    out = []
    for m in re.finditer(rb">>\s*stream\r?\n", data):
        end = data.find(b"endstream", m.end())
        raw = data[m.end():end].rstrip(b"\r\n")
        for decode in (lambda b: zlib.decompressobj().decompress(b),
                       lambda b: zlib.decompressobj().decompress(base64.a85decode(
                           b.strip().removeprefix(b"<~").removesuffix(b"~>"))),
                       _plain):
            try:
                out.append(decode(raw))
                break
            except (zlib.error, ValueError):
                continue
    return out


def folded(text: str) -> str:
    return fold(unicodedata.normalize("NFC", text))


def test_no_protected_name_survives_anywhere_in_the_redacted_file(corpus, identity, tmp_path):
    out = tmp_path / "redacted.pdf"
    review = redaction_review(corpus, build_export(corpus, PIM))
    assert not review.ambiguous  # every form is the protected officers' alone
    export_pdf(corpus, out, exported_by=PIM, identity=identity, redacted=True)
    text = folded(text_of(out))
    assert "afo-b12 fired twice; afo-b12 then made the pistol safe." in text
    assert "afo-b12 handed the carbine to sgt dafydd evans." in text
    assert "b7 gave first aid" in text and "b7 (as first typed) held the cordon" in text
    raw = out.read_bytes()
    outside = re.sub(rb"stream\r?\n.*?endstream", b"", raw, flags=re.DOTALL)
    decoded = b"\n".join(streams(raw))
    assert len(decoded) > 10_000  # the page contents were found and read
    files = tmp_path / "files"
    files.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(files), str(out)], check=True)
    attached = b"".join(p.read_bytes() for p in files.iterdir())
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True,
                          text=True).stdout
    meta = "\n".join(line for line in info.splitlines()
                     if line.split(":")[0] in ("Title", "Author", "Subject", "Keywords"))
    assert "Title:" in meta and "Author:" in meta
    for needle in NEEDLES:
        key = folded(needle)
        assert key not in text, needle
        # The file outside its streams (PDF syntax, where text would stand as written), every
        # stream decompressed, and the attachments; not the compressed bytes themselves, in
        # which any short word turns up by chance now and then.
        for blob in (outside, decoded, attached):
            assert needle.casefold().encode() not in blob.lower(), needle
        assert key not in folded(meta), needle


def test_the_numbered_log_still_shows_the_correction_of_the_name(corpus, identity, tmp_path):
    out = tmp_path / "redacted.pdf"
    export_pdf(corpus, out, exported_by=PIM, identity=identity, redacted=True)
    text = text_of(out)
    assert re.search(r"\d+\. Correction of entry 4 .*?Reason: Surname misspelt when registered\."
                     r" Name: B7 → B7", text)
