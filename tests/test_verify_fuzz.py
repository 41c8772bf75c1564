"""No input makes the verifier raise: random bytes, and real exports (JSON and PDF) with bytes
flipped, inserted, deleted or cut, go to `verify_bytes` (its last line of defence turned off,
so a bug shows as the exception it is) and to `pir verify`; the verdict is always one of the
four, and the command's exit code one of 0, 1, 2, 3, with no traceback."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pir.cli import main
from pir.clock import FixedClock
from pir.errors import InputError
from pir.export import verify as verify_module
from pir.export.format import MANIFEST_NAME
from pir.export.json_log import build_export, export_bytes
from pir.export.pdf import build_signed_pdf, log_file_name, manifest, render_pdf
from pir.export.signing import Attachment, SignatureBox, new_self_signed, sign_pdf
from pir.export.verdict import EXIT_CODES, INVALID
from pir.export.verify import verify_bytes
from pir.incident import IncidentLog
from pir.log.store import Database
from tests.helpers import add_person, seize, transfer
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def _exports() -> tuple[bytes, bytes]:
    """A small real incident as a JSON export and as a signed PDF (made once)."""
    from datetime import UTC, datetime

    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
        with Database.create(Path(tmp) / "f.db", PASSPHRASE, kdf_iter=TEST_KDF_ITER,
                             clock=clock) as db:
            log = IncidentLog.create(db, ref="CAD-FUZZ-1", template_id="firearms-discharge",
                                     scale="full", rationale="Fuzzing.", author=PIM)
            add_person(log, "Siân Llŷr", cipher="B14")
            seize(log, "EX/1", "PC Holder")
            transfer(log, "EX/1", "PC Holder", "DC Store")
            note = log.append("note", {"text": "line \"two\"\t\\ 🔥"}, author=PIM)
            log.correct(note.seq, "typo", fields={"text": "corrected"}, author=PIM)
            doc = build_export(log, PIM)
            data = export_bytes(doc)
            pdf, _ = build_signed_pdf(log, exported_by=PIM, identity=_IDENTITY)
            _PARTS.update(doc=doc, rendered=render_pdf(log, doc, exported_by=PIM,
                                                       identity=_IDENTITY))
    return data, pdf


_IDENTITY = new_self_signed(PIM)
_PARTS: dict = {}


def _pdf_around(log_data: bytes) -> bytes:
    """The real export's pages and manifest, signed around another attached log (its SHA-256
    stated in the manifest, so only the log's own checks can fail)."""
    _exports()
    doc, rendered = _PARTS["doc"], _PARTS["rendered"]
    name = log_file_name(doc["incident"]["ref"])
    box = rendered.signature_box
    return sign_pdf(rendered.data, _IDENTITY, [
        Attachment(name, log_data, "log"),
        Attachment(MANIFEST_NAME, manifest(doc, _IDENTITY, False, name, log_data,
                                           rendered.pages, rendered), "manifest")],
        SignatureBox(*box) if isinstance(box, tuple) else box, reason="fuzz")


@pytest.fixture(autouse=True)
def bugs_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_module, "CATCH_UNEXPECTED", False)


def _check(data: bytes, original: bytes | None = None) -> None:
    """Never an exception but InputError, a verdict of the four, and, for a real export that
    was changed, never intact: every byte of a JSON export and of a signed PDF is vouched for."""
    try:
        result = verify_bytes(data)
    except InputError:
        return  # unusable input: exit 2, one sentence
    assert result.verdict in EXIT_CODES
    assert all(line[:5] in ("ok   ", "FAIL ", "note ", "WARN ") for line in result.lines)
    if not result.valid:
        assert result.first_failure
    if original is not None and data != original:
        assert not result.valid and result.verdict == INVALID, result.lines


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "cut", "dup"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[at] = draw(st.sampled_from(b'{}[]",:\\0 \x00\xff'))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "cut":
            del data[at:]
        elif kind == "dup":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
    return bytes(data)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_that_start_like_a_pdf(data: bytes) -> None:
    _check(b"%PDF-1.7\n" + data + b"\nstartxref\n0\n%%EOF\n")


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30))
def test_random_json_values(value) -> None:
    _check(json.dumps(value, ensure_ascii=False).encode("utf-8"))


@FUZZ
@given(st.data())
def test_mutated_json_exports(data: st.DataObject) -> None:
    original = _exports()[0]
    _check(data.draw(mutated(original)), original)


@settings(FUZZ, max_examples=60)
@given(st.data())
def test_mutated_pdf_exports(data: st.DataObject) -> None:
    original = _exports()[1]
    _check(data.draw(mutated(original)), original)


@settings(FUZZ, max_examples=40)
@given(st.data())
def test_mutated_json_inside_the_pdf(data: st.DataObject) -> None:
    """The attached log itself mutated, in a PDF re-signed around it: the log check's own
    paths, behind a good signature."""
    original = _exports()[0]
    log = data.draw(mutated(original))
    pdf = _pdf_around(log)
    try:
        result = verify_bytes(pdf)
    except InputError:
        return
    assert result.verdict in EXIT_CODES
    if log != original:  # a good signature does not make a changed log intact
        assert not result.valid and result.first_failure, result.lines


@settings(FUZZ, max_examples=30)
@given(st.sampled_from(["json", "pdf"]), st.data())
def test_pir_verify_exit_codes(kind: str, data: st.DataObject) -> None:
    original = _exports()[0 if kind == "json" else 1]
    mutated_bytes = data.draw(mutated(original) | st.binary(max_size=500))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f.{kind}"
        path.write_bytes(mutated_bytes)
        verify_module.CATCH_UNEXPECTED = True  # as installed
        try:
            code = main(["verify", str(path)])
        finally:
            verify_module.CATCH_UNEXPECTED = False
    # Exit 0 or 3 say the file is intact: never for a changed export.
    assert code in ((0, 3) if mutated_bytes == original else (1, 2)), code


def test_pir_verify_prints_no_traceback(tmp_path: Path, capsys) -> None:
    for name, data in (("a.json", b"\xff\xfe{"), ("b.pdf", b"%PDF-1.7\n%%EOF"),
                       ("c.json", b"[" * 10_000), ("d.pdf", _exports()[1][:-2000]),
                       ("e.json", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        assert main(["verify", str(path)]) in (1, 2)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
    assert main(["verify", str(tmp_path)]) == 2  # a folder
    assert main(["verify", str(tmp_path / "missing.pdf")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 2


def test_the_unmutated_exports_are_intact() -> None:
    data, pdf = _exports()
    assert verify_bytes(data).valid and verify_bytes(pdf).valid
    assert verify_bytes(_pdf_around(data)).valid


@FUZZ
@given(st.binary(max_size=600), st.integers(0, 90))
def test_ascii85_decoding_agrees_with_the_standard_library(raw: bytes, wrap: int) -> None:
    import base64

    from pir.export.pdf_verify import a85decode

    encoded = base64.a85encode(raw, adobe=True, wrapcol=wrap)[2:]  # PDF drops the "<~"
    assert a85decode(encoded) == raw
    assert a85decode(encoded.replace(b"~>", b"")) == raw


@pytest.mark.parametrize("bad", [b"s8W-\"~>", b"abc{~>", b"ab!~>"[:1] + b"~>"])
def test_ascii85_that_is_not_is_refused(bad: bytes) -> None:
    from pir.errors import VerificationError
    from pir.export.pdf_verify import a85decode

    with pytest.raises(VerificationError):
        a85decode(bad)
