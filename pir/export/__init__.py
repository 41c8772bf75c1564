"""Exports of an incident: canonical JSON, signed PDF; and their verification."""
