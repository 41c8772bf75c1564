"""`pir verify FILE.json`: strict canonical JSON, header fields against the chain, reorders named,
anchors (receipts, --expect-head) and the verdicts; and the limits on size and nesting, for JSON
files and PDFs alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes
from pir.cli import main
from pir.errors import InputError
from pir.export import verify as verify_module
from pir.export.format import MAX_FILE_BYTES
from pir.export.json_log import MAX_DEPTH, build_export, export_bytes
from pir.export.verdict import INVALID, UNANCHORED, VALID
from pir.export.verify import verify_bytes, verify_file
from pir.incident import IncidentLog
from pir.receipts import receipt_code
from tests.values import PIM


@pytest.fixture
def export(log: IncidentLog) -> dict:
    for i in range(22):
        log.append("note", {"text": f"Note {i}: the scene was held."}, author=PIM)
    return json.loads(export_bytes(build_export(log, PIM)))


def _verify(doc: dict | bytes, **kw):
    data = doc if isinstance(doc, bytes) else canonical_bytes(doc)
    from pir.export.verdict import VerifyOptions

    return verify_bytes(data, VerifyOptions.build(**kw))


def test_an_intact_export_is_unanchored_until_a_head_is_given(export: dict) -> None:
    result = _verify(export)
    assert result.valid and (result.verdict, result.exit_code) == (UNANCHORED, 3)
    assert "INTACT BUT UNANCHORED: the log is intact, but a JSON export carries no signature" \
        in result.summary()[0]
    head = export["head_hash"]
    assert _verify(export, expect_head=head).verdict == VALID
    assert _verify(export, expect_head=head.upper()).verdict == VALID
    wrong = _verify(export, expect_head="a" * 64)
    assert wrong.verdict == INVALID and "given with --expect-head" in wrong.first_failure
    at_head = receipt_code(export["entry_count"], head)
    assert _verify(export, receipts=[at_head]).verdict == VALID
    with pytest.raises(InputError, match="is not a head hash"):
        _verify(export, expect_head="abc")


def test_trust_is_noted_as_unused_for_a_json_export(export: dict, tmp_path: Path,
                                                    other_cert: Path) -> None:
    path = tmp_path / "e.json"
    path.write_bytes(canonical_bytes(export))
    result = verify_file(path, other_cert)
    assert result.verdict == UNANCHORED
    assert "note --trust: a JSON export carries no signature, so no certificate was used" \
        in result.lines


@pytest.fixture(scope="module")
def other_cert(tmp_path_factory) -> Path:
    from pir.export.signing import new_self_signed

    path = tmp_path_factory.mktemp("cert") / "c.pem"
    path.write_text(new_self_signed(PIM).certificate_pem())
    return path


def test_duplicate_keys_are_refused(export: dict) -> None:
    data = canonical_bytes(export)
    target = b'"text":"Note 3: the scene was held."'
    forged = data.replace(target, b'"text":"FORGED",' + target, 1)
    result = _verify(forged)
    assert result.verdict == INVALID
    assert result.first_failure == ("log: The key 'text' appears twice in one object: a reader "
                                    "could be shown either value, so the file is refused.")


@pytest.mark.parametrize("rewrite", [
    lambda d: json.dumps(json.loads(d), indent=1, sort_keys=True,
                         ensure_ascii=False).encode("utf-8"),
    lambda d: json.dumps(json.loads(d), ensure_ascii=False).encode("utf-8"),
    lambda d: d.replace(b"scene", b"sc\\u0065ne", 1),
    lambda d: b" " + d,
])
def test_any_rewrite_that_is_not_byte_exact_canonical_is_refused(export: dict, rewrite) -> None:
    result = _verify(rewrite(canonical_bytes(export)))
    assert result.verdict == INVALID
    assert "is not byte-exact canonical JSON" in result.first_failure


@pytest.mark.parametrize("field,value", [("ref", "CAD-2026-0000-0001"),
                                         ("template", "custody-dsi"),
                                         ("template_version", "0.1")])
def test_header_fields_the_chain_pins_are_checked(export: dict, field: str, value: str) -> None:
    export["incident"][field] = value
    result = _verify(export)
    assert result.verdict == INVALID
    assert f"gives the incident's {field} as {value!r}, but entry 1 records" in \
        result.first_failure


def test_header_fields_no_hash_covers_are_said_to_be_unprotected(export: dict) -> None:
    # Documented (docs/LOG-FORMAT.md, section 1): a reader may not rely on these.
    export["exported_by"]["name"] = "Someone Else"
    export["exported_at"] = "2030-01-01T00:00:00.000000Z"
    export["software"] = "PIR 9"
    export["incident"]["policy_reference"] = "anything"
    assert _verify(export).verdict == UNANCHORED
    doc = (Path(__file__).resolve().parents[1] / "docs" / "LOG-FORMAT.md").read_text()
    assert "covered by nothing in the JSON file" in doc
    for name in ("exported_at", "exported_by", "software", "incident.policy_reference"):
        assert f"`{name}`" in doc


def test_an_unknown_header_field_is_refused(export: dict) -> None:
    export["note"] = "trust me"
    assert "unexpected or missing fields: note" in _verify(export).first_failure


def test_a_reorder_is_reported_as_a_reorder_not_as_missing(export: dict) -> None:
    entries = export["entries"]
    entries[19], entries[20] = entries[20], entries[19]
    assert _verify(export).first_failure == ("log: Entry 21 appears before entry 20: the "
                                             "entries were reordered.")


def test_a_removal_and_a_repeat_are_named(export: dict) -> None:
    removed = json.loads(json.dumps(export))
    del removed["entries"][19]
    assert _verify(removed).first_failure == "log: Entry 20 is missing (entries were removed)."
    repeated = json.loads(json.dumps(export))
    repeated["entries"].insert(20, repeated["entries"][5])
    assert _verify(repeated).first_failure == "log: Entry 6 appears twice (again at position 21)."


# -- limits: size and nesting, refused quickly and in one sentence ---------------------------

def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, capsys,
                                                                  monkeypatch) -> None:
    opened: list[str] = []

    def spy_open(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        opened.append(str(file))
        return open(file, *args, **kwargs)

    monkeypatch.setattr(verify_module, "open", spy_open, raising=False)
    for name, head in (("big.json", b'{"format":'), ("big.pdf", b"%PDF-1.7\n")):
        path = tmp_path / name
        with open(path, "wb") as f:
            f.write(head)
            f.truncate(200 * 1024 * 1024)  # sparse: 200 MB that cost no disk
        with pytest.raises(InputError, match=r"is 200 MB; PIR verifies exports of up to 100 MB"):
            verify_file(path)
        assert main(["verify", str(path)]) == 2
        assert opened == [], "the file was opened for reading"
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "so it was not read" in err


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.setattr(verify_module, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "x.json"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InputError, match="so it was not read"):
        verify_file(path)
    assert MAX_FILE_BYTES == 100 * 1024 * 1024


@pytest.mark.parametrize("data", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"[1," * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
])
def test_deep_nesting_is_refused_without_recursion(data: bytes, capsys, tmp_path) -> None:
    result = verify_bytes(data)
    assert result.verdict == INVALID
    assert result.first_failure == (f"log: The file nests arrays or objects more than "
                                    f"{MAX_DEPTH} deep; a PIR export never does.")
    path = tmp_path / "deep.json"
    path.write_bytes(data)
    assert main(["verify", str(path)]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_a_file_of_little_but_brackets_is_refused_before_parsing() -> None:
    result = verify_bytes(b"[" + b"[]," * 100_000 + b"[]]")
    assert "it is not a PIR export" in result.first_failure


def test_a_pdf_whose_manifest_nests_deep_is_refused(log: IncidentLog, tmp_path: Path) -> None:
    from pir.export.format import MANIFEST_NAME
    from pir.export.pdf import render_pdf
    from pir.export.signing import Attachment, new_self_signed, sign_pdf

    identity = new_self_signed(PIM)
    doc = build_export(log, PIM)
    rendered = render_pdf(log, doc, exported_by=PIM, identity=identity)
    deep = b"[" * 200_000 + b"]" * 200_000
    data = sign_pdf(rendered.data, identity, [Attachment(MANIFEST_NAME, deep, "deep")], None,
                    reason="deep")
    result = verify_bytes(data)
    assert result.verdict == INVALID
    assert "The manifest nests arrays or objects more than 64 deep" in result.first_failure


def test_a_pdf_cut_short_is_refused_before_parsing() -> None:
    result = verify_bytes(b"%PDF-1.7\n" + b"%" + b"x" * 5_000_000 + b"\n%%EOF\n")
    assert result.first_failure.startswith("PDF: the file does not end as a PDF does")
