"""Channels linked to a client: Slack Connect channels shared with them (`shared:`) and channels
linked for `/translate` only. One row per channel (``channel_client``); a channel belongs to one client."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import ChannelClient, Client, ClientRequest
from db.models.requests import CLOSED, OPEN


def shared_channels(session: Session, client_id: int) -> list[str]:
    """The ids of the Slack Connect channels linked to a client, oldest link first."""
    query = (
        select(ChannelClient.channel_id)
        .where(ChannelClient.client_id == client_id, ChannelClient.shared.is_(True))
        .order_by(ChannelClient.linked_at, ChannelClient.id)
    )
    return list(session.scalars(query))


def shared_channels_by_client(session: Session) -> dict[int, list[str]]:
    """Every client's shared channel ids, in one query (for exports)."""
    query = (
        select(ChannelClient.client_id, ChannelClient.channel_id)
        .where(ChannelClient.shared.is_(True))
        .order_by(ChannelClient.linked_at, ChannelClient.id)
    )
    found: dict[int, list[str]] = {}
    for client_id, channel_id in session.execute(query):
        found.setdefault(client_id, []).append(channel_id)
    return found


def link_shared(session: Session, client: Client, channel_ids: list[str], by: str | None) -> list[str]:
    """Link ``channel_ids`` to ``client`` as shared channels; returns remarks (a channel moved from
    another client is said so)."""
    remarks: list[str] = []
    for channel_id in channel_ids:
        link = session.scalars(select(ChannelClient).where(ChannelClient.channel_id == channel_id)).first()
        if link is None:
            session.add(ChannelClient(channel_id=channel_id, client_id=client.id, linked_by=by, shared=True))
            continue
        if link.client_id != client.id:
            previous = session.get(Client, link.client_id)
            if previous is not None:
                remarks.append(f"<#{channel_id}> was linked to {previous.name}; it now belongs to {client.name}.")
            close_requests(session, channel_id, link.client_id)
            link.client_id = client.id
        link.shared, link.linked_by = True, by
    session.flush()
    return remarks


def unlink_shared(session: Session, client: Client) -> list[str]:
    """Remove every shared-channel link of ``client`` (`shared:""`); returns the channels unlinked."""
    links = list(
        session.scalars(
            select(ChannelClient).where(ChannelClient.client_id == client.id, ChannelClient.shared.is_(True))
        )
    )
    for link in links:
        close_requests(session, link.channel_id, client.id)
        session.delete(link)
    session.flush()
    return [link.channel_id for link in links]


def close_requests(session: Session, channel_id: str, client_id: int) -> None:
    """Stop the clocks of a channel's open requests when it stops belonging to the client."""
    session.execute(
        update(ClientRequest)
        .where(
            ClientRequest.channel_id == channel_id, ClientRequest.client_id == client_id, ClientRequest.status == OPEN
        )
        .values(status=CLOSED, answered_how="unlinked")
        .execution_options(synchronize_session=False)
    )
