"""The mutation score and the survivors, one line each, from a finished `mutmut run`.

Run it in the worktree where mutmut ran (the folder holding `mutants/` and pyproject.toml):

    /path/to/clone/.venv/bin/python /path/to/clone/benchmarks/mutation_report.py > survivors.md

Each survivor gets a class and a one-line reason:
- "text": only the text of a string changed (a message's wording, its case), no decision;
- "default": only the fallback of a `.get(key, default)` changed, for a key that validated
  bodies always carry;
- "open": anything else, a gap in the tests, listed with the changed line to look at.
Mutants that no selected test reaches are counted apart ("not reached"), not as killed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

STRING = re.compile(r"""(?:[rbfu]{0,2})("([^"\\]|\\.)*"|'([^'\\]|\\.)*')""", re.I)
GET_DEFAULT = re.compile(r"""\.get\(([^,()]+),\s*[^()]*\)|\.get\(([^,()]+)\)""")


def _changed(diff: str) -> tuple[str, str]:
    old = " ".join(ln[1:].strip() for ln in diff.splitlines()
                   if ln.startswith("-") and not ln.startswith("---"))
    new = " ".join(ln[1:].strip() for ln in diff.splitlines()
                   if ln.startswith("+") and not ln.startswith("+++"))
    return old, new


def classify(diff: str) -> tuple[str, str]:
    old, new = _changed(diff)
    if STRING.sub('""', old) == STRING.sub('""', new) or (
            "None" in new and STRING.sub("None", old) == new):
        return "text", "only a string's text changed: a message's wording, no decision"
    if GET_DEFAULT.sub(r".get(\1\2)", old) == GET_DEFAULT.sub(r".get(\1\2)", new):
        return "default", "only a .get() fallback changed, for a key validated bodies carry"
    return "open", new[:140]


def main() -> int:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    counts: Counter[str] = Counter()
    per_module: dict[str, Counter[str]] = {}
    survivors: list[tuple[str, str, str]] = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        module = str(path)
        for name, code in data.exit_code_by_key.items():
            status = status_by_exit_code[code]
            counts[status] += 1
            per_module.setdefault(module, Counter())[status] += 1
            if status == "survived":
                kind, reason = classify(get_diff_for_mutant(name, path=path))
                survivors.append((name, kind, reason))
    kinds = Counter(kind for _, kind, _ in survivors)
    killed, survived = counts["killed"] + counts["timeout"], counts["survived"]
    judged = killed + survived
    print("# Mutation survivors\n")
    print(f"killed {killed}, survived {survived} ({kinds['text']} text, {kinds['default']} "
          f"default, {kinds['open']} open), not reached by the selected tests "
          f"{counts['no tests']}, not run {counts['not checked']}.\n")
    if judged:
        rest = judged - kinds["text"] - kinds["default"]
        print(f"Score: {killed / judged:.1%} of the mutants run; {killed / rest:.1%} leaving "
              "out the text and default survivors.\n")
    print("| module | killed | survived | not reached |\n|---|---|---|---|")
    for module, c in sorted(per_module.items()):
        print(f"| {module} | {c['killed'] + c['timeout']} | {c['survived']} | {c['no tests']} |")
    print("\n## Survivors\n")
    for name, kind, reason in sorted(survivors, key=lambda s: (s[1] != "open", s[0])):
        print(f"- `{name}` {kind}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
