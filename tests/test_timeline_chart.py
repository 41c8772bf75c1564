"""The timeline description (pir.views.timeline_chart) of the demo incident at a fixed clock:
lanes, bars, points, the missed welfare check, the correction, late entries, the clock change,
and what the redacted copy's lane labels say."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pir.clock import FixedClock
from pir.demo import build_demo
from pir.export.json_log import build_export
from pir.export.pdf import render_pdf, sections
from pir.export.pdf.sections import timeline_chart as timeline_section
from pir.export.signing import new_self_signed
from pir.incident import IncidentLog
from pir.log.store import Database
from pir.receipts import give_receipt
from pir.times import iso_utc
from pir.views.timeline_chart import (
    EXHIBIT,
    INCIDENT,
    KPW,
    MAX_EXHIBIT_LANES,
    RECORD,
    REFERRAL,
    Timeline,
    axis_ticks,
    build_timeline,
    clock_changes,
    needed_entries,
)
from tests.values import LOGGIST, PIM, TEST_KDF_ITER

END = datetime(2026, 11, 25, 19, 30, tzinfo=UTC)  # the demo's clock: it runs 15:20-18:01 GMT
PROTECTED = ("Rhodri", "Pryce", "Siân", "Llŷr", "Okafor")


def utc(hh: int, mm: int, day: int = 25, month: int = 11) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=UTC)


def demo(tmp_path: Path, end: datetime = END) -> tuple[Database, IncidentLog]:
    path = tmp_path / "demo.db"
    ref = build_demo(path, "password1", kdf_iter=TEST_KDF_ITER, end=end)
    db = Database.open(path, "password1", kdf_iter=TEST_KDF_ITER, clock=FixedClock(end))
    return db, IncidentLog.open(db, ref)


def chart(log: IncidentLog, now: datetime = END) -> Timeline:
    return build_timeline(log.refresh(), log.entries(), now)


@pytest.fixture
def demo_log(tmp_path: Path):  # noqa: ANN201
    db, log = demo(tmp_path)
    yield log
    db.close()


def lane_key(tl: Timeline, label: str) -> str:
    return next(lane.key for lane in tl.lanes if lane.label == label)


def test_lanes_of_the_demo(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    kinds = [lane.kind for lane in tl.lanes]
    assert kinds == [INCIDENT, REFERRAL, KPW, KPW, KPW, EXHIBIT, EXHIBIT, EXHIBIT, RECORD]
    kpws = [lane for lane in tl.lanes if lane.kind == KPW]
    assert [lane.label for lane in kpws] == ["PC Rhodri Pryce", "PC Siân Llŷr",
                                             "Ch Insp R. Okafor"]
    assert [lane.redacted_label for lane in kpws] == ["AFO-B12", "AFO-B14", "TFC-3"]
    assert kpws[0].sublabel == "KPW · AFO-B12 · P5"
    exhibits = [lane for lane in tl.lanes if lane.kind == EXHIBIT]
    assert [(lane.label, lane.sublabel) for lane in exhibits] == [
        ("RP/1", "Glock 17 pistol, serial BKL221, made safe"), ("RP/2", "BWV camera AX-55102"),
        ("SL/1", "BWV camera AX-55117")]
    # The subject and the civilian witness have no lane of their own.
    assert not any("Briain" in lane.label or "Nadia" in lane.label for lane in tl.lanes)


def test_the_axis_covers_the_night_in_uk_time(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    assert tl.start == utc(14, 44)  # the Taser discharge, a minute before the shots
    assert tl.end == END
    assert tl.zone_label == "UK time (GMT)" and tl.clock_changes == ()
    assert [t.label for t in tl.ticks][:3] == ["15:00", "15:30", "16:00"]
    assert all(t.zone == "GMT" for t in tl.ticks)
    assert tl.ticks[0].day == "Wed 25 Nov 2026" and not tl.ticks[1].day


def test_bars_separation_bwv_and_custody(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    items = tl.by_lane()
    pryce = items[lane_key(tl, "PC Rhodri Pryce")]
    sep, bwv = pryce.bars
    # Started at 15:30 by the entry's own field, though written at 15:45; no end recorded.
    assert (sep.start, sep.end, sep.seq, sep.style, sep.open_end) == \
        (utc(15, 30), END, 11, "bwv_monitored", True)
    assert sep.label == "Monitored on BWV" and sep.track == 0
    assert (bwv.label, bwv.style, bwv.track, bwv.start) == ("BWV AX-60021", "bwv", 1, utc(15, 30))
    # The commander was never separated: no bar, and the target shows as outstanding.
    okafor = items[lane_key(tl, "Ch Insp R. Okafor")]
    assert okafor.bars == ()
    assert [(m.kind, m.at) for m in okafor.marks if "Separation" in m.label] == \
        [("outstanding", utc(16, 3))]
    rp1 = items[lane_key(tl, "RP/1")].bars
    assert [(b.label, b.start, b.end, b.seq, b.end_seq, b.open_end) for b in rp1] == [
        ("PC Rhodri Pryce", utc(15, 57), utc(15, 59), 15, 16, False),
        ("DC Owen Hughes", utc(15, 59), utc(16, 43), 16, 27, False),
        ("Exhibits store, Canterbury", utc(16, 43), END, 27, None, True)]
    assert {lane.key: lane.tracks for lane in tl.lanes}[lane_key(tl, "PC Rhodri Pryce")] == 2


def test_points_welfare_discharges_referral(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    items = tl.by_lane()
    for name, discharge in (("PC Rhodri Pryce", "Discharge: Glock 17 ×2"),
                            ("PC Siân Llŷr", "Discharge: Taser 7 ×1")):
        points = items[lane_key(tl, name)].points
        assert [(p.seq, p.at) for p in points if p.style == "welfare"] == \
            [(14, utc(15, 54)), (31, utc(17, 21))]
        assert [p.label for p in points if p.style == "discharge"] == [discharge]
        assert [p.seq for p in points if p.style == "anticonferring"] == [10]
    pia = [p for p in items[lane_key(tl, "PC Rhodri Pryce")].points if p.seq == 32]
    assert pia[0].label == "Personal initial account handed over to Insp Sarah Jones"
    referral = {p.seq: p for p in items[REFERRAL].points}
    assert referral[29].label == "First contact with the IOPC" and referral[29].at == utc(15, 35)
    assert referral[30].label == "Referred: mandatory referral (DSI)"
    assert referral[33].label.startswith("IOPC arrived") and referral[33].at == utc(17, 11)
    incident = [(p.label, p.seq) for p in items[INCIDENT].points]
    assert ("Incident", 3) in incident and ("Life pronounced extinct", 13) in incident
    assert ("Scale: full", 2) in incident
    assert any(label.startswith("Decision: Do not allow KPWs") for label, _ in incident)


def test_every_item_carries_its_entry_number(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    last = demo_log.state.last_seq
    assert all(1 <= item.seq <= last for item in (*tl.bars, *tl.points))
    assert all(m.seq is None or 1 <= m.seq <= last for m in tl.marks)
    # Marks without an entry are the missed and overdue ones: nothing met them.
    assert {m.kind for m in tl.marks if m.seq is None} <= {"missed", "overdue", "outstanding"}


def test_the_missed_and_late_welfare_checks(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    for lane in (lane for lane in tl.lanes if lane.kind == KPW):
        marks = [m for m in tl.by_lane()[lane.key].marks if m.label.startswith("Welfare")]
        assert [(m.kind, m.at, m.until, m.seq) for m in marks] == [
            ("late", utc(16, 54), utc(17, 21), 31),  # due an hour after #14, done at 17:21
            ("missed", utc(18, 21), None, None),  # drawn where it was due
            ("overdue", utc(19, 21), None, None)]
        assert marks[0].label == "Welfare check late by 27 min"
        assert marks[1].label == "Welfare check missed"


def test_late_entries_are_flagged(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    late = {p.seq for p in tl.points if p.late}
    # the anti-conferring instruction, first contact and the IOPC's arrival, written up later
    assert late == {10, 29, 33}


def test_the_correction_is_a_point_in_the_log_lane(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    record = tl.by_lane()[RECORD].points
    assert [(p.seq, p.label, p.style, p.at) for p in record] == \
        [(26, "Corrects #25 (note)", "correction", utc(16, 31))]
    assert not any(p.faint for p in tl.points)  # the note's text changed, not a time


def test_a_corrected_time_moves_the_point_and_keeps_the_first_value_faint(
        tmp_path: Path) -> None:
    db, log = demo(tmp_path)
    try:
        db.clock.advance(minutes=1)
        fix = log.correct(31, "The check was at 17:05; the PNB was misread.", author=LOGGIST,
                          event_time=iso_utc(utc(17, 5)))
        moved = log.correct(27, "Transfer time misread.", author=LOGGIST,
                            fields={"transferred_at": iso_utc(utc(16, 40))})
        tl = chart(log, db.clock())
        pryce = tl.by_lane()[lane_key(tl, "PC Rhodri Pryce")].points
        welfare = [(p.at, p.faint, p.label) for p in pryce if p.seq == 31]
        assert (utc(17, 5), False, "Welfare check") in welfare
        assert (utc(17, 21), True, f"First recorded at this time (corrected by #{fix.seq})") \
            in welfare
        # The late mark follows the corrected time: due 16:54, done 17:05.
        marks = [(m.label, m.until) for m in tl.by_lane()[lane_key(tl, "PC Rhodri Pryce")].marks
                 if m.at == utc(16, 54)]
        assert marks == [("Welfare check late by 11 min", utc(17, 5))]
        rp1 = tl.by_lane()[lane_key(tl, "RP/1")]
        assert [b.start for b in rp1.bars] == [utc(15, 57), utc(15, 59), utc(16, 40)]
        assert [(p.at, p.faint) for p in rp1.points if p.seq == 27] == \
            [(utc(16, 40), False), (utc(16, 43), True)]
        record = [(p.seq, p.label) for p in tl.by_lane()[RECORD].points]
        assert (moved.seq, "Corrects #27 (exhibit.transferred)") in record
    finally:
        db.close()


def test_a_withdrawn_entry_stays_faint_where_it_was(tmp_path: Path) -> None:
    db, log = demo(tmp_path)
    try:
        db.clock.advance(minutes=1)
        fix = log.correct(14, "Entered against the wrong incident.", author=LOGGIST,
                          withdraw=True)
        tl = chart(log, db.clock())
        for lane in (lane for lane in tl.lanes if lane.kind == KPW):
            faint = [p for p in tl.by_lane()[lane.key].points if p.seq == 14]
            assert [(p.faint, p.at, p.style) for p in faint] == \
                [(True, utc(15, 54), "first_recorded")]
            assert faint[0].label == f"Withdrawn: welfare.check (corrected by #{fix.seq})"
        assert "first_recorded" in tl.styles()
    finally:
        db.close()


def test_the_clock_change_is_on_the_axis(tmp_path: Path) -> None:
    # The night the clocks went back: 02:00 BST on 25 October 2026 became 01:00 GMT.
    end = utc(3, 0, day=25, month=10)
    db, log = demo(tmp_path, end)
    try:
        tl = chart(log, end)
        assert [(c.at, c.label) for c in tl.clock_changes] == [
            (utc(1, 0, 25, 10), "Clocks went back: 02:00 BST became 01:00 GMT")]
        assert tl.zone_label == "UK time (BST, then GMT from 01:00 GMT)"
        around = [(t.label, t.zone) for t in axis_ticks(utc(0, 0, 25, 10), utc(2, 0, 25, 10),
                                                        most=4)]
        assert around == [("01:00", "BST"), ("01:30", "BST"), ("01:00", "GMT"),
                          ("01:30", "GMT"), ("02:00", "GMT")]
        # The shots at 22:45 BST the evening before: the date is on the axis where it changes.
        assert any(t.day == "Sun 25 Oct 2026" for t in tl.ticks)
        assert tl.ticks[0].day == "Sat 24 Oct 2026" and tl.ticks[0].zone == "BST"
    finally:
        db.close()


def test_clock_changes_both_ways() -> None:
    spring = clock_changes(utc(0, 0, 28, 3), utc(3, 0, 29, 3))
    assert [(c.at, c.label) for c in spring] == [
        (utc(1, 0, 29, 3), "Clocks went forward: 01:00 GMT became 02:00 BST")]
    assert clock_changes(utc(0, 0, 1, 4), utc(0, 0, 1, 10)) == ()


def test_long_spans_tick_at_round_local_hours() -> None:
    ticks = axis_ticks(utc(0, 0, 20, 11), utc(0, 0, 23, 11), most=14)
    assert {t.label for t in ticks} == {"00:00", "06:00", "12:00", "18:00"}
    assert sum(1 for t in ticks if t.day) == 4


def test_redacted_lane_labels_name_no_protected_officer(demo_log: IncidentLog) -> None:
    tl = chart(demo_log)
    shown = " ".join(f"{lane.shown(True)} {lane.sublabel}" for lane in tl.lanes)
    assert not any(word in shown for word in PROTECTED)
    assert "AFO-B12" in shown and "TFC-3" in shown


def test_the_chart_reads_only_the_entries_it_needs(demo_log: IncidentLog) -> None:
    state = demo_log.state
    needed = needed_entries(state, demo_log.entries())
    # The late entries (and the write-up at the PIS, 35-42, all late), not the run's start or
    # end (34, 43), which happen when they are recorded.
    assert [e.seq for e in needed] == [10, 25, 26, 29, 33, *range(35, 43)]
    assert build_timeline(state, needed, END) == build_timeline(state, demo_log.entries(), END)


def test_many_exhibits_share_a_lane_per_producer(tmp_path: Path) -> None:
    db, log = demo(tmp_path)
    try:
        for i in range(MAX_EXHIBIT_LANES):
            log.append("exhibit.seized", {"ref": f"OH/{i + 1}", "description": f"Casing {i}",
                                          "holder": "DC Owen Hughes"}, author=LOGGIST)
        tl = chart(log, db.clock())
        lanes = [(lane.label, lane.sublabel) for lane in tl.lanes if lane.kind == EXHIBIT]
        assert lanes == [("Exhibits RP/…", "2 exhibits"), ("Exhibits SL/…", "1 exhibits"),
                         ("Exhibits OH/…", f"{MAX_EXHIBIT_LANES} exhibits")]
        oh = tl.by_lane()["exhibit:OH"].points
        assert len(oh) == MAX_EXHIBIT_LANES and oh[0].label == "OH/1 Seized, held by DC Owen Hughes"
    finally:
        db.close()


def test_a_closed_incident_ends_at_its_last_item(tmp_path: Path) -> None:
    db, log = demo(tmp_path)
    try:
        log.append("incident.closed", {"closed_at": iso_utc(END), "pim_signoff": "Insp Jones",
                                       "supervisor": "Supt Clarke"}, author=LOGGIST)
        tl = chart(log, END + timedelta(days=3))
        assert tl.end == END
        assert ("Closed and signed off", "closed") in [(p.label, p.style) for p in tl.points]
    finally:
        db.close()


# -- the PDF section ----------------------------------------------------------------------------

def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def section_pdf(log: IncidentLog, out: Path, redacted: bool,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    """The export laid out with the timeline section alone."""
    monkeypatch.setattr(sections, "SECTIONS", (timeline_section,))
    doc = build_export(log, LOGGIST)
    out.write_bytes(render_pdf(log, doc, exported_by=LOGGIST, identity=new_self_signed(PIM),
                               redacted=redacted).data)
    return out


def noted_at_end(log: IncidentLog) -> IncidentLog:
    """The demo with a last entry at its clock's end, so the chart is judged then whether the
    export judges at its last entry or at its own time."""
    log.append("note", {"text": "End of the demo night."}, author=LOGGIST)
    return log


def test_the_pdf_section_draws_lanes_axis_marks_and_entry_numbers(
        demo_log: IncidentLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = pdftotext(section_pdf(noted_at_end(demo_log), tmp_path / "chart.pdf", False,
                                 monkeypatch))
    for expected in ("The incident at a glance", "Incident, decisions and", "IOPC referral and",
                     "PC Rhodri Pryce", "PC Siân Llŷr", "Ch Insp R. Okafor", "RP/1", "SL/1",
                     "The log itself", "15:00 GMT", "16:00 GMT", "17:00 GMT", "18:00 GMT",
                     "Wed 25 Nov 2026", "#11 Monitored on BWV", "#31 Welfare check",
                     "Welfare check missed", "Welfare check late by 27 min (#31)",
                     "#26 Corrects #25 (note)", "#23 Discharge: Glock 17 ×2",
                     "(late entry)", "19:30 GMT", "UK time (GMT)"):
        assert expected in text, expected
    # Rendered to a picture without error (the drawings are valid PDF graphics).
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(tmp_path / "chart.pdf"),
                    str(tmp_path / "page")], check=True)
    assert sorted(p.name for p in tmp_path.glob("page-*.png"))


def test_the_redacted_section_names_no_protected_officer(
        demo_log: IncidentLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = pdftotext(section_pdf(demo_log, tmp_path / "chart.pdf", True, monkeypatch))
    assert not [word for word in PROTECTED if word in text]
    for cipher in ("AFO-B12", "AFO-B14", "TFC-3", "Seized, held by AFO-B12"):
        assert cipher in text


def test_the_chart_follows_the_summary_in_the_export(demo_log: IncidentLog,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "demo.pdf"
    out.write_bytes(render_pdf(demo_log, build_export(demo_log, LOGGIST), exported_by=LOGGIST,
                               identity=new_self_signed(PIM)).data)
    pages = pdftotext(out).split("\f")
    chart = next(i for i, page in enumerate(pages) if "The incident at a glance" in page)
    summary = next(i for i, page in enumerate(pages) if "Summary" in page)
    assert summary < chart < len(pages) // 2
    assert "#31 Welfare check" in "".join(pages[chart:chart + 3])


def test_the_pdf_draws_the_clock_change(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    end = utc(3, 0, day=25, month=10)
    db, log = demo(tmp_path, end)
    try:
        text = pdftotext(section_pdf(noted_at_end(log), tmp_path / "chart.pdf", False,
                                     monkeypatch))
        assert "Clocks went back: 02:00 BST became 01:00 GMT" in text
        assert "01:00 BST" in text and "01:00 GMT" in text and "23:00 BST" in text
        assert "UK time (BST, then GMT from 01:00 GMT)" in text
    finally:
        db.close()


def test_receipts_and_exports_are_points_in_the_log_lane(tmp_path: Path) -> None:
    db, log = demo(tmp_path)
    try:
        receipt = give_receipt(log, LOGGIST, "Force control room")
        log.record_export(author=LOGGIST, fmt="pdf", file_name="demo.pdf", file_sha256="0" * 64,
                          entries=34, head_hash="1" * 64)
        tl = chart(log, db.clock())
        record = [(p.label, p.style, p.seq) for p in tl.by_lane()[RECORD].points]
        assert (f"Receipt for entry {receipt.seq}: {receipt.code}", "receipt",
                receipt.entry_seq) in record
        assert ("Exported (pdf)", "export", receipt.entry_seq + 1) in record
        assert {"receipt", "export", "correction"} <= set(tl.styles())
    finally:
        db.close()
