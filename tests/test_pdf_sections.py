"""What the exported log tells an investigator: discharges and the referral's life on the summary,
the discharge register, the compliance annex (judged at the export's head), the chronology,
the receipts given, and the marks for missed and late requirements in the numbered log."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pir.clock import FixedClock
from pir.export.json_log import build_export
from pir.export.pdf import RenderJob, SignerFacts, export_pdf, render_job
from pir.export.signing import new_self_signed
from pir.force import ForceSettings, shipped_settings_path
from pir.incident import IncidentLog
from pir.times import iso_utc
from tests.values import PIM

PROTECTED = "PC Rhodri Pryce"
OTHER_KPW = "PC Siân Llŷr"


@pytest.fixture(autouse=True)
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIR_FORCE_SETTINGS", str(shipped_settings_path()))


@pytest.fixture(scope="module")
def identity():
    return new_self_signed(PIM)


def flat_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


def pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return [" ".join(p.split()) for p in out.split("\f")]


def section(text: str, start: str, end: str | None = None) -> str:
    """The text from the heading `start` to the heading `end` (flattened text)."""
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[i:j]


def in_order(text: str, *parts: str, within: int = 400) -> bool:
    """Whether the parts appear in this order, each soon after the one before (the cells of a
    table row: pdftotext may put a wrapped cell's second line after the next cells)."""
    pattern = r".{0,%d}?".join(re.escape(p) for p in parts) % ((within,) * (len(parts) - 1)) \
        if len(parts) > 1 else re.escape(parts[0])
    return re.search(pattern, text, re.DOTALL) is not None


def firearms_incident(log: IncidentLog, clock: FixedClock) -> dict[str, int]:
    """Opened 14:00 GMT; two KPWs (one protected); a Taser and two shots; the referral's whole
    life; welfare checks at 14:30 and 17:10 (so the 15:30 check is missed and the 16:30 one is
    late); a late entry with its reason; a corrected note. The last entry is at 17:30."""
    add = log.append
    start = clock.now
    add("incident.declared", {
        "cad_reference": "CAD 0042", "operation_name": "Operation KESTREL",
        "incident_at": "2026-11-25T13:20:00Z", "location": "Canterbury Road",
        "incident_type": "conventional firearm discharge", "discharge": "intentional",
        "dsi_status": "death", "declared_by": "Supt A Clarke",
        "declared_at": "2026-11-25T13:40:00Z"}, author=PIM, event_time="2026-11-25T13:45:00Z")
    pryce = add("person.added", {"name": PROTECTED, "category": "KPW", "cipher": "AFO-B12",
                                 "warrant_number": "AFO 90412"}, author=PIM).seq
    llyr = add("person.added", {"name": OTHER_KPW, "category": "KPW", "cipher": ""},
               author=PIM).seq
    for officer, category, weapon, serial, rounds, at in [
        (llyr, "less-lethal", "Taser / CED", "T7-40917", 1, "2026-11-25T13:19:00Z"),
        (pryce, "conventional firearm", "pistol", "BKL221", 2, "2026-11-25T13:20:00Z"),
    ]:
        add("discharge.recorded", {
            "officer": officer, "category": category, "weapon_type": weapon,
            "make_model": "Glock 17" if weapon == "pistol" else "Taser 7", "serial": serial,
            "rounds": rounds, "discharged_at": at, "place": "Canterbury Road car park",
            "intentional": "intentional"}, author=PIM)
    clock.advance(minutes=30)  # 14:30
    add("welfare.check", {"people": [pryce, llyr], "by": "Sgt Megan Price",
                          "notes": "Both well.", "next_due_minutes": 60}, author=PIM)
    clock.advance(minutes=10)  # 14:40
    add("referral.first_contact", {"contacted_at": iso_utc(start),
                                   "contacted_by": "DI Carla Moss (PSD)",
                                   "duty_contact": "IOPC duty regional manager"}, author=PIM,
        event_time=start, late_reason="Call made by PSD; time confirmed afterwards.")
    clock.advance(minutes=20)  # 15:00
    add("referral.made", {"referral": "mandatory referral (DSI)",
                          "referred_at": iso_utc(clock.now), "referred_by": "DI Carla Moss",
                          "iopc_reference": "2026/004242",
                          "rationale": "Death following police discharge."}, author=PIM)
    clock.advance(minutes=40)  # 15:40
    add("iopc.attended", {"arrived_at": iso_utc(clock.now),
                          "attendees": "Ms Bethan Rees (IOPC lead investigator)"}, author=PIM)
    clock.advance(minutes=20)  # 16:00
    note = add("note", {"text": "Fed rep arrived at 15:55."}, author=PIM)
    log.correct(note.seq, "Misread the visitors' book.", author=PIM,
                fields={"text": "Fed rep arrived at 15:50."})
    clock.advance(minutes=10)  # 16:10
    add("iopc.mode_decided", {"mode": "independent (IOPC)", "decided_at": iso_utc(clock.now),
                              "communicated_by": "IOPC duty regional manager"}, author=PIM)
    clock.advance(minutes=60)  # 17:10
    add("welfare.check", {"people": [pryce, llyr], "by": "Sgt Megan Price",
                          "notes": "Both tired.", "next_due_minutes": 60}, author=PIM)
    clock.advance(minutes=20)  # 17:30
    add("note", {"text": "Awaiting the IOPC investigator."}, author=PIM)
    return {"pryce": pryce, "llyr": llyr}


def layout_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def exported(log: IncidentLog, clock: FixedClock, identity, tmp_path: Path):
    people = firearms_incident(log, clock)
    full, redacted = tmp_path / "full.pdf", tmp_path / "redacted.pdf"
    export_pdf(log, full, exported_by=PIM, identity=identity)
    export_pdf(log, redacted, exported_by=PIM, identity=identity, redacted=True)
    return log, people, flat_text(full), flat_text(redacted), layout_text(full)


def test_summary_lists_every_discharge_and_the_referrals_life(exported):
    _, people, full, redacted, _ = exported
    summary = section(full, "Summary", "Steps of the procedure")
    assert "DSI status death" in summary
    assert "Referral deadline 2026-11-26 23:59 GMT — on time" in summary
    for stage in ("first contact 2026-11-25 14:00 GMT", "referred 2026-11-25 15:00 GMT",
                  "IOPC reference 2026/004242", "IOPC attended 2026-11-25 15:40 GMT",
                  "form of investigation decided 2026-11-25 16:10 GMT independent (IOPC)"):
        assert stage in summary, stage
    pryce, llyr = people["pryce"], people["llyr"]
    assert in_order(summary, "2026-11-25 13:19:00 GMT", f"PC Siân Llŷr (P{llyr})", "less-lethal",
                    "Taser / CED, Taser 7", "T7-40917", " 1 ", "Canterbury Road", "intentional")
    assert in_order(summary, "2026-11-25 13:20:00 GMT", f"PC Rhodri Pryce (AFO-B12, P{pryce})",
                    "conventional", "pistol, Glock 17", "BKL221", " 2 ", "Canterbury Road",
                    "intentional")
    red = section(redacted, "Summary", "Steps of the procedure")
    assert in_order(red, "2026-11-25 13:20:00 GMT", f"AFO-B12 (P{pryce})", "conventional",
                    "pistol, Glock 17", "BKL221")
    assert "Pryce" not in red


def test_discharge_register_section_lists_each_discharge_in_time_order(exported):
    _, _, full, _, _ = exported
    register = section(full, "Discharge register", "Decisions and rationale")
    assert register.index("T7-40917") < register.index("BKL221")  # 13:19 before 13:20
    assert "2026-11-25 13:19:00 GMT" in register and "2026-11-25 13:20:00 GMT" in register
    assert "Weapons recorded" in register


def test_compliance_annex_lists_the_missed_and_late_welfare_checks(exported):
    _, _, full, redacted, _ = exported
    annex = section(full, "Annex: compliance with the timed requirements", "Chronology")
    assert "recorded 2026-11-25 17:30:00 GMT" in annex  # judged at the last entry
    assert in_order(annex, "welfare check for PC Rhodri Pryce (AFO-B12, P", "15:30 GMT",
                    "MISSED", within=60)
    assert in_order(annex, "welfare check for PC Siân Llŷr (P", "16:30 GMT", "17:10 GMT",
                    "late by 40 min", within=60)
    assert in_order(annex, "welfare check for PC Rhodri Pryce (AFO-B12, P", "15:00 GMT",
                    "14:30 GMT", "on time", within=60)
    red = section(redacted, "Annex: compliance with the timed requirements", "Chronology")
    assert in_order(red, "welfare check for AFO-B12 (P", "15:30 GMT", "MISSED", within=60)


def test_missed_and_late_requirements_are_marked_in_the_chronology_and_the_log(exported):
    _, _, full, redacted, _ = exported
    missed = re.compile(r"MISSED — welfare check for PC Rhodri Pryce \(AFO-B12, P\d+\) due "
                        r"15:30 GMT")
    late = re.compile(r"LATE by 40 min — welfare check for PC Siân Llŷr \(P\d+\) due 16:30 GMT, "
                      r"done 17:10 GMT")
    chronology = section(full, "Chronology", "The log, in full and in order")
    numbered = section(full, "The log, in full and in order")
    for text in (chronology, numbered):
        assert missed.search(text) and late.search(text)
    # In the numbered log the mark stands where the due time passed: after the entries
    # recorded before 15:30, before the first one recorded after it.
    at = missed.search(numbered).start()
    assert numbered.rfind("Formal referral to the IOPC (referral.made)", 0, at) != -1
    assert numbered.find("IOPC attendance at the scene or PIS", at) != -1
    assert "Met late: welfare check for PC Siân Llŷr" in numbered
    assert re.search(r"MISSED — welfare check for AFO-B12 \(P\d+\) due 15:30 GMT", redacted)


def test_chronology_is_in_event_time_order_and_marks_late_and_corrected_entries(exported):
    log, _, full, _, layout = exported
    chronology = section(full, "Chronology", "The log, in full and in order")
    # Each line: time, entry number, what happened (read in layout order).
    lines = section(layout, "Chronology", "The log, in full and in order")
    rows = [int(n) for n in re.findall(r"(?m)^\s*\d\d:\d\d:\d\d\s+(\d+)\s", lines)]
    assert sorted(rows) == list(range(1, log.state.last_seq - 1))  # every entry, once
    by_seq = {e.seq: e for e in log.entries()}
    times = [by_seq[n].event_time for n in rows if by_seq[n].kind != "correction"]
    first_contact = next(s for s, e in by_seq.items() if e.kind == "referral.first_contact")
    assert rows.index(first_contact) < rows.index(first_contact - 1)  # its event came first
    assert len(times) > 10
    assert "Late entry: recorded 14:40 GMT, 40 min after the event. Reason: Call made by PSD" \
        in chronology
    assert re.search(r"Note — Fed rep arrived at 15:50\. \[corrected by entry \d+\]",
                     chronology)
    assert "Correction of entry" in chronology and "reason: Misread the visitors' book." \
        in chronology


def test_the_annex_is_the_same_whatever_the_clock_says_when_exported(log, clock, identity):
    firearms_incident(log, clock)
    signer = SignerFacts.of(identity)

    def annex_at_export_time() -> str:
        doc = build_export(log, PIM)
        data = render_job(RenderJob(log.template, doc, PIM, signer)).data
        return data

    first = annex_at_export_time()
    clock.advance(hours=5)  # nothing recorded meanwhile: five more welfare intervals pass
    later = annex_at_export_time()
    path_a, path_b = Path(str(log.db.path) + ".a.pdf"), Path(str(log.db.path) + ".b.pdf")
    path_a.write_bytes(first)
    path_b.write_bytes(later)
    furniture = re.compile(r"Page \d+ of \d+")
    a = furniture.sub("", section(flat_text(path_a), "Annex: compliance", "Chronology"))
    b = furniture.sub("", section(flat_text(path_b), "Annex: compliance", "Chronology"))
    assert a == b


def test_receipts_given_are_listed_and_nothing_is_printed_when_there_are_none(log, clock,
                                                                             identity, tmp_path):
    from pir.receipts import code_for_hash, group

    firearms_incident(log, clock)
    signer = SignerFacts.of(identity)
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(render_job(RenderJob(log.template, build_export(log, PIM), PIM,
                                           signer)).data)
    assert "Receipts given" not in flat_text(plain)
    seq, head = log.db.head(log.row.id)
    code = group(code_for_hash(head))
    receipt = log.record_receipt(author=PIM, seq=seq, code=code, head_hash=head,
                                 given_to="Force control room (FIM)")
    with_receipt = tmp_path / "receipt.pdf"
    with_receipt.write_bytes(render_job(RenderJob(log.template, build_export(log, PIM), PIM,
                                                  signer)).data)
    summary = section(flat_text(with_receipt), "Receipts given", "Timed requirements")
    assert in_order(summary, f" {receipt.seq} ", "17:30 GMT", f" {seq} ", code,
                    head[:20], "Force control room (FIM)")
    assert head in summary.replace(" ", "")


def test_a_declined_voluntary_referral_is_shown_with_its_time_and_rationale(log, clock, identity,
                                                                           tmp_path):
    log.append("dsi.status", {"status": "none", "confirmed_by": "Dr A. Patel",
                              "confirmed_at": "2026-11-25T13:50:00Z",
                              "rationale": "Minor graze only; no serious injury."}, author=PIM)
    log.append("referral.not_required", {
        "decided_by": "Supt A Clarke", "decided_at": "2026-11-25T13:55:00Z",
        "rationale": "No DSI; no conduct matter indicated."}, author=PIM)
    out = tmp_path / "declined.pdf"
    out.write_bytes(render_job(RenderJob(log.template, build_export(log, PIM), PIM,
                                         SignerFacts.of(identity))).data)
    summary = section(flat_text(out), "Summary", "Steps of the procedure")
    assert "DSI status none" in summary and "IOPC referral voluntary referral declined" in summary
    assert in_order(summary, "voluntary referral declined", "2026-11-25 13:55 GMT",
                    "decided by Supt A Clarke", "rationale: No DSI; no conduct matter indicated.")
    assert "Referral deadline" not in summary


def test_force_name_and_policies_are_on_the_cover_when_set(log, clock, identity, tmp_path):
    firearms_incident(log, clock)
    doc = build_export(log, PIM)
    force = ForceSettings(name="Dyfed-Powys Police",
                          procedure_policies=(("firearms-discharge", ("DPP policy FA-7",)),),
                          retention_policy="MoPI group 1", retention_review_years=6)
    out = tmp_path / "force.pdf"
    out.write_bytes(render_job(RenderJob(log.template, doc, PIM, SignerFacts.of(identity),
                                         force=force)).data)
    cover = pages(out)[0]
    assert "Dyfed-Powys Police Post-incident procedure log" in cover
    assert "Force policy DPP policy FA-7" in cover
    assert "Records retention MoPI group 1; review 6 years after closure" in cover
    assert "Digitally signed" not in cover  # unsigned render: the panel is there, empty
    assert "Certificate SHA-256 fingerprint" in cover
