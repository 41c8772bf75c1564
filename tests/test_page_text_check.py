"""The check of pages by their text (a file from another layout version, whose pages cannot be
re-laid): each entry looked for on the page the manifest gives and the next, what the manifest
leaves out reported, and the first ten problems named. The pages' text is given here directly,
so each rule is seen on its own."""

from __future__ import annotations

import pytest

from pir.export import page_text
from pir.export.pdf_objects import Budget


def _entry(seq: int, text: str = "Scene handed over") -> dict:
    return {"seq": seq, "event_time": "2026-11-25T14:05:00Z", "author": {"name": "Insp Jones"},
            "payload": {"text": text}}


def _shown(seq: int, text: str = "Scene handed over") -> str:
    return f"{seq}. 14:05 Insp Jones {text}"


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(page_text, "page_text", lambda page, _budget: page)

    def check(shown: list[str], entries: list[dict], where: dict) -> list[str]:
        return page_text.check_entries(shown, {"entries": entries}, where, Budget())
    return check


def test_an_entry_is_found_on_its_page_the_first_and_the_last(pages) -> None:
    shown = [_shown(1), _shown(2), _shown(3)]
    assert pages(shown, [_entry(1), _entry(2), _entry(3)], {"1": 1, "2": 2, "3": 3}) == []


def test_an_entry_running_onto_the_next_page_is_found_there_but_not_two_pages_on(pages) -> None:
    shown = ["1. 14:05 Insp Jones", "Scene handed over", "other"]
    assert pages(shown, [_entry(1)], {"1": 1}) == []
    assert pages(["1. 14:05 Insp Jones", "nothing", "Scene handed over"], [_entry(1)],
                 {"1": 1}) == ["entry 1 (page 1): the page does not show 'Scene handed over' "
                               "as the log gives it"]
    # Not on the page before either.
    assert pages(["Scene handed over", "1. 14:05 Insp Jones"], [_entry(1)], {"1": 2}) == [
        "entry 1 (page 2): the page does not show 'Scene handed over' as the log gives it"]


@pytest.mark.parametrize("where", [0, -1, 3])
def test_a_page_the_file_does_not_have_is_reported_even_when_the_text_is_beside_it(
        pages, where: int) -> None:
    shown = [_shown(1), _shown(1)]
    assert pages(shown, [_entry(1)], {"1": where}) == [
        f"entry 1: the manifest gives page {where}, which the file does not have (it has 2)"]


def test_an_entry_on_the_last_page_is_found_with_no_page_after_it(pages) -> None:
    assert pages(["x", _shown(1)], [_entry(1)], {"1": 2}) == []
    assert pages(["x", "1. 14:05"], [_entry(1)], {"1": 2}) == [
        "entry 1 (page 2): the page does not show 'Insp Jones' as the log gives it"]


@pytest.mark.parametrize("where", [None, True, "1", 1.0])
def test_an_entry_the_manifest_gives_no_page_for_is_reported_and_the_rest_checked(
        pages, where) -> None:
    mapping = {"2": 1} if where is None else {"1": where, "2": 1}
    assert pages([_shown(1)], [_entry(1), _entry(2)], mapping) == [
        "entry 1: the manifest does not say which page shows it",
        "entry 2 (page 1): the page does not show '2.' as the log gives it"]


def test_the_first_ten_problems_are_named(pages) -> None:
    entries = [_entry(n) for n in range(1, 13)]
    problems = pages(["nothing"], entries, {str(n): 1 for n in range(1, 13)})
    assert problems == [f"entry {n} (page 1): the page does not show '{n}.' as the log gives "
                        "it" for n in range(1, 11)]


def test_a_missing_text_is_quoted_to_sixty_characters(pages) -> None:
    long = "Firearms officer " + "x" * 100
    assert pages(["1. 14:05 Insp Jones"], [_entry(1, long)], {"1": 1}) == [
        f"entry 1 (page 1): the page does not show {long[:60]!r} as the log gives it"]


def test_a_text_of_three_characters_is_looked_for_and_one_of_two_is_not() -> None:
    entry = {"seq": 2, "event_time": "2026-11-25T14:05:00Z", "payload": {"a": "Yes", "b": "No"}}
    assert page_text.entry_needles(entry) == ["2.", "14:05", "Yes"]


def test_six_pages_are_named_five_and_one_more() -> None:
    from pir.export.page_check import _numbers

    assert _numbers([1, 2, 3, 4, 5, 6]) == "pages 1, 2, 3, 4, 5 (and 1 more)"


def test_a_page_whose_text_cannot_be_read_adds_no_detail_to_its_failure(monkeypatch) -> None:
    from pir.export import page_check

    def unreadable(_page, _budget):  # noqa: ANN001, ANN202
        raise KeyError("/Contents")

    monkeypatch.setattr(page_check, "text_runs", unreadable)
    assert page_check._difference("theirs", b"", 1) == ""
