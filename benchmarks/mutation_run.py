"""Mutation testing of the trust modules, one group of modules at a time with its own tests.

    .venv/bin/python benchmarks/mutation_run.py [GROUP ...] [--workers N] [--into DIR]

Each group is a set of trust modules and the test files that exercise them. A group runs in a
fresh export of the committed tree (`git archive HEAD`) under DIR (default /tmp/pir-mutation),
with `[tool.mutmut]` narrowed to that group, so a mutant runs only the group's tests that call
the mutated function rather than most of the suite (a mutant of canonical_bytes otherwise runs
some 500 tests). Afterwards run benchmarks/mutation_report.py with the same DIR: it adds the
groups up, prints the score per module and every survivor with its class.

With no GROUP every group runs, in the order below. A group's folder made from the same commit
is kept, and mutmut goes on from the mutants it has not yet run: a run cut short (a session's
end) is continued by running the same command again on the same commit.

With --recheck a group runs again, with the tests of this commit, only what is still open in
the kept record (benchmarks/mutation-results, see mutation_record.py) and the folders under
DIR: its survivors, what was not run, every mutant of a function changed since its result's
commit. Each run and recheck writes the record when it ends; commit it, so that the next clone
goes on from it.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import mutation_record
import mutation_report

ROOT = Path(__file__).resolve().parent.parent

# module paths -> test files. Every module the issue lists is in exactly one group.
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "canonical": (("pir/canonical.py", "pir/receipts.py"),
                  ("tests/test_canonical.py", "tests/test_receipts.py",
                   "tests/test_verify_json.py", "tests/test_log_boundaries.py",
                   "tests/test_share_import.py")),
    "chain": (("pir/log/chain.py", "pir/log/chains.py"),
              ("tests/test_chain.py", "tests/test_chain_watch.py", "tests/test_log_boundaries.py",
               "tests/test_log_format.py", "tests/test_chains_held.py",
               "tests/test_verify_json.py", "tests/test_store.py", "tests/faults/test_witness.py")),
    "views": (("pir/views/compliance.py", "pir/views/referral.py"),
              ("tests/test_views.py", "tests/test_views_boundaries.py",
               "tests/test_procedure_edges.py", "tests/test_referral_life.py",
               "tests/test_welfare_runs.py")),
    "merge": (("pir/merge.py", "pir/share.py"),
              ("tests/test_share_import.py", "tests/test_multichain_export.py",
               "tests/test_multichain_pdf.py", "tests/test_log_boundaries.py",
               "tests/test_chains_held.py", "tests/test_join_files.py")),
    "json": (("pir/export/verify.py", "pir/export/json_log.py"),
             ("tests/test_verify_json.py", "tests/test_verify_fuzz.py",
              "tests/test_verify_merged.py", "tests/test_verify_reading.py",
              "tests/test_verify_refusals.py", "tests/test_receipts.py",
              "tests/test_multichain_export.py",
              "tests/test_log_boundaries.py", "tests/test_share_import.py")),
    "store": (("pir/log/store.py", "pir/log/schema.py", "pir/log/keying.py",
               "pir/log/mutable.py", "pir/log/failures.py"),
              ("tests/test_store.py", "tests/test_entries.py", "tests/test_log_boundaries.py",
               "tests/faults/test_honest_errors.py", "tests/faults/test_disk_full.py",
               "tests/test_mutable_tables.py", "tests/test_storage_failures.py",
               "tests/test_keying.py", "tests/test_store_reads.py", "tests/test_store_upkeep.py",
               "tests/test_store_failures.py",
               "tests/test_witness_writers.py", "tests/faults/test_crash.py",
               "tests/faults/test_torn_commit.py", "tests/test_store_openings.py")),
    "journal": (("pir/log/journal.py", "pir/log/salvage.py"),
                ("tests/faults/test_crash.py", "tests/faults/test_torn_commit.py",
                 "tests/test_journal_damage.py", "tests/test_salvage_reads.py",
                 "tests/test_torn_indexes.py", "tests/test_store_openings.py",
                 "tests/test_store.py")),
    "witness": (("pir/log/witness.py", "pir/log/witnessing.py"),
                ("tests/faults/test_witness.py", "tests/test_witness_compare.py",
                 "tests/test_witness_writers.py", "tests/faults/test_honest_errors.py",
                 "tests/test_store_failures.py", "tests/test_store_reads.py",
                 "tests/test_store.py", "tests/test_log_boundaries.py")),
    "redaction": (("pir/export/pdf/redaction.py", "pir/export/pdf/review.py"),
                  ("tests/test_redaction.py", "tests/test_redaction_corpus.py",
                   "tests/test_redaction_review_text.py", "tests/test_redaction_review_log.py",
                   "tests/test_redaction_forms.py")),
    "pdf": (("pir/export/pdf_verify.py", "pir/export/verdict.py", "pir/export/page_check.py",
             "pir/export/page_binding.py", "pir/export/relayout.py", "pir/export/pdf_objects.py",
             "pir/export/page_text.py"),
            ("tests/test_pdf_verify.py", "tests/test_page_binding.py",
             "tests/test_countersign.py", "tests/test_multichain_pdf.py",
             "tests/test_verify_fuzz.py", "tests/test_verdict_checks.py",
             "tests/test_verdict_summary.py", "tests/test_page_text_check.py")),
    "signing": (("pir/export/signing.py",),
                ("tests/test_signing_keys.py", "tests/test_pdf_verify.py",
                 "tests/test_countersign.py", "tests/test_page_binding.py",
                 "tests/test_pdf_export.py", "tests/test_kdf_costs.py")),
}
# Seconds a run each, for nothing a mutant changes that a quicker test does not also catch.
DESELECT = ("tests/test_verify_fuzz.py::test_mutated_json_inside_the_pdf",)


def _config(modules: tuple[str, ...], tests: tuple[str, ...]) -> str:
    def toml_list(items: tuple[str, ...]) -> str:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"

    selection = (*tests, *(f"--deselect={nodeid}" for nodeid in DESELECT))
    return ("[tool.mutmut]\n"
            f"source_paths = {toml_list(modules)}\n"
            f"pytest_add_cli_args_test_selection = {toml_list(selection)}\n"
            'also_copy = ["tests", "resources", "ui", "pir", "installer", "main.py", "docs"]\n'
            'process_isolation = "forkserver"\n')


def head_commit() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def export_tree(into: Path) -> None:
    """The committed tree, as a clean checkout would have it."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    commit = head_commit()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "COMMIT").write_text(commit + "\n", encoding="utf-8")


def prepare(group: str, base: Path, folder: str | None = None) -> Path:
    """The group's folder: kept as it is when it was made from this same commit (mutmut then
    goes on where a run cut short stopped), made afresh otherwise."""
    modules, tests = GROUPS[group]
    where = base / (folder or group)
    made = where / "COMMIT"
    if made.exists() and made.read_text(encoding="utf-8").strip() == head_commit():
        return where
    export_tree(where)
    pyproject = where / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = re.sub(r"\[tool\.mutmut\].*?(?=^\[|\Z)", "", text, flags=re.S | re.M)
    pyproject.write_text(text.rstrip() + "\n\n" + _config(modules, tests), encoding="utf-8")
    return where


def run_group(group: str, base: Path, workers: int) -> int:
    code = _mutmut(prepare(group, base), workers)
    keep(base, [group])
    return code


def keep(base: Path, groups: list[str]) -> None:
    """Lays the runs under `base` over the kept record and writes it back
    (benchmarks/mutation-results): what a folder under /tmp found outlives the machine."""
    mutation_report.gather(base, keep=True, groups=groups)


def recheck_group(group: str, base: Path, workers: int, only: list[str] | None = None) -> int:
    """Runs again, with the tests as they are now, only what is still open for the group in
    the kept record and the runs under `base`: its survivors, the mutants not yet run, every
    mutant of a function changed since its result's commit, and every mutant of a module never
    run. With `only` (name patterns), just those. Each recheck has a folder of its own
    (GROUP.recheck, GROUP.recheck2, ...), laid over what came before."""
    modules = GROUPS[group][0]
    kept = {r["name"]: r for r in mutation_report.gather(base, groups=[group])}
    names = mutation_record.to_run(kept, head_commit()[:12], modules)
    if only:
        names = [n for n in names if any(fnmatch.fnmatch(n, o) or fnmatch.fnmatch(o, n)
                                         for o in only)]
    commits = sorted({r["commit"][:7] for r in kept.values()})
    print(f"  {len(names)} mutants and patterns to run again (kept results of "
          f"{', '.join(commits) or 'no run'})", flush=True)
    if not names:
        return 0
    folder, n = f"{group}.recheck", 1
    while (base / folder).exists() and n < 99:
        n += 1
        folder = f"{group}.recheck{n}"
    where = prepare(group, base, folder)
    code = _mutmut(where, workers, names)
    keep(base, [group])
    return code


def _mutmut(where: Path, workers: int, names: list[str] | None = None) -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    mutmut = Path(sys.executable).with_name("mutmut")
    with open(where / "mutmut.log", "wb") as log:
        return subprocess.run([str(mutmut), "run", "--max-children", str(workers),
                               *(names or [])], cwd=where, env=env, stdout=log,
                              stderr=subprocess.STDOUT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", choices=[[], *GROUPS], default=[])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--into", type=Path, default=Path("/tmp/pir-mutation"))
    parser.add_argument("--recheck", action="store_true",
                        help="run only the survivors of each group's earlier run again")
    parser.add_argument("--only", nargs="+", metavar="PATTERN",
                        help="with --recheck: only the mutants whose names match")
    args = parser.parse_args(argv)
    failed = []
    for group in args.groups or list(GROUPS):
        print(f"{group}: {' '.join(GROUPS[group][0])}", flush=True)
        code = recheck_group(group, args.into, args.workers, args.only) if args.recheck \
            else run_group(group, args.into, args.workers)
        if code != 0:
            failed.append(group)
            print(f"  mutmut failed; see {args.into / group / 'mutmut.log'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
