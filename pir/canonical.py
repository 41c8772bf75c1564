"""Canonical JSON: the exact bytes every hash in PIR is computed over (see docs/LOG-FORMAT.md)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pir.errors import InputError

ZERO_HASH = "0" * 64
_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
# Integers beyond this lose precision in JavaScript and other double-based JSON readers.
MAX_SAFE_INT = 2**53 - 1


def check_json_value(value: Any, path: str = "payload") -> None:
    """Refuses anything canonical JSON cannot carry unambiguously across languages.

    Allowed: objects with short ASCII keys, arrays, strings (valid Unicode), integers within
    +/- 2^53, booleans and null. Floats are refused: their text differs between languages.
    """
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INT:
            raise InputError(f"{path}: the number {value} is too large to record exactly.")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"{path}: the text contains an invalid character.") from None
        return
    if isinstance(value, float):
        raise InputError(f"{path}: decimal numbers are not recorded; use whole numbers or text.")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not _KEY.match(key):
                raise InputError(f"{path}: {key!r} is not a valid field name.")
            check_json_value(item, f"{path}.{key}")
        return
    raise InputError(f"{path}: a {type(value).__name__} cannot be recorded.")


def canonical_bytes(value: Any) -> bytes:
    """UTF-8, keys sorted, no insignificant whitespace, no NaN; equal to RFC 8785 for our values."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry_hash(entry_without_hash: dict[str, Any]) -> str:
    return sha256_hex(canonical_bytes(entry_without_hash))
