"""The PDF of an incident written on several laptops: the chronology holds every laptop's
entries (another laptop's named "12 (PIS laptop 2)"), and each other laptop's entries follow
the numbered log in their own section; the redacted copy redacts them too."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pir.clock import FixedClock
from pir.devices import set_device_name
from pir.export.json_log import build_export, export_bytes
from pir.export.signing import new_self_signed
from pir.force import shipped_settings_path
from pir.incident import IncidentLog
from pir.log.store import Database
from pir.merge import import_file
from pir.share import join_incident, share_bytes
from tests.helpers import add_person
from tests.values import LOGGIST, PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"
NOTE = "Welfare: tea and a blanket for Rhodri Pryce"
NOTE_REDACTED = "Welfare: tea and a blanket for AFO-C7"


@pytest.fixture(autouse=True)
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIR_FORCE_SETTINGS", str(shipped_settings_path()))


@pytest.fixture
def laptops(tmp_path: Path):
    """The PIM's laptop, holding the chain of the PIS laptop, which records a protected AFO."""
    clock = FixedClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    a_db = Database.create(tmp_path / "a.db", PASSPHRASE, clock=clock)
    b_db = Database.create(tmp_path / "b.db", PASSPHRASE, clock=clock)
    set_device_name(a_db, "PIM laptop")
    set_device_name(b_db, "PIS laptop 2")
    a = IncidentLog.create(a_db, ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
    b = join_incident(b_db, share_bytes(a_db, REF), LOGGIST)
    clock.advance(minutes=5)
    add_person(a, "Siân Llŷr")
    add_person(b, "Rhodri Pryce", "KPW", cipher="AFO-C7", author=LOGGIST)
    clock.advance(minutes=1)
    b.append("note", {"text": NOTE}, author=LOGGIST)
    exported = tmp_path / "b.json"
    exported.write_bytes(export_bytes(build_export(b, LOGGIST)))
    import_file(a_db, exported, PIM)
    yield a, b
    a_db.close()
    b_db.close()


def pdf_text(log: IncidentLog, out: Path, redacted: bool = False) -> str:
    """The text with its layout kept (a chronology line stays one line), spaces squeezed."""
    from pir.export.pdf import export_pdf

    export_pdf(log, out, exported_by=PIM, identity=new_self_signed(PIM), redacted=redacted,
               confirmed=True)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def joined(text: str) -> str:
    return " ".join(text.split())


def sections(text: str) -> tuple[str, str]:
    """The chronology, and what follows the numbered log."""
    chronology = text[text.rindex("Chronology\nEvery entry"):text.rindex(
        "The log, in full and in order")]
    return chronology, text[text.rindex("End of the log:"):]


def test_the_merged_pdf_lists_the_other_laptops_entries(laptops, tmp_path) -> None:
    a, b = laptops
    note_seq = b.db.head(b.row.id)[0]
    chronology, after = sections(pdf_text(a, tmp_path / "merged.pdf"))
    assert "this laptop (PIM laptop)" in joined(chronology)
    # The other laptop's note, on one line with its number and its laptop's name.
    assert f"14:06:00 {note_seq} (PIS laptop 2) Note — {NOTE}" in chronology.splitlines()
    # This laptop's entries keep their plain numbers.
    assert any(line.startswith("14:05:00 2 Add a person to the register — Siân Llŷr")
               for line in chronology.splitlines())
    head = b.db.head(b.row.id)[1]
    assert (f"Entries written on PIS laptop 2 (device {b.db.database_id[:8]}): "
            f"{note_seq} entries, head {head}") in joined(after)
    assert f"{note_seq}. Note (note)" in after and f"Note: {NOTE}" in after


def test_the_redacted_merged_pdf_shows_ciphers_not_names(laptops, tmp_path) -> None:
    a, _b = laptops
    text = pdf_text(a, tmp_path / "redacted.pdf", redacted=True)
    chronology, after = sections(text)
    assert "Rhodri" not in text and "Pryce" not in text
    assert f"14:06:00 3 (PIS laptop 2) Note — {NOTE_REDACTED}" in chronology.splitlines()
    assert "Entries written on PIS laptop 2" in after and f"Note: {NOTE_REDACTED}" in after


def test_a_single_laptop_pdf_has_no_other_laptops_section(log, tmp_path) -> None:
    text = pdf_text(log, tmp_path / "single.pdf")
    assert "Entries written on" not in text and "this laptop (" not in text


def test_the_redaction_review_covers_the_other_laptops_entries(laptops) -> None:
    a, _b = laptops
    from pir.export.pdf import redaction_review

    review = redaction_review(a, build_export(a, PIM))
    replaced = {(r.matched, r.replacement) for r in review.replacements}
    assert ("Rhodri Pryce", "AFO-C7") in replaced


def test_the_chart_draws_the_other_laptops_entries(laptops, tmp_path) -> None:
    from pir.views.merged import KEY_BLOCK
    from pir.views.timeline_chart import build_timeline

    a, b = laptops
    pryce = next(p.seq for p in b.state.people.values() if p.name == "Rhodri Pryce")
    b.append("discharge.recorded", {
        "officer": pryce, "category": "less-lethal", "weapon_type": "Taser / CED",
        "rounds": 1, "discharged_at": "2026-11-25 13:58", "place": "car park",
        "intentional": "intentional"}, author=LOGGIST)
    again = tmp_path / "b2.json"
    again.write_bytes(export_bytes(build_export(b, LOGGIST)))
    import_file(a.db, again, PIM)
    state = a.refresh()
    entries = list(a.entries()) + a.other_laptops_entries()
    assert all(e.seq > KEY_BLOCK for e in a.other_laptops_entries())
    tl = build_timeline(state, entries, a.db.clock())
    discharges = [p for p in tl.points if p.seq > KEY_BLOCK and "Taser" in p.label]
    assert discharges and state.entry_label(discharges[0].seq).endswith("(PIS laptop 2)")
