"""A rough, honest hint of passphrase strength (the core only enforces a minimum length)."""

from __future__ import annotations

import math
import string

MIN_PASSPHRASE_LENGTH = 8  # pir.log.store's rule; the store checks it again on create


def strength_hint(passphrase: str) -> tuple[int, str]:
    """(0..4, one sentence): 0 = refused by PIR, 4 = strong. Estimates bits from length and the
    kinds of characters used; several words beat symbols, so length counts most."""
    if not passphrase:
        return 0, f"Use at least {MIN_PASSPHRASE_LENGTH} characters; four or more words is best."
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return 0, f"Too short: PIR needs at least {MIN_PASSPHRASE_LENGTH} characters."
    pool = 0
    for chars, size in ((string.ascii_lowercase, 26), (string.ascii_uppercase, 26),
                        (string.digits, 10), (string.punctuation + " ", 33)):
        if any(c in chars for c in passphrase):
            pool += size
    if any(ord(c) > 127 for c in passphrase):
        pool += 100
    distinct = len(set(passphrase))
    bits = min(len(passphrase), distinct * 2) * math.log2(max(pool, 2))
    if bits < 45:
        return 1, "Weak: easy to guess. Add more words."
    if bits < 65:
        return 2, "Fair: add another word or two."
    if bits < 90:
        return 3, "Good."
    return 4, "Strong."
