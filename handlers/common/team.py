"""The workspace's own preferences that several capabilities read (kept in ``workspace.settings``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cultures.errors import CultureError
from cultures.hours import MemberHours
from cultures.languages import resolve_language
from db.models import Workspace

DEFAULT_LANGUAGE = "en"


def team_language(settings: Mapping[str, Any] | None) -> str:
    """The team's language (BCP 47), from `/rapport language`; English unless set."""
    value = (settings or {}).get("language")
    return value if isinstance(value, str) and value else DEFAULT_LANGUAGE


def team_hours(settings: Mapping[str, Any] | None) -> MemberHours | None:
    """The team's shared working hours (`/rapport hours team`), or None when the team set none.

    Reply clocks in client channels count only inside them (and inside the client's hours)."""
    value = (settings or {}).get("team_hours")
    if not isinstance(value, Mapping):
        return None
    try:
        return MemberHours(
            zone=str(value["zone"]),
            start_minute=int(value["start"]),
            end_minute=int(value["end"]),
            weekdays=frozenset(int(day) for day in value.get("weekdays", range(5))),
        )
    except (KeyError, TypeError, ValueError, CultureError):
        return None


def workspace_settings(session: Session) -> dict[str, Any]:
    """The settings of the workspace the session belongs to (empty when it has none)."""
    return dict(session.scalar(select(Workspace.settings)) or {})


def workspace_language(session: Session) -> str:
    """The team's language of the workspace the session belongs to."""
    settings = session.scalar(select(Workspace.settings))
    return team_language(settings)


def language_name(code: str) -> str:
    """``German`` for ``de`` (the code itself when unknown)."""
    try:
        return resolve_language(code).english_name
    except CultureError:
        return code
