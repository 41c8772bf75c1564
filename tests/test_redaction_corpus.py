"""The redacted copy against a corpus of hostile sentences: every form of a protected officer's
name replaced (possessives with any apostrophe, hyphenated names, initials, accents or none, NFC
or NFD, collar numbers, names from corrections), never a cipher beside someone else's name (the
word is withheld and listed instead), and words that merely contain a name left alone. Checked
sentence by sentence on the redactor, then on a real redacted PDF: its text, its raw and
decompressed streams, its attachments and its metadata."""

from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest
from test_redaction import streams

from pir.export.json_log import build_export
from pir.export.pdf import export_pdf, redaction_review
from pir.export.pdf.redaction import Redactor, fold
from pir.export.signing import new_self_signed
from pir.force import shipped_settings_path
from pir.incident import IncidentLog
from tests.values import PIM

W = "[name withheld]"
NFD_SIOBHAN = unicodedata.normalize("NFD", "Siobhán Ní Bhriain")

# (sentence, what the redacted copy must print, how many places the review lists as ambiguous)
CORPUS: list[tuple[str, str, int]] = [
    # Full names, with and without rank, accents, case.
    ("PC Łucja Nowak drew her Taser.", "B12 drew her Taser.", 0),
    ("Łucja Nowak drew her Taser.", "B12 drew her Taser.", 0),
    ("LUCJA NOWAK left the room.", "B12 left the room.", 0),
    ("Lucja Nowak left the room.", "B12 left the room.", 0),
    ("PC Nowak spoke to the PIM.", "B12 spoke to the PIM.", 0),
    ("L. Nowak signed the PNB.", "B12 signed the PNB.", 0),
    ("L Nowak signed the PNB.", "B12 signed the PNB.", 0),
    ("Łucja asked for water.", "B12 asked for water.", 0),
    ("Gwilym Pryce and Łucja Nowak were separated.", "AFO-7 and B12 were separated.", 0),
    ("gwilym pryce was quiet.", "AFO-7 was quiet.", 0),
    ("Officer Pryce was interviewed.", "Officer AFO-7 was interviewed.", 0),
    ("PC Gwilym Pryce (AFO-7) was the principal officer.",
     "AFO-7 (AFO-7) was the principal officer.", 0),
    ("The PIM spoke to Gwilym", "The PIM spoke to AFO-7", 0),
    ("DC Evans took the BWV from Pryce.", "DC Evans took the BWV from AFO-7.", 0),
    ("Fed rep for Łucja Nowak: Mr Ahmed.", "Fed rep for B12: Mr Ahmed.", 0),
    ("Line one.\nPryce fired.", "Line one.\nAFO-7 fired.", 0),
    # Possessives, with every apostrophe.
    ("Łucja's statement was taken.", "B12's statement was taken.", 0),
    ("Lucja’s BWV was docked.", "B12’s BWV was docked.", 0),
    ("Gwilym's Glock was made safe.", "AFO-7's Glock was made safe.", 0),
    ("Gwilym’s Glock was made safe.", "AFO-7’s Glock was made safe.", 0),
    ("Gwilymʼs holster was bagged.", "AFO-7ʼs holster was bagged.", 0),
    ("PC Price's notebook was seized.", "PC B5's notebook was seized.", 0),
    ("Bhriain's kit was bagged.", "B9's kit was bagged.", 0),
    ("Siobhán Ní Bhriain's radio failed.", "B9's radio failed.", 0),
    # Hyphenated names and their halves.
    ("Smith-Jones's holster was seized.", "B3's holster was seized.", 0),
    ("Smith-Jones’s holster was seized.", "B3’s holster was seized.", 0),
    ("Gareth Smith-Jones fired once.", "B3 fired once.", 0),
    ("G. Smith-Jones fired once.", "B3 fired once.", 0),
    ("Smith went to the PIS.", f"{W} went to the PIS.", 1),
    ("Jones went home.", f"{W} went home.", 1),
    ("Smith-Jones and Smith were both at the PIS.", f"B3 and {W} were both at the PIS.", 1),
    # Irish, with and without the fada, NFC and NFD; a surname of two words.
    ("Siobhán Ní Bhriain gave first aid.", "B9 gave first aid.", 0),
    ("Siobhan Ni Bhriain gave first aid.", "B9 gave first aid.", 0),
    (f"{NFD_SIOBHAN} spoke.", "B9 spoke.", 0),
    ("Siobhán's radio failed.", "B9's radio failed.", 0),
    ("Ms Ní Bhriain was relieved.", "Ms B9 was relieved.", 0),
    ("Ní Bhriain held the cordon.", "B9 held the cordon.", 0),
    ("Siobhán and Gareth Smith-Jones left together.", "B9 and B3 left together.", 0),
    # Polish, and a name corrected after it was registered (both forms are protected).
    ("Tomas Wisniewski was first registered.", "B4 was first registered.", 0),
    ("Tomasz Wiśniewski corrected his name.", "B4 corrected his name.", 0),
    ("Wiśniewski reloaded.", "B4 reloaded.", 0),
    ("Tomasz asked for a Fed rep.", "B4 asked for a Fed rep.", 0),
    # Collar and warrant numbers, with or without their letters.
    ("KE-9031 handed over the carbine.", "B12 handed over the carbine.", 0),
    ("Collar 9031 was on the log.", "Collar B12 was on the log.", 0),
    ("ke-9031 again.", "B12 again.", 0),
    ("9031's kit was bagged.", "B12's kit was bagged.", 0),
    # A protected surname that another person shares: never the cipher, never the word.
    ("Anna Nowak, a shop worker, spoke to the PIM.",
     "Anna Nowak, a shop worker, spoke to the PIM.", 0),
    ("A. Nowak gave her address.", "A. Nowak gave her address.", 0),
    ("Nowak was calm.", f"{W} was calm.", 1),
    ("The Nowak family were told.", f"The {W} family were told.", 1),
    ("Pryce and Nowak were separated.", f"AFO-7 and {W} were separated.", 1),
    ("Łucja and Anna Nowak were both there.", "B12 and Anna Nowak were both there.", 0),
    ("Anna spoke to Łucja.", "Anna spoke to B12.", 0),
    # A protected forename or surname beside someone else's: withheld, listed.
    ("Jan Pryce, the driver's father, arrived.", f"Jan {W}, the driver's father, arrived.", 1),
    ("Mair Jenkins was the FLO.", f"{W} Jenkins was the FLO.", 1),
    ("Łucja Kowalska was a bystander.", f"{W} Kowalska was a bystander.", 1),
    ("Siobhán Kelly is a nurse.", f"{W} Kelly is a nurse.", 1),
    # A forename two people share.
    ("Gareth's hands were bagged.", f"{W}'s hands were bagged.", 1),
    ("Gareth Lewis saw the car.", "Gareth Lewis saw the car.", 0),
    # Unprotected people, and words that contain a name or are one: untouched.
    ("Mair Price arrived at 02:10.", "B5 arrived at 02:10.", 0),
    ("Price said nothing.", "B5 said nothing.", 0),
    ("PRICE said nothing.", "B5 said nothing.", 0),
    ("The price of the fuel was noted.", "The price of the fuel was noted.", 0),
    ("Priceline receipts were seized.", "Priceline receipts were seized.", 0),
    ("Nowakowski was not involved.", "Nowakowski was not involved.", 0),
    ("The Pryceton Road cordon held.", "The Pryceton Road cordon held.", 0),
    ("Sgt Dafydd Evans supervised.", "Sgt Dafydd Evans supervised.", 0),
    ("Evans supervised.", "Evans supervised.", 0),
]

# What must appear nowhere in the redacted file, in any form.
NEEDLES = ("Łucja", "Lucja", "Gwilym", "Pryce", "Smith-Jones", "Siobhán", "Siobhan",
           "Bhriain", "Wiśniewski", "Wisniewski", "Tomasz", "Tomas ", "KE-9031", "9031",
           "Mair Price")


def _register(log: IncidentLog) -> None:
    add = log.append
    for name, category, cipher, extra in [
        ("PC Łucja Nowak", "KPW", "B12", {"warrant_number": "KE-9031", "rank": "PC"}),
        ("Anna Nowak", "civilian witness", "", {}),
        ("PC Gwilym Pryce", "KPW", "AFO-7", {"rank": "PC"}),
        ("Gareth Smith-Jones", "KPW", "B3", {}),
        ("Siobhán Ní Bhriain", "KPW", "B9", {}),
        ("Sgt Dafydd Evans", "witness officer", "", {}),
        ("Gareth Lewis", "civilian witness", "", {}),
        ("Mair Price", "KPW", "B5", {}),
        ("Tomas Wisniewski", "KPW", "B4", {}),
    ]:
        seq = add("person.added", {"name": name, "category": category, "cipher": cipher,
                                   **extra}, author=PIM).seq
        if name == "Tomas Wisniewski":
            log.correct(seq, "Name misspelt when registered.", author=PIM,
                        fields={"name": "Tomasz Wiśniewski", "category": "KPW",
                                "cipher": "B4"})


@pytest.fixture
def corpus_log(log: IncidentLog) -> IncidentLog:
    _register(log)
    for sentence, _, _ in CORPUS:
        log.append("note", {"text": sentence}, author=PIM)
    return log


def test_the_corpus_has_at_least_sixty_sentences_and_counts_its_ambiguities():
    assert len(CORPUS) >= 60
    assert sum(n for *_, n in CORPUS) == 11


@pytest.mark.parametrize("sentence, expected, ambiguous", CORPUS,
                         ids=[f"{i:02d}" for i in range(len(CORPUS))])
def test_each_sentence_is_redacted_as_a_reader_needs(log, sentence, expected, ambiguous):
    _register(log)
    state = log.refresh()
    redact = Redactor.for_log(list(log.entries()), state)
    assert redact(sentence) == expected
    text = unicodedata.normalize("NFC", sentence)
    assert sum(1 for m in redact.scan(text) if m.outcome.ambiguous) == ambiguous


@pytest.fixture(autouse=True)
def neutral_force_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIR_FORCE_SETTINGS", str(shipped_settings_path()))


def test_the_redacted_pdf_leaks_no_protected_name_and_lists_every_ambiguity(
        corpus_log, tmp_path):
    review = redaction_review(corpus_log, build_export(corpus_log, PIM))
    in_notes = [a for a in review.ambiguous if a.field == "text"]
    assert len(in_notes) == sum(n for *_, n in CORPUS)
    # Each listed with its entry number and the words around it.
    assert all(a.seq > 0 and a.word in a.snippet for a in in_notes)
    out = tmp_path / "redacted.pdf"
    export_pdf(corpus_log, out, exported_by=PIM, identity=new_self_signed(PIM), redacted=True,
               confirmed=review)
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    for _, expected, _ in CORPUS:
        assert " ".join(expected.split()) in text, expected
    assert "Anna B12" not in text and "Jan AFO-7" not in text and "B5 Jenkins" not in text
    raw = out.read_bytes()
    # Outside the streams the file is plain PDF syntax: names would show there as written.
    outside = re.sub(rb"stream\r?\n.*?endstream", b"", raw, flags=re.DOTALL)
    decoded = b"\n".join(streams(raw))
    assert len(decoded) > 10_000 and b"BT" in decoded  # the page contents were found and read
    files = tmp_path / "attached"
    files.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(files), str(out)], check=True)
    attached = b"".join(p.read_bytes() for p in files.iterdir())
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    folded_text = fold(unicodedata.normalize("NFC", text))
    for needle in NEEDLES:
        # As a word: "Pryceton" and "Priceline" hold a name and must stay as they are.
        word = re.compile(r"(?<!\w)" + re.escape(fold(needle).strip()) + r"(?!\w)")
        assert not word.search(folded_text), needle
        assert not word.search(fold(info)), needle
        raw_word = re.compile(rb"(?<![a-z0-9])" + re.escape(needle.strip().lower().encode())
                              + rb"(?![a-z0-9])")
        for blob in (outside, decoded, attached):
            assert not raw_word.search(blob.lower()), needle


def test_who_wrote_the_entries_keeps_their_name_and_a_shared_number_is_withheld(log):
    # The PIM (Sarah Jones, collar 4512) is not in the register; a protected officer's surname
    # half and number that she shares are never taken for the officer's alone.
    for name, cipher, number in (("Gareth Smith-Jones", "B3", "KE-4512"),):
        log.append("person.added", {"name": name, "category": "KPW", "cipher": cipher,
                                    "warrant_number": number}, author=PIM)
    state = log.refresh()
    redact = Redactor.for_log(list(log.entries()), state)
    assert (PIM.name, PIM.collar) == ("Sarah Jones", "4512")
    assert redact("Inspector Sarah Jones (4512), PIM") == f"Inspector Sarah Jones ({W}), PIM"
    assert redact("Collar 4512 signed.") == f"Collar {W} signed."
    assert redact("KE-4512 signed.") == "B3 signed."
