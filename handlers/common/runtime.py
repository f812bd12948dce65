"""What every capability needs from the process, passed in (handlers never import bot/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

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
