"""The verdict and the closing lines `pir verify` prints, for every way a result can end: what an
investigator reads first, word for word, and the exit code a script reads."""

from __future__ import annotations

import pytest

from pir.export.verdict import (
    CHAIN_UNANCHORED,
    ENDS_EARLY,
    INVALID,
    PAGES_UNCHECKED,
    SIGNER_UNVERIFIED,
    UNANCHORED,
    VALID,
    VerifyResult,
)

ADVICE = ("  Confirm each fingerprint with its owner by phone, then verify again with "
          "--trust CERT.pem (or give a --receipt taken at the head).")


def test_the_first_failure_is_named_whatever_else_holds() -> None:
    result = VerifyResult(kind="pdf", anchor="signed by a trusted certificate", pages_bound=True)
    result.ok("signature: intact")
    result.fail("page 3: the text differs")
    result.fail("page 4: the text differs")
    assert result.verdict == INVALID and result.exit_code == 1
    assert result.summary() == ["INVALID: page 3: the text differs"]
    assert result.first_failure == "page 3: the text differs"
    assert VerifyResult().first_failure is None


def test_a_reservation_decides_the_verdict_even_with_a_trusted_signer() -> None:
    result = VerifyResult(kind="pdf", anchor="signed by a trusted certificate")
    result.reserve(ENDS_EARLY, "the file ends at entry 40, before the receipt for entry 41")
    result.reserve(CHAIN_UNANCHORED, "chain B is unanchored")
    assert result.verdict == ENDS_EARLY and result.exit_code == 3
    assert result.summary() == [f"{ENDS_EARLY}: the file ends at entry 40, before the receipt "
                                "for entry 41"]
    assert result.lines == ["WARN the file ends at entry 40, before the receipt for entry 41",
                            "WARN chain B is unanchored"]


@pytest.mark.parametrize("bound", [False, True])
def test_valid_says_what_vouches_and_whether_the_pages_were_relaid(bound: bool) -> None:
    result = VerifyResult(kind="pdf", anchor="signed by a trusted certificate", pages_bound=bound)
    assert result.verdict == VALID and result.exit_code == 0
    tail = "; every page re-laid from the log and identical." if bound else "."
    assert result.summary() == [f"VALID: signed by a trusted certificate{tail}"]


def test_a_countersigner_nobody_vouched_for_keeps_a_trusted_file_from_valid() -> None:
    result = VerifyResult(kind="pdf", anchor="signed by a trusted certificate",
                          countersigners_unverified=True, unverified_signers=["CN=Rees (ab12)"])
    assert result.verdict == SIGNER_UNVERIFIED
    assert result.summary() == [
        f"{SIGNER_UNVERIFIED}: the file is intact and signed by a trusted certificate, but "
        "nobody has vouched for the signer.", "  CN=Rees (ab12)", ADVICE]


def test_a_head_vouches_for_a_pdf_only_when_its_pages_were_relaid() -> None:
    head = "its head is the one receipt 12:ABCDE-FGHIJ names"
    unbound = VerifyResult(kind="pdf", head_anchor=head, unverified_signers=["CN=Jones (cd34)"])
    assert unbound.anchored == "" and unbound.verdict == PAGES_UNCHECKED
    assert unbound.exit_code == 3
    assert unbound.summary() == [
        f"{PAGES_UNCHECKED}: {head}, but the pages could not be re-laid from the log to show "
        "they print what it says. Verify with the signer's certificate (--trust CERT.pem), or "
        "the full export."]
    bound = VerifyResult(kind="pdf", head_anchor=head, pages_bound=True)
    assert bound.anchored == head and bound.verdict == VALID
    assert bound.summary() == [f"VALID: {head}; every page re-laid from the log and identical."]


def test_a_json_export_is_anchored_by_a_head_alone_and_unanchored_without() -> None:
    head = "its head is the hash given"
    assert VerifyResult(kind="json", head_anchor=head).anchored == head
    assert VerifyResult(kind="json", head_anchor=head).verdict == VALID
    bare = VerifyResult(kind="json")
    assert bare.verdict == UNANCHORED and bare.exit_code == 3
    assert bare.summary() == [
        f"{UNANCHORED}: the log is intact, but a JSON export carries no signature: nothing "
        "ties it to the log the officer kept. Give a receipt taken at its head (--receipt "
        "SEQ:CODE) or its head hash (--expect-head HASH)."]


def test_an_unvouched_signer_is_named_one_or_several_with_what_to_do() -> None:
    one = VerifyResult(kind="pdf", unverified_signers=["CN=Jones (cd34)"])
    assert one.verdict == SIGNER_UNVERIFIED and one.exit_code == 3
    assert one.summary() == [f"{SIGNER_UNVERIFIED}: the file is intact, but nobody has vouched "
                             "for the signer.", "  CN=Jones (cd34)", ADVICE]
    two = VerifyResult(kind="pdf", unverified_signers=["CN=Jones (cd34)", "CN=Rees (ab12)"])
    assert two.summary() == [f"{SIGNER_UNVERIFIED}: the file is intact, but nobody has vouched "
                             "for these signers.", "  CN=Jones (cd34)", "  CN=Rees (ab12)",
                             ADVICE]


def test_a_head_given_for_an_unvouched_pdf_is_said_with_its_countersigner() -> None:
    head = "its head is the hash given"
    result = VerifyResult(kind="pdf", head_anchor=head, pages_bound=True,
                          countersigners_unverified=True, unverified_signers=["CN=Rees (ab12)"])
    assert result.verdict == SIGNER_UNVERIFIED
    assert result.summary()[0] == (f"{SIGNER_UNVERIFIED}: the file is intact and {head}, but "
                                   "nobody has vouched for the signer.")


def test_each_kind_of_line_is_marked() -> None:
    result = VerifyResult()
    result.ok("a")
    result.note("b")
    assert result.lines == ["ok   a", "note b"] and result.valid is True
