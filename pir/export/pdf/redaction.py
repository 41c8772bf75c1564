"""The redacted copy's rule: protected people's names, name parts and collar numbers become
their cipher, wherever they appear (worked out from person references, not a word list)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pir.log.store import StoredEntry
from pir.views.state import IncidentState

WITHHELD_NAME = "[name withheld]"
# Words that are part of how names are written but identify nobody.
_NOT_NAMES = {"mr", "mrs", "miss", "ms", "dr", "pc", "ps", "dc", "ds", "di", "dci", "sgt",
              "insp", "inspector", "sergeant", "constable", "chief", "superintendent",
              "detective", "officer", "acting", "temporary", "the", "and"}


@dataclass
class Redactor:
    """Replaces protected names (and their parts and collar numbers) by the person's cipher.
    The default one (for the full copy) changes nothing."""

    pattern: re.Pattern[str] | None = None
    by_word: dict[str, str] = field(default_factory=dict)
    protected: dict[int, str] = field(default_factory=dict)  # person seq -> cipher
    names: set[str] = field(default_factory=set)

    @classmethod
    def for_log(cls, entries: list[StoredEntry], state: IncidentState) -> Redactor:
        names: dict[int, set[str]] = {}
        numbers: dict[int, set[str]] = {}
        ciphers: dict[int, str] = {}

        def note(pid: int, payload: dict[str, Any]) -> None:
            if isinstance(payload.get("name"), str) and payload["name"].strip():
                names.setdefault(pid, set()).add(payload["name"].strip())
            if isinstance(payload.get("warrant_number"), str) and payload["warrant_number"]:
                numbers.setdefault(pid, set()).add(payload["warrant_number"].strip())
            if isinstance(payload.get("cipher"), str) and payload["cipher"].strip():
                ciphers[pid] = payload["cipher"].strip()

        kinds = {e.seq: e.kind for e in entries}
        for e in entries:
            if e.kind == "person.added":
                note(e.seq, e.payload)
            elif e.kind == "person.updated" and isinstance(e.payload.get("person"), int):
                note(e.payload["person"], e.payload)
            elif e.kind == "correction" and kinds.get(e.corrects) == "person.added":
                note(e.corrects, e.payload.get("fields") or {})
        for pid, person in state.people.items():
            if person.cipher:
                ciphers[pid] = person.cipher  # the current cipher wins
        words: dict[str, str] = {}
        for pid, cipher in ciphers.items():
            for name in names.get(pid, ()):
                _add_word(words, name, cipher)
                for part in re.split(r"[\s,]+", name):
                    part = part.strip(".'’-")
                    if len(part) >= 3 and part.casefold() not in _NOT_NAMES:
                        _add_word(words, part, cipher)
            for number in numbers.get(pid, ()):
                if len(number) >= 3:
                    _add_word(words, number, cipher)
        if not words:
            return cls(protected=dict(ciphers))
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        all_names = {n for pid in ciphers for n in names.get(pid, ())}
        return cls(pattern, words, dict(ciphers), all_names)

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.by_word.get(m.group(0).casefold(),
                                                           WITHHELD_NAME), text)


def _add_word(words: dict[str, str], word: str, cipher: str) -> None:
    key = word.casefold()
    # A word shared by two protected people cannot name either: withhold it.
    words[key] = cipher if words.get(key, cipher) == cipher else WITHHELD_NAME
