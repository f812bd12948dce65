"""Requests in the database: opened by a client's message, joined, taken, answered; and their clock.

The reply target counts only in the client's business time (``cultures.hours.business_deadline``):
their weekends, public holidays, lunch and nights pause it. ``warn_at`` (75%) and ``due_at`` (100%)
are computed once, when the request opens, and kept in the row, so the clock survives restarts
and any worker can act on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import threading
from dataclasses import dataclass

from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cultures.errors import CultureError
from cultures.hours import MemberHours, business_deadline, business_time
from db.models import ChannelClient, Client, ClientRequest, RequestMessage
from db.models.requests import ANSWERED, OPEN
from db.scoped import team_session
from handlers.clients.directory import client_hours
from handlers.clients.fields import DEFAULT_REPLY_MINUTES
from handlers.common.runtime import Runtime
from handlers.common.team import team_hours, workspace_settings
from handlers.common.text import escape_mrkdwn

logger = logging.getLogger(__name__)

JOIN_WITHIN = dt.timedelta(minutes=2)  # the same person's next message joins their open request
WARN_SHARE = 0.75


@dataclass(frozen=True)
class Link:
    """A channel linked to a client, and what the client's row says about it."""

    channel_id: str
    shared: bool
    client: Client


def link_of(runtime: Runtime, team_id: str, channel_id: str) -> Link | None:
    """The client a channel is linked to (detached), or None."""
    with team_session(runtime.sessions, team_id) as session:
        row = session.execute(
            select(ChannelClient.shared, Client)
            .join(Client, Client.id == ChannelClient.client_id)
            .where(ChannelClient.channel_id == channel_id)
        ).first()
        if row is None:
            return None
        shared, client = row
        session.expunge(client)
        return Link(channel_id, bool(shared), client)


def deadlines(
    client: Client, opened_at: dt.datetime, team: MemberHours | None = None
) -> tuple[int, dt.datetime, dt.datetime]:
    """(target minutes, warn_at, due_at) for a request opened at ``opened_at``: counted in the
    client's business time, and inside the team's hours (``team``) when it set them."""
    minutes = client.reply_minutes or DEFAULT_REPLY_MINUTES
    try:
        hours = client_hours(client)
        warn = business_deadline(opened_at, dt.timedelta(minutes=minutes * WARN_SHARE), hours, team)
        due = business_deadline(opened_at, dt.timedelta(minutes=minutes), hours, team)
    except (CultureError, ValueError):
        logger.warning("client %s has unreadable hours; counting plain time", client.id)
        warn = opened_at + dt.timedelta(minutes=minutes * WARN_SHARE)
        due = opened_at + dt.timedelta(minutes=minutes)
    return minutes, warn, due


def _advisory_lock(session: Session, key: str) -> None:
    """On PostgreSQL, a transaction-scoped advisory lock on ``key`` (released at commit): one
    person's messages in one channel are placed one at a time across processes. Within a process
    ``_LOCKS`` does it (held until the commit); SQLite allows one writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": digest})


_LOCKS = tuple(threading.Lock() for _ in range(64))


def opened_at(ts: str, now: dt.datetime) -> dt.datetime:
    """When the message was written: its Slack ``ts`` when plausible (within the last hour: a
    delivery retried or queued late still counts from the message), else ``now``."""
    try:
        written = dt.datetime.fromtimestamp(float(ts), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return now
    return written if now - dt.timedelta(hours=1) <= written <= now else now


def open_or_join(
    runtime: Runtime, team_id: str, client: Client, channel_id: str, ts: str, author_id: str, now: dt.datetime
) -> tuple[ClientRequest, bool]:
    """The request this top-level message belongs to: the author's open one of the last two minutes
    (joined), else a new one. Returns (request, True when it is new). A Slack retry of the same
    message finds its request again and changes nothing."""
    when = opened_at(ts, now)
    key = f"{team_id}:{channel_id}:{author_id}"
    try:
        with _LOCKS[hash(key) % len(_LOCKS)], team_session(runtime.sessions, team_id) as session:
            _advisory_lock(session, key)
            return _place(session, client, channel_id, ts, author_id, when)
    except IntegrityError:  # the same message handled at once by another process
        with team_session(runtime.sessions, team_id) as session:
            again = session.scalars(
                select(ClientRequest)
                .join(RequestMessage, RequestMessage.request_id == ClientRequest.id)
                .where(RequestMessage.channel_id == channel_id, RequestMessage.message_ts == ts)
            ).one()
            return again, False


def _place(
    session: Session, client: Client, channel_id: str, ts: str, author_id: str, when: dt.datetime
) -> tuple[ClientRequest, bool]:
    same = session.scalars(
        select(ClientRequest)
        .join(RequestMessage, RequestMessage.request_id == ClientRequest.id)
        .where(RequestMessage.channel_id == channel_id, RequestMessage.message_ts == ts)
    ).first()
    if same is not None:
        return same, False
    recent = session.scalars(
        select(ClientRequest)
        .where(
            ClientRequest.channel_id == channel_id,
            ClientRequest.author_id == author_id,
            ClientRequest.status == OPEN,
            ClientRequest.last_message_at >= when - JOIN_WITHIN,
        )
        .order_by(ClientRequest.last_message_at.desc())
        .with_for_update()
    ).first()
    if recent is not None:
        recent.last_message_at, recent.messages = max(when, recent.last_message_at), recent.messages + 1
        session.add(RequestMessage(request_id=recent.id, channel_id=channel_id, message_ts=ts))
        session.flush()
        return recent, False
    minutes, warn_at, due_at = deadlines(client, when, team_hours(workspace_settings(session)))
    request = ClientRequest(
        client_id=client.id,
        channel_id=channel_id,
        message_ts=ts,
        author_id=author_id,
        opened_at=when,
        last_message_at=when,
        messages=1,
        reply_minutes=minutes,
        warn_at=warn_at,
        due_at=due_at,
        status=OPEN,
    )
    session.add(request)
    session.flush()
    session.add(RequestMessage(request_id=request.id, channel_id=channel_id, message_ts=ts))
    session.flush()
    return request, True


def _request_of_message(channel_id: str, ts: str) -> Select[ClientRequest]:
    """The open request one of whose messages is ``ts`` in ``channel_id`` (a select)."""
    return (
        select(ClientRequest)
        .join(RequestMessage, RequestMessage.request_id == ClientRequest.id)
        .where(
            RequestMessage.channel_id == channel_id,
            RequestMessage.message_ts == ts,
            ClientRequest.status == OPEN,
        )
    )


def answer(
    runtime: Runtime, team_id: str, channel_id: str, root_ts: str, by: str, how: str, now: dt.datetime
) -> ClientRequest | None:
    """Mark the request one of whose messages is ``root_ts`` answered (the first answer only)."""
    with team_session(runtime.sessions, team_id) as session:
        request = session.scalars(_request_of_message(channel_id, root_ts).with_for_update()).first()
        if request is None:
            return None
        client = session.get(Client, request.client_id)
        team = team_hours(workspace_settings(session))
        request.status, request.answered_at, request.answered_by, request.answered_how = ANSWERED, now, by, how
        request.business_minutes = _business_minutes(client, request.opened_at, now, team)
        return request


def _business_minutes(client: Client | None, start: dt.datetime, end: dt.datetime, team: MemberHours | None) -> int:
    if client is None:
        return int((end - start).total_seconds() // 60)
    try:
        return int(business_time(start, end, client_hours(client), team).total_seconds() // 60)
    except (CultureError, ValueError):
        return int((end - start).total_seconds() // 60)


def assign(runtime: Runtime, team_id: str, channel_id: str, root_ts: str, user_id: str) -> bool:
    """👀 on an open request's message: the reacting team member takes it. True when one was taken."""
    with team_session(runtime.sessions, team_id) as session:
        request = session.scalars(_request_of_message(channel_id, root_ts).with_for_update()).first()
        if request is None:
            return False
        request.assignee_id = user_id
        return True


def open_count(session: Session) -> int:
    """How many requests are waiting for an answer in the session's workspace (for `/rapport stats`)."""
    count = session.scalar(select(func.count()).select_from(ClientRequest).where(ClientRequest.status == OPEN))
    return int(count or 0)


STATS_REQUESTS = 2000  # the most recent ones
STATS_CLIENTS = 10


def _percentile(values: list[int], share: float) -> int:
    """Nearest-rank percentile of sorted ``values`` (not empty)."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def first_response_summary(session: Session) -> str:
    """`/rapport stats`: first-response times of the latest requests in the clients' business hours
    (p50/p90) and reply targets missed, overall and for the clients with the most requests."""
    rows = session.execute(
        select(
            ClientRequest.client_id,
            ClientRequest.status,
            ClientRequest.business_minutes,
            ClientRequest.reply_minutes,
            ClientRequest.escalated_at,
        )
        .order_by(ClientRequest.opened_at.desc())
        .limit(STATS_REQUESTS)
    ).all()
    if not rows:
        return "no client requests yet (link a shared channel with `/client edit <client> shared:#channel`)"
    names: dict[int, str] = {int(row[0]): str(row[1]) for row in session.execute(select(Client.id, Client.name))}
    by_client: dict[int, list[tuple[int | None, bool]]] = {}
    for client_id, status, minutes, target, escalated_at in rows:
        took: int | None = minutes if status == ANSWERED else None
        breach = escalated_at is not None or (took is not None and took > target)
        by_client.setdefault(client_id, []).append((took, breach))

    def summary(entries: list[tuple[int | None, bool]]) -> str:
        times = sorted(minutes for minutes, _ in entries if minutes is not None)
        breaches = sum(1 for _, breach in entries if breach)
        timing = (
            f"p50 {_minutes_words(_percentile(times, 0.5))}, p90 {_minutes_words(_percentile(times, 0.9))}"
            if times
            else "none answered yet"
        )
        missed = f"{breaches} past the reply target" if breaches else "none past the reply target"
        return f"{len(entries)} requests · first response {timing} · {missed}"

    everything = [entry for entries in by_client.values() for entry in entries]
    latest = f"the latest {STATS_REQUESTS}" if len(rows) >= STATS_REQUESTS else "all"
    lines = [f"{summary(everything)} ({latest}, in the clients' business hours)"]
    busiest = sorted(by_client.items(), key=lambda item: (-len(item[1]), names.get(item[0], "")))
    for client_id, entries in busiest[:STATS_CLIENTS]:
        lines.append(f"    ◦ {escape_mrkdwn(names.get(client_id, '?'))}: {summary(entries)}")
    if len(busiest) > STATS_CLIENTS:
        lines.append(f"    ◦ … and {len(busiest) - STATS_CLIENTS} more clients")
    return "\n".join(lines)


def _minutes_words(minutes: int) -> str:
    hours, rest = divmod(max(0, minutes), 60)
    return " ".join(
        part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest or not hours else "") if part
    )
