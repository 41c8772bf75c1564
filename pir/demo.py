"""`pir demo`: a realistic (fictional) firearms-discharge incident to explore and to train with."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pir.clock import FixedClock, system_clock
from pir.incident import IncidentLog, Officer
from pir.log.store import Database
from pir.times import iso_utc

DEMO_REF = "DEMO-CAD-0412"

PIM = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")
LOGGIST = Officer("Tomasz Wiśniewski", "PC", "7781", "Loggist", "Kent Police")


def build_demo(path: Path, passphrase: str, *, kdf_iter: int | None = None,
               end: datetime | None = None) -> str:
    """Writes a new database at `path` holding one sample incident; returns its reference.

    The sample runs over about four hours ending at `end` (default: now), so times, late
    entries and overdue checks look as they would at a real scene.
    """
    end = end or system_clock()
    clock = FixedClock(end - timedelta(hours=4, minutes=10))
    db = Database.create(path, passphrase, kdf_iter=kdf_iter, clock=clock)
    try:
        db.set_setting("officer", LOGGIST.to_dict())
        _write(db, clock)
    except BaseException:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        raise
    db.close()
    return DEMO_REF


def _write(db: Database, clock: FixedClock) -> None:
    shots = clock.now - timedelta(minutes=35)

    def at(minutes: int) -> str:
        return iso_utc(shots + timedelta(minutes=minutes))

    def step(minutes: float) -> None:
        clock.advance(minutes=minutes)

    log = IncidentLog.create(
        db, ref=DEMO_REF, template_id="firearms-discharge", scale="full",
        title="DEMO (fictional): shots fired, Stour Street car park, Canterbury",
        rationale="Police discharge with a fatal injury: the full procedure applies. "
                  "Mandatory referral to the IOPC.",
        author=LOGGIST, decision_maker=PIM)
    add = log.append
    step(3)
    add("incident.declared", {
        "cad_reference": "CAD 0412 25/11", "operation_name": "Operation KESTREL",
        "incident_at": at(0), "location": "Stour Street car park, Canterbury CT1",
        "grid_reference": "TR 147 576", "incident_type": "conventional firearm discharge",
        "discharge": "intentional", "deployment": "spontaneous (ARV)", "dsi_status": "death",
        "declared_by": "Insp Mark Dunn (Force Incident Manager)", "declared_at": at(12),
        "pim_requested_at": at(14), "pim_name": "Insp Sarah Jones",
        "pim_arrived_at": at(33), "pis_location": "North Kent PIS, Gravesend"},
        author=LOGGIST, decision_maker=PIM)
    step(4)
    add("triggers.assessed", {
        "criteria": ["discharge by police", "death or serious injury"],
        "assessed_by": "Insp Sarah Jones", "voluntary_referral_considered": False,
        "rationale": "Two mandatory triggers apply; referral is mandatory."},
        author=LOGGIST, decision_maker=PIM)
    people = {}
    for name, category, cipher, extra in [
        ("PC Rhodri Pryce", "KPW", "AFO-B12", {"bwv_serial": "AX-55102",
                                              "weapons_carried": "Glock 17, G36 carbine, Taser 7"}),
        ("PC Siân Llŷr", "KPW", "AFO-B14", {"bwv_serial": "AX-55117",
                                           "weapons_carried": "Glock 17, Taser 7"}),
        ("Ch Insp R. Okafor", "KPW", "TFC-3", {"role": "Tactical firearms commander"}),
        ("Liam Ó Briain", "subject", "", {"injuries": "Gunshot wound to the chest"}),
        ("Nadia Al-Khouri (نادية الخوري)", "civilian witness", "",
         {"contact": "14 Castle Row, Canterbury CT1; 07700 900412"}),
    ]:
        step(2)
        entry = add("person.added", {"name": name, "category": category, "cipher": cipher,
                                     **extra}, author=LOGGIST, decision_maker=PIM)
        people[name] = entry.seq
    kpws = [people["PC Rhodri Pryce"], people["PC Siân Llŷr"], people["Ch Insp R. Okafor"]]
    step(3)
    add("anticonferring.given", {
        "given_at": at(40), "given_by": "Insp Sarah Jones", "to": kpws,
        "method": "verbal and recorded on BWV", "bwv_serial": "AX-60021",
        "wording": "You must not confer with anyone about the incident or your accounts."},
        author=LOGGIST, decision_maker=PIM, event_time=at(40),
        late_reason="Given at the PIS door; written up from the PIM's pocket book.")
    step(5)
    add("separation.decided", {
        "people": kpws[:2], "option": "monitored on BWV",
        "factors": ["number of KPWs", "resources", "location"],
        "decided_by": "Insp Sarah Jones", "started_at": at(45), "bwv_serial": "AX-60021",
        "bwv_started_at": at(45),
        "rationale": "Only one room at the PIS is free and two supervisors are not available "
                     "for an hour; the AFOs stay together under continuous BWV recording, which "
                     "the IOPC guidance accepts as an alternative to physical separation."},
        author=LOGGIST, decision_maker=PIM)
    step(2)
    add("decision", {
        "decision": "Do not allow KPWs to view BWV before personal initial accounts.",
        "information": "Request from Fed rep for the AFOs to view their BWV.",
        "threat_risk": "Viewing could contaminate recollection.",
        "powers_policy": "IOPC s.22 guidance; force post-incident policy.",
        "options": "Allow viewing; refuse viewing; defer until after initial accounts.",
        "options_rejected": "Allow viewing: risks best evidence.",
        "action": "Refused; reviewed after initial accounts.",
        "review": "At the handover to the IOPC investigator.",
        "rationale": "Accounts must come from the officers' own recollection.",
        "requirement": "p2.material_access"},
        author=LOGGIST, decision_maker=PIM)
    step(3)
    add("welfare.subject", {
        "subject": people["Liam Ó Briain"], "first_aid_by": "PC Rhodri Pryce",
        "first_aid_at": at(1), "ambulance_called_at": at(1), "ambulance_arrived_at": at(9),
        "hospital": "Kent and Canterbury Hospital",
        "condition": "Life pronounced extinct at the scene by the HEMS doctor.",
        "life_extinct_at": at(24), "life_extinct_by": "Dr A. Patel (HEMS)",
        "flo_status": "requested", "next_of_kin_informed": False},
        author=LOGGIST, decision_maker=PIM)
    step(4)
    add("welfare.check", {"people": kpws, "by": "Sgt Megan Price",
                          "notes": "Water and food provided; Fed rep en route.",
                          "next_due_minutes": 60}, author=LOGGIST, decision_maker=PIM)
    for ref, desc, holder in [
        ("RP/1", "Glock 17 pistol, serial BKL221, made safe", "PC Rhodri Pryce"),
        ("RP/2", "BWV camera AX-55102", "PC Rhodri Pryce"),
        ("SL/1", "BWV camera AX-55117", "PC Siân Llŷr"),
    ]:
        step(3)
        add("exhibit.seized", {"ref": ref, "description": desc, "holder": holder,
                               "seized_by": "DC Owen Hughes", "place": "North Kent PIS",
                               "seal_number": f"SEAL-{ref.replace('/', '')}"},
            author=LOGGIST, decision_maker=PIM)
        step(2)
        add("exhibit.transferred", {
            "ref": ref, "from_holder": holder, "to_holder": "DC Owen Hughes",
            "transferred_at": iso_utc(clock.now), "place": "North Kent PIS",
            "reason": "Seized as exhibit", "seal_intact": True},
            author=LOGGIST, decision_maker=PIM)
    step(4)
    add("scene.recorded", {
        "cordon_by": "PS Dan Kerr", "cordon_at": at(6),
        "cordon_extent": "Whole of Stour Street car park and both entrances.",
        "scene_log_by": "PC Amy Fox", "scene_log_ref": "SL-0412-1",
        "scene_manager": "DS Kate Morgan"}, author=LOGGIST, decision_maker=PIM)
    for officer, category, weapon, model, serial, rounds, minutes in [
        ("PC Siân Llŷr", "less-lethal", "Taser / CED", "Taser 7", "T7-40917", 1, -1),
        ("PC Rhodri Pryce", "conventional firearm", "pistol", "Glock 17", "BKL221", 2, 0),
    ]:
        step(2)
        add("discharge.recorded", {
            "officer": people[officer], "category": category, "weapon_type": weapon,
            "make_model": model, "serial": serial, "rounds": rounds, "discharged_at": at(minutes),
            "place": "Stour Street car park, by the pay machines", "intentional": "intentional"},
            author=LOGGIST, decision_maker=PIM)
    step(6)
    add("weapon.recorded", {
        "weapon_type": "firearm", "make_model": "Glock 17", "serial": "BKL221",
        "issued_to": people["PC Rhodri Pryce"], "made_safe_by": "PS Dan Kerr",
        "made_safe_at": at(20), "magazines": "2 magazines", "rounds_remaining": 32,
        "rounds_discharged": 2, "spent_cases": "2 recovered at scene",
        "exhibit_ref": "RP/1", "seal_number": "SEAL-RP1"}, author=LOGGIST, decision_maker=PIM)
    step(5)
    wrong = add("note", {"text": "Fed rep Mr Dafydd Evans arrived at the PIS at 16:05."},
                author=LOGGIST, decision_maker=PIM)
    step(3)
    log.correct(wrong.seq, "Time misread from the visitors' book: arrival was 15:50.",
                fields={"text": "Fed rep Mr Dafydd Evans arrived at the PIS at 15:50."},
                author=LOGGIST, decision_maker=PIM)
    step(12)
    add("exhibit.transferred", {
        "ref": "RP/1", "from_holder": "DC Owen Hughes", "to_holder": "Exhibits store, Canterbury",
        "transferred_at": iso_utc(clock.now), "place": "Canterbury police station",
        "reason": "Secure storage pending IOPC", "seal_intact": True},
        author=LOGGIST, decision_maker=PIM)
    step(10)
    add("dsi.recorded", {"dsi_matter": "recorded as a DSI matter",
                         "recorded_by": "DI Carla Moss (PSD)", "psd_reference": "PSD/2026/0931"},
        author=LOGGIST, decision_maker=PIM)
    step(3)
    add("referral.first_contact", {
        "contacted_at": at(50), "contacted_by": "DI Carla Moss (PSD)",
        "duty_contact": "IOPC duty regional manager",
        "notes": "Death following police discharge; IOPC to attend the PIS."},
        author=LOGGIST, decision_maker=PIM, event_time=at(50),
        late_reason="Call made by PSD; time confirmed with DI Moss afterwards.")
    step(5)
    add("referral.made", {
        "referral": "mandatory referral (DSI)", "referred_at": iso_utc(clock.now),
        "referred_by": "DI Carla Moss (PSD)", "iopc_reference": "2026/123456",
        "duty_contact": "IOPC duty regional manager",
        "rationale": "Death following police contact: mandatory referral."},
        author=LOGGIST, decision_maker=PIM)
    step(20)
    add("welfare.check", {"people": kpws, "by": "Sgt Megan Price",
                          "notes": "Fed rep present. AFO-B14 asked to phone family; arranged.",
                          "next_due_minutes": 60}, author=LOGGIST, decision_maker=PIM)
    step(25)
    add("account.recorded", {
        "person": people["PC Rhodri Pryce"], "account_type": "personal initial account",
        "format": "handwritten (PNB)", "legal_adviser_present": True, "material_viewed": "none",
        "handed_to": "Insp Sarah Jones", "handed_at": iso_utc(clock.now),
        "exhibit_ref": "RP/3", "before_off_duty": True}, step="p5.initial_account",
        author=LOGGIST, decision_maker=PIM)
    step(15)
    late_event = clock.now - timedelta(minutes=50)
    add("iopc.attended", {"arrived_at": iso_utc(late_event),
                          "attendees": "Ms Bethan Rees (IOPC lead investigator)",
                          "place": "post-incident suite (PIS)"},
        event_time=late_event, late_reason="PIM was with the family liaison; entry written "
        "from the visitors' book.", author=LOGGIST, decision_maker=PIM)
    _written_up_at_the_pis(log, at, clock, people, kpws)


def _written_up_at_the_pis(log: IncidentLog, at, clock: FixedClock, people: dict[str, int],
                           kpws: list[int]) -> None:
    """What the loggist writes up at the PIS from others' notes, each at the time it happened:
    the coroner told, the body's move, the family, the KPWs' journeys and what they carried."""
    def add(kind: str, fields: dict, when: str) -> None:
        log.append(kind, fields, author=LOGGIST, decision_maker=PIM, event_time=when)

    log.append("writeup.started", {
        "reason": "Reported to the PIM during the evening; written up at the PIS from the "
                  "notes of those who did it.",
        "source": "DI Moss's day book; scene log SL-0412-1; PC Wood's PNB"},
        author=LOGGIST, decision_maker=PIM)
    add("death.coroner", {
        "pronounced_at": at(24), "pronounced_by": "Dr A. Patel (HEMS)",
        "coroner_informed_at": at(52), "coroner_informed_by": "DI Carla Moss (PSD)",
        "coroners_officer": "Mr Gareth Lewis", "coroner_reference": "KCO/2026/1187"}, at(52))
    add("death.body_continuity", {
        "moved_at": at(48), "from_place": "Stour Street car park (under cordon)",
        "to_place": "Kent and Canterbury Hospital mortuary",
        "escorted_by": "PC Jordan Ellis 6620", "received_by": "APT Ruth Sandhu",
        "notes": "Body bag sealed KC-4471 at the scene; seal intact on arrival."}, at(48))
    add("death.family", {
        "family_informed_at": at(150), "informed_by": "DS Priya Natarajan and Insp Mark Dunn",
        "flo": "DS Priya Natarajan 2291 (FLO, not involved in the incident)",
        "flo_appointed_at": at(95),
        "notes": "Mother informed in person at her home in Herne Bay; the IOPC told at once."},
        at(150))
    add("kpw.transport", {
        "people": kpws[:2], "driver": "PC Hannah Wood 4410 (not involved)",
        "vehicle": "Unmarked Skoda, KN24 PDX", "from_place": "Stour Street car park",
        "to_place": "North Kent PIS, Gravesend", "departed_at": at(28), "arrived_at": at(38),
        "supervision": "BWV recording throughout",
        "rationale": "Two AFOs, one car available; the driver's BWV recorded the journey."},
        at(28))
    add("kpw.transport", {
        "people": [people["Ch Insp R. Okafor"]], "driver": "Ch Insp R. Okafor, alone",
        "vehicle": "Own car", "from_place": "Force control room, Maidstone",
        "to_place": "North Kent PIS, Gravesend", "departed_at": at(30), "arrived_at": at(62),
        "supervision": "travelled alone"}, at(30))
    for name, items, serials in [
        ("PC Rhodri Pryce", ["firearm (pistol)", "firearm (carbine or rifle)", "Taser / CED",
                             "BWV camera"],
         "Glock 17 BKL221 (2 rounds fired, 32 remaining); G36 carbine KX0913 (not fired); "
         "Taser 7 T7-22019 (2 cartridges, unused)"),
        ("PC Siân Llŷr", ["firearm (pistol)", "Taser / CED", "BWV camera"],
         "Glock 17 BKL305 (not fired, 34 rounds); Taser 7 T7-22044 (2 cartridges, unused)"),
        ("Ch Insp R. Okafor", ["nothing"], "Commanded from the control room; unarmed."),
    ]:
        add("weapons.carried", {"person": people[name], "items": items, "serials": serials,
                                "used": name == "PC Rhodri Pryce",
                                "recorded_by": "DC Owen Hughes", "recorded_at": at(70)}, at(70))
    log.append("writeup.ended", {"note": "Write-up complete."}, author=LOGGIST,
               decision_maker=PIM)
