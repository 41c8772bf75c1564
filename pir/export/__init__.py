"""Exports of an incident: canonical JSON, signed PDF; and their verification."""

import warnings

# pyHanko imports cryptography's DSA key class (for DSA signatures, which PIR never makes or
# accepts), and cryptography deprecates DSA with a warning printed on every run. Exactly that
# warning, raised by that import, is silenced; every other warning still shows.
try:
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings("ignore", message="DSA is deprecated",
                            category=CryptographyDeprecationWarning,
                            module=r"pyhanko\.sign\.signers\.pdf_cms")
except ImportError:  # a cryptography without that class warns of nothing
    pass
