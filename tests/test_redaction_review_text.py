"""The redaction review as the user reads it before a redacted copy is made: its heading, each
replacement (the word in its context, or a field withheld whole) and each ambiguous word with
everyone it could name; "none" under an empty heading; and the refusal to export while
ambiguous matches are not confirmed, with its count."""

from __future__ import annotations

from pir.export.pdf.review import (
    Ambiguity,
    RedactionReview,
    RedactionUnconfirmedError,
    Replacement,
)

HEAD = "ab" * 32


def test_the_review_lists_each_replacement_and_each_ambiguous_word_in_full() -> None:
    review = RedactionReview(
        "CAD-1", 12, HEAD,
        (Replacement(4, "text", "…spoke to Gareth Lloyd at…", "W1", matched="Gareth Lloyd"),
         Replacement(7, "home_address", "(withheld whole)", "[withheld]")),
        (Ambiguity(9, "text", "Lloyd", "…told Lloyd to wait…",
                   ("Gareth Lloyd (W1, P3)", "Sian Lloyd (P5)")),))
    assert review.lines() == [
        f"Redaction review of CAD-1: 12 entries, head {HEAD}",
        "",
        "Replacements (2): protected people's names, numbers and withheld details, as they will "
        "read in the redacted copy.",
        '  entry 4, text: "Gareth Lloyd" in "…spoke to Gareth Lloyd at…" -> W1',
        "  entry 7, home_address: (withheld whole) -> [withheld]",
        "",
        "Ambiguous (1): NOT replaced; each word also names someone who is not protected (or is "
        "only part of a protected name). Check each one; if a protected person is meant, "
        "correct the entry to use the full name or the cipher.",
        '  entry 9, text: "Lloyd" in "…told Lloyd to wait…" could be: Gareth Lloyd (W1, P3); '
        "Sian Lloyd (P5)",
    ]
    assert review.needs_confirmation


def test_an_empty_review_says_none_under_each_heading() -> None:
    review = RedactionReview("CAD-2", 3, HEAD, (), ())
    lines = review.lines()
    assert lines[3] == "  none" and lines[-1] == "  none" and len(lines) == 7
    assert lines[2].startswith("Replacements (0):") and lines[5].startswith("Ambiguous (0):")
    assert not review.needs_confirmation


def test_an_export_with_ambiguous_matches_unconfirmed_is_refused_with_their_count() -> None:
    one, two = RedactionUnconfirmedError(1), RedactionUnconfirmedError(2)
    assert str(one) == ("The redacted copy would leave 1 ambiguous name match as written (each "
                        "could be a protected person or someone else); review them, then "
                        "confirm, before exporting. Nothing was exported.")
    assert str(two).startswith("The redacted copy would leave 2 ambiguous name matches as "
                               "written")
    assert (one.count, two.count) == (1, 2)
