"""The procedure at its edges, each recorded end to end by the command line as it happens: the
entries mostly written up afterwards from pocket-book notes, then a signed PDF that states every
requirement met, missed or not required, checked by poppler and by `pir verify`.

- a death after a police firearms discharge: the steps that follow a death are asked for, and
  an NDM decision refusing access to BWV footage meets the access requirement;
- a vehicle that failed to stop and was not pursued, ending in a serious injury: no pursuit
  record is asked for, the failure to stop and the collision scene are;
- a Taser discharge with no injury at the documentation scale: no hourly welfare checks, no
  referral countdown, no steps after a death.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pir.cli import main
from pir.clock import FixedClock
from pir.log import store
from tests.values import PASSPHRASE

WRITEUP = "Written up at the PIS from PNB 4512 pages 3-9"


@pytest.fixture
def pir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture,
        clock: FixedClock):
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PIR_SIGNING_PIN", "739164-x")
    monkeypatch.setattr(store, "system_clock", clock)
    db = tmp_path / "edges.db"

    def run(*args: str, ok: bool = True) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        out, err = capsys.readouterr()
        if ok:
            assert code == 0, f"{args}: {out}{err}"
        return code, out, err

    assert run("init", "--name", "Sarah Jones", "--rank", "Inspector", "--collar", "4512",
               "--role", "PIM", "--force", "Kent")[0] == 0
    return run


def _open(pir, ref: str, template: str, scale: str) -> None:
    pir("incident", "open", "--ref", ref, "--template", template, "--scale", scale,
        "--title", f"{template} at {scale}", "--rationale", "As declared by the duty officer")


def add(pir, ref: str, kind: str, at: str, *fields: str, step: str | None = None,
        text: str | None = None) -> str:
    args = ["entry", "add", "--incident", ref, "--kind", kind, "--at", at]
    if step:
        args += ["--step", step]
    if text:
        args += ["--text", text]
    for f in fields:
        args += ["--field", f]
    return pir(*args)[1]


def _status(pir, ref: str) -> str:
    return pir("status", "--incident", ref)[1]


def _line(out: str, step_id: str) -> str:
    return next(ln for ln in out.splitlines() if f"] {step_id} " in ln)


def _pdf(pir, ref: str, tmp_path: Path) -> str:
    pdf = tmp_path / f"{ref}.pdf"
    pir("export", "pdf", "--incident", ref, "--out", str(pdf))
    cert = tmp_path / "signer.pem"
    pir("identity", "cert", "--out", str(cert))
    code, out, _ = pir("verify", str(pdf), "--trust", str(cert))
    assert "VALID" in out
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def _writeup(pir, ref: str, start: bool) -> None:
    if start:
        pir("writeup", "start", "--incident", ref, "--reason", WRITEUP,
            "--source", "PNB 4512, pages 3-9")
    else:
        pir("writeup", "end", "--incident", ref)


def test_a_death_asks_for_the_coroner_family_and_article_2_and_a_refusal_of_bwv_access_counts(
        pir, tmp_path: Path) -> None:
    ref = "CAD-0101"
    _open(pir, ref, "firearms-discharge", "full")
    _writeup(pir, ref, True)
    add(pir, ref, "incident.declared", "2026-11-25 12:10", "cad_reference=CAD-0101",
        "incident_at=2026-11-25 12:02", "location=Dover, Castle Street",
        "incident_type=conventional firearm discharge", "discharge=intentional",
        "dsi_status=death", "declared_by=Supt Khan", "declared_at=2026-11-25 12:10")
    add(pir, ref, "person.added", "2026-11-25 12:20", "name=PC Rhodri Pryce",
        "category=KPW", "cipher=B14")
    before = _status(pir, ref)
    for step in ("pd.coroner", "pd.family", "pd.article2", "pd.body_continuity"):
        assert re.search(r"\[\s*outstanding\s*\]", _line(before, step)), step
    add(pir, ref, "death.coroner", "2026-11-25 12:40", "pronounced_at=2026-11-25 12:31",
        "pronounced_by=Dr A. Okafor, HEMS", "coroner_informed_at=2026-11-25 12:40",
        "coroner_informed_by=DS Lewis", "coroner_reference=KCO/2211")
    add(pir, ref, "death.body_continuity", "2026-11-25 13:05", "moved_at=2026-11-25 13:05",
        "from_place=Castle Street", "to_place=Dover mortuary",
        "escorted_by=PC Ceri Morgan 3391")
    add(pir, ref, "death.family", "2026-11-25 13:20", "family_informed_at=2026-11-25 13:20",
        "informed_by=DS Lewis", "flo=DC Amira Haddad 5120")
    add(pir, ref, "decision", "2026-11-25 12:50",
        "decision=KPWs may not view BWV footage before their personal initial accounts",
        "rationale=Accounts must be their own honest recollection first",
        "requirement=p2.material_access")
    _writeup(pir, ref, False)
    after = _status(pir, ref)
    for step in ("pd.coroner", "pd.family", "pd.body_continuity", "p2.material_access"):
        assert re.search(r"\[\s*done\s*\]", _line(after, step)), step
    assert re.search(r"\[\s*outstanding\s*\]", _line(after, "pd.article2"))
    text = _pdf(pir, ref, tmp_path)
    assert "Annex: after the death" in text
    assert "Death confirmed and the coroner informed: done" in text
    assert "Article 2 ECHR: an effective independent investigation: outstanding" in text
    assert "Decision (NDM) on: Access to material before accounts" in text
    assert "No access decision recorded" not in text
    # Each KPW's transport and weapons carried are requirements of their own: still gaps.
    assert "Transport of a KPW" in text and "Weapons and equipment carried by a KPW" in text


def test_a_decision_names_only_a_step_of_the_procedure(pir) -> None:
    ref = "CAD-0102"
    _open(pir, ref, "firearms-discharge", "full")
    code, out, err = pir("entry", "add", "--incident", ref, "--kind", "decision",
                         "--field", "decision=x", "--field", "rationale=y",
                         "--field", "requirement=p9.nonsense", ok=False)
    assert code == 2 and "is not a step of this procedure" in out + err


def test_failed_to_stop_and_not_pursued_asks_for_no_pursuit_record(pir, tmp_path) -> None:
    ref = "CAD-0201"
    _open(pir, ref, "pursuit-dsi", "proportionate")
    declared = ["cad_reference=CAD-0201", "incident_at=2026-11-25 11:48",
                "location=A20 Folkestone", "incident_type=pursuit or fail-to-stop collision",
                "pursuit_type=vehicle failing to stop, no pursuit", "dsi_status=serious injury",
                "declared_by=Insp Patel", "declared_at=2026-11-25 12:05"]
    code, out, err = pir("entry", "add", "--incident", ref, "--kind", "incident.declared",
                         "--at", "2026-11-25 12:05", "--late-reason", WRITEUP,
                         *[a for f in declared for a in ("--field", f)], ok=False)
    assert code == 2
    assert "Serious injury (Police Reform Act 2002 s.29) is required when DSI status is " \
           "serious injury" in out + err
    _writeup(pir, ref, True)
    add(pir, ref, "incident.declared", "2026-11-25 12:05", *declared,
        "serious_injury=a fracture", "serious_injury=damage to an internal organ")
    out = _status(pir, ref)
    assert "not required: Circumstances is vehicle failing to stop, no pursuit" in \
        _line(out, "pr.record")
    assert re.search(r"\[\s*outstanding\s*\]", _line(out, "pr.not_pursued"))
    assert re.search(r"\[\s*outstanding\s*\]", _line(out, "pr.scene"))
    assert "not required: DSI status is serious injury" in _line(out, "pd.coroner")
    add(pir, ref, "pursuit.not_pursued", "2026-11-25 11:46", "signal_to_stop_at=2026-11-25 11:45",
        "signalled_by=PC Dafydd ap Rhys", "decided_by=PC Dafydd ap Rhys",
        "rationale=Wet road, school traffic; registered keeper known",
        "police_actions=Stopped and reported the vehicle; came on the collision at 11:48")
    add(pir, ref, "collision.recorded", "2026-11-25 11:48", "collision_at=2026-11-25 11:48",
        "location=A20 junction 12", "vehicles=Blue Ford Focus GF19 XKD",
        "police_vehicle_involved=no")
    add(pir, ref, "scene.managed", "2026-11-25 12:02", "cordon_at=2026-11-25 11:58",
        "cordon_by=PC Dafydd ap Rhys", "scene_log_keeper=PCSO Nia Evans",
        "collision_unit_called_at=2026-11-25 12:00",
        "vehicles=Ford Focus left in place for the FCI")
    _writeup(pir, ref, False)
    out = _status(pir, ref)
    assert re.search(r"\[\s*done\s*\]", _line(out, "pr.not_pursued"))
    assert re.search(r"\[\s*done\s*\]", _line(out, "pr.scene"))
    text = _pdf(pir, ref, tmp_path)
    assert "Annex: the pursuit or failure to stop" in text
    assert ("Pursuit record: not required: Circumstances is vehicle failing to stop, no "
            "pursuit Nothing recorded.") in text
    assert "Pursuit tactic: not required: recorded only if it happens" in text
    assert "Vehicle failed to stop: not pursued: done" in text
    assert "Wet road, school traffic" in text
    assert "a fracture, damage to an internal organ" in text


def test_a_tactic_considered_and_refused_is_in_the_pursuit_annex(pir, tmp_path) -> None:
    ref = "CAD-0202"
    _open(pir, ref, "pursuit-dsi", "full")
    _writeup(pir, ref, True)
    add(pir, ref, "incident.declared", "2026-11-25 13:50", "cad_reference=CAD-0202",
        "incident_at=2026-11-25 13:30", "location=M2 J5",
        "incident_type=pursuit or fail-to-stop collision", "pursuit_type=pursuit",
        "dsi_status=death", "declared_by=Insp Patel", "declared_at=2026-11-25 13:50")
    add(pir, ref, "pursuit.tactic", "2026-11-25 13:20",
        "tactic=tactical contact", "decision=considered and refused",
        "decided_by=Insp Cole (FIM)", "authorised_at=2026-11-25 13:20",
        "rationale=Speed over 90 mph, heavy traffic: contact too dangerous")
    text = _pdf(pir, ref, tmp_path)
    annex = text[text.index("Annex: the pursuit or failure to stop"):]
    assert "considered and refused" in annex and "contact too dangerous" in annex
    assert "Pursuit record: outstanding" in annex


def test_a_taser_discharge_at_the_documentation_scale_asks_for_what_it_needs(
        pir, tmp_path) -> None:
    ref = "CAD-0301"
    _open(pir, ref, "less-lethal-discharge", "documentation")
    _writeup(pir, ref, True)
    add(pir, ref, "incident.declared", "2026-11-25 10:20", "cad_reference=CAD-0301",
        "incident_at=2026-11-25 10:05", "location=Maidstone, King Street",
        "incident_type=less-lethal discharge", "less_lethal_option=Taser/CED",
        "discharge=intentional", "dsi_status=none", "declared_by=Sgt Owen",
        "declared_at=2026-11-25 10:20")
    add(pir, ref, "person.added", "2026-11-25 10:25", "name=PC Bethan Lloyd", "category=KPW")
    add(pir, ref, "person.added", "2026-11-25 10:25", "name=عمر الفاروق", "category=subject")
    add(pir, ref, "discharge.recorded", "2026-11-25 10:06", "officer=PC Bethan Lloyd",
        "category=less-lethal", "weapon_type=Taser / CED", "discharged_at=2026-11-25 10:05",
        "place=King Street", "intentional=intentional")
    _writeup(pir, ref, False)
    out = _status(pir, ref)
    assert "not required at the documentation scale" in _line(out, "p3.welfare_check")
    assert "not required: no death or serious injury" in _line(out, "p7.referral")
    assert "not required at the documentation scale" in _line(out, "p7.first_contact")
    assert "not required: DSI status is none" in _line(out, "pd.coroner")
    assert "Welfare check" not in out.split("Attention:")[-1]
    assert "formal referral due by" not in out
    text = _pdf(pir, ref, tmp_path)
    assert "Timed welfare check not required at the documentation scale" in text
    assert "Welfare check for" not in text
    assert "Referral of the DSI matter" not in text
    assert "Category: subject" in text


@pytest.mark.parametrize("also, finding", [
    ("personal initial account", "on time"), (None, "missed")])
def test_one_account_given_as_two_types_meets_both_requirements(pir, also, finding) -> None:
    ref = "CAD-0401"
    _open(pir, ref, "firearms-discharge", "full")
    add(pir, ref, "person.added", "2026-11-25 13:50", "name=PC Rhodri Pryce", "category=KPW")
    fields = ["person=PC Rhodri Pryce", "account_type=detailed account", "status=completed"]
    if also:
        fields.append(f"also_counts_as={also}")
    add(pir, ref, "account.recorded", "2026-11-25 13:55", *fields, step="p5.detailed_account")
    add(pir, ref, "kpw.released", "2026-11-25 13:58", "person=PC Rhodri Pryce",
        "released_at=2026-11-25 13:58", "welfare=Well; going home with his partner")
    out = _status(pir, ref)
    missed = "MISSED: Personal initial account before going off duty (PC Rhodri Pryce)"
    assert (missed in out) == (finding == "missed")
    assert ("Timed requirements:" in out) and ("1 missed" in out) == (finding == "missed")
