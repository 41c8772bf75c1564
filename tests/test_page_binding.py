"""A signed PDF's pages print what its log says: `pir verify` lays them out again from the
attached log and compares page for page, so pages rewritten under a sound log never verify,
whatever signs them and whatever receipt or head vouches for the log."""

from __future__ import annotations

import dataclasses
import json
from io import BytesIO
from pathlib import Path

import pytest
from conftest import PIM
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from test_pdf_export import populate

from pir.export.format import MANIFEST_NAME
from pir.export.json_log import build_export, export_bytes
from pir.export.page_binding import digests_of
from pir.export.pdf import export_pdf, log_file_name, manifest, render_pdf
from pir.export.pdf_objects import Budget, PageDigests, page_list
from pir.export.signing import Attachment, SignatureBox, new_self_signed, sign_pdf
from pir.export.verdict import INVALID, PAGES_UNCHECKED, VALID
from pir.export.verify import verify_file
from pir.incident import IncidentLog, Officer
from pir.receipts import give_receipt, receipt_code

REAL = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")


@pytest.fixture(scope="module")
def officer():
    return new_self_signed(REAL)


@pytest.fixture(scope="module")
def same_subject():
    """A forger's self-signed certificate with the officer's very name, number and force."""
    return new_self_signed(REAL)


def _pem(identity, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(identity.certificate_pem())
    return path


def _rewrite(old: bytes, new: bytes, last: bool = False):
    """A page hook: replaces `old` by `new` in the first (or `last`) page whose content
    shows it."""
    def hook(data: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(BytesIO(data))
        kids = writer.root["/Pages"]["/Kids"]
        for i in (reversed(range(len(kids))) if last else range(len(kids))):
            ref = kids.raw_get(i)
            page = ref.get_object()
            content = page["/Contents"].get_object().data
            if old in content:
                page["/Contents"] = writer.add_object(
                    generic.StreamObject(stream_data=content.replace(old, new)))
                writer.mark_update(ref)
                out = BytesIO()
                writer.write(out)
                return out.getvalue()
        raise AssertionError(f"no page shows {old!r}")
    return hook


# The one-word change every forgery here makes: a welfare check's "well" becomes "hurt".
HURT = _rewrite(b"Both well; refreshments", b"Both hurt; refreshments")


def _annotated(page_index: int, rect, **entries: str):
    """A page hook: puts one annotation (/Type /Annot, `rect`, and `entries` as names, or
    /Contents as a string) on the page."""
    def hook(data: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(BytesIO(data))
        ref = writer.root["/Pages"]["/Kids"].raw_get(page_index)
        page = ref.get_object()
        fields = {generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                  generic.pdf_name("/Rect"): generic.ArrayObject(map(generic.NumberObject,
                                                                      rect))}
        for key, value in entries.items():
            fields[generic.pdf_name(f"/{key}")] = (generic.pdf_string(value) if key == "Contents"
                                                   else generic.pdf_name(value))
        page["/Annots"] = generic.ArrayObject([writer.add_object(
            generic.DictionaryObject(fields))])
        writer.mark_update(ref)
        out = BytesIO()
        writer.write(out)
        return out.getvalue()
    return hook


def _assemble(doc: dict, data: bytes, rendered, signer, manifest_identity=None,
              pages_delta: int = 0, box=None) -> bytes:
    """Pages `data` with the log `doc` and a manifest made from `rendered`, signed by
    `signer`: each part made as PIR makes it, put together as the test needs."""
    name = log_file_name(doc["incident"]["ref"])
    log_data = export_bytes(doc)
    where = box or rendered.signature_box
    return sign_pdf(data, signer, [
        Attachment(name, log_data, "log"),
        Attachment(MANIFEST_NAME, manifest(doc, manifest_identity or signer, False, name,
                                           log_data, rendered.pages + pages_delta, rendered),
                   "manifest")],
        SignatureBox(*where) if where else None, reason="test")


def _forge(log: IncidentLog, identity, hook, *, layout_edit=None) -> bytes:
    """The real log attached untouched, pages rewritten by `hook`, the manifest made to agree
    with the rewritten pages, all signed by `identity`."""
    doc = build_export(log, PIM)
    rendered = render_pdf(log, doc, exported_by=PIM, identity=identity)
    data = hook(rendered.data) if hook else rendered.data
    rendered = dataclasses.replace(rendered, data=data, page_sha256=digests_of(data))
    if layout_edit:
        rendered = dataclasses.replace(rendered, layout=layout_edit(dict(rendered.layout)))
    return _assemble(doc, data, rendered, identity)


def _write(tmp_path: Path, data: bytes, name: str = "forged.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _head(log: IncidentLog) -> tuple[int, str]:
    doc = build_export(log, PIM)
    return doc["entry_count"], doc["head_hash"]


def _fails(result) -> str:
    return "\n".join(x for x in result.lines if x.startswith("FAIL"))


def test_a_sound_export_is_valid_on_its_receipt_with_every_page_re_laid(log, officer,
                                                                        tmp_path):
    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=officer)
    stated = json.loads(_attachment(out, MANIFEST_NAME))
    result = verify_file(out, receipts=[receipt_code(stated["entry_count"],
                                                     stated["head_hash"])])
    assert result.pages_bound, result.lines
    assert (result.verdict, result.exit_code) == (VALID, 0), result.lines
    assert any("laid out again from the attached log" in x for x in result.lines)


def test_text_changed_on_one_page_under_an_untouched_log_is_invalid_on_a_receipt(
        log, same_subject, tmp_path):
    populate(log)
    count, head = _head(log)
    forged = _write(tmp_path, _forge(log, same_subject, HURT))
    receipt = receipt_code(count, head)
    for kwargs in ({"receipts": [receipt]}, {"expect_head": head}):
        result = verify_file(forged, **kwargs)
        assert (result.verdict, result.exit_code) == (INVALID, 1), result.lines
        assert "differs from the page PIR lays out from the attached log (the page shows " \
               "'Both hurt" in _fails(result)


def test_text_changed_and_re_signed_with_a_same_subject_key_is_invalid_with_trust(
        log, officer, same_subject, tmp_path):
    populate(log)
    forged = _write(tmp_path, _forge(log, same_subject, HURT))
    result = verify_file(forged, _pem(officer, tmp_path, "officer.pem"))
    assert result.exit_code == 1, result.lines
    text = _fails(result)
    assert "signer: NOT the certificate given with --trust" in text
    assert "differs from the page PIR lays out" in text


def test_the_cover_is_laid_out_for_the_certificate_that_really_signed(log, officer,
                                                                      same_subject, tmp_path):
    # Pages laid out for the officer's certificate, signed with the forger's same-subject
    # one: only the fingerprint printed on the cover differs, and that is enough.
    populate(log)
    doc = build_export(log, PIM)
    rendered = render_pdf(log, doc, exported_by=PIM, identity=officer)
    forged = _assemble(doc, rendered.data, rendered, same_subject)
    count, head = _head(log)
    result = verify_file(_write(tmp_path, forged), expect_head=head)
    assert result.exit_code == 1, result.lines
    assert "page 1: differs from the page PIR lays out" in _fails(result)


def test_pages_that_disagree_with_the_manifest_digests_are_invalid(log, officer, tmp_path):
    populate(log)
    doc = build_export(log, PIM)
    rendered = render_pdf(log, doc, exported_by=PIM, identity=officer)
    signed = _assemble(doc, HURT(rendered.data), rendered, officer)
    result = verify_file(_write(tmp_path, signed), _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1
    assert "what it draws is not what the signed manifest records" in _fails(result)


def test_a_layout_version_changed_to_escape_the_re_layout_is_never_valid_on_a_receipt(
        log, same_subject, tmp_path):
    populate(log)
    count, head = _head(log)

    def older(layout):
        layout["version"] = "PIR 0.0.1; ReportLab 1.0; fonts 0"
        return layout
    forged = _write(tmp_path, _forge(log, same_subject, HURT, layout_edit=older))
    result = verify_file(forged, receipts=[receipt_code(count, head)])
    assert (result.verdict, result.exit_code) == (PAGES_UNCHECKED, 3), result.lines
    assert any(x.startswith("note pages: NOT re-laid from the log") for x in result.lines), \
        result.lines


def test_an_annotation_drawn_over_a_page_is_invalid(log, officer, tmp_path):
    populate(log)

    sticker = _annotated(1, (50, 50, 300, 90), Subtype="/FreeText",
                         Contents="KPW 2 fired first")
    forged = _write(tmp_path, _forge(log, officer, sticker))
    result = verify_file(forged, _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1, result.lines
    assert "page 2: carries an annotation PIR does not make ('/FreeText')" in _fails(result)


def test_the_page_digest_covers_fonts_not_only_the_content_stream(log, officer):
    # A forger who swaps a font's embedded program (same codes, other glyphs) changes what
    # the reader sees without touching the content stream: the digest must change.
    populate(log)
    doc = build_export(log, PIM)
    data = render_pdf(log, doc, exported_by=PIM, identity=officer).data
    writer = IncrementalPdfFileWriter(BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0]
    fonts = page["/Resources"]["/Font"]
    font_ref = fonts.raw_get(sorted(fonts.keys())[0])
    font = font_ref.get_object()
    font["/BaseFont"] = generic.pdf_name("/AAAAAA+SomethingElse")
    writer.mark_update(font_ref)
    out = BytesIO()
    writer.write(out)
    before, after = digests_of(data), digests_of(out.getvalue())
    assert after[0] != before[0]


def test_the_page_digest_ignores_how_objects_are_numbered_and_compressed(log, officer):
    populate(log)
    doc = build_export(log, PIM)
    data = render_pdf(log, doc, exported_by=PIM, identity=officer).data
    writer = IncrementalPdfFileWriter(BytesIO(data))
    ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = ref.get_object()
    # The same content, stored again uncompressed under a new object number.
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=page["/Contents"].get_object().data))
    writer.mark_update(ref)
    out = BytesIO()
    writer.write(out)
    assert digests_of(out.getvalue()) == digests_of(data)


def test_a_self_referring_object_has_a_digest(log, officer):
    reader = PdfFileReader(BytesIO(render_pdf(log, build_export(log, PIM), exported_by=PIM,
                                              identity=officer).data), strict=False)
    pages = page_list(reader.root["/Pages"])
    digests = PageDigests(Budget())
    assert len(digests.page(pages[0])) == 64


def _attachment(path: Path, name: str) -> bytes:
    from pir.export.pdf_objects import Budget as B

    reader = PdfFileReader(BytesIO(path.read_bytes()), strict=False)
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if str(names[i]) == name:
            return B().decode(names[i + 1].get_object()["/EF"]["/F"])
    raise AssertionError(name)


def test_a_log_cut_before_a_receipt_and_signed_with_the_real_key_is_never_valid(
        log, officer, tmp_path):
    populate(log)
    older = build_export(log, PIM)  # what the forger will sign: the log before the receipt
    for n in range(3):
        log.append("note", {"text": f"later entry {n}"}, author=PIM)
    receipt = give_receipt(log, PIM)
    rendered = render_pdf(log, older, exported_by=PIM, identity=officer)
    cut = _assemble(older, rendered.data, rendered, officer)
    path = _write(tmp_path, cut)
    trust = _pem(officer, tmp_path, "o.pem")
    result = verify_file(path, trust, receipts=[receipt.code])
    assert result.exit_code == 3 and result.pages_bound, result.lines
    assert result.summary()[0].endswith("this file ends before entry "
                                        f"{receipt.seq}, for which a receipt was given (it "
                                        f"holds {older['entry_count']} entries): it is an "
                                        "older export or it was cut short.")
    # Known to have been given before the file was signed: the file was cut short.
    before_signing = f"{receipt.code}@2000-01-01T00:00Z"
    result = verify_file(path, trust, receipts=[before_signing])
    assert (result.verdict, result.exit_code) == (INVALID, 1), result.lines
    assert result.first_failure.endswith("it was cut short.")


def _relinked(doc: dict, seq: int) -> dict:
    """The export with entry `seq`'s previous-hash link broken and every hash from there on
    recomputed, so each entry matches its own hash and only that one link is wrong."""
    from pir.canonical import entry_hash

    entries = [dict(e) for e in doc["entries"]]
    prev = None
    for e in entries[seq - 1:]:
        body = {k: v for k, v in e.items() if k != "hash"}
        body["prev_hash"] = "ab" * 32 if prev is None else prev
        e.clear()
        e.update(body, hash=entry_hash(body))
        prev = e["hash"]
    return {**doc, "entries": entries, "head_hash": prev}


def test_a_broken_previous_hash_link_with_every_hash_recomputed_is_invalid(log, officer,
                                                                           tmp_path):
    populate(log)
    doc = _relinked(build_export(log, PIM), 4)
    json_path = _write(tmp_path, export_bytes(doc), "relinked.json")
    result = verify_file(json_path, expect_head=doc["head_hash"])
    assert (result.verdict, result.exit_code) == (INVALID, 1)
    assert result.first_failure == ("log: Entry 4: it does not link to entry 3 (an entry was "
                                    "removed, inserted or replaced).")
    rendered = render_pdf(log, doc, exported_by=PIM, identity=officer)
    pdf = _assemble(doc, rendered.data, rendered, officer)
    result = verify_file(_write(tmp_path, pdf), _pem(officer, tmp_path, "o.pem"),
                         expect_head=doc["head_hash"])
    assert (result.verdict, result.exit_code) == (INVALID, 1), result.lines
    assert result.first_failure.startswith("log: Entry 4: it does not link to entry 3")


def _signed(log, identity, *, manifest_identity=None, pages_delta=0) -> bytes:
    doc = build_export(log, PIM)
    rendered = render_pdf(log, doc, exported_by=PIM, identity=identity)
    return _assemble(doc, rendered.data, rendered, identity, manifest_identity, pages_delta)


def test_a_receipt_is_compared_in_all_ten_characters(log, officer, tmp_path):
    from pir.receipts import ALPHABET, code_for_hash, group

    populate(log)
    path = _write(tmp_path, _signed(log, officer))
    count, head = _head(log)
    code = code_for_hash(head)
    last = ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]
    result = verify_file(path, receipts=[f"{count}:{group(code[:-1] + last)}"])
    assert (result.verdict, result.exit_code) == (INVALID, 1), result.lines
    assert verify_file(path, receipts=[f"{count}:{group(code)}"]).exit_code == 0


def test_the_manifests_certificate_must_be_the_signers(log, officer, same_subject, tmp_path):
    populate(log)
    path = _write(tmp_path, _signed(log, officer, manifest_identity=same_subject))
    result = verify_file(path, _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1
    assert "FAIL signature: made with a different certificate from the one the document names " \
           f"({same_subject.fingerprint_sha256})." in result.lines


def test_the_page_count_must_be_the_manifests(log, officer, tmp_path):
    populate(log)
    path = _write(tmp_path, _signed(log, officer, pages_delta=1))
    result = verify_file(path, _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1
    assert any(x.startswith("FAIL page footers: the document has") for x in result.lines)


def test_an_export_signed_without_certifying_is_invalid(log, officer, tmp_path, monkeypatch):
    from pir.export import signing

    real = signing.PdfSignatureMetadata
    monkeypatch.setattr(signing, "PdfSignatureMetadata",
                        lambda **kw: real(**{**kw, "certify": False,
                                             "docmdp_permissions": None}))
    populate(log)
    path = _write(tmp_path, _signed(log, officer))
    result = verify_file(path, _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1, result.lines
    assert "FAIL signature: the first signature does not certify the document (a PIR export's " \
           "does, allowing nothing after it but signatures)." in result.lines


@pytest.mark.parametrize("subtype, field_type", [("/Widget", "/Tx"), ("/Stamp", "/Sig")])
def test_a_form_field_or_a_stamp_posing_as_a_signature_is_refused(log, officer, tmp_path,
                                                                   subtype, field_type):
    populate(log)

    field = _annotated(2, (0, 0, 0, 0), Subtype=subtype, FT=field_type)
    result = verify_file(_write(tmp_path, _forge(log, officer, field)),
                         _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1, result.lines
    assert f"page 3: carries an annotation PIR does not make ('{subtype}')" in _fails(result)


def test_a_signature_moved_from_the_box_the_layout_left_is_invalid(log, officer, tmp_path):
    populate(log)
    doc = build_export(log, PIM)
    rendered = render_pdf(log, doc, exported_by=PIM, identity=officer)
    page, (x1, y1, x2, y2) = rendered.signature_box
    moved = (page, (x1, y1 + 200, x2, y2 + 200))  # over the text above the box
    rendered = dataclasses.replace(rendered, signature_box=moved)
    forged = _assemble(doc, rendered.data, rendered, officer)
    result = verify_file(_write(tmp_path, forged), _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1, result.lines
    assert "FAIL pages: the signature box is not where the layout puts it." in result.lines


def test_a_second_visible_signature_field_is_refused(log, officer, tmp_path):
    populate(log)
    doc = build_export(log, PIM)
    box = render_pdf(log, doc, exported_by=PIM, identity=officer).signature_box

    twin = _annotated(box[0], box[1], Subtype="/Widget", FT="/Sig")
    result = verify_file(_write(tmp_path, _forge(log, officer, twin)),
                         _pem(officer, tmp_path, "o.pem"))
    assert result.exit_code == 1, result.lines
    assert f"FAIL page {box[0] + 1}: a visible signature field is not in the box the layout " \
           "left for the officer's signature." in result.lines


def test_a_redacted_copy_says_its_pages_are_not_re_laid(log, officer, tmp_path):
    populate(log)
    out = tmp_path / "redacted.pdf"
    export_pdf(log, out, exported_by=PIM, identity=officer, redacted=True, confirmed=True)
    stated = json.loads(_attachment(out, MANIFEST_NAME))
    result = verify_file(out, receipts=[receipt_code(stated["entry_count"],
                                                     stated["head_hash"])])
    assert "note pages: NOT re-laid from the log: a redacted copy carries none; they are as " \
           "the signer signed them." in result.lines
    assert (result.verdict, result.exit_code) == (PAGES_UNCHECKED, 3), result.lines
    assert verify_file(out, _pem(officer, tmp_path, "o.pem")).verdict == VALID


def test_pages_laid_out_with_another_copy_of_the_template_are_not_re_laid(log, officer,
                                                                          tmp_path,
                                                                          monkeypatch):
    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=officer)
    stated = json.loads(_attachment(out, MANIFEST_NAME))
    from pir.export import relayout

    monkeypatch.setattr(relayout, "template_sha256", lambda template: "0" * 64)
    result = verify_file(out, receipts=[receipt_code(stated["entry_count"],
                                                     stated["head_hash"])])
    assert (result.verdict, result.exit_code) == (PAGES_UNCHECKED, 3), result.lines
    assert any(x.startswith("note pages: NOT re-laid from the log (this PIR's template "
                            "firearms-discharge (version 1.0) is not the one")
               for x in result.lines), result.lines


def _another_version(monkeypatch):
    from pir.export import relayout

    monkeypatch.setattr(relayout, "layout_version", lambda: "PIR 9.9; ReportLab 9; fonts x")


def test_another_layout_version_checks_every_entry_by_its_text(log, officer, tmp_path,
                                                              monkeypatch):
    populate(log)
    out = tmp_path / "log.pdf"
    export_pdf(log, out, exported_by=PIM, identity=officer)
    stated = json.loads(_attachment(out, MANIFEST_NAME))
    assert stated["entry_pages"] and all(isinstance(v, int) for v in
                                         stated["entry_pages"].values())
    _another_version(monkeypatch)
    receipt = receipt_code(stated["entry_count"], stated["head_hash"])
    result = verify_file(out, receipts=[receipt])
    assert result.valid, result.lines
    assert any(x.startswith("note pages: NOT re-laid from the log (the pages were laid out by")
               and "checked by their text instead" in x for x in result.lines), result.lines
    assert (result.verdict, result.exit_code) == (PAGES_UNCHECKED, 3)
    assert verify_file(out, _pem(officer, tmp_path, "o.pem")).verdict == VALID


def test_an_entry_changed_on_its_page_fails_the_text_check_of_another_version(
        log, same_subject, tmp_path, monkeypatch):
    populate(log)
    # The numbered log (the last page to show it) says "hurt"; the log says "well".
    in_the_log = _rewrite(b"Both well; refreshments", b"Both hurt; refreshments", last=True)
    forged = _write(tmp_path, _forge(log, same_subject, in_the_log))
    _another_version(monkeypatch)
    result = verify_file(forged, receipts=[receipt_code(*_head(log))])
    assert (result.verdict, result.exit_code) == (INVALID, 1), result.lines
    assert "pages: checked by their text (not re-laid: the pages were laid out by" in \
        result.first_failure
    assert "the page does not show 'Both well; refreshments given.'" in result.first_failure


def test_the_text_check_misses_an_annex_change_so_a_receipt_never_makes_it_valid(
        log, same_subject, tmp_path, monkeypatch):
    # What the weaker check cannot see: the same change on an annex page, not in the log.
    populate(log)
    forged = _write(tmp_path, _forge(log, same_subject, HURT))
    _another_version(monkeypatch)
    result = verify_file(forged, receipts=[receipt_code(*_head(log))])
    assert (result.verdict, result.exit_code) == (PAGES_UNCHECKED, 3), result.lines
