"""The redaction review of a real log: what is withheld whole (contact details for everyone,
a protected person's warrant number, also when a correction changes them later), what is left
(an unprotected officer's number), and a protected name found in a late reason and in a
correction's reason."""

from __future__ import annotations

import pytest

from pir.export.json_log import build_export
from pir.export.pdf import redaction_review
from pir.incident import IncidentLog
from tests.values import PIM


def _person(log: IncidentLog, name: str, category: str, cipher: str = "", **extra) -> int:
    return log.append("person.added", {"name": name, "category": category, "cipher": cipher,
                                       **extra}, author=PIM).seq


def test_the_review_withholds_what_is_withheld_also_in_a_later_correction(
        log: IncidentLog) -> None:
    kpw = _person(log, "Łucja Nowak", "KPW", "B12", warrant_number="4471")
    civilian = _person(log, "Anna Baker", "civilian witness", contact="14 Castle Row")
    officer = _person(log, "Dan Reed", "other police witness", warrant_number="5562")
    fixes = [log.correct(kpw, "Warrant number misread", author=PIM,
                         fields={"warrant_number": "4472"}).seq,
             log.correct(civilian, "Moved house", author=PIM,
                         fields={"contact": "22 New Street"}).seq,
             log.correct(officer, "Warrant number misread", author=PIM,
                         fields={"warrant_number": "5563"}).seq]
    note = log.append("note", {"text": "Spoke with the family."}, author=PIM,
                      event_time="2026-11-25T13:00:00Z",
                      late_reason="Written up from Łucja Nowak's pocket book").seq
    review = redaction_review(log, build_export(log, PIM))
    whole = {(r.seq, r.field) for r in review.replacements if r.original == "(withheld whole)"}
    assert whole == {(kpw, "warrant_number"), (civilian, "contact"),
                     (fixes[0], "fields.warrant_number"), (fixes[1], "fields.contact")}
    assert not [r for r in review.replacements if r.seq in (officer, fixes[2])]
    late = [r for r in review.replacements if r.seq == note]
    assert [(r.field, r.matched, r.replacement) for r in late] == [
        ("late reason", "Łucja Nowak", "B12")]
    assert review.entry_count == len(build_export(log, PIM)["entries"])
    assert review.ref == log.row.ref and len(review.head_hash) == 64


@pytest.mark.parametrize(("text", "redacted"), [
    ("Gwilym's Glock was seized.", "C7's Glock was seized."),  # after a possessive: a thing
    ("ask Tom Hughes's radio", "ask Tom [name withheld]'s radio"),
    ("PC Hughes spoke.", "PC C7 spoke."),  # a title
    ("Dr Hughes came.", "Dr C7 came."),
    ("Tom Hughes spoke.", "Tom [name withheld] spoke."),  # beside someone else's name
    ("Hughes Tom there.", "[name withheld] Tom there."),
    ("Saw Hughes Tom there.", "Saw [name withheld] Tom there."),
    ("Hughes BWV on.", "C7 BWV on."),  # an acronym is not a name
    ("Hughes, Tom said.", "C7, Tom said."),  # not beside: a comma between
    ("Hughes Gwilym left.", "C7 C7 left."),  # beside their own name
    ("Hughes Gwilym's radio", "C7 C7's radio"),
])
def test_a_surname_alone_is_replaced_unless_it_stands_beside_another_name(
        log: IncidentLog, text: str, redacted: str) -> None:
    from pir.export.pdf.redaction import Redactor

    _person(log, "Gwilym Hughes", "KPW", "C7")
    redactor = Redactor.for_log(list(log.db.entries(log.row.id)), log.state)
    assert redactor(text) == redacted
