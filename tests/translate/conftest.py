"""Translation tests run the real app with TRANSLATOR=libre against a fake LibreTranslate on loopback."""

from __future__ import annotations

from db.models import Client
from db.scoped import team_session
from handlers.common.runtime import Runtime
from tests.fakes.libre_app import TIMEOUT, libre, runtime, settings  # shared fixtures


def add_client(runtime: Runtime, name: str, country: str, tz: str, language: str | None = None) -> None:
    """A client row as the client directory stores it."""
    with team_session(runtime.sessions, "T1") as session:
        session.add(
            Client(name=name, name_key=name.casefold(), country=country, tz=tz, language=language, created_by="U1")
        )
