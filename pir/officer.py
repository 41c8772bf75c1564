"""Who writes entries and who makes the decisions they record: the officer, as stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pir.errors import InputError
from pir.log.store import Database


@dataclass(frozen=True)
class Officer:
    """Who wrote an entry, or who made the decision it records."""

    name: str
    rank: str = ""
    collar: str = ""
    role: str = ""
    force: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("An officer needs a name.")
        for key, value in asdict(self).items():
            if "\n" in value or len(value) > 200:
                raise InputError(f"The officer's {key} must be one short line.")

    def to_dict(self) -> dict[str, str]:
        return {k: v.strip() for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Officer:
        return cls(**{k: str(data.get(k, "") or "") for k in ("name", "rank", "collar", "role",
                                                                "force")})

    def label(self) -> str:
        parts = [self.rank, self.name]
        text = " ".join(p for p in parts if p)
        if self.collar:
            text += f" ({self.collar})"
        if self.role:
            text += f", {self.role}"
        return text


def officer_label(data: dict[str, Any] | None) -> str:
    return Officer.from_dict(data).label() if data and data.get("name") else ""


SET_OFFICER_COMMAND = ('pir officer --name "NAME" --rank RANK --collar NUMBER --role PIM '
                       '--force "FORCE"')


class OfficerNotSetError(InputError):
    """No officer is set up in the database: an evidential log must name its author."""

    def __init__(self) -> None:
        super().__init__("No officer is set up in this database, and every entry must name its "
                         f"author: run `{SET_OFFICER_COMMAND}` (your own details), then this "
                         "command again. Nothing was written.")


def stored_officer(db: Database) -> Officer:
    """The officer set up in this database; OfficerNotSetError when there is none."""
    officer = officer_if_set(db)
    if officer is None:
        raise OfficerNotSetError()
    return officer


def officer_if_set(db: Database) -> Officer | None:
    """The officer set up in this database, or None."""
    data = db.get_setting("officer")
    return Officer.from_dict(data) if data and str(data.get("name", "")).strip() else None
