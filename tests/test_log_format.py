"""docs/LOG-FORMAT.md is enough to verify a log without PIR: its verifier agrees with ours."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert len(blocks[0].strip().splitlines()) <= 40
    return script


def _run(script: Path, doc: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    f = tmp_path / "e.json"
    f.write_bytes(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    return subprocess.run([sys.executable, str(script), str(f)], capture_output=True,
                          text=True)


def _theirs_and_ours(script: Path, doc: dict, tmp_path: Path) -> tuple[bool, bool]:
    theirs = _run(script, doc, tmp_path).returncode == 0
    try:
        verify_export(json.dumps(doc).encode("utf-8"))
        ours = True
    except VerificationError:
        ours = False
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


@pytest.mark.parametrize("tamper", ["edit", "remove", "swap", "count", "head", "incident"])
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
    assert _theirs_and_ours(verifier, doc, tmp_path) == (False, False)


def test_export_file_is_itself_canonical(log) -> None:
    data = export_bytes(build_export(log, PIM))
    assert export_bytes(json.loads(data)) == data
    assert verify_export(data).count == 2
