"""The record itself: the encrypted, append-only, hash-chained store of entries."""
