"""Countersigning a signed PIR PDF: a supervisor adds an approval signature after the officer's.

The officer's signature certifies the export with DocMDP permission 2 ("form filling and
signing"), so a later signature keeps it valid and anything else added breaks it. The file is
verified before it is countersigned (nobody countersigns what does not hold), the new signature
goes in a new field ("PIR countersignature N") as an incremental update, and the result is
written to a new file. `pir verify` then checks both signatures; `pdfsig` lists both.
"""

from __future__ import annotations

from pathlib import Path

from pir.errors import InputError
from pir.export.files import write_new_file
from pir.export.format import COUNTERSIGNATURE_FIELD
from pir.export.signing import SigningIdentity, add_approval_signature
from pir.export.verify import read_export, verify_bytes


def countersign_bytes(data: bytes, identity: SigningIdentity,
                      reason: str = "Reviewed and countersigned") -> bytes:
    """The file with one more signature; refused (InputError) unless it verifies as a PIR PDF
    that allows countersigning."""
    if not data.startswith(b"%PDF"):
        raise InputError("Only a signed PIR PDF can be countersigned.")
    result = verify_bytes(data)
    if not result.valid:
        raise InputError(f"The PDF does not verify, so it was not countersigned: "
                         f"{result.first_failure}")
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm

    signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    first = min(signatures, key=lambda s: s.signed_revision)
    if first.docmdp_level != MDPPerm.FILL_FORMS:
        raise InputError("This export was certified allowing no later signature (made before "
                         "countersigning was possible); export it again to countersign it.")
    fingerprint = identity.fingerprint_sha256
    if any(line for line in result.lines if fingerprint in line):
        raise InputError("This key has already signed the PDF.")
    field = COUNTERSIGNATURE_FIELD.format(n=len(signatures))
    return add_approval_signature(data, identity, field, reason)


def countersign_file(source: Path, out: Path, identity: SigningIdentity,
                     reason: str = "Reviewed and countersigned") -> list[str]:
    """Countersigns `source` into the new file `out` (never over an existing file)."""
    signed = countersign_bytes(read_export(source), identity, reason)
    digest = write_new_file(out, signed)
    return [f"Countersigned {source.name} as {out}.",
            f"Signed by: {identity.subject_text()}",
            f"Certificate SHA-256: {identity.fingerprint_sha256}",
            f"SHA-256 of the file: {digest}",
            f"Check both signatures with: pir verify {out.name} --trust OFFICER.pem "
            "--trust YOURS.pem"]
