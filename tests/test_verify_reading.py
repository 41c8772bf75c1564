"""`pir verify` reading its file: at the size limit exactly it is read and one byte over it is
refused before reading, with the sentence the investigator sees; a file that cannot be read
is unusable input; anything unexpected inside the check is a failed check in one line (or,
for the tests, the exception itself); a certificate that cannot be used is refused whatever
the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pir.errors import InputError
from pir.export import verify as verify_module
from pir.export.json_log import build_export, export_bytes
from pir.export.verdict import INVALID, UNANCHORED, VerifyResult
from pir.export.verify import read_export, verify_bytes, verify_file, verify_json_bytes
from pir.incident import IncidentLog
from tests.values import PIM

LIMIT = 2 * 2**20


@pytest.fixture
def small_limit(monkeypatch) -> int:
    monkeypatch.setattr(verify_module, "MAX_FILE_BYTES", LIMIT)
    return LIMIT


def test_a_file_at_the_limit_is_read_and_one_byte_over_is_refused_unread(
        tmp_path: Path, small_limit: int) -> None:
    at = tmp_path / "at.json"
    at.write_bytes(b"x" * small_limit)
    assert read_export(at) == b"x" * small_limit
    over = tmp_path / "over.json"
    over.write_bytes(b"x" * (small_limit + 1))
    with pytest.raises(InputError) as refused:
        read_export(over)
    assert str(refused.value) == ("over.json is 2 MB; PIR verifies exports of up to 2 MB, so "
                                  "it was not read.")


def test_a_file_that_cannot_be_read_is_unusable_input(tmp_path: Path) -> None:
    with pytest.raises(InputError) as refused:
        read_export(tmp_path / "missing.json")
    assert str(refused.value) == f"Cannot read {tmp_path / 'missing.json'}: No such file or " \
                                 "directory."
    with pytest.raises(InputError, match=r"^Cannot read .*: Is a directory\.$"):
        read_export(tmp_path)


def test_bytes_over_the_limit_are_refused_and_at_the_limit_are_checked(small_limit) -> None:
    with pytest.raises(InputError) as refused:
        verify_bytes(b"x" * (small_limit + 1))
    assert str(refused.value) == ("The file is larger than 2 MB; PIR verifies exports up to "
                                  "that size.")
    assert verify_bytes(b"x" * small_limit).verdict == INVALID


def test_an_unexpected_error_inside_the_check_is_one_failed_line(monkeypatch, capsys,
                                                                 log: IncidentLog) -> None:
    data = export_bytes(build_export(log, PIM))

    def broken(data, result):
        raise KeyError("entries")

    monkeypatch.setattr(verify_module, "check_log_chain", broken)
    monkeypatch.setattr(verify_module, "CATCH_UNEXPECTED", True)
    result = verify_bytes(data)
    assert result.verdict == INVALID
    assert result.first_failure == ("the file could not be checked (KeyError: 'entries'); it is "
                                    "not a sound PIR export.")
    assert capsys.readouterr().err == "pir verify: unexpected KeyError while checking the file\n"
    monkeypatch.setattr(verify_module, "CATCH_UNEXPECTED", False)
    with pytest.raises(KeyError):
        verify_bytes(data)


def test_unusable_input_found_inside_the_check_is_raised_not_reported(monkeypatch) -> None:
    def refuses(data, result):
        raise InputError("no")

    monkeypatch.setattr(verify_module, "check_log_chain", refuses)
    monkeypatch.setattr(verify_module, "CATCH_UNEXPECTED", True)
    with pytest.raises(InputError, match="^no$"):
        verify_bytes(b"{}")


def test_a_json_export_verifies_with_its_head_and_a_trust_given_is_noted(
        log: IncidentLog) -> None:
    from pir.export.verdict import VerifyOptions

    data = export_bytes(build_export(log, PIM))
    result = VerifyResult()
    verify_json_bytes(data, result)
    seq, head = log.db.head(log.row.id)
    assert result.kind == "json"
    assert f"ok   head hash: {head} ({seq} entries)" in result.lines
    trusted = VerifyResult()
    verify_json_bytes(data, trusted, VerifyOptions(trust=(Path("x.pem"),)))
    assert trusted.lines[0] == ("note --trust: a JSON export carries no signature, so no "
                                "certificate was used")


def test_a_certificate_that_cannot_be_used_is_refused_whatever_the_file(
        tmp_path: Path, log: IncidentLog) -> None:
    path = tmp_path / "log.json"
    path.write_bytes(export_bytes(build_export(log, PIM)))
    assert verify_file(path).verdict == UNANCHORED
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(InputError):
        verify_file(path, bad)
    with pytest.raises(InputError):
        verify_file(path, [tmp_path / "absent.pem"])


def test_an_unexpected_errors_text_is_cut_to_200_characters(monkeypatch, capsys) -> None:
    def broken(data, result):
        raise ValueError("y" * 300)

    monkeypatch.setattr(verify_module, "check_log_chain", broken)
    monkeypatch.setattr(verify_module, "CATCH_UNEXPECTED", True)
    assert verify_bytes(b"{}").first_failure == (
        f"the file could not be checked (ValueError: {'y' * 200}); it is not a sound PIR "
        "export.")


def test_a_file_that_has_no_size_but_reads_on_forever_is_refused_after_the_limit(
        small_limit: int) -> None:
    """A device or a pipe says it is empty and then keeps giving bytes: the read stops one byte
    past the limit."""
    with pytest.raises(InputError) as refused:
        read_export(Path("/dev/zero"))
    assert str(refused.value) == ("zero is larger than 2 MB; PIR verifies exports up to that "
                                  "size, so it was not read.")
