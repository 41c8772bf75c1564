"""PIR: the post-incident recorder core (no Qt here)."""

__version__ = "0.1.0"
