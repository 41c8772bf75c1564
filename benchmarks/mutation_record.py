"""The kept record of mutation runs: one file per group under benchmarks/mutation-results/.

A group run (benchmarks/mutation_run.py) happens in a folder under /tmp that does not outlive
the machine. Its outcome is kept here, in the repository, one line per mutant:

    {"name": "pir.log.store.xǁDatabaseǁappend__mutmut_37", "status": "killed",
     "commit": "c94a0da1b2e3"}

with, for a survivor, the mutant's diff, so that the report can class it again later. A
mutant's status holds for the commit it was found at, and for every later commit at which its
function is unchanged: the same mutant, against tests that have only grown. A later run of the
same mutant replaces it; a function changed since makes its mutants stale (run them again).

`merge` is the one rule by which a run's results go over what was kept; the report and the
rechecks both use it, so what a recheck runs and what the report counts cannot disagree.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "benchmarks" / "mutation-results"
OPEN = ("survived", "no tests", "not checked")  # what a recheck runs again
_MODULE = re.compile(r"^(.*?)\.x[_ǁ]")

Row = dict[str, str]
Changed = Callable[[str, str, str], list[str]]  # (then, now, module) -> name patterns


def module_of(name: str) -> str:
    """The source path of a mutant's module: pir.log.store.xǁDatabaseǁappend__mutmut_1 ->
    pir/log/store.py."""
    m = _MODULE.match(name)
    if not m:
        raise ValueError(f"not a mutant name: {name}")
    return m.group(1).replace(".", "/") + ".py"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


@functools.cache
def is_ancestor(then: str, now: str) -> bool:
    """Whether commit `then` is `now` or comes before it."""
    return then == now or _git("merge-base", "--is-ancestor", then, now).returncode == 0


@functools.cache
def _source(commit: str, module: str) -> str:
    shown = _git("show", f"{commit}:{module}")
    return shown.stdout if shown.returncode == 0 else ""


def functions(source: str) -> dict[str, str]:
    """Each function's code by mutmut's name for it (x_name, xǁClassǁname); under "xǁClassǁ"
    what a class holds besides its methods (its fields and their defaults); under "" the rest
    of the module but its imports (a change there may change what every function does; an
    import only binds a name, which a function uses only if its own code names it)."""
    tree = ast.parse(source)
    out: dict[str, str] = {}
    rest = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out[f"x_{node.name}"] = ast.dump(node)
        elif isinstance(node, ast.ClassDef):
            body = []
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                    out[f"xǁ{node.name}ǁ{sub.name}"] = ast.dump(sub)
                else:
                    body.append(ast.dump(sub))
            out[f"xǁ{node.name}ǁ"] = "\n".join(
                [*body, *(ast.dump(d) for d in node.decorator_list),
                 *(ast.dump(b) for b in node.bases)])
        elif not isinstance(node, ast.Import | ast.ImportFrom):
            rest.append(ast.dump(node))
    out[""] = "\n".join(rest)
    return out


@functools.cache
def _changed(then: str, now: str, module: str) -> tuple[str, ...]:
    return tuple(changed_between(_source(then, module), _source(now, module),
                                 module.removesuffix(".py").replace("/", ".")))


def changed_between(before: str, after: str, dotted: str) -> list[str]:
    """The mutant name patterns of the functions of module `dotted` whose code differs
    between the two sources."""
    old, new = functions(before), functions(after)
    if old.get("") != new.get(""):
        return [f"{dotted}.*"]
    changed = {name for name in set(old) | set(new) if name and old.get(name) != new.get(name)}
    for key in [k for k in changed if k.endswith("ǁ")]:
        # A class's fields changed: its methods, and every function that names the class.
        changed.discard(key)
        cls = key.split("ǁ")[1]
        changed |= {name for name, code in new.items()
                    if name and not name.endswith("ǁ") and (
                        name.startswith(f"xǁ{cls}ǁ") or f"id='{cls}'" in code)}
    return [f"{dotted}.{name}__mutmut_*" for name in sorted(changed)]


def changed_functions(then: str, now: str, module: str) -> list[str]:
    """The mutant name patterns of `module`'s functions changed from commit `then` to `now`
    (every mutant of the module when anything outside its functions changed)."""
    return list(_changed(then, now, module))


def matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def merge(kept: dict[str, Row], run: Iterable[Row], commit: str,
          changed: Changed = changed_functions,
          ancestor: Callable[[str, str], bool] = is_ancestor) -> dict[str, Row]:
    """What is known after a run at `commit` (its rows: every mutant of its modules there,
    run or "not checked") is laid over what was `kept` (rows of earlier runs).

    - a mutant the run decided is taken from the run;
    - a mutant the run did not reach keeps its earlier result, unless its function changed
      since that result's commit: then it is "not checked" (stale);
    - a kept mutant of the run's modules that no longer exists at `commit` is dropped;
    - a kept result of a later commit than the run's is never replaced by it."""
    run = list(run)
    out = dict(kept)
    modules = {module_of(r["name"]) for r in run}
    names = {r["name"] for r in run}
    for name, row in kept.items():
        if module_of(name) in modules and name not in names and ancestor(row["commit"], commit):
            del out[name]
    for row in run:
        new = {**row, "commit": commit}
        old = kept.get(row["name"])
        if old is None:
            out[row["name"]] = new
        elif not ancestor(old["commit"], commit):
            continue
        elif row["status"] != "not checked" or matches(
                row["name"], changed(old["commit"], commit, module_of(row["name"]))):
            out[row["name"]] = new
    return out


def to_run(kept: dict[str, Row], now: str, modules: Iterable[str],
           changed: Changed = changed_functions) -> list[str]:
    """The mutant names and patterns a recheck at commit `now` runs: every kept mutant left
    open, every mutant of a function changed since its result's commit, and every mutant of
    a module with nothing kept."""
    out: list[str] = []
    patterns: set[str] = set()
    by_module: dict[str, list[Row]] = {}
    for name, row in kept.items():
        by_module.setdefault(module_of(name), []).append({**row, "name": name})
    for module in modules:
        rows = by_module.get(module, [])
        if not rows:
            patterns.add(module.removesuffix(".py").replace("/", ".") + ".*")
            continue
        for then in sorted({r["commit"] for r in rows}):
            if then != now:
                patterns.update(changed(then, now, module))
        out += [r["name"] for r in rows if r["status"] in OPEN]
    return sorted({n for n in out if not matches(n, patterns)} | patterns)


def path_for(group: str, records: Path = RECORDS) -> Path:
    return records / f"{group}.jsonl"


def load(group: str, records: Path = RECORDS) -> dict[str, Row]:
    """The kept rows of a group, by mutant name (none when nothing was kept)."""
    path = path_for(group, records)
    if not path.exists():
        return {}
    rows = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        if not isinstance(row, dict) or not {"name", "status", "commit"} <= row.keys():
            raise ValueError(f"{path}:{n}: not a mutant's row")
        rows[row.pop("name")] = row
    return rows


def save(group: str, rows: dict[str, Row], records: Path = RECORDS) -> Path:
    """Writes the group's rows, one per line in name order (so a change reads as a diff)."""
    records.mkdir(parents=True, exist_ok=True)
    path = path_for(group, records)
    keep = ("status", "commit", "diff")
    lines = [json.dumps({"name": name, **{k: row[k] for k in keep if row.get(k)}},
                        ensure_ascii=False) for name, row in sorted(rows.items())]
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(path)
    return path
