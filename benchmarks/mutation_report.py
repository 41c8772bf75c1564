"""The mutation score and the survivors, one line each, from the kept record and the runs.

After benchmarks/mutation_run.py, from the clone:

    .venv/bin/python benchmarks/mutation_report.py --into /tmp/pir-mutation --keep > survivors.md

lays the group runs under /tmp/pir-mutation over the kept record (benchmarks/mutation-results,
see mutation_record.py) and, with --keep, writes the record back with them: commit it, and the
next clone goes on from there. With no argument it reports the kept record alone.

Each survivor gets a class and a one-line reason:
- "text": only the text of a string changed (a message's wording, its case), no decision, or
  only the words given to a storage error's sentence (`_errors("read the log")` given None);
- "default": only the fallback of a `.get(key, default)` changed, for a key that validated
  bodies always carry;
- "equivalent": a keyword flag given None instead of False (both read as false);
- "open": anything else, a gap in the tests, listed with the changed line to look at.
Mutants that no selected test reaches are counted apart ("not reached"), not as killed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import mutation_record

STRING = re.compile(r"""(?:[rbfu]{0,2})("([^"\\]|\\.)*"|'([^'\\]|\\.)*')""", re.I)
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|ORDER BY|BEGIN|VALUES|ON CONFLICT|FROM|WHERE"
                 r"|PRAGMA|CREATE|DROP|ATTACH|DETACH|ROLLBACK|COMMIT|EXCLUDED)\b|\?\)"
                 r"|^\W*hash\) VALUES", re.I)
# A value quoted inside SQL ('table') is compared as written; only a schema name (the one
# sqlcipher_export takes) is read in any case.
SQL_QUOTED = re.compile(r"'[^']*'")
SCHEMA_NAME = re.compile(r"sqlcipher_export\('[A-Za-z_]+'\)", re.I)
# What a storage error's sentence says was being done and what became of the data: wording.
ERRORS_CALL = re.compile(r"\b(_errors|storage_errors)\((?:[^()]|\([^()]*\))*\)")
# An error raised or returned with the values its sentence shows (a path, a version, a count).
ERROR_ARG = re.compile(r"\b(\w+Error)\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
GET_DEFAULT = re.compile(r"""\.get\(([^,()]+),\s*[^()]*\)|\.get\(([^,()]+)\)""")


def _changed(diff: str) -> tuple[str, str]:
    old = " ".join(ln[1:].strip() for ln in diff.splitlines()
                   if ln.startswith("-") and not ln.startswith("---"))
    new = " ".join(ln[1:].strip() for ln in diff.splitlines()
                   if ln.startswith("+") and not ln.startswith("+++"))
    return old, new


def _words(literals: list[str]) -> bool:
    """Whether these string literals are wording (a sentence, with a space, or the last word of
    one, with its full stop), not a key, a code or a name the program looks up."""
    return all(" " in lit.strip("\"'") or re.search(r"[a-z]{2}\.$", lit.strip("\"'"), re.I)
               for lit in literals)


# Mutants read one by one and judged equivalent, by name (the numbers hold for the source as it
# is; a change to the function renumbers them and they come back as "open" to be read again).
_FAST_PATH = ("only turns the fold's fast path off (or on where it gives what the slow path "
              "gives: an intact entry of an intact log): the same entries and breaks")
JUDGED = {
    **{f"pir.log.chain.xǁChainWatchǁentries__mutmut_{n}": _FAST_PATH
       for n in (3, 4, 18, 20, 21, 22, 23, 24, 25, 30, 31, 32, 34, 35, 36, 38, 39, 40, 41, 68,
                 69)},
    "pir.log.chain.x__order_problem__mutmut_1":
        "called only when the numbers differ, so > and >= agree",
    "pir.merge.x__anchored__mutmut_21":
        "reached only for a chain held with no import recorded and nothing new in the file, "
        "which no import leaves: every stored chain was logged by the import that stored it",
    "pir.log.witnessing.xǁHeadWitnessingǁreset_witness__mutmut_2":
        "_frozen is only read for its truth: None and False read alike",
    **{f"pir.merge.x_import_bytes__mutmut_{n}":
       "the name only shows in a parse error, and verify_export has just parsed these bytes"
       for n in (37, 40, 41)},
    "pir.log.witness.x_compare__mutmut_36":
        "drops the last argument, None, which is the field's default",
    **{f"pir.views.referral.x_referral_deadline__mutmut_{n}":
       "the loader admits only 'hours:N', one colon: every way of splitting it gives N"
       for n in (12, 13, 15)},
    **{f"pir.log.store.xǁDatabaseǁ_commit__mutmut_{n}":
       "the database keeps a rollback journal (JOURNAL_MODE is 'truncate'): the WAL checkpoint "
       "is never reached, and outside WAL mode a checkpoint does nothing"
       for n in (4, 5, 6, 7, 8)},
    **{name: "the incident's number is a shortcut: without it the number is looked up"
       for name in ("pir.log.store.xǁDatabaseǁ_insert__mutmut_14",
                    "pir.log.store.xǁDatabaseǁappend__mutmut_37",
                    "pir.log.store.xǁDatabaseǁappend__mutmut_39",
                    "pir.log.store.xǁDatabaseǁcreate_incident__mutmut_41",
                    "pir.log.store.xǁDatabaseǁcreate_incident__mutmut_43",
                    "pir.log.store.xǁDatabaseǁ_num__mutmut_1",
                    "pir.log.store.xǁDatabaseǁcreate_incident__mutmut_45")},
    **{f"pir.log.store.xǁDatabaseǁappend__mutmut_{n}":
       "append is only reached for an incident with its opening entry (written with the "
       "incident in one transaction), so the last row is always found"
       for n in (29, 34)},
    **{name: "column names in another case: SQLite reads them alike"
       for name in ("pir.log.store.xǁDatabaseǁraw_entries__mutmut_9",
                    "pir.log.store.xǁDatabaseǁfold_rows__mutmut_9")},
    "pir.log.journal.x__in_use__mutmut_1":
        "no fcntl only on Windows, which this platform is not",
    **{f"pir.log.journal.x__in_use__mutmut_{n}":
       "the probe's own lock on a byte it just locked, dropped anyway when the descriptor "
       "closes a moment later"
       for n in (26, 27, 28, 29, 30)},
    **{f"pir.log.journal.x__in_use__mutmut_{n}": why for n, why in (
        (16, "drops the whence argument, os.SEEK_SET, which is its default"),
        (18, "two bytes from PENDING reach RESERVED, the next byte, which is probed anyway"))},
    **{f"pir.log.witness.x_{fn}__mutmut_{n}": why for fn, n, why in (
        ("_replace", 17, "bytes.ljust pads with a space unless told otherwise"),
        ("write", 63, "bytes.ljust pads with a space unless told otherwise"),
        ("_replace", 18, "the record padded before instead of after: JSON reads both"),
        ("write", 64, "the record padded before instead of after: JSON reads both"),
        ("_replace", 7, "slots with more room to grow: still two equal slots of whole units"),
        ("_replace", 34, "reached only when the write failed and the partial file cannot be "
                         "removed either"),
        ("_slots", 6, "only files of 0 or 1 bytes are split differently: unreadable either way"),
        ("_write_at", 1, "the other branch writes the same bytes (tested without pwrite)"),
        ("_write_at", 5, "the other branch writes the same bytes (tested without pwrite)"),
        ("_write_at", 6, "the other branch writes the same bytes (tested without pwrite)"),
        ("mac", 8, "each database has its own random MAC key, and the id is compared before "
                   "the MAC: a record of another id is refused either way"),
        ("write", 13, "only fd >= 0 is asked, and -1 and -2 both fail it"),
        ("write", 25, "O_NOFOLLOW exists here: the fallback is for systems without it"),
        ("write", 28, "O_NOFOLLOW exists here: the fallback is for systems without it"),
        ("write", 31, "O_NOFOLLOW exists here: the fallback is for systems without it"),
        ("write", 32, "O_BINARY exists only on Windows: 0 either way here"),
        ("write", 38, "O_BINARY exists only on Windows: 0 either way here"),
        ("write", 39, "O_BINARY exists only on Windows: 0 either way here"),
        ("write", 41, "os.open never gives 0 while standard input is open, as it always is"),
        ("write", 42, "os.open never gives 0 while standard input is open, as it always is"),
        ("write", 53, "a record exactly filling its slot is written whole instead: the same "
                      "witness"),
        ("write", 71, "fsync instead of fdatasync flushes more, not less"),
        ("write", 76, "fsync instead of fdatasync flushes more, not less"),
        ("write", 77, "fsync instead of fdatasync flushes more, not less"))},
    **{f"pir.log.witnessing.xǁHeadWitnessingǁ{fn}__mutmut_{n}": why for fn, n, why in (
        ("_start_witness", 27, "witness.read always names the problem when it gives no heads"),
        ("_start_witness", 28, "witness.read always names the problem when it gives no heads"),
        ("_write_witness", 29, "witness.read always names the problem when it gives no heads"),
        ("_write_witness", 30, "witness.read always names the problem when it gives no heads"),
        ("_write_witness", 36, "the same number on disk is the same entry; a rewritten one is "
                               "a finding whose head is held and put back just after"),
        ("_write_witness", 42, "an incident held absent was found in the file, and nothing is "
                               "ever removed from it: it is always among the heads"),
        ("_write_witness", 48, "only whether the record goes into its slot or the file is "
                               "replaced whole: the witness reads back the same"),
        ("_write_witness", 54, "only whether the record goes into its slot or the file is "
                               "replaced whole: the witness reads back the same"),
        ("_write_witness", 57, "only whether the record goes into its slot or the file is "
                               "replaced whole: the witness reads back the same"))},
    **{f"pir.export.pdf.redaction.xǁRedactorǁwithholds__mutmut_{n}":
       "no field of person.updated is withheld: the templates give it neither contact "
       "details nor a warrant number" for n in (4, 5)},
    "pir.export.pdf.redaction.xǁRedactorǁ_beside_another_name__mutmut_22":
        "j is never i (it is i - 1 or i + 1), so < and <= agree",
    "pir.export.json_log.x_shape_problem__mutmut_12":
        "strings are replaced before all but the brackets are dropped: what replaces them is "
        "dropped too",
    "pir.export.json_log.x_shape_problem__mutmut_19":
        "a whole number of brackets is above len/4 exactly when it is above len//4",
    "pir.export.json_log.x__depth__mutmut_13":
        "only the depth of a text with no brackets at all, 0 or 1, both within the limit",
    "pir.export.json_log.x__order_problem__mutmut_10":
        "an entry at its own place has already gone on to the next, so < and <= agree",
    "pir.export.json_log.x_load_canonical__mutmut_38":
        "drops strict=False, which is zip's default",
    "pir.export.json_log.x__walk__mutmut_4":
        "both callers have checked every entry is an object before the walk",
    **{f"pir.export.page_text.x_entry_needles__mutmut_{n}":
       "datetime.fromisoformat reads a trailing Z itself (Python 3.11 and later)"
       for n in (9, 10)},
    "pir.export.verdict.x__strings__mutmut_19":
        "a value that is not text gives text with no hostile character in it either way",
    **{f"pir.log.mutable.xǁMutableTablesǁsave_draft__mutmut_{n}":
       "the draft is read back with json.loads, which reads escaped and plain text alike"
       for n in (19, 20)},
    **{f"pir.export.pdf.review.x__texts__mutmut_{n}":
       "no procedure's person update has a field withheld whole (contact, warrant number): "
       "the update step refuses them, so whose update it is never decides"
       for n in (10, 14, 15, 16)},
    **{f"pir.export.pdf.review.x_review_entries__mutmut_{n}":
       "a correction of a person update is looked up for whose field it changes, and no "
       "update has a field withheld whole" for n in (35, 36)},
    **{f"pir.export.pdf.review.x__texts__mutmut_{n}":
       "a key holds '[' only for a list item, and no field withheld whole is a list"
       for n in (24, 27, 28, 29, 30)},
    "pir.export.pdf.review.x__walk__mutmut_12":
        "the only lists of text in a payload are multichoice answers, words of the procedure "
        "itself, never a name or a withheld field",
    "pir.export.pdf.review.x__texts__mutmut_37":
        "only a correction's payload nests (under fields): another entry's keys have one part",
    "pir.export.pdf.review.x__texts__mutmut_46":
        "a correction's keys are fields.NAME or event_time: 'fields' alone is never a text",
    "pir.export.pdf.review.x__texts__mutmut_18":
        "the walk reads None and '' alike as the empty path",
    **{f"pir.export.pdf.review.x__walk__mutmut_{n}":
       "payloads are objects, so every text in one has a key path" for n in (2, 3)},
    "pir.export.pdf.review.x__texts__mutmut_56":
        "every entry's body carries these keys, as null when empty, so the lookup never fails",
    **{f"pir.export.pdf.review.x_review_entries__mutmut_{n}":
       "the redactor reads the people from the state, never the incident's id or reference"
       for n in (6, 7, 12, 14, 15)},
    **{f"pir.export.signing.x__replace_rows__mutmut_{n}":
       "an identity's created_utc is kept for the record and never read: rows are found by "
       "their id and label" for n in (26, 28, 29)},
    **{f"pir.export.signing.x_add_approval_signature__mutmut_{n}":
       "pyHanko makes the missing field itself, invisible, under the name given (tested: "
       "its name, rectangle, sub-filter, digest and reason)" for n in (18, 21)},
    "pir.export.signing.x_add_approval_signature__mutmut_14":
        "pyHanko reads the digest's name in any case: SHA256 is sha256",
    "pir.export.signing.x__open__mutmut_48":
        "drops the chain argument, (), which is its default",
    "pir.export.signing.x__upgrade__mutmut_1":
        "a key under PBKDF2 is always PIN-protected, and _open has given a key or refused",
    "pir.export.pdf.redaction.xǁ_Registerǁread__mutmut_35":
        "no procedure's other entries naming a person (accounts, welfare) carry a name, number "
        "or rank to note",
    **{f"pir.export.pdf.redaction.xǁRedactorǁ_beside_another_name__mutmut_{n}":
       "every person an outcome names is in the register the name words come from"
       for n in (3, 5)},
    **{f"pir.export.pdf.redaction.xǁRedactorǁscan__mutmut_{n}":
       "only turns the quick search off: it skips texts holding no form, which the full scan "
       "finds nothing in either" for n in (1, 2, 6)},
    "pir.export.pdf.redaction.xǁRedactorǁscan__mutmut_49":
        "a word's forms are sorted longest first, so its lone-word form is its last candidate",
    "pir.export.pdf.redaction.xǁ_Registerǁread__mutmut_7":
        "a person of the register is read by the key kept under, never by its own seq (only "
        "a writer's is read)",
    "pir.export.signing.x_encrypt_key__mutmut_12":
        "a salt of 17 random bytes instead of 16: the key records its salt, and reads back the "
        "same (OpenSSL too)",
    **{f"pir.export.pdf.redaction.xǁ_Registerǁread__mutmut_{n}": why for n, why in (
        (112, "a writer with no collar gets the number XXXX, which no text of theirs holds"),
        (124, "writers numbered 1, 0, -1, ...: 1 is always the opening entry, never a person"),
        (125, "writers numbered -2, -3, ...: still apart from every person of the register"),
        (127, "a writer with no collar gets an empty number, which has no words to match"),
        (139, "the writers' table is only asked whether it holds a writer"))},
    "pir.export.pdf.redaction.xǁ_Registerǁlabels__mutmut_2":
        "everyone in the register has a name (person.added requires one), and every writer",
    **{f"pir.export.pdf.redaction.x__decide__mutmut_{n}":
       "whom a name withheld for protected people only belongs to is read only when the "
       "match is ambiguous, which this outcome is not" for n in (23, 25)},
    **{f"pir.log.journal.x_damage__mutmut_{n}": why for n, why in (
        (8, "reads the whole file as the header: its first 28 bytes are read the same"),
        (9, "a header of 29 bytes read: the 20 after the magic are sliced the same"),
        (23, "the header holds 28 bytes, so [8:29] is the same 20 bytes as [8:28]"),
        (34, "differs only for a header claiming 1-byte pages; SQLite's are 512 to 65536"),
        (52, "one byte more of the record as the page: the checksum reads only bytes below "
             "page - 200"),
        (71, "the checksum's last offset is page mod 200, never 0 for a power of two from 512 "
             "to 65536: stopping at 1 reads the same bytes"))},
    **{f"pir.log.journal.x__rebuild_unread__mutmut_{n}": why for n, why in (
        (44, "a PRAGMA's value is not case-sensitive: 'on' is ON"),
        (45, "writable_schema takes anything but a true word as off"),
        (46, "a PRAGMA's value is not case-sensitive: 'off' is OFF"),
        (49, "SQL keywords are not case-sensitive"))},
    **{f"pir.export.signing.x_sign_pdf__mutmut_{n}": why for n, why in (
        (15, "EmbeddedFileParams records the size unless told not to"),
        (16, "EmbeddedFileParams records the checksum unless told not to"),
        (45, "pyHanko signs with SHA-256 when no digest is named (a test checks SHA-256)"),
        (49, "pyHanko certifies with DocMDP 2 (form filling and signing) unless told "
             "otherwise (a test checks level 2)"),
        (54, "the stamp style is used only for a visible field, which is made only with a "
             "box; without one the signature is invisible either way"))},
    "pir.export.signing.x__name_text__mutmut_4":
        "bytes.decode's encoding is UTF-8 when none is given",
    **{f"pir.log.store.xǁDatabaseǁintegrity_check__mutmut_{n}":
       "PRAGMA names are not case-sensitive" for n in (4, 8, 10)},
    "pir.log.store.xǁDatabaseǁ_rollback__mutmut_1":
        "with a connection, ROLLBACK outside a transaction fails and is suppressed, as not "
        "trying does; the connection is never None here (it is taken before BEGIN)",
    "pir.log.salvage.x_salvage__mutmut_181": "SQL keywords are not case-sensitive",
    "pir.log.journal.x_set_aside_if_damaged__mutmut_4":
        "a journal of 0 or 1 bytes holds no header, so damage() calls it nothing to play back "
        "either way",
    **{f"pir.log.salvage.x_readable_rows__mutmut_{n}": why for n, why in (
        (8, "the first row read alone, then in batches: the same rows"),
        (12, "no rows as None or []: both read as none"),
        (13, "a batch tried one row sooner after damage: it fails there again, the same rows"),
        (20, "a batch that never parses reads every row alone: the same rows, slower"),
        (26, "a batch tried again at every row past damage: the same rows, slower"))},
    "pir.export.pdf.redaction.xǁRedactorǁ__call____mutmut_12":
        "the first slice starts at None or 0 alike: the start of the text",
    **{f"pir.export.pdf.redaction.xǁRedactorǁ__post_init____mutmut_{n}":
       "only how the quick search is built (or whether it is): it asks whether any form "
       "occurs, which the order of its alternatives never changes, and without it the full "
       "scan finds the same (its speed is in benchmarks/bench_pdf.py)"
       for n in (1, 2, 5, 8, 9, 11)},
    **{f"pir.export.pdf.redaction.xǁ_Registerǁforms__mutmut_{n}":
       "two forms that both match at a word are one the other's prefix, and a prefix sorts "
       "before its extension, so reverse order puts the longer first as len does"
       for n in (102, 104)},
    "pir.export.pdf.redaction.xǁ_Registerǁforms__mutmut_64":
        "_decide never reads the form, only whose it is",
    "pir.export.pdf.redaction.xǁ_Registerǁforms__mutmut_92":
        "adds an unprotected person's lone words as forms that keep the word: the scan then "
        "matches them and moves one word on, as it does when nothing matches",
    "pir.export.pdf.redaction.x__name_forms__mutmut_10":
        "the full name is added again as the name without titles (no title) or as the title "
        "with that name (a title)",
    "pir.export.pdf.review.x__walk__mutmut_13":
        "the only lists of text in a payload are multichoice answers, words of the procedure "
        "itself, never a name or a withheld field",
    "pir.log.keying.x_connect__mutmut_24":
        "a busy timeout of 10.01 s instead of 10 s: no wait anyone could tell apart",
    **{f"pir.log.journal.x__tail_agrees__mutmut_{n}":
       "index names are not case-sensitive in SQLite" for n in (62, 64)},
    "pir.receipts.x_parse_receipt__mutmut_14":
        "XXXX has no colon, so the pattern fails on it as on the empty text",
    "pir.receipts.x_parse_receipt__mutmut_29":
        "the code is read only when the pattern matched: without a match it is refused first",
    "pir.export.verify.x_read_export__mutmut_23":
        "reading two bytes past the limit tells a file over it as reading one does",
    "pir.merge.x__first_difference__mutmut_10": "drops strict=False, which is zip's default",
    **{f"pir.share.x_join_document__mutmut_{n}":
       "entry 1 opens or joins every incident, so its state always has an opening time"
       for n in (23, 25)},
    "pir.views.compliance.x__closed_at__mutmut_7":
        "closed_seq is set only by an incident.closed entry, so the list of them is never "
        "empty here",
    "pir.views.compliance.x__separation__mutmut_71":
        "the separation step is 'soon as safe' (missable is False): None reads the same",
}


def _error_args_as_none(line: str) -> set[str]:
    """The line with one argument of one error's constructor given as None (or str(None))."""
    out = set()
    for m in ERROR_ARG.finditer(line):
        args = m.group(2).split(", ")
        for n in range(len(args)):
            for repl in ("None", "str(None)"):
                call = f"{m.group(1)}({', '.join(args[:n] + [repl] + args[n + 1:])})"
                out.add(line[:m.start()] + call + line[m.end():])
    return out


def classify(diff: str, name: str = "") -> tuple[str, str]:
    if name in JUDGED:
        return "equivalent", JUDGED[name]
    old, new = _changed(diff)
    old_literals = [m.group(0) for m in STRING.finditer(old)]
    new_literals = [m.group(0) for m in STRING.finditer(new)]
    changed = [a for a, b in zip(old_literals, new_literals, strict=False) if a != b]
    codecs = {'"utf-8"', "'utf-8'", '"ascii"', "'ascii'"}
    if STRING.sub('""', old) == STRING.sub('""', new) and changed and all(
            a.lower() == b.lower() for a, b in zip(old_literals, new_literals, strict=False)
            if a.lower() in codecs) and {a.lower() for a in changed} <= codecs:
        return "equivalent", "the codec's name in another case: Python reads both alike"
    if STRING.sub('""', old) == STRING.sub('""', new) and changed and all(
            a.lower() == b.lower() and SQL.search(a)
            and SQL_QUOTED.findall(SCHEMA_NAME.sub("", a)) ==
            SQL_QUOTED.findall(SCHEMA_NAME.sub("", b))
            for a, b in zip(old_literals, new_literals, strict=False) if a != b):
        return "equivalent", "SQL in another case: SQLite reads keywords and names alike"
    if (STRING.sub('""', old) == STRING.sub('""', new) and _words(changed)
            and not any(SQL.search(a) for a in changed)) or (
            "None" in new and STRING.sub("None", old) == new
            and _words(old_literals) and "Error(" in old + new):
        return "text", f"only a message's wording changed: {new[:100]}"
    if old != new and new in _error_args_as_none(old):
        return "text", f"only what an error's sentence names changed: {new[:100]}"
    if ERRORS_CALL.search(old) and old != new and \
            ERRORS_CALL.sub(r"\1()", old) == ERRORS_CALL.sub(r"\1()", new):
        return "text", f"only the words of a storage error's sentence changed: {new[:100]}"
    if re.sub(r"\.(en|de)code\(\)", r'.\1code("utf-8")', new) == old and old != new:
        return "equivalent", "encode/decode without the codec's name: UTF-8 is the default"
    if re.sub(r"=\s*None\b", "=False", new) == old and old != new:
        return "equivalent", "a flag given None for False: the callee reads both as false"
    if GET_DEFAULT.sub(r".get(\1\2)", old) == GET_DEFAULT.sub(r".get(\1\2)", new):
        return "default", "only a .get() fallback changed, for a key validated bodies carry"
    return "open", new[:140]


def collect() -> list[dict[str, str]]:
    """Every mutant of the mutmut run in the current folder, with its status and, for a
    survivor, its diff."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    rows = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            row = {"name": name, "status": status_by_exit_code[code]}
            if row["status"] == "survived":
                row["diff"] = get_diff_for_mutant(name, path=path)
            rows.append(row)
    return rows


def _folders(into: Path) -> list[Path]:
    """The group runs under `into` (benchmarks/mutation_run.py), in the order their results
    go over each other: by commit, then a group's first run before its rechecks."""
    folders = []
    for p in sorted(into.iterdir()) if into.is_dir() else []:
        if not (p / "mutants").is_dir():
            continue
        if not (p / "COMMIT").exists():
            print(f"{p.name}: no COMMIT file, so not made by mutation_run.py; left out",
                  file=sys.stderr)
            continue
        folders.append(p)

    def order(p: Path) -> tuple[int, int]:
        commit = (p / "COMMIT").read_text().strip()
        ahead = subprocess.run(["git", "-C", str(mutation_record.ROOT), "rev-list", "--count",
                                commit], capture_output=True, text=True).stdout.strip()
        again = p.name.partition(".")[2].removeprefix("recheck")
        return int(ahead or 0), (int(again or 1) if p.name.count(".") else 0)

    return sorted(folders, key=order)


def gather(into: Path | None, records: Path = mutation_record.RECORDS, keep: bool = False,
           groups: list[str] | None = None) -> list[dict[str, str]]:
    """Every mutant of every group (or of `groups`): the kept record
    (benchmarks/mutation-results) with the runs under `into` laid over it
    (mutation_record.merge). With `keep`, the record is written back with them."""
    from mutation_run import GROUPS

    known = {group: mutation_record.load(group, records) for group in groups or GROUPS}
    for where in _folders(into) if into else []:
        group = where.name.partition(".")[0]
        if group not in known:
            if group not in GROUPS:
                print(f"{where.name}: not a group of mutation_run.py; left out",
                      file=sys.stderr)
            continue
        commit = (where / "COMMIT").read_text().strip()[:12]
        known[group] = mutation_record.merge(known[group], _rows(where), commit)
    if keep:
        for group, rows in known.items():
            if rows:
                print(f"kept {mutation_record.save(group, rows, records)}", file=sys.stderr)
    out = []
    for rows in known.values():
        for name, row in rows.items():
            row = {**row, "name": name, "module": mutation_record.module_of(name)}
            if row["status"] == "survived":
                row["kind"], row["reason"] = classify(row.get("diff", ""), name)
            out.append(row)
    return out


def _rows(where: Path) -> list[dict[str, str]]:
    out = subprocess.run([sys.executable, __file__, "--json"], cwd=where, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def report(rows: list[dict[str, str]]) -> None:
    counts = Counter(r["status"] for r in rows)
    per_module: dict[str, Counter[str]] = {}
    for r in rows:
        per_module.setdefault(r["module"], Counter())[r["status"]] += 1
    survivors = [r for r in rows if r["status"] == "survived"]
    kinds = Counter(r["kind"] for r in survivors)
    killed, survived = counts["killed"] + counts["timeout"], counts["survived"]
    unreached = counts["no tests"]
    judged = killed + survived + unreached
    from importlib.metadata import version

    print("# Mutation survivors\n")
    print(f"Made by `benchmarks/mutation_report.py` (mutmut {version('mutmut')}) on "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the kept record "
          "(benchmarks/mutation-results) of the group runs of `benchmarks/mutation_run.py`; "
          "each module's commits (those its results were found at) are in the table. Classes: text "
          "(only a message's wording), default (only a `.get()` fallback), equivalent (the "
          "reason says why; left out of the score), open (a gap in the tests, with the changed "
          "line).\n")
    print(f"killed {killed}, survived {survived} ({kinds['text']} text, {kinds['default']} "
          f"default, {kinds['equivalent']} equivalent, {kinds['open']} open), not reached by "
          f"the selected tests {unreached}, "
          f"not run {counts['not checked']}.\n")
    if judged:
        real = judged - kinds["equivalent"]
        rest = real - kinds["text"] - kinds["default"]
        print(f"Score: {killed / real:.1%} of the non-equivalent mutants run (a mutant no test "
              f"reaches counts as a survivor; {kinds['equivalent']} equivalent left out); "
              f"{killed / rest:.1%} leaving out the text and default survivors too.\n")
    commits: dict[str, set[str]] = {}
    for r in rows:
        if r["status"] != "not checked":
            commits.setdefault(r["module"], set()).add(r["commit"][:7])
    print("| module | commit | killed | survived (equivalent) | not reached | not run | score |\n"
          "|---|---|---|---|---|---|---|")
    equivalent = Counter(r["module"] for r in survivors if r["kind"] == "equivalent")
    for module, c in sorted(per_module.items()):
        k = c["killed"] + c["timeout"]
        n = k + c["survived"] + c["no tests"] - equivalent[module]
        score = f"{k / n:.1%}" if n else "-"
        found = ", ".join(sorted(commits.get(module, ())))
        print(f"| {module} | {found} | {k} | {c['survived']} ({equivalent[module]}) | "
              f"{c['no tests']} | {c['not checked']} | {score} |")
    print("\n## Survivors\n")
    for r in sorted(survivors, key=lambda r: (r["kind"] != "open", r["name"])):
        print(f"- `{r['name']}` {r['kind']}: {r['reason']}")
    missed = sorted(r["name"] for r in rows if r["status"] == "no tests")
    if missed:
        print("\n## Not reached by the selected tests\n")
        for name in missed:
            print(f"- `{name}`")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--json"]:
        json.dump(collect(), sys.stdout)
        return 0
    keep = "--keep" in args
    args = [a for a in args if a != "--keep"]
    if len(args) == 2 and args[0] == "--into":
        report(gather(Path(args[1]), keep=keep))
        return 0
    if not args:
        report(gather(None))
        return 0
    print("usage: mutation_report.py [--into DIR] [--keep]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
