"""Telling a wrong passphrase from a damaged file, from the pages that verify: the sentence for
each case (one page, several, more than ten or twenty listed, the first page, a structure that
does not hold with every page sound), and the passphrase rules (length, quotes, NUL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pir.errors import CorruptDatabaseError, DamagedHeaderError, InputError, WrongPassphraseError
from pir.log import keying
from pir.log.keying import (
    PAGE_SIZE,
    check_new_passphrase,
    key_fits,
    open_here,
    page_count,
    quote,
    refusal,
    register,
)


class _Pages:
    """Stands in for a keyed connection: what cipher_integrity_check reports."""

    def __init__(self, failed: list[int] | None) -> None:
        self.failed = failed

    def execute(self, sql: str):
        assert sql == "PRAGMA cipher_integrity_check"
        if self.failed is None:
            raise keying.sqlcipher3.DatabaseError("file is not a database")
        rows = [(f"HMAC verification failed for page {p}",) for p in self.failed]
        return type("Rows", (), {"fetchall": lambda _self: rows})()

    def close(self) -> None:
        pass


@pytest.fixture
def pages20(tmp_path: Path) -> Path:
    path = tmp_path / "pir.db"
    path.write_bytes(b"\0" * (20 * PAGE_SIZE + 100))
    return path


def test_a_files_pages_are_counted_by_its_size_and_at_least_one(tmp_path, pages20) -> None:
    assert page_count(pages20) == 20
    small = tmp_path / "small.db"
    small.write_bytes(b"x")
    assert page_count(small) == 1 and page_count(tmp_path / "absent.db") == 1


def test_one_damaged_page_is_named_with_the_count(pages20: Path) -> None:
    found = refusal(_Pages([7]), pages20, Exception("x"))
    assert type(found) is CorruptDatabaseError
    assert str(found) == (
        f"{pages20} is damaged: the passphrase is right, but page 7 of 20 fails its check. "
        "Nothing was changed. Keep the file and restore the newest backup beside it; 'pir "
        "check --deep' says more.")


def test_several_damaged_pages_are_listed_up_to_ten(pages20: Path) -> None:
    two = str(refusal(_Pages([3, 4]), pages20, Exception("x")))
    assert "but pages 3, 4 of 20 fail its check." in two
    many = str(refusal(_Pages(list(range(2, 14))), pages20, Exception("x")))
    assert "pages 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … of 20 fail" in many


def test_the_first_page_damaged_with_others_sound_is_a_damaged_header(pages20: Path) -> None:
    found = refusal(_Pages([1, 5]), pages20, Exception("x"))
    assert type(found) is DamagedHeaderError and found.path == str(pages20)
    assert str(found) == (
        f"{pages20} is damaged: its first page does not verify, though the passphrase is right "
        "(the other 19 pages verify with it). Nothing was changed. Keep this file, and restore "
        "the newest backup beside it; 'pir check --deep' lists the damage.")


@pytest.mark.parametrize("failed", [None, list(range(1, 21)), list(range(1, 25))])
def test_no_page_verifying_is_a_wrong_passphrase(pages20: Path, failed) -> None:
    found = refusal(_Pages(failed), pages20, Exception("malformed"))
    assert type(found) is WrongPassphraseError and found.path == str(pages20)
    assert str(found) == (
        f"The passphrase does not open {pages20} (or the file is not a PIR database, or its "
        "first bytes are damaged: then no passphrase opens it). Nothing was changed.")


def test_every_page_sound_and_the_structure_broken_is_damage_not_a_passphrase(
        pages20: Path) -> None:
    found = refusal(_Pages([]), pages20, Exception("database disk image is malformed"))
    assert type(found) is CorruptDatabaseError
    assert str(found) == (
        f"{pages20} is damaged: every page verifies with this passphrase, but its structure "
        "does not hold (a write cut off by a crash whose journal was then lost, or damage to "
        "the file). Nothing was changed. Keep the file and restore the newest backup beside "
        "it; 'pir check --deep' says more.")
    assert type(refusal(_Pages([]), pages20, Exception("locked"))) is WrongPassphraseError


def test_the_key_fits_while_any_page_verifies(pages20: Path) -> None:
    assert key_fits(_Pages([]), pages20) is True
    assert key_fits(_Pages(list(range(1, 20))), pages20) is True
    assert key_fits(_Pages(list(range(1, 21))), pages20) is False
    assert key_fits(_Pages(None), pages20) is None


@pytest.mark.parametrize(("failed", "verdict", "first"), [
    ([], "sound", "ok   {p}: all 20 pages verify with this passphrase."),
    (None, "wrong-passphrase", "FAIL {p}: SQLCipher cannot check its pages with this "
                               "passphrase (not a SQLCipher file, or the header is gone)."),
    (list(range(1, 21)), "wrong-passphrase", "FAIL {p}: none of its 20 pages verifies with "
     "this passphrase: the passphrase is wrong (or the file's first 16 bytes, its salt, are "
     "damaged, or it is not a PIR database)."),
    ([9], "damaged", "FAIL {p}: the passphrase is right (19 of 20 pages verify), but 1 page is "
                     "damaged: 9."),
    ([2, 9], "damaged", "FAIL {p}: the passphrase is right (18 of 20 pages verify), but 2 "
                        "pages are damaged: 2, 9."),
])
def test_the_deep_check_says_what_a_file_that_will_not_open_amounts_to(
        monkeypatch, pages20: Path, failed, verdict: str, first: str) -> None:
    monkeypatch.setattr(keying, "connect", lambda path, passphrase, kdf: _Pages(failed))
    found, lines = keying.diagnose(pages20, "passphrase", None)
    assert (found, lines) == (verdict, [first.format(p=pages20)])


def test_the_deep_check_lists_twenty_pages_and_names_a_damaged_first_page(
        monkeypatch, pages20: Path) -> None:
    monkeypatch.setattr(keying, "connect", lambda *a: _Pages(list(range(1, 20))))
    verdict, lines = keying.diagnose(pages20, "passphrase", None)
    assert verdict == "damaged"
    assert lines[0].endswith("but 19 pages are damaged: " + ", ".join(map(str, range(1, 20)))
                             + ".")
    assert lines[1] == ("FAIL page 1 (the header and the table of tables) is damaged: the "
                        "database cannot be opened. Keep this file and restore the newest "
                        "backup beside it.")
    monkeypatch.setattr(keying, "connect", lambda *a: _Pages([]))
    path = pages20.with_name("big.db")
    path.write_bytes(b"\0" * (40 * PAGE_SIZE))
    monkeypatch.setattr(keying, "connect", lambda *a: _Pages(list(range(2, 25))))
    _, lines = keying.diagnose(path, "passphrase", None)
    assert lines[0].endswith(", 21 ….") and len(lines) == 1


def test_a_passphrase_is_at_least_eight_characters_and_carries_no_nul() -> None:
    check_new_passphrase("12345678")
    with pytest.raises(InputError) as short:
        check_new_passphrase("1234567")
    assert str(short.value) == "The passphrase must be at least 8 characters long."
    with pytest.raises(InputError) as nul:
        check_new_passphrase("12345678\x00")
    assert str(nul.value) == "A passphrase cannot contain a NUL character."


def test_a_quote_in_a_passphrase_is_doubled_for_the_pragma() -> None:
    assert quote("it's 'ours'") == "'it''s ''ours'''"
    assert quote("") == "''"


def test_a_database_is_open_here_until_its_last_holder_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    assert not open_here(path)
    register(path, 1)
    register(path, 1)
    register(path, -1)
    assert open_here(path)
    register(path, -1)
    assert not open_here(path)
    register(path, -1)  # one more let-go than holds: still not open, nothing negative kept
    register(path, 1)
    assert open_here(path)
    register(path, -1)


def test_ten_damaged_pages_are_all_listed_with_no_ellipsis(pages20: Path) -> None:
    text = str(refusal(_Pages(list(range(2, 12))), pages20, Exception("x")))
    assert "pages 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 of 20 fail" in text


def test_the_deep_check_lists_exactly_twenty_pages_with_no_ellipsis(
        monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    path.write_bytes(b"\0" * (40 * PAGE_SIZE))
    monkeypatch.setattr(keying, "connect", lambda *a: _Pages(list(range(2, 22))))
    _, lines = keying.diagnose(path, "passphrase", None)
    assert lines[0].endswith(", 20, 21.")


def test_eleven_damaged_pages_list_ten_and_an_ellipsis(pages20: Path) -> None:
    text = str(refusal(_Pages(list(range(2, 13))), pages20, Exception("x")))
    assert "pages 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … of 20 fail" in text


def test_the_deep_check_lists_twenty_of_twenty_one_damaged_pages_and_an_ellipsis(
        monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    path.write_bytes(b"\0" * (40 * PAGE_SIZE))
    monkeypatch.setattr(keying, "connect", lambda *a: _Pages(list(range(2, 23))))
    _, lines = keying.diagnose(path, "passphrase", None)
    assert lines[0].endswith("21 pages are damaged: " + ", ".join(map(str, range(2, 22)))
                             + " ….")
