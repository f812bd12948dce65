"""What every capability needs from the process, passed in (handlers never import bot/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Now, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class TranslatorConfig:
    """Which translation providers to try, in order, and their credentials."""

    providers: tuple[str, ...] = ("google",)
    libretranslate_url: str | None = None
    libretranslate_api_key: str | None = field(default=None, repr=False)
    deepl_api_key: str | None = field(default=None, repr=False)
    microsoft_translator_key: str | None = field(default=None, repr=False)
    timeout: float = 8.0


@dataclass(frozen=True)
class Runtime:
    """Shared services: database sessions, the clock, defaults and provider settings."""

    sessions: sessionmaker[Session]
    clock: Clock = system_clock
    default_work_hours: tuple[int, int] = (9 * 60, 18 * 60)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    bot_token: str | None = field(default=None, repr=False)
    extras: dict[str, object] = field(default_factory=dict)


class NotInstalled(Exception):
    """The workspace has no installation (OAuth mode): nothing can be sent for it now."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"no installation for workspace {team_id}")
        self.team_id = team_id


def team_web(runtime: Runtime, web: Any, team_id: str) -> Any:
    """The Web API client to act for ``team_id`` in background work.

    With one bot token (single-workspace mode) that is ``web`` itself. With OAuth, each workspace
    has its own installation: the client carries that workspace's bot token (refreshed when it
    rotates), and a workspace without one raises :class:`NotInstalled`.
    """
    resolver = runtime.extras.get("team_client")
    if resolver is None or not team_id:
        return web
    client = resolver(team_id)  # type: ignore[operator]
    if client is None:
        raise NotInstalled(team_id)
    return client
