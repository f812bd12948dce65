"""The client directory: adding, changing, finding and removing a workspace's clients.

Every function takes a session opened with ``db.scoped.team_session``, so queries stay inside
one workspace. :func:`find_client` is how every capability turns a typed name into a client:
exact (case-insensitive) name, then a unique prefix, then small typos; otherwise
:class:`UnknownClient` with close names to suggest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.orm import Session

from cultures.company import Closure
from cultures.hours import ClientHours
from cultures.matching import fold
from cultures.weekly import WeeklyHours
from db.models import Client
from handlers.clients.fields import name_key
from handlers.common.errors import UnknownClient, UserError
from handlers.common.text import unescape_slack

logger = logging.getLogger(__name__)

SUGGESTION_CUTOFF = 70.0


class DuplicateClient(UserError):
    """A client with this name (ignoring case) already exists in the workspace."""

    def __init__(self, existing: str) -> None:
        super().__init__(
            f"There is already a client called *{existing}*. "
            f"`/client edit {existing} key:value` changes it; pick another name for a different client.",
            show_usage=False,
        )
        self.existing = existing


def add_client(session: Session, values: Mapping[str, Any], created_by: str | None = None) -> Client:
    """Insert a client from read values (``name``, ``name_key``, ``country``, ``tz`` … columns)."""
    existing = _by_key(session, values["name_key"])
    if existing is not None:
        raise DuplicateClient(existing.name)
    client = Client(**dict(values), created_by=created_by)
    session.add(client)
    session.flush()
    return client


def update_client(session: Session, client: Client, values: Mapping[str, Any]) -> Client:
    """Apply read values to ``client``; a new name must not belong to another client."""
    new_key = values.get("name_key")
    if new_key is not None and new_key != client.name_key:
        other = _by_key(session, new_key)
        if other is not None and other.id != client.id:
            raise DuplicateClient(other.name)
    for column, value in values.items():
        setattr(client, column, value)
    session.flush()
    return client


def remove_client(session: Session, client: Client) -> None:
    """Delete a client."""
    session.delete(client)
    session.flush()


def list_clients(session: Session, country: str | None = None, owner_id: str | None = None) -> list[Client]:
    """The workspace's clients by name, optionally only one country's or one owner's."""
    query = select(Client).order_by(Client.name_key)
    if country:
        query = query.where(Client.country == country)
    if owner_id:
        query = query.where(Client.owner_id == owner_id)
    return list(session.scalars(query))


def _by_key(session: Session, key: str) -> Client | None:
    return session.scalars(select(Client).where(Client.name_key == key)).first()


def find_client(session: Session, name: str, *, exact: bool = False) -> Client:
    """The client called ``name``: exact name (any case), else a unique prefix, else a small typo.

    ``exact=True`` (for removing) accepts only the exact name. Raises :class:`UnknownClient`
    with close names as suggestions when nothing, or more than one client, fits.
    """
    typed = unescape_slack(name).strip()
    key = name_key(typed)
    if not key:
        raise UnknownClient(name)
    found = _by_key(session, key)
    if found is not None:
        return found
    rows = session.execute(select(Client.id, Client.name, Client.name_key)).all()
    if not exact:
        match = _loose_match(key, [(row.id, row.name, row.name_key) for row in rows])
        if match is not None:
            return session.get_one(Client, match)
    raise UnknownClient(typed, suggest_clients(typed, [row.name for row in rows]))


def _loose_match(key: str, rows: list[tuple[int, str, str]]) -> int | None:
    """A unique prefix, word-prefix, accent-free or one-typo match; None when none or several fit."""
    tiers = (
        lambda name, folded: name.startswith(key),
        lambda name, folded: folded == fold(key),
        lambda name, folded: folded.startswith(fold(key)),
        lambda name, folded: any(word.startswith(fold(key)) for word in folded.split()),
        lambda name, folded: _small_typo(fold(key), folded),
    )
    if len(fold(key)) < 2:
        return None
    folded_rows = [(row_id, stored_key, fold(stored_key)) for row_id, _name, stored_key in rows]
    for accept in tiers:
        hits = {row_id for row_id, stored_key, folded in folded_rows if accept(stored_key, folded)}
        if len(hits) == 1:
            return hits.pop()
        if len(hits) > 1:
            return None
    return None


def _small_typo(typed: str, name: str) -> bool:
    if len(typed) < 4:
        return False
    allowed = 1 if len(name) < 10 else 2
    return Levenshtein.distance(typed, name, score_cutoff=allowed) <= allowed


def suggest_clients(typed: str, names: list[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` client names close to ``typed``, best first."""
    if not names or not fold(typed):
        return []
    choices = {fold(name): name for name in names}
    found = process.extract(fold(typed), list(choices), scorer=fuzz.WRatio, limit=limit, score_cutoff=SUGGESTION_CUTOFF)
    return [choices[key] for key, _score, _index in found]


def client_hours(client: Client) -> ClientHours:
    """The client's clock and calendar: zone, country, region, and their own hours over the card's."""
    hours = WeeklyHours.parse(client.hours) if client.hours else None
    closures = tuple(Closure(row.first_day, row.last_day, row.label) for row in client.closures)
    return ClientHours(
        zone=client.tz, country=client.country, subdiv=client.subdivision, hours=hours, closures=closures
    )
