"""The kept record of mutation runs (benchmarks/mutation_record.py): how a run's results go
over what was kept, and what a recheck runs again. Git is replaced by a fixed history here:
commits a < b < c, and `pir.m.x_f` changed between a and b."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "mutation_record", Path(__file__).resolve().parent.parent / "benchmarks" / "mutation_record.py")
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)

ORDER = "abc"
F = "pir.m.x_f__mutmut_"
G = "pir.m.x_g__mutmut_"


def ancestor(then: str, now: str) -> bool:
    return ORDER.index(then) <= ORDER.index(now)


def changed(then: str, now: str, module: str) -> list[str]:
    assert module == "pir/m.py"
    return ["pir.m.x_f__mutmut_*"] if then == "a" and now != "a" else []


def merge(kept, run, commit):
    return record.merge(kept, run, commit, changed=changed, ancestor=ancestor)


def rows(**statuses: str) -> list[dict[str, str]]:
    return [{"name": (F if k[0] == "f" else G) + k[1:], "status": s} for k, s in statuses.items()]


def test_module_of_names_the_source_file_of_functions_and_methods():
    assert record.module_of("pir.log.store.xǁDatabaseǁappend__mutmut_37") == "pir/log/store.py"
    assert record.module_of("pir.export.pdf.redaction.x_fold__mutmut_1") == \
        "pir/export/pdf/redaction.py"
    with pytest.raises(ValueError, match="not a mutant name"):
        record.module_of("pir.log.store")


def test_a_decided_result_of_a_later_run_replaces_the_kept_one():
    kept = merge({}, rows(f1="survived", g1="killed"), "a")
    after = merge(kept, rows(f1="killed", g1="survived"), "b")
    assert after[F + "1"] == {"name": F + "1", "status": "killed", "commit": "b"}
    assert after[G + "1"]["status"] == "survived"


def test_a_mutant_not_reached_keeps_its_result_while_its_function_is_unchanged():
    kept = merge({}, rows(g1="killed"), "a")
    after = merge(kept, rows(g1="not checked"), "b")
    assert after[G + "1"] == {"name": G + "1", "status": "killed", "commit": "a"}


def test_a_mutant_not_reached_of_a_changed_function_is_stale():
    kept = merge({}, rows(f1="killed"), "a")
    after = merge(kept, rows(f1="not checked"), "b")
    assert after[F + "1"]["status"] == "not checked"
    assert after[F + "1"]["commit"] == "b"


def test_a_kept_mutant_that_no_longer_exists_is_dropped():
    kept = merge({}, rows(f1="killed", f2="survived", g1="killed"), "a")
    after = merge(kept, rows(f1="killed", g1="not checked"), "b")
    assert set(after) == {F + "1", G + "1"}


def test_a_mutant_of_another_module_is_untouched():
    other = "pir.n.x_h__mutmut_1"
    kept = {other: {"status": "survived", "commit": "a"}}
    assert merge(kept, rows(f1="killed"), "b")[other] == {"status": "survived", "commit": "a"}


def test_an_older_run_never_replaces_a_later_result():
    kept = merge({}, rows(f1="killed", f2="killed"), "c")
    after = merge(kept, rows(f1="survived"), "b")
    assert after[F + "1"]["status"] == "killed"
    assert after[F + "1"]["commit"] == "c"
    assert F + "2" in after


def test_a_new_mutant_of_the_run_is_added():
    after = merge({}, rows(f9="survived"), "a")
    assert after[F + "9"]["status"] == "survived"


def test_a_recheck_runs_what_is_open_and_what_changed_but_not_what_was_killed():
    kept = {G + "1": {"status": "killed", "commit": "a"},
            G + "2": {"status": "survived", "commit": "a"},
            G + "3": {"status": "not checked", "commit": "b"},
            G + "4": {"status": "no tests", "commit": "b"},
            F + "1": {"status": "survived", "commit": "a"}}
    names = record.to_run(kept, "b", ["pir/m.py"], changed=changed)
    assert names == sorted([G + "2", G + "3", G + "4", "pir.m.x_f__mutmut_*"])


def test_a_recheck_at_the_commit_of_every_result_runs_only_the_open_ones():
    kept = {F + "1": {"status": "killed", "commit": "a"},
            F + "2": {"status": "survived", "commit": "a"}}
    assert record.to_run(kept, "a", ["pir/m.py"], changed=changed) == [F + "2"]


def test_a_module_never_run_is_run_whole():
    assert record.to_run({}, "b", ["pir/export/x.py"], changed=changed) == ["pir.export.x.*"]


def test_the_record_reads_back_as_written_one_row_a_line(tmp_path):
    rows_ = {G + "2": {"status": "survived", "commit": "a", "diff": "-x\n+y\n"},
             G + "1": {"status": "killed", "commit": "b"}}
    path = record.save("grp", rows_, tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["name"] for line in lines] == [G + "1", G + "2"]
    assert record.load("grp", tmp_path) == rows_
    assert record.load("other", tmp_path) == {}


def test_a_row_missing_its_commit_is_refused_with_its_line(tmp_path):
    (tmp_path / "grp.jsonl").write_text('{"name": "pir.m.x_f__mutmut_1", "status": "killed"}\n',
                                        encoding="utf-8")
    with pytest.raises(ValueError, match=r"grp\.jsonl:1: not a mutant's row"):
        record.load("grp", tmp_path)


def test_changed_functions_come_from_the_code_not_its_layout():
    old = "def f():\n    return 1\n\nclass C:\n    def m(self):\n        return 2\n"
    new = "def f():\n    return  1  # same\n\nclass C:\n    def m(self):\n        return 3\n"
    a, b = record.functions(old), record.functions(new)
    assert a["x_f"] == b["x_f"]
    assert a["xǁCǁm"] != b["xǁCǁm"]
    assert a[""] == b[""]


BEFORE = """import os

CONSTANT = 1


@dataclass
class Box:
    size: int = 1

    def area(self):
        return self.size ** 2


def make():
    return Box(2)


def other():
    return os.sep
"""


def test_an_added_import_changes_no_function():
    after = BEFORE.replace("import os\n", "import os\nimport stringprep\n")
    assert record.changed_between(BEFORE, after, "pir.m") == []


def test_a_changed_module_constant_changes_every_function():
    after = BEFORE.replace("CONSTANT = 1", "CONSTANT = 2")
    assert record.changed_between(BEFORE, after, "pir.m") == ["pir.m.*"]


def test_a_changed_class_field_changes_its_methods_and_the_functions_naming_it():
    after = BEFORE.replace("size: int = 1", "size: int = 3")
    assert record.changed_between(BEFORE, after, "pir.m") == [
        "pir.m.x_make__mutmut_*", "pir.m.xǁBoxǁarea__mutmut_*"]


def test_a_changed_function_changes_only_itself():
    after = BEFORE.replace("return Box(2)", "return Box(3)")
    assert record.changed_between(BEFORE, after, "pir.m") == ["pir.m.x_make__mutmut_*"]
