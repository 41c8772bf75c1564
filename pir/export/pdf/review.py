"""What a redacted copy will change, shown to the user before it is made: every replacement
(entry, field, the text around it, what it becomes) and every ambiguous match left as it is
(the word and the people it could be). A redacted export with anything ambiguous needs the
user's confirmation."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pir.errors import InputError
from pir.export.pdf.redaction import WITHHELD, Redactor
from pir.incident import officer_label
from pir.log.store import StoredEntry
from pir.procedures.model import Template
from pir.views.state import IncidentState

_CONTEXT = 30
_BODY_TEXT = (("late_reason", "late reason"), ("reason", "reason"),
              ("event_time_note", "time note"), ("clock_note", "clock note"))


@dataclass(frozen=True)
class Replacement:
    seq: int
    field: str
    original: str  # the matched text with a little around it
    replacement: str
    matched: str = ""  # the matched text itself ("" when the whole field is withheld)


@dataclass(frozen=True)
class Ambiguity:
    seq: int
    field: str
    word: str
    snippet: str
    people: tuple[str, ...]  # each as "name (cipher, P12)" or "name (P12)"

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.seq, self.field, self.word.casefold())


class RedactionUnconfirmedError(InputError):
    """A redacted export leaves ambiguous matches and the user has not confirmed them."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"The redacted copy would leave {count} ambiguous name match"
            f"{'es' if count != 1 else ''} as written (each could be a protected person or "
            "someone else); review them, then confirm, before exporting. Nothing was exported.")
        self.count = count


@dataclass(frozen=True)
class RedactionReview:
    ref: str
    entry_count: int
    head_hash: str
    replacements: tuple[Replacement, ...]
    ambiguous: tuple[Ambiguity, ...]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.ambiguous)

    def covers(self, other: RedactionReview) -> bool:
        """Whether confirming this review confirms `other` (made later, perhaps from a longer
        log): every ambiguous match in `other` was shown here."""
        shown = {a.key for a in self.ambiguous}
        return all(a.key in shown for a in other.ambiguous)

    def lines(self) -> list[str]:
        out = [f"Redaction review of {self.ref}: {self.entry_count} entries, head "
               f"{self.head_hash}",
               "",
               f"Replacements ({len(self.replacements)}): protected people's names, numbers and "
               "withheld details, as they will read in the redacted copy."]
        out += [f"  entry {r.seq}, {r.field}: \"{r.matched}\" in \"{r.original}\" -> "
                f"{r.replacement}" if r.matched else
                f"  entry {r.seq}, {r.field}: {r.original} -> {r.replacement}"
                for r in self.replacements] or ["  none"]
        out += ["",
                f"Ambiguous ({len(self.ambiguous)}): NOT replaced; each word also names someone "
                "who is not protected (or is only part of a protected name). Check each one; "
                "if a protected person is meant, correct the entry to use the full name or the "
                "cipher."]
        out += [f"  entry {a.seq}, {a.field}: \"{a.word}\" in \"{a.snippet}\" could be: "
                f"{'; '.join(a.people)}" for a in self.ambiguous] or ["  none"]
        return out


def review_entries(ref: str, template: Template, entries: list[StoredEntry],
                   head_hash: str, redactor: Redactor | None = None) -> RedactionReview:
    """The review of a redacted copy of these entries (the same rules the copy is drawn with)."""
    if redactor is None:
        corrections = [e for e in entries if e.kind == "correction"]
        incident = entries[0].body["incident"] if entries else ""
        state = IncidentState.fold(incident, ref, template, entries, corrections)
        redactor = Redactor.for_log(entries, state)
    replacements: list[Replacement] = []
    ambiguous: list[Ambiguity] = []
    targets = {e.seq: e for e in entries if e.kind in ("person.added", "person.updated")}
    for entry in entries:
        for field, text in _texts(entry, redactor, targets):
            if text is None:
                replacements.append(Replacement(entry.seq, field, "(withheld whole)", WITHHELD))
                continue
            text = unicodedata.normalize("NFC", text)  # as the copy is drawn
            for m in redactor.scan(text):
                snippet = _around(text, m.start, m.end)
                if m.outcome.ambiguous:
                    ambiguous.append(Ambiguity(
                        entry.seq, field, text[m.start:m.end], snippet,
                        tuple(redactor.labels.get(p, f"P{p}") for p in m.outcome.people)))
                elif m.outcome.replacement is not None:
                    replacements.append(Replacement(entry.seq, field, snippet,
                                                    m.outcome.replacement,
                                                    text[m.start:m.end]))
    return RedactionReview(ref, len(entries), head_hash, tuple(replacements), tuple(ambiguous))


def check_confirmed(review: RedactionReview, confirmed: bool | RedactionReview) -> None:
    """Refuses a redacted export whose ambiguous matches the user has not confirmed: `True`
    confirms whatever is found; a review confirms what it showed."""
    if not review.needs_confirmation or confirmed is True:
        return
    if isinstance(confirmed, RedactionReview) and confirmed.covers(review):
        return
    raise RedactionUnconfirmedError(len(review.ambiguous))


def _texts(entry: StoredEntry, redactor: Redactor,
           targets: dict[int, StoredEntry]) -> Iterator[tuple[str, str | None]]:
    """Every piece of free text in an entry, by field; None for a field withheld whole."""
    about = entry
    if entry.kind == "correction" and entry.corrects in targets:
        about = targets[entry.corrects]
    person = about.seq if about.kind == "person.added" else about.payload.get("person")
    for key, value in _walk(entry.payload, ""):
        parts = key.split("[", 1)[0].split(".")
        top = parts[1] if entry.kind == "correction" and parts[0] == "fields" and \
            len(parts) > 1 else parts[0]
        if value and redactor.withholds(about.kind, top, person):
            yield key, None
        else:
            yield key, value
    for key, label in _BODY_TEXT:
        if isinstance(entry.body.get(key), str) and entry.body[key]:
            yield label, entry.body[key]
    for key, label in (("author", "author"), ("decision_maker", "decision maker")):
        text = officer_label(entry.body.get(key))
        if text:
            yield label, text


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "text", value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def _around(text: str, start: int, end: int) -> str:
    a, b = max(0, start - _CONTEXT), min(len(text), end + _CONTEXT)
    snippet = " ".join(text[a:b].split())
    return ("…" if a else "") + snippet + ("…" if b < len(text) else "")
