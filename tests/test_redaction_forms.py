"""The forms the redacted copy looks for, one rule each: a name with no title, a name made
only of titles, a name that has no words followed by a real one, every name a correction
ever gave, the parts of a collar number typed on their own, and the three-letter half of a
hyphenated surname."""

from __future__ import annotations

import unicodedata

import pytest

from pir.export.pdf.redaction import WITHHELD_NAME, Redactor
from pir.incident import IncidentLog
from tests.values import PIM


def _person(log: IncidentLog, name: str, cipher: str = "", **extra: str) -> int:
    return log.append("person.added", {"name": name, "category": "KPW" if cipher else
                                       "other police witness", "cipher": cipher, **extra},
                      author=PIM).seq


def _redactor(log: IncidentLog) -> Redactor:
    return Redactor.for_log(list(log.db.entries(log.row.id)), log.state)


def test_the_forename_alone_of_a_name_without_a_title_is_replaced(log: IncidentLog) -> None:
    _person(log, "Ceri Prydderch", "W80")
    redact = _redactor(log)
    assert redact("Ceri said stop.") == "W80 said stop."
    assert redact("C. Prydderch left.") == "W80 left."


def test_a_name_made_only_of_titles_is_itself_the_form_and_breaks_nothing(
        log: IncidentLog) -> None:
    _person(log, "Sergeant", "S1")
    _person(log, "Dan Reed")
    redact = _redactor(log)
    assert redact("Sergeant arrived; Dan Reed stayed.") == "S1 arrived; Dan Reed stayed."


def test_a_name_with_no_words_does_not_hide_the_names_recorded_after_it(
        log: IncidentLog) -> None:
    seq = _person(log, "?", "K4")
    log.correct(seq, "Name taken from the duty sheet", author=PIM,
                fields={"name": "Ffion Bowen"})
    assert _redactor(log)("Ffion Bowen fired.") == "K4 fired."


def test_every_name_a_correction_ever_gave_is_replaced_not_only_the_first_and_last(
        log: IncidentLog) -> None:
    seq = _person(log, "Rhodri Griffiths", "A2")
    log.correct(seq, "Misheard at the scene", author=PIM, fields={"name": "Rhydian Griffith"})
    log.correct(seq, "Spelling from the warrant card", author=PIM,
                fields={"name": "Rhydian Gruffydd"})
    redact = _redactor(log)
    for name in ("Rhodri Griffiths", "Rhydian Griffith", "Rhydian Gruffydd"):
        assert redact(f"{name} spoke.") == "A2 spoke.", name
    labels = _redactor(log).labels
    assert labels[seq] == f"Rhydian Gruffydd (A2, P{seq})"


def test_a_name_corrected_back_is_labelled_by_the_name_it_has_now(log: IncidentLog) -> None:
    seq = _person(log, "O. Price", "A3")
    log.correct(seq, "Forename from the duty sheet", author=PIM, fields={"name": "Owain Price"})
    log.correct(seq, "Wrong officer on the sheet", author=PIM, fields={"name": "Owen Pryce"})
    log.correct(seq, "It was the first officer after all", author=PIM,
                fields={"name": "Owain Price"})
    assert log.state.people[seq].name == "Owain Price"
    assert _redactor(log).labels[seq] == f"Owain Price (A3, P{seq})"


@pytest.mark.parametrize(("number", "text", "redacted"), [
    ("PC 45A", "45A arrived.", "B7 arrived."),  # a word of the number with digits in it
    ("PC 45KE", "Then 45KE arrived.", "Then B7 arrived."),
    ("KE 6634", "KE 6634 fired.", "B7 fired."),  # the number as written, whole
    ("KE 6634", "6634 fired.", "B7 fired."),  # its digits
    ("CID 6634", "CID attended.", "CID attended."),  # a word without digits names nobody
])
def test_a_collar_number_is_found_whole_and_by_its_parts_with_digits(
        log: IncidentLog, number: str, text: str, redacted: str) -> None:
    _person(log, "Iwan Lloyd", "B7", warrant_number=number)
    assert _redactor(log)(text) == redacted


def test_a_three_letter_half_of_a_hyphenated_surname_is_withheld_as_ambiguous(
        log: IncidentLog) -> None:
    _person(log, "Tomos Smith-Lee", "D5")
    redact = _redactor(log)
    assert redact("Lee was there.") == f"{WITHHELD_NAME} was there."
    assert redact("Tomos Smith-Lee was there.") == "D5 was there."


def test_the_full_copy_prints_text_exactly_as_written_in_its_own_normalisation() -> None:
    written = unicodedata.normalize("NFD", "Siân Öztürk said: “stop”.")
    assert Redactor()(written) == written
    assert Redactor()("") == ""
