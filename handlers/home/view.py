"""What a person's Home tab shows: their zone and hours, next follow-ups, open client requests,
their clients right now.

:func:`home_for` gathers it (database and the cultures engine; the member's profile may come
from users.info, cached); :func:`publish_home` renders it and calls views.publish once.
"""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk import WebClient
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cultures.cards import card_for
from cultures.countries import get_country
from cultures.errors import CultureError
from cultures.hours import judge, next_good_windows
from db.models import Client, ClientRequest, Workspace
from db.models.followups import ACTIVE, FollowUp
from db.models.requests import OPEN as OPEN_REQUEST
from db.scoped import team_session
from handlers.care.occasions import occasions
from handlers.clients.directory import client_hours
from handlers.clients.requests_view import request_line
from handlers.common.people import member
from handlers.common.runtime import Runtime
from handlers.common.team import team_hours, workspace_settings
from handlers.home.blocks import ClientNow, Coming, FollowUpItem, Home, home_view

logger = logging.getLogger(__name__)

MAX_FOLLOWUPS = 5
MAX_CLIENTS = 20
MAX_REQUESTS = 10
CARE_AHEAD_DAYS = 14


def _country_name(code: str) -> str:
    try:
        return get_country(code).english_name
    except CultureError:
        return code


def _client_now(client: Client, now: dt.datetime) -> ClientNow:
    try:
        hours = client_hours(client)
        verdict = judge(now, hours)
        window = None if verdict.good else next(iter(next_good_windows(now, hours, count=1)), None)
    except (CultureError, ValueError):
        logger.warning("cannot judge the moment for client %s", client.id)
        return ClientNow(client.name, _country_name(client.country), client.tz, None)
    return ClientNow(client.name, _country_name(client.country), client.tz, verdict, window)


def _coming(client: Client, now: dt.datetime) -> list[Coming]:
    try:
        card = card_for(client.country)
        today = judge(now, client_hours(client)).local.date()
        found = occasions(card, client.country, client.subdivision, client.birthday, today, CARE_AHEAD_DAYS)
    except (CultureError, ValueError):
        return []
    return [Coming(client.name, _country_name(client.country), occasion, today) for occasion in found]


def _open_requests(session: Session, user_id: str, now: dt.datetime) -> tuple[list[tuple[str, str]], int]:
    """Open requests of the clients ``user_id`` owns or that they took (👀), soonest due first."""
    mine = or_(Client.owner_id == user_id, ClientRequest.assignee_id == user_id)
    query = (
        select(ClientRequest, Client)
        .join(Client, Client.id == ClientRequest.client_id)
        .where(ClientRequest.status == OPEN_REQUEST, mine)
        .order_by(ClientRequest.due_at)
    )
    rows = session.execute(query.limit(MAX_REQUESTS)).all()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    team = team_hours(workspace_settings(session))
    lines = [(client.name, request_line(request, client, now, team)) for request, client in rows]
    return lines, max(0, int(total) - len(lines))


def home_for(runtime: Runtime, client: WebClient | None, team_id: str, user_id: str) -> Home:
    """Gather the Home tab's content for ``user_id``."""
    now = runtime.clock()
    who = member(client, runtime, team_id, user_id)
    home = Home(user_id=user_id, now=now, member=who)
    with team_session(runtime.sessions, team_id) as session:
        pending = select(FollowUp).where(FollowUp.owner_id == user_id, FollowUp.status.in_(ACTIVE))
        rows = session.scalars(pending.order_by(FollowUp.due_at.is_(None), FollowUp.due_at).limit(MAX_FOLLOWUPS)).all()
        total = session.scalar(select(func.count()).select_from(pending.subquery())) or 0
        home.followups = [
            FollowUpItem(row.short_id, row.client_name, row.what, row.due_at, row.awaiting_done) for row in rows
        ]
        home.followups_more = max(0, total - len(rows))
        owned = session.scalars(select(Client).where(Client.owner_id == user_id).order_by(Client.name_key)).all()
        workspace = session.scalars(select(Workspace)).one_or_none()
        care_on = not (workspace and (workspace.settings or {}).get("care_enabled") is False)
        home.clients = [_client_now(c, now) for c in owned[:MAX_CLIENTS]]
        home.clients_more = max(0, len(owned) - MAX_CLIENTS)
        home.requests, home.requests_more = _open_requests(session, user_id, now)
        if care_on:
            coming = [item for c in owned for item in _coming(c, now)]
            home.coming = sorted(coming, key=lambda c: c.occasion.date)[:10]
    return home


def publish_home(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """Build and publish ``user_id``'s Home tab (one views.publish call)."""
    home = home_for(runtime, client, team_id, user_id)
    client.views_publish(user_id=user_id, view=home_view(home).to_dict())
