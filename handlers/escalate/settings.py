"""A workspace's escalation preferences, kept in ``Workspace.settings["escalation"]``.

``auto_after_hours``: a follow-up still not Done this many of the client's business hours
after its reminder fired escalates by itself (None: never). ``reping_after``: an urgent
escalation nobody acknowledged is re-pinged in its channel after this long (None: never), at
most ``max_repings`` times.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Workspace
from handlers.common.errors import UserError

KEY = "escalation"
DEFAULT_AUTO_AFTER_HOURS = 24.0
DEFAULT_REPING_AFTER = dt.timedelta(hours=2)
MAX_REPINGS = 2
MAX_AUTO_AFTER_HOURS = 500.0
OFF_WORDS = frozenset({"off", "never", "none", "no", "0"})
_DURATION = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)?$")


@dataclass(frozen=True)
class EscalationSettings:
    """How a workspace wants escalations to behave on their own."""

    auto_after_hours: float | None = DEFAULT_AUTO_AFTER_HOURS
    reping_after: dt.timedelta | None = DEFAULT_REPING_AFTER
    max_repings: int = MAX_REPINGS

    @classmethod
    def from_workspace(cls, settings: dict[str, Any] | None) -> EscalationSettings:
        """Read from ``Workspace.settings``; missing or damaged values fall back to the defaults."""
        raw = (settings or {}).get(KEY) or {}
        auto = raw.get("auto_after_hours", DEFAULT_AUTO_AFTER_HOURS)
        reping = raw.get("reping_minutes", DEFAULT_REPING_AFTER.total_seconds() / 60)
        try:
            auto_value = None if auto is None else min(float(auto), MAX_AUTO_AFTER_HOURS)
            reping_value = None if reping is None else dt.timedelta(minutes=float(reping))
        except (TypeError, ValueError):
            return cls()
        if auto_value is not None and auto_value <= 0:
            auto_value = None
        if reping_value is not None and reping_value <= dt.timedelta(0):
            reping_value = None
        return cls(auto_value, reping_value)

    def as_json(self) -> dict[str, Any]:
        return {
            "auto_after_hours": self.auto_after_hours,
            "reping_minutes": None if self.reping_after is None else self.reping_after.total_seconds() / 60,
        }

    def describe(self) -> str:
        """The settings in a sentence or two, for `/escalate settings`."""
        if self.auto_after_hours is None:
            auto = "• Overdue follow-ups do *not* escalate by themselves."
        else:
            auto = (
                f"• A follow-up still not Done *{format_hours(self.auto_after_hours)} business hours* of the client "
                "after its reminder escalates by itself."
            )
        if self.reping_after is None:
            reping = "• Unacknowledged urgent escalations are *not* re-pinged."
        else:
            reping = (
                f"• An unacknowledged urgent escalation is re-pinged after *{format_duration(self.reping_after)}*, "
                f"at most {self.max_repings} times."
            )
        return f"{auto}\n{reping}"


def workspace_row(session: Session, team_id: str, *, for_update: bool = False) -> Workspace:
    """This workspace's row (created on first use) in a team session."""
    query = select(Workspace)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        row = Workspace(team_id=team_id, settings={})
        session.add(row)
        session.flush()
    return row


def load(session: Session, team_id: str) -> EscalationSettings:
    """The workspace's escalation settings (defaults when never set)."""
    return EscalationSettings.from_workspace(workspace_row(session, team_id).settings)


def save(session: Session, team_id: str, settings: EscalationSettings) -> None:
    """Store the settings, keeping every other capability's keys (row locked on PostgreSQL)."""
    row = workspace_row(session, team_id, for_update=True)
    merged = dict(row.settings or {})
    merged[KEY] = settings.as_json()
    row.settings = merged  # a new dict, so the JSON column is seen as changed


def parse_auto_after(text: str) -> float | None:
    """``24``, ``16h``, ``7.5h`` (business hours of the client) or ``off``."""
    value = text.strip().lower()
    if value in OFF_WORDS:
        return None
    delta = _parse_delta(value, default_unit="h", units="h")
    if delta is None:
        raise UserError(f"“{text}” is not a number of hours: write e.g. `after:24` or `after:off`.")
    hours = delta.total_seconds() / 3600
    if hours > MAX_AUTO_AFTER_HOURS:
        raise UserError(f"`after:` takes at most {MAX_AUTO_AFTER_HOURS:.0f} business hours.")
    return hours


def parse_reping(text: str) -> dt.timedelta | None:
    """``2h``, ``90m``, ``1.5h`` (a bare number means hours) or ``off``."""
    value = text.strip().lower()
    if value in OFF_WORDS:
        return None
    delta = _parse_delta(value, default_unit="h", units="mhd")
    if delta is None:
        raise UserError(f"“{text}” is not a duration: write e.g. `reping:2h`, `reping:90m` or `reping:off`.")
    if delta < dt.timedelta(minutes=5):
        raise UserError("Re-pinging more often than every 5 minutes would flood the channel: use `reping:5m` or more.")
    if delta > dt.timedelta(days=7):
        raise UserError("`reping:` takes at most 7 days.")
    return delta


def _parse_delta(value: str, default_unit: str, units: str) -> dt.timedelta | None:
    match = _DURATION.match(value.replace(" ", ""))
    if not match:
        return None
    number = float(match["number"].replace(",", "."))
    unit = (match["unit"] or default_unit)[0]
    if number <= 0 or unit not in units:
        return None
    return {"m": dt.timedelta(minutes=number), "h": dt.timedelta(hours=number), "d": dt.timedelta(days=number)}[unit]


def format_hours(hours: float) -> str:
    """``24`` rather than ``24.0``."""
    return f"{hours:g}"


def format_duration(delta: dt.timedelta) -> str:
    """``2 h``, ``90 min``, ``1 h 30 min``."""
    minutes = round(delta.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
