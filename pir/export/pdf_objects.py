"""Reading a PIR PDF's objects without trusting the file: streams decoded within a budget, the
page tree walked without recursion, and a digest of what each page draws.

The page digest is what binds a page to the log. It covers the page as a reader's program
draws it: the page dictionary (without /Parent, which only places it in the tree, and without
/Annots, which the verifier checks on their own) with every object it reaches, followed through
references, streams by their decoded bytes; so the content stream, the fonts and their
embedded programs, the graphics states and any image all count. Object numbers, compression
and the order of dictionary keys do not: the same drawing written out twice has one digest.
docs/LOG-FORMAT.md (section 8) gives the encoding, for verifiers written without PIR.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from typing import Any

from pyhanko.pdf_utils import generic

from pir.errors import VerificationError
from pir.export.format import MAX_FILE_BYTES

# Decompressing every stream of a file costs at most this much, whatever the file says.
_DECODE_BUDGET = 8 * MAX_FILE_BYTES
MAX_PAGES = 100_000
# Keys a page digest leaves out: where the page sits in the tree, and its annotations.
_PAGE_SKIP = frozenset({"/Parent", "/Annots"})
# Keys a stream's digest leaves out: how its bytes are stored, not what they are.
_STREAM_SKIP = frozenset({"/Length", "/Filter", "/DecodeParms", "/DL"})
MAX_DEPTH = 64


class Budget:
    """Decompression allowed for the whole file: a small stream may claim to inflate to
    gigabytes."""

    def __init__(self) -> None:
        self.left = _DECODE_BUDGET

    def decode(self, stream: Any, limit: int = MAX_FILE_BYTES) -> bytes:
        stream = stream.get_object()
        if not isinstance(stream, generic.StreamObject):
            raise VerificationError("it is not a stream")
        filters = stream.get("/Filter")
        if filters is None:
            names: list[str] = []
        elif isinstance(filters, generic.ArrayObject):
            names = [str(f) for f in filters]
        else:
            names = [str(filters)]
        if "/DecodeParms" in stream or "/DP" in stream:
            raise VerificationError("it is encoded with parameters a PIR export never uses")
        data = stream.encoded_data
        for name in names:
            if name in ("/FlateDecode", "/Fl"):
                inflater = zlib.decompressobj()
                out = inflater.decompress(data, min(limit, self.left) + 1)
                if len(out) > min(limit, self.left):
                    raise VerificationError(f"it inflates past {min(limit, self.left):,} bytes")
                data = out
            elif name in ("/ASCII85Decode", "/A85"):
                data = a85decode(data)
                if len(data) > min(limit, self.left):
                    raise VerificationError(f"it decodes past {min(limit, self.left):,} bytes")
            else:
                raise VerificationError(f"it uses the {name} filter, which a PIR export never "
                                        "does")
        self.left -= len(data)
        return data


_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]+")
_A85_DIGITS = bytes(range(33, 118))
_A85_VALUES = bytes.maketrans(_A85_DIGITS, bytes(range(85)))


def a85decode(data: bytes) -> bytes:
    """ASCII85 (ISO 32000-1, 7.4.3) at C speed: each group of five digits goes in a 40-bit slot
    of one big integer, all groups at once (the standard library decodes a group at a time, which
    made reading every page's footer of a long export slow). A group past 2^32 is refused."""
    text = _WHITESPACE.sub(b"", data)
    end = text.find(b"~>")
    if end >= 0:
        text = text[:end]
    text = text.replace(b"z", b"!!!!!")
    if text.translate(None, _A85_DIGITS):
        raise VerificationError("its ASCII85 data holds a character outside the alphabet")
    pad = -len(text) % 5
    if pad == 4:
        raise VerificationError("its ASCII85 data ends with a lone character")
    digits = (text + b"u" * pad).translate(_A85_VALUES)
    groups = len(digits) // 5
    total = 0
    for k in range(5):
        slots = bytearray(5 * groups)
        slots[4::5] = digits[k::5]
        total = total * 85 + int.from_bytes(slots, "big")
    out = bytearray(total.to_bytes(5 * groups, "big"))
    if out[0::5].count(0) != groups:
        raise VerificationError("its ASCII85 data holds a group past 2^32")
    del out[0::5]
    return bytes(out[:len(out) - pad])


def page_list(root: Any) -> list[generic.DictionaryObject]:
    """The page tree's leaves in order, without recursion; a loop or a huge tree is refused."""
    pages: list[generic.DictionaryObject] = []
    stack = [root]
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen or len(seen) > 2 * MAX_PAGES:
                raise VerificationError("the page tree loops or is too large")
            seen.add(key)
        node = item.get_object()
        if node.get("/Type") == "/Pages":
            stack.extend(reversed(list(node["/Kids"])))
        else:
            pages.append(node)
        if len(pages) + len(stack) > MAX_PAGES:
            raise VerificationError(f"the document has more than {MAX_PAGES:,} pages")
    return pages


def page_content(page: generic.DictionaryObject, budget: Budget) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    if isinstance(contents, generic.ArrayObject):
        return b"\n".join(budget.decode(part) for part in contents)
    return budget.decode(contents)


class PageDigests:
    """Digests of pages of one file; objects shared between pages (fonts) are digested once."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._done: dict[tuple[int, int], bytes] = {}

    def page(self, page: generic.DictionaryObject) -> str:
        out = bytearray()
        self._dict(page, out, 0, _PAGE_SKIP)
        return hashlib.sha256(bytes(out)).hexdigest()

    def _value(self, value: Any, out: bytearray, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise VerificationError("an object nests too deep")
        if isinstance(value, generic.IndirectObject):
            key = (value.idnum, value.generation)
            done = self._done.get(key)
            if done is None:
                # A loop back to an object being digested is written as a marker, so a
                # self-referring object still has one digest.
                self._done[key] = b"@"
                part = bytearray()
                self._value(value.get_object(), part, depth + 1)
                done = b"#" + hashlib.sha256(bytes(part)).digest()
                self._done[key] = done
            out += done
        elif isinstance(value, generic.StreamObject):
            self._dict(value, out, depth, _STREAM_SKIP, tag=b"S")
            out += hashlib.sha256(self.budget.decode(value)).digest()
        elif isinstance(value, generic.DictionaryObject):
            self._dict(value, out, depth, frozenset())
        elif isinstance(value, generic.ArrayObject):
            out += b"[%d:" % len(value)
            for item in value:
                self._value(item, out, depth + 1)
            out += b"]"
        elif isinstance(value, generic.NameObject):
            _text(out, b"n", str(value).encode("utf-8"))
        elif isinstance(value, generic.BooleanObject):
            out += b"t" if value else b"f"
        elif isinstance(value, generic.NullObject) or value is None:
            out += b"z"
        elif isinstance(value, generic.FloatObject | generic.NumberObject | int | float):
            _text(out, b"d", _number(value))
        elif isinstance(value, generic.TextStringObject | generic.ByteStringObject
                        | str | bytes):
            raw = value.original_bytes if hasattr(value, "original_bytes") else value
            _text(out, b"s", raw.encode("utf-8") if isinstance(raw, str) else bytes(raw))
        else:
            raise VerificationError(f"a page holds an object PIR cannot read "
                                    f"({type(value).__name__})")

    def _dict(self, value: Any, out: bytearray, depth: int, skip: frozenset[str],
              tag: bytes = b"D") -> None:
        keys = sorted(str(k) for k in value if str(k) not in skip)
        out += tag + b"%d:" % len(keys)
        for key in keys:
            _text(out, b"n", key.encode("utf-8"))
            self._value(value.raw_get(key), out, depth + 1)


def _text(out: bytearray, tag: bytes, data: bytes) -> None:
    out += tag + b"%d:" % len(data) + data


_TRAILING_ZEROS = re.compile(r"\.?0+$")


def _number(value: Any) -> bytes:
    """A number in one spelling: 1, 1.0 and 1.00 are the same number to a reader."""
    text = format(value, "f") if isinstance(value, float | generic.FloatObject) else str(value)
    if "." in text:
        text = _TRAILING_ZEROS.sub("", text) or "0"
    return text.encode("ascii")


def page_digests(reader: Any, budget: Budget | None = None) -> list[str]:
    """The digest of every page of a parsed PDF, in order."""
    digests = PageDigests(budget or Budget())
    return [digests.page(page) for page in page_list(reader.root["/Pages"])]
