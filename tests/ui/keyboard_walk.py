"""The demo procedure by keyboard only, as a user would, on a real X display (Xvfb): the app is
started as `python main.py --db NEW`, and xdotool types everything, from creating the database
to the closure and the JSON export, then quits with Ctrl+Q. Afterwards the database is read
through the core to prove every entry was written. Prints one JSON object: keystrokes, seconds,
entries, and the screenshots taken on the way.

    DISPLAY=:99 python tests/ui/keyboard_walk.py OUT_DIR [--shots]

Needs xdotool (and imagemagick's `import` for --shots). Used by test_ui_keyboard_walk.py when
Xvfb is there, and by hand to watch it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
KEY_DELAY_MS = "8"


class Walk:
    def __init__(self, out: Path, shots: bool) -> None:
        self.out = out
        self.shots = shots
        self.keystrokes = 0
        self.typed = 0  # of the keystrokes, characters of text (the rest move and act)
        self.window: str | None = None
        self.taken: list[str] = []

    def _xdo(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    def focus_app(self, title: str = "PIR", timeout: float = 20) -> None:
        """Gives the keyboard to the newest visible PIR window (no window manager here)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                ids = self._xdo("search", "--onlyvisible", "--name", title).split()
            except subprocess.CalledProcessError:
                ids = []
            if ids:
                self.window = ids[-1]
                self._xdo("windowfocus", "--sync", self.window)
                return
            time.sleep(0.1)
        raise RuntimeError(f"no window called {title!r}")

    def open_window(self, title: str, *keys: str, tries: int = 3, patience: float = 10) -> None:
        """Presses the keys that open a window and gives it the keyboard. On a loaded machine
        a keystroke sent while the app is still busy can be lost: after `patience` seconds
        with no such window, the keys are pressed again (a window that did open is never
        asked for twice)."""
        for attempt in range(tries):
            self.key(*keys, wait=0.3)
            try:
                self.focus_app(title, timeout=patience)
                return
            except RuntimeError:
                if attempt == tries - 1:
                    subprocess.run(["import", "-window", "root", str(self.out / "walk-lost.png")])
                    raise
                self.focus_app("Post-Incident Recorder")

    def key(self, *keys: str, wait: float = 0.05) -> None:
        self._xdo("key", "--delay", KEY_DELAY_MS, *keys)
        self.keystrokes += len(keys)
        time.sleep(wait)

    def type(self, text: str, wait: float = 0.05) -> None:
        self._xdo("type", "--delay", KEY_DELAY_MS, text)
        self.keystrokes += len(text)
        self.typed += len(text)
        time.sleep(wait)

    def tabs(self, n: int) -> None:
        self.key(*["Tab"] * n)

    def shot(self, name: str) -> None:
        if self.shots:
            path = self.out / f"walk-{len(self.taken) + 1:02d}-{name}.png"
            subprocess.run(["import", "-window", "root", str(path)], check=True)
            self.taken.append(str(path))

    # -- the procedure ---------------------------------------------------------------------------

    def step(self, search: str) -> None:
        """Ctrl+1 to the navigator, type the start of the step's name, Enter into its form."""
        self.key("ctrl+1")
        self.type(search, wait=0.45)  # past the navigator's type-ahead pause
        self.key("Return", wait=0.25)

    def save(self) -> None:
        self.key("ctrl+s", wait=0.4)


def walk(w: Walk, db: Path, env: dict[str, str]) -> subprocess.Popen:
    app = subprocess.Popen([sys.executable, "main.py", "--db", str(db)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    w.focus_app()
    time.sleep(0.5)
    # First run: a new encrypted database, the passphrase twice.
    w.type(PASSPHRASE)
    w.key("Return")
    w.type(PASSPHRASE)
    w.key("Return", wait=1.5)
    w.focus_app("Officer identity")
    for text in ("Sarah Jones", "Inspector", "4512", "Kent Police", "PIM"):
        w.type(text)
        w.key("Tab")
    w.key("Return", wait=1.5)
    w.focus_app("Post-Incident Recorder")
    w.shot("incident-list")
    # The New incident dialog: reference, title (fills the operation name), procedure, scale,
    # rationale, then the declaration; Enter opens it.
    w.key("ctrl+n", wait=0.8)
    w.focus_app("New incident")
    w.type("CAD 0412 25/11")
    w.key("Tab")
    w.type("Operation KESTREL")
    w.key("Tab")
    w.type("Po")  # "Police firearms discharge"
    w.tabs(2)  # scale: full
    w.type("Police discharge with a fatal injury: the full procedure applies.")
    w.tabs(3)  # CAD reference and operation name are filled in already
    # The incident 40 minutes ago by this machine's clock, with its date (never in the future,
    # at any hour, even just after midnight).
    w.type((datetime.now(ZoneInfo("Europe/London")) - timedelta(minutes=40))
           .strftime("%Y-%m-%d %H:%M"))
    w.tabs(1)
    w.type("Stour Street car park, Canterbury CT1")
    w.tabs(2)
    w.type("c")  # conventional firearm discharge
    w.key("Tab")
    w.type("i")  # intentional
    w.tabs(2)
    w.type("d")  # death
    w.shot("new-incident")
    w.key("Return", wait=1.2)
    w.focus_app("Post-Incident Recorder")
    w.shot("now")
    # People: three KPWs and the subject, one after another in the same form.
    w.step("Add")
    for name, category, cipher in (("PC Rhodri Pryce", "K", "AFO-B12"),
                                   ("PC Sian Llyr", "K", "AFO-B14"),
                                   ("Ch Insp R. Okafor", "K", "TFC-3"),
                                   ("Liam O Briain", "s", "")):
        w.type(name)
        w.key("Tab")
        w.type(category)
        if cipher:
            w.key("Tab")
            w.type(cipher)
        w.save()
    # Anti-conferring: time now, "Given by" is filled in, the three KPWs ticked, verbal.
    w.step("Anti")
    w.key("ctrl+t")
    w.tabs(2)
    w.key("Home", "space", "Down", "space", "Down", "space", "Tab")
    w.type("v")
    w.shot("anticonferring")
    w.save()
    # Separation: the two AFOs monitored on BWV.
    w.step("Separation d")
    w.key("Home", "space", "Down", "space", "Tab")
    w.type("m")  # monitored on BWV
    w.tabs(2)
    w.key("Home", "Down", "space", "Tab")  # factors: number of KPWs
    w.type("Insp Sarah Jones")
    w.key("Tab", "ctrl+t")
    w.tabs(1)
    w.type("AX-60021")
    w.tabs(4)
    w.type("One room free at the PIS; both AFOs monitored on BWV by a named officer.")
    w.save()
    # A timed welfare check of the three KPWs.
    w.step("Timed")
    w.key("Home", "space", "Down", "space", "Down", "space")
    w.tabs(2)
    w.type("Water and food provided; Fed rep on the way.")
    w.save()
    # An exhibit seized, then handed to the exhibits officer ("From" fills itself).
    w.step("Exhibit s")
    w.type("RP/1")
    w.key("Tab")
    w.type("Glock 17 pistol, serial BKL221")
    w.key("Tab")
    w.type("PC Rhodri Pryce")
    w.save()
    w.step("Exhibit t")
    w.type("RP/1")
    w.tabs(2)
    w.type("DC Owen Hughes")
    w.key("Tab", "ctrl+t")
    w.tabs(1)
    w.type("North Kent PIS")
    w.key("Tab")
    w.type("Seized as exhibit")
    w.key("Tab")
    w.type("y")
    w.shot("transfer")
    w.save()
    # The IOPC: first contact, then the formal referral.
    w.step("First")
    w.key("ctrl+t")
    w.tabs(1)
    w.type("DI Carla Moss (PSD)")
    w.save()
    w.step("Formal")
    w.type("m")  # mandatory referral (DSI)
    w.key("Tab", "ctrl+t")
    w.tabs(1)
    w.type("DI Carla Moss (PSD)")
    w.key("Tab")
    w.type("2026/123456")
    w.save()
    # A KPW's personal initial account.
    w.step("Personal")
    w.type("P4")
    w.key("Tab")
    w.type("p")  # personal initial account
    w.tabs(5)
    w.type("n")  # material viewed: none
    w.save()
    # A decision on the NDM.
    w.step("Record a d")
    w.type("No viewing of BWV before personal initial accounts.")
    w.tabs(8)
    w.type("Accounts must come from the officers' own recollection.")
    w.save()
    # The quick log, then a correction of that note from the timeline.
    w.key("ctrl+l")
    w.type("Fed rep arrived at the PIS at 16:05.")
    w.key("ctrl+Return", wait=0.4)
    w.open_window("Correct entry", "ctrl+7", "ctrl+e")  # the timeline opens at the newest entry
    w.type("Time misread from the visitors' book.")
    w.tabs(2)
    w.key("ctrl+a")
    w.type("Fed rep arrived at the PIS at 15:50.")
    w.shot("correction")
    w.key("alt+s", wait=0.6)
    w.focus_app("Post-Incident Recorder")
    # Closure and sign-off.
    w.step("Closure")
    w.key("ctrl+t")
    w.tabs(3)
    w.type("Insp Sarah Jones")
    w.key("Tab")
    w.type("Ch Insp Ray Patel")
    w.save()
    w.key("ctrl+0")
    w.shot("closed")
    # The JSON log, to the suggested file; then quit.
    w.key("ctrl+shift+j", wait=1.5)
    w.key("Return", wait=2.5)
    w.key("Return", wait=0.5)
    # Without a window manager nobody gives the focus back when a dialog closes.
    w.focus_app("Post-Incident Recorder")
    w.key("ctrl+q", wait=1.0)
    return app


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    home = out / "home"
    home.mkdir(exist_ok=True)
    for old in home.glob("*.json"):  # an earlier walk's export is not this walk's
        old.unlink()
    db = out / "walk.db"
    for suffix in ("", "-journal", ".witness"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(out / "config")}
    w = Walk(out, "--shots" in argv)
    started = time.monotonic()
    app = walk(w, db, env)
    try:
        app.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.kill()
    seconds = time.monotonic() - started
    sys.path.insert(0, str(ROOT))
    from pir.incident import IncidentLog
    from pir.log.store import Database

    with Database.open(db, PASSPHRASE) as database:
        log = IncidentLog.open(database, "CAD 0412 25/11")
        kinds = [e.kind for e in log.entries()]
        state = log.state
        result = {"keystrokes": w.keystrokes, "typed": w.typed,
                  "other_keys": w.keystrokes - w.typed, "seconds": round(seconds, 1),
                  "entries": len(kinds), "kinds": kinds,
                  "people": [p.label() for p in state.people.values()],
                  "closed": state.closed_seq is not None,
                  "exports": sorted(p.name for p in home.glob("*.json")),
                  "app_exit": app.returncode, "shots": w.taken}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
