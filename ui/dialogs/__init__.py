"""Dialogs: new incident, correction, officer identity, PDF export options, and help."""
