"""The redacted copy's rule, worked out person by person from the register.

Fields that refer to people (types person/people) are printed through the register, so they
show the cipher of a protected person. Free text is matched on whole words, ignoring accents
and case (NFKD, combining marks stripped, a few letters without a decomposition folded, then
casefold), and only against forms the register records for a protected person: every full name
it ever held (corrections included), that name without rank or title, forename and surname,
rank and surname, the collar/warrant number (and its digits), and a forename or surname that
belongs to that person alone in the whole register, an initial with the surname, possessives
("Gwilym's", "Smith-Jones's", any apostrophe), in any Unicode normalisation (text is read as
NFC). A word that could be a protected person or someone else (a form that also belongs to
someone unprotected, half of a hyphenated name, or a protected surname or forename standing
beside another capitalised name, as in "Anna Nowak" when PC Łucja Nowak is protected) is never
given the cipher and never left readable: it becomes "[name withheld]" and is listed in the
review as ambiguous. Civilian contact details are withheld whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pir.log.store import StoredEntry
from pir.views.state import IncidentState

WITHHELD = "[withheld]"
WITHHELD_NAME = "[name withheld]"
# Fields withheld whole from a redacted copy: for everyone (contact) or for protected people.
WITHHELD_FOR_ALL = frozenset({"contact"})
WITHHELD_FOR_PROTECTED = frozenset({"warrant_number"})
# Words that are part of how names are written but identify nobody (titles and ranks).
TITLES = frozenset({
    "mr", "mrs", "miss", "ms", "mx", "dr", "prof", "rev", "sir", "dame", "lord", "lady",
    "pc", "ps", "dc", "ds", "di", "dci", "dsi", "dsu", "supt", "ch", "chief", "insp", "ci",
    "sgt", "sergeant", "inspector", "constable", "superintendent", "detective", "officer",
    "acting", "temporary", "special", "the", "and", "of", "afo", "arv",
})
# Letters NFKD leaves whole, folded the way people type them without the accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                       "ħ": "h", "Ħ": "H", "ı": "i", "æ": "ae", "Æ": "AE", "œ": "oe",
                       "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
                       "’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-"})
# A word: letters and digits, joined inside by hyphens or apostrophes ("Wynne-Price", "O'Neill").
_WORD = re.compile(r"[^\W_]+(?:['’ʼ‐‑\-][^\W_]+)*")
# What may stand between the words of a multi-word form: spaces, or an initial's full stop.
_GAP = re.compile(r"\.?\s+|\.")
_POSSESSIVE = "'s"


# Combining marks, as NFKD leaves them after the letters they accented.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """The matching key of a word: no accents, no case."""
    if text.isascii():
        return text.casefold()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD))).casefold()


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of a text: (start, end, folded)."""
    return [(m.start(), m.end(), fold(m.group(0))) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Outcome:
    """What a matched form does: replaced by `replacement`, or (replacement None) left alone;
    `ambiguous` lists the people it could be when it is left alone for that reason."""

    replacement: str | None
    people: tuple[int, ...] = ()
    ambiguous: bool = False


KEEP = Outcome(None)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    outcome: Outcome


@dataclass
class Redactor:
    """Replaces the forms of protected people by their cipher. The default one (for the full
    copy) changes nothing."""

    forms: dict[str, list[tuple[tuple[str, ...], Outcome]]] = field(default_factory=dict)
    protected: dict[int, str] = field(default_factory=dict)  # person seq -> cipher
    labels: dict[int, str] = field(default_factory=dict)  # person seq -> name (cipher)
    # Any form's first word, anywhere in a folded text: most texts name nobody, and this one
    # search says so without splitting them into words.
    quick: re.Pattern[str] | None = None
    # person seq -> the folded words of every name they held (to tell their own full name from
    # their surname beside someone else's forename)
    name_words: dict[int, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.forms and self.quick is None:
            keys = sorted(self.forms, key=len, reverse=True)
            self.quick = re.compile("|".join(re.escape(k) for k in keys))

    @property
    def active(self) -> bool:
        return bool(self.forms)

    @classmethod
    def for_log(cls, entries: list[StoredEntry], state: IncidentState) -> Redactor:
        register = _Register.read(entries, state)
        return cls(register.forms(), register.protected(), register.labels(),
                   name_words=register.name_words())

    def scan(self, text: str) -> Iterator[Match]:
        """Every form found in the text, longest first, left to right, never overlapping.
        Give it NFC text (`__call__` does): offsets are into the text given."""
        if not self.forms or not text or \
                (self.quick is not None and not self.quick.search(fold(text))):
            return
        found = words(text)
        i = 0
        while i < len(found):
            best: tuple[int, int, Outcome] | None = None
            key = found[i][2]
            candidates = self.forms.get(key, [])
            if key.endswith(_POSSESSIVE):  # "Gwilym's", "Smith-Jones's": the name is before it
                candidates = candidates + self.forms.get(key[:-len(_POSSESSIVE)], [])
            for form, outcome in candidates:
                end = _match_at(text, found, i, form)
                if end is not None and len(form) == 1 and form[0].isalpha() and \
                        not text[found[i][0]].isupper():
                    continue  # one name word counts only capitalised: "price" is a word
                if end is not None:
                    best = (i + len(form), end, outcome)
                    break  # forms are held longest first
            if best is None:
                i += 1
                continue
            outcome = best[2]
            single = best[0] - i == 1 and not any(c.isdigit() for c in found[i][2])
            if single and outcome.replacement not in (None, WITHHELD_NAME) and \
                    self._beside_another_name(text, found, i, outcome,
                                              possessive=best[1] < found[i][1]):
                # "Anna Nowak" when PC Łucja Nowak is protected: another person, or the officer
                # under another name; never the cipher beside someone else's name.
                outcome = Outcome(WITHHELD_NAME, outcome.people, True)
            yield Match(found[i][0], best[1], outcome)
            i = best[0]

    def _beside_another_name(self, text: str, found: list[tuple[int, int, str]], i: int,
                             outcome: Outcome, possessive: bool) -> bool:
        """Whether the one name word at `i` stands next to a capitalised word (not an acronym
        such as BWV) that is not a title and not a name of the person it would be replaced
        for. After a possessive ("Gwilym's Glock") the next word is what they had."""
        own = set().union(*(self.name_words.get(p, set()) for p in outcome.people))
        for j in (i - 1,) if possessive else (i - 1, i + 1):
            if not 0 <= j < len(found):
                continue
            a, b = (found[j], found[i]) if j < i else (found[i], found[j])
            if not text[a[1]:b[0]].isspace():
                continue
            word = text[found[j][0]:found[j][1]]
            folded = found[j][2].removesuffix(_POSSESSIVE)
            if word[:1].isupper() and not word.isupper() and folded not in TITLES and \
                    folded not in own:
                return True
        return False

    def __call__(self, text: str) -> str:
        if not self.forms or not text:
            return text
        text = unicodedata.normalize("NFC", text)
        out: list[str] = []
        last = 0
        for m in self.scan(text):
            if m.outcome.replacement is None:
                continue
            out.append(text[last:m.start])
            out.append(m.outcome.replacement)
            last = m.end
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def withholds(self, kind: str, key: str, person: int | None) -> bool:
        """Whether a field's value is withheld whole from the redacted copy."""
        if kind not in ("person.added", "person.updated"):
            return False
        return key in WITHHELD_FOR_ALL or (key in WITHHELD_FOR_PROTECTED
                                           and person in self.protected)


def _match_at(text: str, found: list[tuple[int, int, str]], i: int,
              form: tuple[str, ...]) -> int | None:
    """The end offset if `form` matches the words from index i on, else None."""
    if i + len(form) > len(found):
        return None
    for k, want in enumerate(form):
        start, end, got = found[i + k]
        if k:
            gap = text[found[i + k - 1][1]:start]
            if not _GAP.fullmatch(gap):
                return None
        if got != want:
            last = k == len(form) - 1
            if last and got == want + _POSSESSIVE:
                return end - len(_POSSESSIVE)
            return None
    return found[i + len(form) - 1][1]


@dataclass
class _Person:
    seq: int
    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    ranks: list[str] = field(default_factory=list)
    cipher: str = ""
    current: str = ""  # the name the register gives them now

    @property
    def name(self) -> str:
        return self.current or self.names[-1]


@dataclass
class _Register:
    """Everyone in the register with every name, number and rank ever recorded for them."""

    people: dict[int, _Person]

    @classmethod
    def read(cls, entries: list[StoredEntry], state: IncidentState) -> _Register:
        people: dict[int, _Person] = {}

        def note(pid: int, payload: dict[str, Any]) -> None:
            p = people.setdefault(pid, _Person(pid))
            for key, into in (("name", p.names), ("warrant_number", p.numbers),
                              ("rank", p.ranks)):
                value = payload.get(key)
                if isinstance(value, str) and value.strip() and value.strip() not in into:
                    into.append(value.strip())

        kinds = {e.seq: e.kind for e in entries}
        targets = {e.seq: e.payload.get("person") for e in entries if e.kind == "person.updated"}
        for e in entries:
            if e.kind == "person.added":
                note(e.seq, e.payload)
            elif e.kind == "person.updated" and isinstance(e.payload.get("person"), int):
                note(e.payload["person"], e.payload)
            elif e.kind == "correction" and e.corrects is not None:
                fields = e.payload.get("fields") or {}
                if kinds.get(e.corrects) == "person.added":
                    note(e.corrects, fields)
                elif kinds.get(e.corrects) == "person.updated" and \
                        isinstance(targets.get(e.corrects), int):
                    note(targets[e.corrects], fields)
        for pid, person in state.people.items():
            p = people.setdefault(pid, _Person(pid))
            p.cipher = (person.cipher or "").strip()  # the current cipher decides
            p.current = (person.name or "").strip()  # a name corrected back is no longer last
            if p.current and p.current not in p.names:
                p.names.append(p.current)
        # Who wrote and who decided are people too, though not in the register (the PIM, a
        # loggist): their own names and collar numbers are theirs, so a protected officer's
        # surname or number that they share is never taken for the officer's alone (the PIM
        # "Sarah Jones" beside a protected "Smith-Jones"; a collar 4512 beside "KE-4512").
        registered = {fold(n) for p in people.values() for n in p.names}
        writers: dict[tuple[str, str], _Person] = {}
        for e in entries:
            for key in ("author", "decision_maker"):
                who = e.body.get(key)
                name = str((who or {}).get("name") or "").strip()
                if not name or fold(name) in registered:
                    continue
                collar = str(who.get("collar") or "").strip()
                if (name, collar) not in writers:
                    writer = _Person(-1 - len(writers), [name], [collar] if collar else [],
                                     [str(who.get("rank") or "").strip()] if who.get("rank")
                                     else [])
                    writers[(name, collar)] = writer
                    people[writer.seq] = writer
        return cls(people)

    def protected(self) -> dict[int, str]:
        return {pid: p.cipher for pid, p in self.people.items() if p.cipher}

    def name_words(self) -> dict[int, set[str]]:
        return {pid: {w for name in p.names for _, _, w in words(name)}
                for pid, p in self.people.items()}

    def labels(self) -> dict[int, str]:
        return {pid: (f"{p.name} ({p.cipher}, P{pid})" if p.cipher else
                      f"{p.name} (P{pid})" if pid > 0 else
                      f"{p.name} (who wrote or decided entries)") if p.names else f"P{pid}"
                for pid, p in self.people.items()}

    def forms(self) -> dict[str, list[tuple[tuple[str, ...], Outcome]]]:
        protected = self.protected()
        if not protected:
            return {}
        owners: dict[tuple[str, ...], set[int]] = {}  # form -> the people it names
        parts: dict[tuple[str, ...], set[int]] = {}  # part of a hyphenated protected name

        def own(form: tuple[str, ...], pid: int) -> None:
            if form:
                owners.setdefault(form, set()).add(pid)

        for pid, p in self.people.items():
            for form in _name_forms(p):
                own(form, pid)
            for number in p.numbers:
                form = tuple(w for _, _, w in words(number))
                own(form, pid)
                for w in form:
                    if any(c.isdigit() for c in w) and len(w) >= 3:
                        own((w,), pid)
                for digits in re.findall(r"\d{3,}", number):  # "KE-4512", typed as "4512"
                    own((digits,), pid)
            if p.cipher:
                for name in p.names:
                    for _, _, w in words(name):
                        for half in re.split(r"['\-]", w) if re.search(r"['\-]", w) else ():
                            if len(half) >= 3 and half not in TITLES:
                                parts.setdefault((half,), set()).add(pid)
        table: dict[tuple[str, ...], Outcome] = {}
        for form, pids in owners.items():
            table[form] = _decide(form, pids, protected)
        for form, pids in parts.items():
            if form not in table or table[form].replacement is None:
                # Half of a hyphenated or apostrophe name: it may be someone else's name.
                table[form] = Outcome(WITHHELD_NAME,
                                      tuple(sorted(pids | owners.get(form, set()))), True)
        out: dict[str, list[tuple[tuple[str, ...], Outcome]]] = {}
        for form, outcome in table.items():
            if outcome.replacement is None and not outcome.ambiguous and len(form) == 1:
                continue  # a lone word of someone unprotected: nothing to do with it
            out.setdefault(form[0], []).append((form, outcome))
        for forms in out.values():
            forms.sort(key=lambda item: len(item[0]), reverse=True)
        return out


def _decide(form: tuple[str, ...], pids: set[int], protected: dict[int, str]) -> Outcome:
    shielded = [pid for pid in pids if pid in protected]
    if not shielded:
        return KEEP  # an unprotected person's name: kept whole, so no part of it is touched
    people = tuple(sorted(pids))
    if len(shielded) < len(pids):
        # Also someone unprotected: neither the cipher (it may be the other person) nor the
        # word (it may be the officer): withheld, and listed for the PIM to review.
        return Outcome(WITHHELD_NAME, people, True)
    ciphers = {protected[pid] for pid in shielded}
    if len(ciphers) == 1:
        return Outcome(ciphers.pop(), people)
    return Outcome(WITHHELD_NAME, people)  # shared by protected people only: name nobody


def _name_forms(p: _Person) -> set[tuple[str, ...]]:
    """The forms a person's names are written in: in full, without titles, forename and
    surname, rank and surname, and each name word on its own."""
    forms: set[tuple[str, ...]] = set()
    ranks = [tuple(w for _, _, w in words(r)) for r in p.ranks]
    for name in p.names:
        full = tuple(w for _, _, w in words(name))
        if not full:
            continue
        forms.add(full)
        lead = 0
        while lead < len(full) - 1 and full[lead] in TITLES:
            lead += 1
        core = full[lead:]
        forms.add(core)
        if len(core) > 2:
            forms.add((core[0], core[-1]))
            forms.add(core[1:])  # a surname of several words: "Ní Bhriain", "de la Cruz"
        if len(core) >= 2:
            forms.add((core[0][0], core[-1]))  # an initial and the surname: "L. Nowak"
        surname = core[-1]
        for rank in [full[:lead], *ranks]:
            if rank:
                forms.add((*rank, surname))
                forms.add((*rank, *core))
        for w in core:
            if len(w) >= 2 and w not in TITLES and not w.isdigit():
                forms.add((w,))
    return forms
