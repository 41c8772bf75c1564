"""`pir self-test`: proves an installed copy works end to end.

No display, no network, no passphrase and no existing data are needed, and nothing outside a
temporary folder is touched: it creates an encrypted database there, records a short incident
from every procedure template, exports each as JSON and as a signed PDF, verifies both files the
way `pir verify` does (the PDF against its signer's certificate, the JSON against its head
hash: both must come out VALID), reopens and checks the database, then removes the folder.
It prints one line per check with its time, then PASS; or FAIL with the first problem (exit 1).
"""

from __future__ import annotations

import platform
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pir import __version__
from pir.procedures.model import FieldSpec, Step, Template

# The officer every self-test entry is written by (fictional; the database is thrown away).
_NAME, _RANK, _COLLAR, _ROLE, _FORCE = "Self Test", "Inspector", "0000", "PIM", "PIR self-test"


class SelfTestFailed(Exception):
    """A check failed; the message is the first problem, in one sentence."""


class _Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()

    @contextmanager
    def check(self, what: str) -> Iterator[list[str]]:
        """Times one check; the body may append a detail to the list it is given."""
        detail: list[str] = []
        t0 = time.perf_counter()
        try:
            yield detail
        except SelfTestFailed as exc:
            raise SelfTestFailed(f"{what}: {exc}") from None
        except Exception as exc:  # any error is the first problem, reported in one line
            where = traceback.extract_tb(exc.__traceback__)[-1]
            raise SelfTestFailed(f"{what}: {type(exc).__name__}: {exc} "
                                 f"({Path(where.filename).name}:{where.lineno})") from exc
        text = f"{what}: {detail[0]}" if detail else what
        self.line(f"ok   {text}", time.perf_counter() - t0)

    def line(self, text: str, seconds: float | None = None) -> None:
        if seconds is not None:
            text = f"{text} ({seconds:.2f} s)"
        print(text, file=self.out, flush=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _value(spec: FieldSpec, people: list[int], now: str) -> Any:
    """A plausible value of a field's type (the log's own validation still applies)."""
    return {
        "text": "self-test", "multiline": "Recorded by pir self-test.",
        "choice": spec.choices[0] if spec.choices else "self-test",
        "multichoice": list(spec.choices[:1]),
        "person": people[0] if people else None, "people": people[:1],
        "datetime": now, "yesno": True, "number": 1, "exhibit": "ST/1",
    }[spec.type]


def _payload(step: Step, people: list[int], now: str) -> dict[str, Any]:
    return {spec.key: _value(spec, people, now) for spec in step.fields if spec.required}


def _record(db: Any, template: Template, ref: str, author: Any) -> Any:
    """A short incident: opened with its scale decision, a person, the template's first step,
    a note, an NDM decision and a correction of the note."""
    from pir.incident import IncidentLog
    from pir.times import iso_utc

    log = IncidentLog.create(db, ref=ref, template_id=template.id, scale="full",
                             title=f"Self-test of {template.title}",
                             rationale="Self-test: the full procedure is exercised.",
                             author=author)
    now = iso_utc(datetime.now(UTC))
    people: list[int] = []
    person_steps = template.steps_for_kind("person.added")
    if person_steps:
        step = person_steps[0]
        payload = _payload(step, people, now) | {"name": "Alex Example", "category": "KPW"}
        people.append(log.append("person.added", payload, step=step.id, author=author).seq)
    first = next((s for s in template.steps if s.kind not in ("person.added", "scale.changed")),
                 None)
    if first is not None:
        log.append(first.kind, _payload(first, people, now), step=first.id, author=author)
    note = log.append("note", {"text": "Self-test note, written at the wrong time."},
                      author=author)
    log.append("decision", {"decision": "Continue the self-test.",
                            "rationale": "Every entry kind a PIM uses most is exercised."},
               author=author)
    log.correct(note.seq, "Self-test correction.", fields={"text": "Self-test note."},
                author=author)
    return log


def _export_and_verify(log: Any, folder: Path, author: Any) -> int:
    """Exports the incident as JSON and as a signed PDF and verifies both as a recipient would:
    the PDF against the signer's certificate, the JSON against the head hash. Returns the
    number of entries the PDF holds."""
    from pir.export.files import write_new_file
    from pir.export.json_log import build_export, export_bytes
    from pir.export.pdf import export_pdf
    from pir.export.signing import officer_identity
    from pir.export.verify import verify_file

    json_path = folder / f"{log.row.ref}.json"
    doc = build_export(log, author)
    digest = write_new_file(json_path, export_bytes(doc))
    log.record_export(author=author, fmt="json", file_name=json_path.name, file_sha256=digest,
                      entries=doc["entry_count"], head_hash=doc["head_hash"])
    identity = officer_identity(log.db, author)
    cert = folder / f"{log.row.ref}-signer.pem"
    cert.write_text(identity.certificate_pem(), encoding="ascii")
    pdf_path = folder / f"{log.row.ref}.pdf"
    result = export_pdf(log, pdf_path, exported_by=author, identity=identity)
    checks = ((json_path, doc["entry_count"], verify_file(json_path,
                                                          expect_head=doc["head_hash"])),
              (pdf_path, result.entries, verify_file(pdf_path, cert)))
    for path, entries, verdict in checks:
        problem = next((x[5:] for x in verdict.lines if x.startswith("FAIL")), None)
        if not verdict.valid:
            raise SelfTestFailed(f"{path.name} did not verify: {problem or 'no reason given'}")
        if getattr(verdict, "exit_code", 0) != 0:
            raise SelfTestFailed(f"{path.name} is intact but not VALID: "
                                 f"{getattr(verdict, 'verdict', '')}")
        if not any(f"{entries} entries" in x for x in verdict.lines):
            raise SelfTestFailed(f"{path.name} verified but does not hold {entries} entries.")
    return result.entries


def _run(report: _Report, folder: Path) -> int:
    from pir.errors import WrongPassphraseError
    from pir.incident import Officer
    from pir.log.chain import verify_stored
    from pir.log.store import Database
    from pir.procedures.loader import load_templates, templates_dir

    author = Officer(_NAME, _RANK, _COLLAR, _ROLE, _FORCE)
    passphrase = secrets.token_urlsafe(24)
    path = folder / "self-test.db"

    with report.check("procedure templates") as detail:
        templates = load_templates()
        if not templates:
            raise SelfTestFailed(f"none found in {templates_dir()}")
        detail.append(f"{len(templates)} loaded ({', '.join(templates)})")
    with report.check("encrypted database created") as detail:
        db = Database.create(path, passphrase)
        version = db.conn.execute("PRAGMA cipher_version").fetchone()
        detail.append(f"SQLCipher {version[0] if version else '(version unknown)'}")
    try:
        for n, template in enumerate(templates.values(), start=1):
            with report.check(template.id) as detail:
                log = _record(db, template, f"SELFTEST-{n}", author)
                entries = _export_and_verify(log, folder, author)
                detail.append(f"{entries} entries; JSON and signed PDF exported, both VALID")
    finally:
        db.close()
    with report.check("database reopened") as detail:
        try:
            Database.open(path, passphrase + "-wrong").close()
        except WrongPassphraseError:
            pass
        else:
            raise SelfTestFailed("a wrong passphrase opened the database.")
        with Database.open(path, passphrase) as db:
            problems = db.integrity_check()
            if problems:
                raise SelfTestFailed(f"page check failed: {problems[0]}")
            rows = db.incidents()
            for row in rows:
                verify_stored(db, row.id, row.ref)
        detail.append(f"wrong passphrase refused; every page and {len(rows)} hash chains intact")
    return len(templates)


def run_self_test(out: TextIO | None = None,
                  make_folder: Callable[[], tempfile.TemporaryDirectory[str]] | None = None
                  ) -> int:
    """Runs every check; returns 0 (PASS) or 1 (FAIL, with the first problem printed)."""
    report = _Report(out or sys.stdout)
    report.line(f"PIR {__version__} self-test (Python {platform.python_version()}, "
                f"{platform.system()} {platform.machine()})")
    make = make_folder or (lambda: tempfile.TemporaryDirectory(prefix="pir-self-test-"))
    folder_name = ""
    try:
        with make() as name:
            folder_name = name
            count = _run(report, Path(name))
    except SelfTestFailed as exc:
        report.line(f"FAIL {exc}")
        return 1
    except OSError as exc:  # the temporary folder itself could not be made or removed
        report.line(f"FAIL temporary folder {folder_name or tempfile.gettempdir()}: {exc}")
        return 1
    if folder_name and Path(folder_name).exists():
        report.line(f"FAIL temporary folder {folder_name} was not removed")
        return 1
    report.line(f"PASS {count} templates, temporary files removed", report.elapsed())
    return 0
