"""The frame of the app: start-up, unlock and lock, the session (the one door to the core),
app-wide signals, every keyboard shortcut, and the main window."""
