"""Domain abbreviations and their expansions, for tooltips and the Help list."""

from __future__ import annotations

import re

ABBREVIATIONS: dict[str, str] = {
    "PIM": "Post-Incident Manager",
    "PIS": "post-incident suite",
    "PIP": "post-incident procedure",
    "KPW": "key police witness: can give direct evidence (who fired or used force, "
           "immediate witnesses, authorising commanders, tactical advisers)",
    "AFO": "authorised firearms officer",
    "ARV": "armed response vehicle",
    "SFC": "strategic firearms commander",
    "TFC": "tactical firearms commander",
    "OFC": "operational firearms commander",
    "TA": "tactical adviser",
    "IOPC": "Independent Office for Police Conduct",
    "IIA": "independent investigative authority",
    "IIO": "initial investigating officer",
    "PSD": "Professional Standards Department",
    "DSI": "death or serious injury",
    "NDM": "National Decision Model",
    "BWV": "body-worn video",
    "ICV": "in-car video",
    "CED": "conducted energy device (Taser)",
    "AEP": "attenuating energy projectile (baton round)",
    "FLO": "family liaison officer",
    "FIM": "Force Incident Manager",
    "FCR": "force control room",
    "TPAC": "tactical pursuit and containment",
    "IPP": "initial pursuit phase",
    "DRA": "dynamic risk assessment",
    "ANPR": "automatic number plate recognition",
    "NPAS": "National Police Air Service",
    "PNB": "pocket notebook",
    "MG11": "witness statement form",
    "CAD": "computer-aided dispatch (incident log reference)",
    "TRiM": "trauma risk management",
    "GMT": "Greenwich Mean Time (UK winter time)",
    "BST": "British Summer Time (UTC+1)",
    "UTC": "Coordinated Universal Time",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


def expand(text: str) -> str:
    """The abbreviations used in `text`, one per line ('KPW: key police witness...'); '' if none."""
    found: list[str] = []
    for word in _WORD.findall(text):
        if word in ABBREVIATIONS and word not in found:
            found.append(word)
    return "\n".join(f"{w}: {ABBREVIATIONS[w]}" for w in found)


def tooltip(text: str, extra: str = "") -> str:
    """A tooltip: optional help text, then the abbreviations it (or the label) uses."""
    parts = [p for p in (extra, expand(f"{text} {extra}")) if p]
    return "\n\n".join(parts)
