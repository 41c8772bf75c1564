"""docs/LOG-FORMAT.md is enough to verify a log without PIR: its verifier agrees with ours."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes
from pir.errors import VerificationError
from pir.export.json_log import build_export, export_bytes, verify_export
from pir.incident import IncidentLog
from tests.helpers import add_person
from tests.values import PIM

DOC = Path(__file__).resolve().parents[1] / "docs" / "LOG-FORMAT.md"


@pytest.fixture
def verifier(tmp_path: Path) -> Path:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    script = tmp_path / "verify_log.py"
    script.write_text(blocks[0], encoding="utf-8")
    assert len(blocks[0].strip().splitlines()) <= 40  # short enough to retype in any language
    return script


def _run(script: Path, doc: dict | bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    f = tmp_path / "e.json"
    f.write_bytes(doc if isinstance(doc, bytes) else canonical_bytes(doc))
    return subprocess.run([sys.executable, str(script), str(f)], capture_output=True,
                          text=True)


def _ours(data: bytes) -> str | None:
    try:
        verify_export(data)
    except VerificationError as exc:
        return str(exc)
    return None


def _theirs_and_ours(script: Path, doc: dict | bytes, tmp_path: Path) -> tuple[bool, bool]:
    """Whether the document's script and PIR each accept the file (written canonically unless
    given as bytes)."""
    theirs = _run(script, doc, tmp_path).returncode == 0
    ours = _ours(doc if isinstance(doc, bytes) else canonical_bytes(doc)) is None
    return theirs, ours


def _export(log: IncidentLog) -> dict:
    add_person(log, "Siân Llŷr", cipher="B14")
    add_person(log, "نادية الخوري", "civilian witness")
    log.append("note", {"text": "line one\nline \"two\"\t\\ 🔥 \u0001"}, author=PIM)
    log.correct(5, "typo", fields={"text": "corrected"}, author=PIM)
    return json.loads(export_bytes(build_export(log, PIM)))


def test_standalone_verifier_accepts_an_intact_export(log, verifier, tmp_path) -> None:
    doc = _export(log)
    result = _run(verifier, doc, tmp_path)
    assert result.returncode == 0, result.stdout
    assert f"INTACT: {doc['entry_count']} entries" in result.stdout
    assert _theirs_and_ours(verifier, doc, tmp_path) == (True, True)


@pytest.mark.parametrize("tamper", ["edit", "remove", "swap", "count", "head", "incident",
                                    "ref", "template_version", "first"])
def test_standalone_verifier_and_pir_agree_on_tampering(log, verifier, tmp_path,
                                                        tamper) -> None:
    doc = _export(log)
    entries = doc["entries"]
    if tamper == "edit":
        entries[3]["payload"]["name"] = "Someone Else"
    elif tamper == "remove":
        del entries[2]
    elif tamper == "swap":
        entries[2], entries[3] = entries[3], entries[2]
    elif tamper == "count":
        doc["entry_count"] += 1
    elif tamper == "head":
        doc["head_hash"] = "0" * 64
    elif tamper == "incident":
        doc["incident"]["id"] = "another"
    elif tamper == "ref":
        doc["incident"]["ref"] = "CAD-2026-9999-0001"  # a header field the chain pins
    elif tamper == "template_version":
        doc["incident"]["template_version"] = "9.9"
    elif tamper == "first":
        del entries[0]
    assert _theirs_and_ours(verifier, doc, tmp_path) == (False, False)


def _raw(log: IncidentLog) -> bytes:
    return export_bytes(build_export(log, PIM))


def test_a_duplicate_key_is_refused_by_both(log, verifier, tmp_path) -> None:
    # A reader that keeps the first value shows FORGED; the hash covers "real" only.
    log.append("note", {"text": "real"}, author=PIM)
    data = _raw(log)
    assert data.count(b'"text":"real"') == 1
    forged = data.replace(b'"text":"real"', b'"text":"FORGED","text":"real"')
    assert _theirs_and_ours(verifier, forged, tmp_path) == (False, False)
    assert "appears twice in one object" in _ours(forged)
    assert "a key appears twice" in _run(verifier, forged, tmp_path).stdout


@pytest.mark.parametrize("rewrite", [
    lambda d: json.dumps(json.loads(d), ensure_ascii=False).encode("utf-8"),  # spaces
    lambda d: json.dumps(json.loads(d), sort_keys=True, separators=(",", ":")).encode(),  # \u
    lambda d: d + b"\n",
    lambda d: b"\xef\xbb\xbf" + d,  # byte-order mark
    lambda d: d.replace(b'"v":1}', b'"v":1.0}', 1),
])
def test_a_file_that_is_not_byte_exact_canonical_json_is_refused_by_both(
        log, verifier, tmp_path, rewrite) -> None:
    from tests.helpers import add_person

    add_person(log, "Siân Llŷr")
    data = rewrite(_raw(log))
    assert data != _raw(log)
    assert _theirs_and_ours(verifier, data, tmp_path) == (False, False)


def test_a_reordering_is_named_as_one_by_both(log, verifier, tmp_path) -> None:
    for i in range(4):
        log.append("note", {"text": f"note {i}"}, author=PIM)
    doc = json.loads(_raw(log))
    entries = doc["entries"]
    entries[3], entries[4] = entries[4], entries[3]
    assert "entry 5 appears before entry 4" in _run(verifier, doc, tmp_path).stdout
    assert _ours(canonical_bytes(doc)) == ("Entry 5 appears before entry 4: the entries were "
                                           "reordered.")
    doc = json.loads(_raw(log))
    del doc["entries"][3]
    assert _ours(canonical_bytes(doc)) == "Entry 4 is missing (entries were removed)."


def test_export_file_is_itself_canonical(log) -> None:
    data = export_bytes(build_export(log, PIM))
    assert export_bytes(json.loads(data)) == data
    assert verify_export(data).count == 2


def test_every_test_the_threat_model_names_exists() -> None:
    doc = (DOC.parent / "THREAT-MODEL.md").read_text(encoding="utf-8")
    named = re.findall(r"tests/([\w/]+\.py)::(\w+)", doc)
    assert named
    tests = DOC.parents[1] / "tests"
    missing = [f"{f}::{name}" for f, name in named
               if not re.search(rf"^def {name}\(", (tests / f).read_text(encoding="utf-8"),
                                re.M)]
    assert not missing


def test_every_kind_the_core_knows_is_described() -> None:
    from pir.procedures.kinds import CONTRACTS, GLOBAL_KINDS, WRITTEN_BY_PIR

    text = DOC.read_text(encoding="utf-8")
    missing = sorted(k for k in set(GLOBAL_KINDS) | set(WRITTEN_BY_PIR) | set(CONTRACTS)
                     if f"`{k}`" not in text)
    assert missing == []
