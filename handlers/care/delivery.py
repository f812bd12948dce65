"""Relationship care on the dispatcher's ticks: find coming occasions, claim, compose, send.

Every minute (:data:`SCAN_EVERY`) the task looks at every client of every workspace for
greeting-worthy holidays and birthdays within the workspace's lead time (``care_days`` in
``Workspace.settings``, default 3), skips what was already sent, and sends each remaining one:

1. **claim** — insert a ``CareNote`` row for (client, occasion, year). The unique constraint
   lets exactly one process win, on SQLite and on PostgreSQL alike; the loser gets an
   IntegrityError and moves on. A row whose lease ran out (its process died, or Slack refused
   and the retry time has come) is taken over with a conditional UPDATE — again one winner.
2. **compose** — a greeting draft in the client's language (``handlers.draft``), outside any
   database transaction, since translation may take seconds.
3. **send** — a DM to the client's owner (during the owner's working hours, unless the occasion
   is at most a day away), or to the escalation channel when nobody owns the client.

A tick spends at most :data:`TICK_BUDGET` seconds here, so follow-up reminders never wait long
behind a burst of heads-ups; what is left is picked up by the next tick.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from dataclasses import dataclass
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError

from cultures.cards import Card, card_for
from cultures.countries import get_country
from cultures.errors import CultureError
from cultures.hours import MemberHours, member_is_working
from db.models import Client, Workspace
from db.models.care import FAILED, SENDING, SENT, CareNote
from db.scoped import all_teams_session, team_session
from handlers.care.blocks import HeadsUp, heads_up_blocks, heads_up_text
from handlers.care.occasions import CareOccasion, care_enabled, lead_days, occasions
from handlers.common.channels import try_join
from handlers.common.people import member
from handlers.common.runtime import NotInstalled, Runtime, team_web
from handlers.draft.command import language_for
from handlers.draft.compose import Recipient, compose
from handlers.draft.localize import card_speaks, localize
from handlers.draft.templates import Occasion

logger = logging.getLogger(__name__)

SCAN_EVERY = dt.timedelta(minutes=1)
LEASE = dt.timedelta(minutes=10)
RETRY_AFTER = dt.timedelta(minutes=15)  # doubled after each refusal
MAX_ATTEMPTS = 5
TICK_BUDGET = 20.0  # seconds of one dispatcher tick
# Slack errors that retrying will not fix.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
        "cannot_dm_bot",
        "missing_scope",
        "restricted_action",
    }
)


@dataclass(frozen=True)
class Due:
    """One heads-up to send: the client's facts, the occasion and where it goes."""

    team_id: str
    client_id: int
    client_name: str
    country: str
    subdivision: str | None
    language: str | None
    contact: str | None
    owner_id: str | None
    recipient: str
    today: dt.date
    lead_days: int
    occasion: CareOccasion

    @property
    def to_owner(self) -> bool:
        return self.owner_id is not None and self.recipient == self.owner_id


def care_tick(runtime: Runtime, client: WebClient) -> int:
    """The periodic task: scan every :data:`SCAN_EVERY` (at once while a backlog remains); heads-ups sent."""
    now = runtime.clock()
    state: dict[str, Any] = runtime.extras.setdefault("care", {})  # type: ignore[assignment]
    next_scan = state.get("next_scan")
    if isinstance(next_scan, dt.datetime) and now < next_scan:
        return 0
    sent, backlog = send_heads_ups(runtime, client, now)
    state["next_scan"] = now if backlog else now + SCAN_EVERY
    return sent


def local_today(now: dt.datetime, zone: str) -> dt.date:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.date()


def find_due(runtime: Runtime, now: dt.datetime) -> list[Due]:
    """Every heads-up that should go out now and has not been sent (or is not being sent) yet."""
    with all_teams_session(runtime.sessions) as session:
        workspaces = {
            w.team_id: (dict(w.settings or {}), w.escalation_channel) for w in session.scalars(select(Workspace))
        }
        clients = session.execute(
            select(
                Client.id,
                Client.team_id,
                Client.name,
                Client.country,
                Client.subdivision,
                Client.tz,
                Client.language,
                Client.contact,
                Client.owner_id,
                Client.birthday,
                Client.escalation_channel,
            )
        ).all()
        taken = {
            (row.team_id, row.client_id, row.occasion, row.year)
            for row in session.execute(
                select(CareNote.team_id, CareNote.client_id, CareNote.occasion, CareNote.year).where(
                    CareNote.year >= now.year - 1,
                    or_(CareNote.status != SENDING, CareNote.lease_until.is_(None), CareNote.lease_until > now),
                )
            )
        }
    due: list[Due] = []
    cards: dict[str, Card | None] = {}
    for row in clients:
        settings, workspace_channel = workspaces.get(row.team_id, ({}, None))
        if settings.get("uninstalled") or not care_enabled(settings):
            continue
        recipient = row.owner_id or row.escalation_channel or workspace_channel
        if not recipient:
            continue
        if row.country not in cards:
            try:
                cards[row.country] = card_for(row.country)
            except CultureError:
                cards[row.country] = None
        card = cards[row.country]
        if card is None:
            continue
        today = local_today(now, row.tz)
        days = lead_days(settings)
        try:
            coming = occasions(card, row.country, row.subdivision, row.birthday, today, days)
        except CultureError:
            logger.warning("no calendar for client %s (%s)", row.id, row.country)
            continue
        for occasion in coming:
            if (row.team_id, row.id, occasion.key, occasion.year) in taken:
                continue
            due.append(
                Due(
                    team_id=row.team_id,
                    client_id=row.id,
                    client_name=row.name,
                    country=row.country,
                    subdivision=row.subdivision,
                    language=row.language,
                    contact=row.contact,
                    owner_id=row.owner_id,
                    recipient=recipient,
                    today=today,
                    lead_days=days,
                    occasion=occasion,
                )
            )
    due.sort(key=lambda d: (d.occasion.date, d.team_id, d.client_id))
    return due


def claim(runtime: Runtime, due: Due, now: dt.datetime) -> int | None:
    """Own this heads-up: insert its row, or take over one whose lease ran out. None: someone else has it."""
    try:
        with team_session(runtime.sessions, due.team_id) as session:
            note = CareNote(
                client_id=due.client_id,
                client_name=due.client_name[:200],
                occasion=due.occasion.key,
                year=due.occasion.year,
                occasion_date=due.occasion.date,
                occasion_name=due.occasion.name[:200],
                recipient=due.recipient,
                status=SENDING,
                attempts=1,
                lease_until=now + LEASE,
                created_at=now,
            )
            session.add(note)
            session.flush()
            return note.id
    except IntegrityError:
        pass
    with team_session(runtime.sessions, due.team_id) as session:
        mine = (
            CareNote.client_id == due.client_id,
            CareNote.occasion == due.occasion.key,
            CareNote.year == due.occasion.year,
        )
        result = cast(
            CursorResult[Any],
            session.execute(
                update(CareNote)
                .where(
                    *mine, CareNote.status == SENDING, or_(CareNote.lease_until.is_(None), CareNote.lease_until <= now)
                )
                .values(lease_until=now + LEASE, attempts=CareNote.attempts + 1, recipient=due.recipient)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            return None
        return session.scalar(select(CareNote.id).where(*mine))


def _owner(runtime: Runtime, client: WebClient, due: Due, now: dt.datetime) -> tuple[bool, str | None]:
    """(is the owner at work now — or is the occasion too close to wait, the owner's name)."""
    if not due.to_owner or due.owner_id is None:
        return True, None
    try:
        who = member(client, runtime, due.team_id, due.owner_id)
    except Exception:  # a profile problem must not stop the heads-up
        logger.warning("cannot read the profile of %s", due.owner_id, exc_info=True)
        return True, None
    if due.occasion.days_from(due.today) <= 1:
        return True, who.real_name
    try:
        hours = MemberHours(zone=who.tz, start_minute=who.work_start, end_minute=who.work_end % 1440 or 1440)
        working = member_is_working(now, hours)
    except (CultureError, ValueError):
        working = True
    return working, who.real_name


def compose_heads_up(runtime: Runtime, due: Due, sender: str | None) -> HeadsUp:
    """The heads-up with its greeting draft (translation may take a few seconds)."""
    card = card_for(due.country)
    language = language_for(due.language, due.country)
    recipient = Recipient(due.client_name, due.country, language, due.contact, due.subdivision)
    occasion = Occasion(due.occasion.name, due.occasion.wish, birthday=due.occasion.birthday)
    draft = compose(
        "greeting",
        recipient,
        card,
        sender=sender,
        today=due.today,
        occasion=occasion,
        card_in_their_language=card_speaks(card, language),
    )
    try:
        country_name = get_country(due.country).english_name
    except CultureError:
        country_name = due.country
    return HeadsUp(
        client_name=due.client_name,
        country_name=country_name,
        occasion=due.occasion,
        today=due.today,
        to_owner=due.to_owner,
        lead_days=due.lead_days,
        draft=draft,
        localized=localize(runtime, due.team_id, draft),
        contact=due.contact,
    )


def _finish(runtime: Runtime, due: Due, note_id: int, now: dt.datetime, **values: Any) -> None:
    with team_session(runtime.sessions, due.team_id) as session:
        note = session.get(CareNote, note_id)
        if note is None:  # the client was removed meanwhile
            return
        for key, value in values.items():
            setattr(note, key, value)
        if values.get("status") == SENDING:  # a refusal: retry later, or give up
            if note.attempts >= MAX_ATTEMPTS or values.get("last_error", "").split(":")[0] in PERMANENT:
                note.status = FAILED
                note.lease_until = None
            else:
                note.lease_until = now + RETRY_AFTER * (2 ** (note.attempts - 1))


def _post(client: WebClient, channel: str, heads_up: HeadsUp) -> Any:
    message: dict[str, Any] = {
        "text": heads_up_text(heads_up),
        "blocks": [block.to_dict() for block in heads_up_blocks(heads_up)],
        "unfurl_links": False,
        "unfurl_media": False,
    }
    try:
        return client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        # A public escalation channel the bot left: join it quietly and try once more.
        if error.response.get("error") != "not_in_channel" or not try_join(client, channel):
            raise
        return client.chat_postMessage(channel=channel, **message)


def deliver(runtime: Runtime, client: WebClient, due: Due, note_id: int, sender: str | None, now: dt.datetime) -> bool:
    """Compose and send one claimed heads-up; record the outcome. True when Slack took it."""
    try:
        heads_up = compose_heads_up(runtime, due, sender)
        response = _post(client, due.recipient, heads_up)
    except SlackApiError as error:
        reason = str(error.response.get("error") or "slack_error")
        logger.warning("care heads-up %s for client %s refused: %s", note_id, due.client_id, reason)
        _finish(runtime, due, note_id, now, status=SENDING, last_error=reason[:200])
        return False
    except (SlackClientError, OSError) as error:
        logger.warning("care heads-up %s for client %s not sent: %s", note_id, due.client_id, error)
        _finish(runtime, due, note_id, now, status=SENDING, last_error=f"network: {type(error).__name__}")
        return False
    except Exception:
        logger.exception("care heads-up %s for client %s failed", note_id, due.client_id)
        _finish(runtime, due, note_id, now, status=SENDING, last_error="internal error")
        return False
    _finish(
        runtime,
        due,
        note_id,
        now,
        status=SENT,
        sent_at=now,
        lease_until=None,
        last_error=None,
        channel_id=response.get("channel"),
        message_ts=response.get("ts"),
    )
    return True


def send_heads_ups(
    runtime: Runtime, client: WebClient, now: dt.datetime, budget: float = TICK_BUDGET
) -> tuple[int, bool]:
    """Send what is due now; (how many went out, whether some were left for the next tick)."""
    started = time.monotonic()
    sent = 0
    for due in find_due(runtime, now):
        if time.monotonic() - started > budget:
            return sent, True
        try:
            web = team_web(runtime, client, due.team_id)  # OAuth: this workspace's own token
        except NotInstalled:
            continue
        free, sender = _owner(runtime, web, due, now)
        if not free:
            continue
        note_id = claim(runtime, due, now)
        if note_id is None:
            continue
        if deliver(runtime, web, due, note_id, sender, now):
            sent += 1
    return sent, False
