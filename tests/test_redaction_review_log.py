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
    ("Then, Hughes Tom there.", "Then, [name withheld] Tom there."),  # beside the next
    ("Hughes Gwilym left.", "C7 C7 left."),  # beside their own name
    ("Hughes Gwilym's radio", "C7 C7's radio"),
])
def test_a_surname_alone_is_replaced_unless_it_stands_beside_another_name(
        log: IncidentLog, text: str, redacted: str) -> None:
    from pir.export.pdf.redaction import Redactor

    _person(log, "Gwilym Hughes", "KPW", "C7")
    redactor = Redactor.for_log(list(log.db.entries(log.row.id)), log.state)
    assert redactor(text) == redacted


def _review(log: IncidentLog):
    return redaction_review(log, build_export(log, PIM))


def _found(review, seq: int) -> list[tuple[str, str, str]]:
    return [(r.field, r.matched or r.original, r.replacement) for r in review.replacements
            if r.seq == seq]


def test_a_correction_of_a_note_is_reviewed_in_its_fields_and_its_reason(
        log: IncidentLog) -> None:
    _person(log, "Łucja Nowak", "KPW", "B12")
    note = log.append("note", {"text": "Spoke with the family."}, author=PIM).seq
    fix = log.correct(note, "Łucja Nowak remembered it better", author=PIM,
                      fields={"text": "Łucja Nowak spoke with the family."},
                      event_time="2026-11-25T12:40:00Z").seq
    assert _found(_review(log), fix) == [("fields.text", "Łucja Nowak", "B12"),
                                         ("reason", "Łucja Nowak", "B12")]


def test_a_protected_persons_corrected_name_is_found_in_the_review(log: IncidentLog) -> None:
    kpw = _person(log, "Lucja Nowak", "KPW", "B12")
    log.correct(kpw, "Name misspelt", author=PIM, fields={"name": "Łucja Nowak"})
    note = log.append("note", {"text": "Łucja Nowak handed over her radio."}, author=PIM).seq
    assert _found(_review(log), note) == [("text", "Łucja Nowak", "B12")]


def test_the_review_of_the_opening_entry_alone_or_of_no_entry_replaces_nothing(
        log: IncidentLog) -> None:
    from pir.export.pdf.review import review_entries

    opening = list(log.db.entries(log.row.id))[:1]
    for entries in (opening, []):
        review = review_entries(log.row.ref, log.template, entries, "0" * 64)
        assert review.entry_count == len(entries)
        assert review.replacements == () and review.ambiguous == ()


def test_a_protected_author_or_decision_maker_is_listed_in_the_review(log: IncidentLog) -> None:
    from pir.incident import Officer

    _person(log, "Łucja Nowak", "KPW", "B12")
    nowak = Officer("Łucja Nowak", "PC", "", "AFO", "Gwent Police")
    written = log.append("note", {"text": "Radio handed in."}, author=nowak).seq
    decided = log.append("note", {"text": "Radio kept."}, author=PIM, decision_maker=nowak).seq
    review = _review(log)
    assert _found(review, written) == [("author", "Łucja Nowak", "B12")]
    assert _found(review, decided) == [("decision maker", "Łucja Nowak", "B12")]


def test_a_field_withheld_whole_does_not_end_the_review_of_its_entry(log: IncidentLog) -> None:
    _person(log, "Łucja Nowak", "KPW", "B12")
    civilian = _person(log, "Anna Baker", "civilian witness", contact="14 Castle Row",
                       notes="Saw Łucja Nowak arrive.")
    assert _found(_review(log), civilian) == [("contact", "(withheld whole)", "[withheld]"),
                                              ("notes", "Łucja Nowak", "B12")]


def test_a_person_corrected_into_a_protected_category_is_replaced_in_the_review(
        log: IncidentLog) -> None:
    officer = _person(log, "Łucja Nowak", "other police witness")
    note = log.append("note", {"text": "Łucja Nowak handed over her radio."}, author=PIM).seq
    assert _found(_review(log), note) == []
    log.correct(officer, "She fired: a KPW", author=PIM,
                fields={"category": "KPW", "cipher": "B12"})
    assert _found(_review(log), note) == [("text", "Łucja Nowak", "B12")]


def test_a_rank_given_in_a_person_update_or_its_correction_is_replaced_with_the_surname(
        log: IncidentLog) -> None:
    from pir.export.pdf.redaction import Redactor

    kpw = _person(log, "Łucja Nowak", "KPW", "B12", rank="PC")
    text = "Sgt Nowak gave her radio; Insp Nowak signed; PC Nowak left."

    def redacted() -> str:
        return Redactor.for_log(list(log.db.entries(log.row.id)), log.state)(text)

    assert redacted() == "Sgt B12 gave her radio; Insp B12 signed; B12 left."
    update = log.append("person.updated", {"person": kpw, "rank": "Sgt",
                                           "reason": "Acting rank"}, author=PIM).seq
    assert redacted() == "B12 gave her radio; Insp B12 signed; B12 left."
    log.correct(update, "Rank misread", author=PIM, fields={"rank": "Insp"})
    assert redacted() == "B12 gave her radio; B12 signed; B12 left."  # every rank recorded


def test_every_writer_keeps_their_rank_and_surname_however_many_write(log: IncidentLog) -> None:
    from pir.export.pdf.redaction import Redactor
    from pir.incident import Officer

    kpw = _person(log, "Gareth Smith-Jones", "KPW", "B3", warrant_number="KE-4512")
    writers = [PIM] + [Officer(f"Writer {n} Evans", "PC", f"77{n}", "Loggist", "Kent Police")
                       for n in range(6)]
    for writer in writers:
        log.append("note", {"text": "Entry written up."}, author=writer)
    # Written by someone in the register, decided by someone who appears nowhere else.
    log.append("note", {"text": "Account given."}, author=Officer("Gareth Smith-Jones", "PC"),
               decision_maker=Officer("Dai Jones", "Superintendent", "1100"))
    redact = Redactor.for_log(list(log.db.entries(log.row.id)), log.refresh())
    assert redact("Inspector Jones signed.") == "Inspector Jones signed."  # the PIM, by rank
    assert redact("Superintendent Jones agreed.") == "Superintendent Jones agreed."
    assert redact("PC Jones signed.") == "PC [name withheld] signed."
    assert redact("Gareth Smith-Jones fired.") == "B3 fired."  # the KPW is still protected
    assert kpw in log.state.people


def test_an_ambiguous_surname_names_the_writer_who_shares_it_as_such(log: IncidentLog) -> None:
    _person(log, "Gareth Smith-Jones", "KPW", "B3")
    note = log.append("note", {"text": "Jones was at the PIS."}, author=PIM).seq
    (ambiguous,) = [a for a in _review(log).ambiguous if a.seq == note]
    assert ambiguous.word == "Jones"
    assert "Sarah Jones (who wrote or decided entries)" in ambiguous.people
    assert any(p.startswith("Gareth Smith-Jones (B3, P") for p in ambiguous.people)


@pytest.mark.parametrize(("text", "redacted"), [
    ("Siân Llywelyn spoke.", "D4 spoke."),  # forename and surname, the middle name left out
    ("Mair Llywelyn spoke.", "D4 spoke."),  # the names after the first
    ("S. Llywelyn spoke.", "D4 spoke."),  # an initial and the surname
    ("DC Llywelyn spoke.", "D4 spoke."),  # rank and surname
    ("DC Siân Mair Llywelyn spoke.", "D4 spoke."),
    ("Llywelyn spoke.", "D4 spoke."),
    ("Li spoke; Bo left.", "E5 spoke; E5 left."),  # two-letter names are names
    ("Exhibit J was bagged.", "Exhibit J was bagged."),  # one letter is not
    ("Evans spoke.", "[name withheld] spoke."),  # two protected people share it
])
def test_each_form_of_a_protected_name_is_replaced(log: IncidentLog, text: str,
                                                   redacted: str) -> None:
    from pir.export.pdf.redaction import Redactor

    _person(log, "Siân Mair Llywelyn", "KPW", "D4", rank="DC")
    _person(log, "Bo Li", "KPW", "E5")
    _person(log, "J Bloggs", "KPW", "F6")
    _person(log, "Gareth Evans", "KPW", "B3")
    _person(log, "Dai Evans", "KPW", "B4")
    redactor = Redactor.for_log(list(log.db.entries(log.row.id)), log.state)
    assert redactor(text) == redacted


def test_a_surname_two_protected_people_share_is_replaced_and_not_asked_about(
        log: IncidentLog) -> None:
    _person(log, "Gareth Evans", "KPW", "B3")
    _person(log, "Dai Evans", "KPW", "B4")
    note = log.append("note", {"text": "Evans spoke."}, author=PIM).seq
    review = _review(log)
    assert _found(review, note) == [("text", "Evans", "[name withheld]")]
    assert not [a for a in review.ambiguous if a.seq == note]


def test_a_replacement_is_shown_with_thirty_characters_either_side_and_marks_where_cut(
        log: IncidentLog) -> None:
    _person(log, "Łucja Nowak", "KPW", "B12")
    before, after = "a" * 45 + " ", " " + "b" * 45
    texts = {"middle": before + "Łucja Nowak" + after, "start": "Łucja Nowak" + after,
             "end": before + "Łucja Nowak", "short": "Łucja  Nowak\nleft."}
    seqs = {k: log.append("note", {"text": t}, author=PIM).seq for k, t in texts.items()}
    shown = {k: [r.original for r in _review(log).replacements if r.seq == seq]
             for k, seq in seqs.items()}
    assert shown["middle"] == ["…" + "a" * 29 + " Łucja Nowak " + "b" * 29 + "…"]
    assert shown["start"] == ["Łucja Nowak " + "b" * 29 + "…"]
    assert shown["end"] == ["…" + "a" * 29 + " Łucja Nowak"]
    assert shown["short"] == ["Łucja Nowak left."]  # white space made one space
