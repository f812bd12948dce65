"""Which client a channel serves (``/translate link <client>``), for default target languages.

A shared channel with a client, or the team's channel about them, is linked once; then
English text translated there goes into the client's language, and ambiguous flags
(🇨🇭, 🇮🇳, 🇧🇪, 🇨🇦) pick the client's language when it is one of the country's.
The link lives in our own table (``channel_client``) rather than on the client record: one
client may have several channels, and removing the client removes its links.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cultures.errors import CultureError
from cultures.languages import main_language
from db.models import ChannelClient, Client
from db.scoped import team_session
from handlers.clients.directory import find_client
from handlers.common.runtime import Runtime


@dataclass(frozen=True)
class ClientLanguage:
    """A client as translation sees it: its name and the language to write to it in."""

    name: str
    language: str  # BCP 47


def client_language(client: Client) -> ClientLanguage:
    """The client's own language, else their country's main language, else English."""
    language = client.language
    if not language:
        try:
            language = main_language(client.country).code
        except (CultureError, LookupError):
            language = "en"
    return ClientLanguage(client.name, language)


def find_client_language(session: Session, name: str) -> ClientLanguage:
    """The client called ``name`` (typos tolerated); raises UnknownClient."""
    return client_language(find_client(session, name))


def channel_client(session: Session, channel_id: str | None) -> ClientLanguage | None:
    """The client linked to ``channel_id``, if any."""
    if not channel_id:
        return None
    client = session.scalars(
        select(Client)
        .join(ChannelClient, ChannelClient.client_id == Client.id)
        .where(ChannelClient.channel_id == channel_id)
    ).first()
    return client_language(client) if client is not None else None


def channel_client_of(runtime: Runtime, team_id: str, channel_id: str | None) -> ClientLanguage | None:
    """:func:`channel_client` in a session of its own."""
    if not channel_id:
        return None
    with team_session(runtime.sessions, team_id) as session:
        return channel_client(session, channel_id)


def link_channel(runtime: Runtime, team_id: str, channel_id: str, name: str, user_id: str) -> ClientLanguage:
    """Link ``channel_id`` to the client called ``name`` (replacing an earlier link)."""
    with team_session(runtime.sessions, team_id) as session:
        client = find_client(session, name)
        link = session.scalars(select(ChannelClient).where(ChannelClient.channel_id == channel_id)).first()
        if link is None:
            link = ChannelClient(channel_id=channel_id, client_id=client.id)
            session.add(link)
        link.client_id = client.id
        link.linked_by = user_id
        link.linked_at = runtime.clock()
        return client_language(client)


def unlink_channel(runtime: Runtime, team_id: str, channel_id: str) -> ClientLanguage | None:
    """Remove the channel's link; the client it was linked to, or None if there was none."""
    with team_session(runtime.sessions, team_id) as session:
        current = channel_client(session, channel_id)
        link = session.scalars(select(ChannelClient).where(ChannelClient.channel_id == channel_id)).first()
        if link is not None:
            session.delete(link)
        return current
