"""The PIR desktop app (PySide6): a thin layer over pir/, which never imports it."""
