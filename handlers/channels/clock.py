"""The reply clock's periodic task: a DM at 75% of the target, one escalation at 100%.

Runs on every dispatcher tick (``handlers.periodic_tasks``). Each step claims its rows with one
``UPDATE … SET warned_at|escalated_at = now WHERE … IS NULL`` (``SKIP LOCKED`` on PostgreSQL), so
with several workers every request is warned about and escalated once. An escalation that could
not be raised (the database failed midway) is released for the next tick.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute

from cultures.errors import CultureError
from cultures.hours import business_time
from db.models import ChannelClient, Client, ClientRequest, Escalation, Workspace
from db.models.requests import OPEN
from db.scoped import all_teams_session, team_session
from handlers.channels import blocks
from handlers.clients.directory import client_hours
from handlers.common.runtime import NotInstalled, Runtime, team_web
from handlers.common.team import team_hours, team_language
from handlers.escalate.escalations import NewEscalation, raise_escalation
from handlers.translate.providers import TranslationUnavailable
from handlers.translate.translation import translate

logger = logging.getLogger(__name__)

BATCH = 50
FROM_REQUEST = "request"  # the escalation's source
SLACK_ERRORS = (SlackApiError, SlackClientError, OSError)


@dataclass(frozen=True)
class ClockReport:
    """What one tick did."""

    warned: int = 0
    escalated: int = 0


def request_tick(runtime: Runtime, web: WebClient) -> ClockReport:
    """Warn the owners of requests at 75% of their target; escalate those at 100% (once each)."""
    now = runtime.clock()

    def as_team(step: Any, request: ClientRequest) -> int:
        try:
            return int(step(runtime, team_web(runtime, web, request.team_id), request, now))
        except NotInstalled:
            return 0  # no installation any more (OAuth): nothing can be sent for that workspace

    warned = sum(as_team(_warn, request) for request in _claim(runtime, now, warn=True))
    escalated = sum(as_team(_escalate, request) for request in _claim(runtime, now, warn=False))
    if warned or escalated:
        logger.info("client requests: %s owners warned, %s escalated", warned, escalated)
    return ClockReport(warned, escalated)


def _claim(runtime: Runtime, now: dt.datetime, *, warn: bool) -> list[ClientRequest]:
    mark: InstrumentedAttribute[Any] = ClientRequest.warned_at if warn else ClientRequest.escalated_at
    when: InstrumentedAttribute[Any] = ClientRequest.warn_at if warn else ClientRequest.due_at
    conditions = [ClientRequest.status == OPEN, mark.is_(None), when <= now]
    paused = _uninstalled_teams(runtime)
    if paused:  # their clocks wait: warned and escalated once the workspace is back
        conditions.append(ClientRequest.team_id.not_in(paused))
    if warn:
        conditions.append(ClientRequest.due_at > now)  # past the target already: the escalation says it all
    due = select(ClientRequest.id).where(*conditions).limit(BATCH).with_for_update(skip_locked=True)
    statement = (
        update(ClientRequest)
        .where(ClientRequest.id.in_(due.scalar_subquery()), mark.is_(None))
        .values({mark.key: now})
        .returning(ClientRequest)
        .execution_options(synchronize_session=False)
    )
    with all_teams_session(runtime.sessions) as session:
        return list(session.scalars(statement))


def _uninstalled_teams(runtime: Runtime) -> list[str]:
    with all_teams_session(runtime.sessions) as session:
        rows = session.execute(select(Workspace.team_id, Workspace.settings)).all()
    return [str(team) for team, settings in rows if (settings or {}).get("uninstalled")]


def _context(runtime: Runtime, request: ClientRequest) -> tuple[Client | None, str | None, dict[str, Any]]:
    """The request's client, who linked its channel, and the workspace's settings."""
    with team_session(runtime.sessions, request.team_id) as session:
        client = session.get(Client, request.client_id)
        linker = session.scalar(select(ChannelClient.linked_by).where(ChannelClient.channel_id == request.channel_id))
        settings = session.scalar(select(Workspace.settings)) or {}
        if client is not None:
            session.expunge(client)
    return client, linker, dict(settings)


def _permalink(web: WebClient, channel: str, ts: str) -> str | None:
    try:
        return str(web.chat_getPermalink(channel=channel, message_ts=ts).get("permalink") or "") or None
    except SLACK_ERRORS as error:
        logger.warning("no permalink for %s in %s: %s", ts, channel, error)
        return None


def _left(client: Client, now: dt.datetime, due: dt.datetime, settings: dict[str, Any]) -> dt.timedelta:
    try:
        return business_time(now, due, client_hours(client), team_hours(settings))
    except (CultureError, ValueError):
        return due - now


def _warn(runtime: Runtime, web: WebClient, request: ClientRequest, now: dt.datetime) -> int:
    client, linker, settings = _context(runtime, request)
    if client is None:
        return 0
    to = client.owner_id or linker
    if not to:
        return 0
    text = blocks.warning_text(
        client.name,
        request.author_id,
        request.channel_id,
        _permalink(web, request.channel_id, request.message_ts),
        _left(client, now, request.due_at, settings),
    )
    try:
        web.chat_postMessage(channel=to, text=text, unfurl_links=False)
    except SLACK_ERRORS as error:
        logger.warning("could not warn %s about request %s: %s", to, request.id, error)
        return 0
    return 1


def _message_text(web: WebClient, channel: str, ts: str) -> str | None:
    """The request's text, read from Slack now (Rapport keeps no message texts)."""
    try:
        response = web.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    except SLACK_ERRORS as error:
        logger.warning("could not read request %s in %s: %s", ts, channel, error)
        return None
    for message in response.get("messages") or []:
        if message.get("ts") == ts:
            return str(message.get("text") or "")
    return None


def _escalate(runtime: Runtime, web: WebClient, request: ClientRequest, now: dt.datetime) -> int:
    try:
        client, _linker, settings = _context(runtime, request)
        if client is None:
            return 0
        new = NewEscalation(
            client_id=client.id,
            summary=_summary(runtime, web, request, client, settings, now),
            source=FROM_REQUEST,
            origin_channel=request.channel_id,
            origin_ts=request.message_ts,
        )
    except Exception:
        logger.exception("could not prepare the escalation of request %s; trying again at the next tick", request.id)
        _release(runtime, request)
        return 0
    try:
        posted = raise_escalation(runtime, web, request.team_id, new)
    except Exception:
        # Recorded before it failed? Then it is pending and gets posted later; else try again.
        logger.exception("could not escalate request %s", request.id)
        if _recorded(runtime, request) is None:
            _release(runtime, request)
        return 0
    with team_session(runtime.sessions, request.team_id) as session:
        session.execute(
            update(ClientRequest)
            .where(ClientRequest.id == request.id)
            .values(escalation_id=posted.escalation_id)
            .execution_options(synchronize_session=False)
        )
    return 1


def _summary(
    runtime: Runtime,
    web: WebClient,
    request: ClientRequest,
    client: Client,
    settings: dict[str, Any],
    now: dt.datetime,
) -> str:
    """What the escalation says: the text read from Slack now, its translation, the business time waited."""
    text = _message_text(web, request.channel_id, request.message_ts)
    translated = None
    if text:
        try:
            translation = translate(runtime, request.team_id, text, team_language(settings))
            translated = None if translation.unchanged else translation.text
        except TranslationUnavailable as error:
            logger.warning("no translation for the escalation of request %s: %s", request.id, error)
    try:
        waited = business_time(request.opened_at, now, client_hours(client), team_hours(settings))
    except (CultureError, ValueError):
        waited = now - request.opened_at
    return blocks.escalation_summary(
        request.author_id,
        request.channel_id,
        waited,
        dt.timedelta(minutes=request.reply_minutes),
        text,
        translated,
    )


def _recorded(runtime: Runtime, request: ClientRequest) -> int | None:
    """The id of the escalation already recorded for ``request``, if any."""
    with team_session(runtime.sessions, request.team_id) as session:
        return session.scalar(
            select(Escalation.id).where(
                Escalation.source == FROM_REQUEST,
                Escalation.origin_channel == request.channel_id,
                Escalation.origin_ts == request.message_ts,
            )
        )


def _release(runtime: Runtime, request: ClientRequest) -> None:
    with team_session(runtime.sessions, request.team_id) as session:
        session.execute(
            update(ClientRequest)
            .where(ClientRequest.id == request.id)
            .values(escalated_at=None)
            .execution_options(synchronize_session=False)
        )
