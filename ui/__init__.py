"""The PIR desktop app (PySide6): a thin layer over pir/, which never imports it.

Grouped by feature. shell/ is the frame (start-up, session, signals, shortcuts, main window);
incident_list/, incident/, registers/, timeline/ and dialogs/ are what the user sees; forms/
builds step forms from field specs; operations/ runs long work off the UI thread; common/
holds the small pieces they all use. Features import shell's session, signals and shortcuts and
common/; only shell's main window and app import the features.
"""
