"""The `pir` command line, as a script would use it: exit codes, messages, nothing half-written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pir.cli import main
from pir.clock import FixedClock
from pir.log import store
from pir.log.store import Database
from tests.values import PASSPHRASE

REF = "CAD-7781"


@pytest.fixture
def pir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture,
        clock: FixedClock):
    """`pir` in-process; the databases it opens read the test's fixed clock, not the machine's."""
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(store, "system_clock", clock)
    db = tmp_path / "cli.db"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        out, err = capsys.readouterr()
        return code, out, err

    run.db = db  # type: ignore[attr-defined]
    return run


@pytest.fixture
def opened(pir):
    assert pir("init", "--name", "Sarah Jones", "--rank", "Inspector", "--collar", "4512",
               "--role", "PIM", "--force", "Kent")[0] == 0
    code, out, _ = pir("incident", "open", "--ref", REF, "--template", "firearms-discharge",
                       "--scale", "full", "--title", "Shots fired",
                       "--rationale", "Fatal discharge")
    assert code == 0, out
    return pir


def _entries(pir) -> int:
    with Database.open(pir.db, PASSPHRASE) as db:
        return db.count_entries()


def test_open_add_status_list(opened) -> None:
    code, out, _ = opened("entry", "add", "--incident", REF, "--kind", "person.added",
                          "--field", "name=PC Siân Llŷr", "--field", "category=KPW",
                          "--field", "cipher=B14")
    assert code == 0 and "Saved entry 3" in out
    code, out, _ = opened("entry", "add", "--incident", REF, "--kind", "separation.decided",
                          "--field", "people=B14", "--field", "option=monitored on BWV",
                          "--field", "factors=resources", "--field", "factors=location",
                          "--field", "decided_by=Insp Jones",
                          "--field", "started_at=2026-11-25 13:00",
                          "--field", "rationale=One room", "--at", "2026-11-25T13:00Z",
                          "--late-reason", "written after the move")
    assert code == 0, out
    code, out, _ = opened("entry", "add", "--incident", REF, "--kind", "note",
                          "--text", "Fed rep arrived")
    assert code == 0
    code, out, _ = opened("status", "--incident", REF)
    assert code == 0
    assert re.search(r"\[\s*done\s*\] p2\.separation", out)
    assert re.search(r"\[\s*outstanding\s*\] p2\.anticonferring", out)
    assert "IOPC referral: not yet made" in out and "formal referral due by" in out
    code, out, _ = opened("entry", "list", "--incident", REF)
    assert "Fed rep arrived" in out and "Sarah Jones" in out
    code, out, _ = opened("incident", "list")
    assert REF in out and "firearms-discharge" in out


@pytest.mark.parametrize("args,message", [
    (["entry", "add", "--incident", REF, "--kind", "note"], "Note is required"),
    (["entry", "add", "--incident", REF, "--kind", "teleport", "--text", "x"],
     "not a kind of entry"),
    (["entry", "add", "--incident", "NOPE", "--kind", "note", "--text", "x"],
     "no incident with reference"),
    (["entry", "add", "--incident", REF, "--kind", "note", "--text", "x", "--at", "tuesday"],
     "not a date and time"),
    (["entry", "add", "--incident", REF, "--kind", "note", "--text", "x", "--field", "a=b"],
     "not a field"),
    (["entry", "add", "--incident", REF, "--kind", "note", "--field", "text"],
     "key=value"),
    (["entry", "add", "--incident", REF, "--kind", "exhibit.transferred",
      "--field", "ref=AB/1", "--field", "from_holder=X", "--field", "to_holder=Y",
      "--field", "transferred_at=2026-11-25 10:00", "--field", "place=P",
      "--field", "reason=R", "--field", "seal_intact=yes"], "not been recorded"),
    (["entry", "correct", "--incident", REF, "--seq", "99", "--reason", "r", "--text", "x"],
     "no entry 99"),
    (["incident", "open", "--ref", "X1", "--template", "nope", "--scale", "full"],
     "no procedure template"),
    (["incident", "open", "--ref", REF, "--template", "custody-dsi", "--scale", "full"],
     "already exists"),
])
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(opened, args, message) -> None:
    before = _entries(opened)
    code, out, err = opened(*args)
    assert code == 2, (out, err)
    assert message in err and err.startswith("pir: ") and err.count("\n") == 1
    assert _entries(opened) == before


def test_argument_errors_exit_2(opened) -> None:
    with pytest.raises(SystemExit) as exc:
        opened("entry", "add", "--incident", REF)
    assert exc.value.code == 2


def test_wrong_passphrase_exits_2(opened, monkeypatch) -> None:
    monkeypatch.setenv("PIR_PASSPHRASE", "not the passphrase")
    code, _, err = opened("status", "--incident", REF)
    assert code == 2 and "passphrase does not open" in err


def test_passphrase_file_is_used(opened, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("PIR_PASSPHRASE")
    f = tmp_path / "pass.txt"
    f.write_text(PASSPHRASE + "\n", encoding="utf-8")
    code, out, _ = opened("--passphrase-file", str(f), "incident", "list")
    assert code == 0 and REF in out


def test_correction_through_the_cli(opened) -> None:
    opened("entry", "add", "--incident", REF, "--kind", "note", "--text", "arrived 16:05")
    code, out, _ = opened("entry", "correct", "--incident", REF, "--seq", "3",
                          "--reason", "misread", "--text", "arrived 15:50")
    assert code == 0 and "correction of entry 3" in out
    _, out, _ = opened("entry", "list", "--incident", REF)
    assert "[corrected by 4]" in out


def test_export_json_verify_and_check(opened, tmp_path) -> None:
    out_file = tmp_path / "export.json"
    code, out, _ = opened("export", "json", "--incident", REF, "--out", str(out_file))
    assert code == 0
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["entry_count"] == 2
    code, out, _ = opened("export", "json", "--incident", REF, "--out", str(out_file))
    assert code == 2  # never overwrites
    code, out, _ = opened("verify", str(out_file))
    assert code == 3 and "\nINTACT BUT UNANCHORED: " in out  # a JSON export carries no signature
    code, out, _ = opened("verify", str(out_file), "--expect-head", doc["head_hash"])
    assert code == 0 and "\nVALID: " in out
    _, listing, _ = opened("entry", "list", "--incident", REF)
    assert "export.recorded" in listing  # the export itself is logged
    doc["entries"][1]["payload"]["rationale"] = "changed after export"
    forged = tmp_path / "forged.json"
    forged.write_bytes(json.dumps(doc, ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":")).encode("utf-8"))
    code, out, _ = opened("verify", str(forged))
    assert code == 1 and "entry 2" in out.lower() and "\nINVALID: " in out
    code, out, _ = opened("check")
    assert code == 0 and "chain intact" in out


def test_check_fails_on_a_tampered_database(opened) -> None:
    with Database.open(opened.db, PASSPHRASE) as db:
        db.conn.execute("DROP TRIGGER entries_no_update")
        db.conn.execute("UPDATE entries SET body = replace(body, 'Fatal', 'Minor')")
    code, out, _ = opened("check")
    assert code == 1 and "entry 2" in out and "INVALID" in out


def test_rekey_through_the_cli(opened, monkeypatch) -> None:
    monkeypatch.setenv("PIR_NEW_PASSPHRASE", "brand new passphrase")
    assert opened("rekey")[0] == 0
    code, _, err = opened("incident", "list")
    assert code == 2
    monkeypatch.setenv("PIR_PASSPHRASE", "brand new passphrase")
    assert opened("incident", "list")[0] == 0


def test_demo_builds_a_verifiable_incident(pir, tmp_path) -> None:
    demo = tmp_path / "demo.db"
    code, out, _ = pir("demo", "--db", str(demo))
    assert code == 0, out
    assert main(["--db", str(demo), "check"]) == 0


def test_templates_are_listed(pir) -> None:
    code, out, _ = pir("templates")
    assert code == 0
    for tid in ("firearms-discharge", "less-lethal-discharge", "pursuit-dsi", "custody-dsi"):
        assert tid in out


def test_the_installed_command_runs_as_a_subprocess(tmp_path) -> None:
    env = {**os.environ, "PIR_PASSPHRASE": PASSPHRASE}
    db = tmp_path / "sub.db"
    run = [sys.executable, "-m", "pir.cli", "--db", str(db)]
    assert subprocess.run([*run, "init", "--name", "Sarah Jones"], env=env,
                          capture_output=True).returncode == 0
    bad = subprocess.run([*run, "incident", "open", "--ref", "R", "--template", "x",
                          "--scale", "full"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "no procedure template" in bad.stderr
    help_ = subprocess.run([*run, "export", "--help"], capture_output=True, text=True)
    assert help_.returncode == 0 and "json" in help_.stdout


def test_a_write_up_from_notes_needs_one_reason_for_the_whole_run(opened, tmp_path) -> None:
    code, out, _ = opened("writeup", "start", "--incident", REF, "--reason",
                          "PIM at the scene until 13:30", "--source", "PNB 4512 pp 3-7")
    assert code == 0 and "write-up started" in out
    long_note = tmp_path / "note.txt"
    long_note.write_text("Fed rep arrived at the PIS.\nSpoke to B14 and B15.\n" * 200,
                         encoding="utf-8")
    for at in ("2026-11-25 12:40", "2026-11-25 12:45"):
        code, out, err = opened("entry", "add", "--incident", REF, "--kind", "note",
                                "--text-file", str(long_note), "--at", at)
        assert code == 0, err
    assert opened("writeup", "end", "--incident", REF)[0] == 0
    with Database.open(opened.db, PASSPHRASE) as db:
        from pir.incident import IncidentLog

        log = IncidentLog.open(db, REF)
        notes = [e for e in log.entries() if e.kind == "note"]
    assert [n.body["late_reason"] for n in notes] == [
        "PIM at the scene until 13:30 (written up from PNB 4512 pp 3-7)"] * 2
    assert notes[0].payload["text"] == long_note.read_text(encoding="utf-8").rstrip()
    code, _, err = opened("entry", "add", "--incident", REF, "--kind", "note", "--text", "x",
                          "--at", "2026-11-25 12:50")
    assert code == 2 and "give the reason" in err


def test_a_text_file_that_is_not_utf8_is_refused_with_one_sentence(opened, tmp_path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Siân".encode("latin-1"))
    before = _entries(opened)
    code, _, err = opened("entry", "add", "--incident", REF, "--kind", "note",
                          "--text-file", str(bad))
    assert code == 2 and "is not UTF-8 text" in err and _entries(opened) == before


def test_opening_late_records_the_declaration_and_scale_at_the_event_time(pir) -> None:
    assert pir("init", "--name", "Sarah Jones")[0] == 0
    code, _, err = pir("incident", "open", "--ref", "CAD-9", "--template", "firearms-discharge",
                       "--scale", "full", "--rationale", "Fatal", "--at", "2026-11-25 12:05")
    assert code == 2 and "give the reason" in err
    code, _, err = pir("incident", "open", "--ref", "CAD-9", "--template", "firearms-discharge",
                       "--scale", "full", "--rationale", "Fatal", "--at", "2026-11-25 12:05",
                       "--late-reason", "Opened from notes")
    assert code == 0, err
    code, out, _ = pir("entry", "list", "--incident", "CAD-9")
    assert out.count("2026-11-25 12:05:00 GMT") == 2


def test_templates_show_lists_steps_kinds_and_every_field(pir) -> None:
    code, out, _ = pir("templates", "show", "firearms-discharge")
    assert code == 0
    assert "p2.separation" in out and "kind separation.decided" in out
    assert re.search(r"option\s+choice\s+required .*choices: separated \| supervised together",
                     out)
    assert re.search(r"review_date\s+datetime\s+required, may lie ahead", out)
    assert "writeup.started" in out
    assert re.search(r"pd\.coroner .*; only when DSI status is death\]", out)
    code, _, err = pir("templates", "show", "nonesuch")
    assert code == 2 and "no procedure template" in err


def test_status_shows_the_referral_life_discharges_and_timed_requirements(
        opened, clock) -> None:
    clock.advance(minutes=30)
    assert opened("entry", "add", "--incident", REF, "--kind", "person.added", "--field",
                  "name=PC Siân Llŷr", "--field", "category=KPW", "--field",
                  "cipher=B14")[0] == 0
    code, out, err = opened("entry", "add", "--incident", REF, "--kind", "discharge.recorded",
                            "--field", "officer=B14", "--field", "category=less-lethal",
                            "--field", "weapon_type=Taser / CED", "--field", "rounds=1",
                            "--field", "discharged_at=2026-11-25 13:50", "--field",
                            "place=car park", "--field", "intentional=intentional")
    assert code == 0, err
    clock.advance(hours=3)
    code, out, _ = opened("status", "--incident", REF)
    assert "IOPC referral: not yet made" in out and "formal referral due by" in out
    assert "B14): less-lethal, Taser / CED x1, intentional" in out
    assert re.search(r"Timed requirements: \d+ on time, \d+ late, \d+ missed, \d+ overdue", out)
    assert "MISSED: Welfare check (PC Siân Llŷr (B14)), due 2026-11-25 15:30 GMT" in out
    code, out, _ = opened("status", "--incident", REF, "--at", "2026-11-25 14:10")
    assert code == 0 and "As the log stood at 2026-11-25 14:10:00 GMT" in out
    assert "Discharges" not in out


HOSTILE = "PC Jones\x1b[2J\x1b[31m fired\r overwritten \u202eevil\u202c done"


@pytest.mark.parametrize("command", [("entry", "list", "--incident", REF),
                                     ("status", "--incident", REF)])
def test_hostile_text_from_the_log_is_printed_escaped(opened, command) -> None:
    assert opened("entry", "add", "--incident", REF, "--kind", "note", "--text", HOSTILE)[0] == 0
    code, out, err = opened(*command)
    assert code == 0, err
    for raw in ("\x1b", "\r", "\u202e", "\u202c"):
        assert raw not in out and raw not in err
    if command[0] == "entry":
        assert "PC Jones\\x1b[2J\\x1b[31m fired\\x0d overwritten \\u202eevil\\u202c" in out


def test_the_verifier_names_and_escapes_hostile_text(opened, tmp_path) -> None:
    assert opened("entry", "add", "--incident", REF, "--kind", "note", "--text", HOSTILE)[0] == 0
    out_file = tmp_path / "e.json"
    assert opened("export", "json", "--incident", REF, "--out", str(out_file))[0] == 0
    code, out, err = opened("verify", str(out_file))
    assert code == 3, out + err
    assert "\x1b" not in out and "\u202e" not in out
    assert re.search(r"entry \d+: its text holds an escape \(ANSI\) sequence, the control "
                     r"character .*, a right-to-left override", out), out


def test_a_fresh_database_writes_nothing_until_an_officer_is_set(pir) -> None:
    code, out, _ = pir("init")
    assert code == 0 and 'pir officer --name "NAME"' in out
    code, out, err = pir("incident", "open", "--ref", REF, "--template", "firearms-discharge",
                         "--scale", "full", "--rationale", "Fatal discharge")
    assert code == 2 and out == ""
    assert err == ("pir: No officer is set up in this database, and every entry must name its "
                   'author: run `pir officer --name "NAME" --rank RANK --collar NUMBER --role PIM '
                   '--force "FORCE"` (your own details), then this command again. Nothing was '
                   "written.\n")
    assert _entries(pir) == 0
    assert pir("incident", "list")[0] == 0
    code, out, _ = pir("officer")
    assert code == 0 and "No officer is set up yet" in out
    assert pir("officer", "--name", "Sarah Jones", "--rank", "Inspector", "--collar", "4512",
               "--role", "PIM", "--force", "Kent")[0] == 0
    assert pir("incident", "open", "--ref", REF, "--template", "firearms-discharge",
               "--scale", "full", "--rationale", "Fatal discharge")[0] == 0
    assert _entries(pir) == 2  # the opening and the scale decision, both by Sarah Jones
    code, out, _ = pir("entry", "list", "--incident", REF)
    assert "Sarah Jones" in out and "not set up" not in out


@pytest.mark.parametrize("words", [("templates",), ("templates", "list")])
def test_templates_are_listed_with_or_without_list(pir, words) -> None:
    code, out, err = pir(*words)
    assert code == 0 and err == ""
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "custody-dsi", "firearms-discharge", "less-lethal-discharge", "pursuit-dsi"]


def test_everyday_commands_print_nothing_on_stderr_and_leave_no_side_file(tmp_path) -> None:
    env = {**os.environ, "PIR_PASSPHRASE": PASSPHRASE, "PIR_SIGNING_PIN": "739164-x",
           "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONWARNINGS", None)
    db = tmp_path / "quiet.db"
    run = [sys.executable, "-m", "pir.cli", "--db", str(db)]
    for words in (["init", "--name", "Sarah Jones", "--role", "PIM"],
                  ["incident", "open", "--ref", REF, "--template", "firearms-discharge",
                   "--scale", "full", "--rationale", "Fatal discharge"],
                  ["entry", "add", "--incident", REF, "--kind", "note", "--text", "Fed rep"],
                  ["status", "--incident", REF], ["receipt", "--incident", REF],
                  ["export", "pdf", "--incident", REF, "--out", str(tmp_path / "a.pdf")],
                  ["export", "json", "--incident", REF, "--out", str(tmp_path / "a.json")],
                  ["check"], ["templates"]):
        done = subprocess.run([*run, *words], env=env, capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr == "", (words, done.stderr)
    for path in ("a.pdf", "a.json"):
        done = subprocess.run([sys.executable, "-m", "pir.cli", "verify",
                               str(tmp_path / path)], env=env, capture_output=True, text=True)
        assert done.returncode == 3 and done.stderr == "", done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.json", "a.pdf", "quiet.db", "quiet.db.witness"]


def test_every_option_of_every_command_has_help() -> None:
    import argparse

    from pir.cli.main import build_parser

    def bare(parser: argparse.ArgumentParser, path: str) -> list[str]:
        out = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    out += bare(sub, f"{path} {name}")
            elif not action.help:
                out.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
        return out
    assert bare(build_parser(), "pir") == []


def test_a_missing_field_says_what_to_type_for_it(opened) -> None:
    code, _, err = opened("entry", "add", "--incident", REF, "--kind", "welfare.check")
    assert code == 2
    assert "People checked is required (--field people=…)." in err
    assert "Checked by is required (--field by=…)." in err
    code, out, _ = opened("status", "--incident", REF)
    assert re.search(r"p3\.welfare_check +Timed welfare check.*  --kind welfare\.check", out)


def test_a_pursuit_across_the_clock_change_is_recorded_and_printed_in_order(opened,
                                                                          tmp_path) -> None:
    code, _, err = opened("entry", "add", "--incident", REF, "--kind", "note", "--text",
                          "Pursuit terminated", "--at", "2026-10-25 01:14",
                          "--late-reason", "From PNB")
    assert code == 2 and "'2026-10-25 01:14' happens twice in UK time" in err
    assert "Write '2026-10-25 01:14 BST' for the first (2026-10-25T00:14:00Z) or " \
           "'2026-10-25 01:14 GMT' for the second (2026-10-25T01:14:00Z)." in err
    for text, at in (("Pursuit terminated", "2026-10-25 01:14 GMT"),
                     ("Pursuit started", "2026-10-25 00:58"),
                     ("TPAC authorised", "2026-10-25 01:40 BST")):
        code, _, err = opened("entry", "add", "--incident", REF, "--kind", "note", "--text",
                              text, "--at", at, "--late-reason", "Written up from PNB")
        assert code == 0, err
    code, out, _ = opened("entry", "list", "--incident", REF)
    assert code == 0
    pdf = tmp_path / "p.pdf"
    env_pin = {"PIR_SIGNING_PIN": "739164-x"}
    os.environ.update(env_pin)
    try:
        code, _, err = opened("export", "pdf", "--incident", REF, "--out", str(pdf))
    finally:
        os.environ.pop("PIR_SIGNING_PIN", None)
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    chronology = text[text.index("Sunday 25 October 2026"):]
    lines = [next(ln for ln in chronology.splitlines() if what in ln)
             for what in ("Pursuit started", "TPAC authorised", "Pursuit terminated")]
    assert [ln.split()[0] + (" " + ln.split()[1] if ln.split()[1] in ("BST", "GMT") else "")
            for ln in lines] == ["00:58:00", "01:40:00 BST", "01:14:00 GMT"]
