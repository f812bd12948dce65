"""The open requests of a client, as `/client show` lists them: who asked where, and the reply clock
left in the client's business hours (the requests themselves are tracked by ``handlers.channels``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultures.errors import CultureError
from cultures.hours import MemberHours, business_time
from db.models import Client, ClientRequest
from db.models.requests import OPEN
from handlers.clients.directory import client_hours
from handlers.common.team import team_hours, workspace_settings

SHOWN = 10


def duration_words(delta: dt.timedelta) -> str:
    """``1 h 20 min``, ``45 min``, ``3 h`` (rounded down to the minute; at least ``1 min``)."""
    minutes = max(1, int(delta.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)


def request_line(request: ClientRequest, client: Client, now: dt.datetime, team: MemberHours | None = None) -> str:
    """``• <#C1> <@U9> asked … · 1 h 20 min left of 4 h (their business hours) · 👀 <@U2>``."""
    try:
        hours = client_hours(client)
        left = business_time(now, request.due_at, hours, team) if now < request.due_at else None
    except (CultureError, ValueError):
        left = request.due_at - now if now < request.due_at else None
    target = duration_words(dt.timedelta(minutes=request.reply_minutes))
    if left is not None and left > dt.timedelta(0):
        clock = f"{duration_words(left)} left of {target} (their business hours)"
    else:
        clock = f"past its reply target of {target}"
    who = f" · :eyes: <@{request.assignee_id}>" if request.assignee_id else ""
    return f"• <#{request.channel_id}> <@{request.author_id}> asked · {clock}{who}"


def open_requests(session: Session, client: Client, now: dt.datetime) -> tuple[list[str], int]:
    """Lines for the oldest open requests of ``client`` (at most ``SHOWN``), and how many more there are."""
    query = (
        select(ClientRequest)
        .where(ClientRequest.client_id == client.id, ClientRequest.status == OPEN)
        .order_by(ClientRequest.due_at)
        .limit(SHOWN)
    )
    team = team_hours(workspace_settings(session))
    lines = [request_line(request, client, now, team) for request in session.scalars(query)]
    total = session.scalar(
        select(func.count())
        .select_from(ClientRequest)
        .where(ClientRequest.client_id == client.id, ClientRequest.status == OPEN)
    )
    return lines, max(0, int(total or 0) - len(lines))
