"""Escalations, end to end: raise one, post it with the client's context, acknowledge, resolve.

An escalation is written to the database before Slack is called, so it is never lost: when
no channel is set, or Slack refuses the post (not in channel, archived, not found), it stays
``pending`` with the reason and is posted later — at once when someone fixes the channel
(``/escalate channel``), else by the dispatcher (:func:`post_pending`). Who may post a
pending row is settled by a lease taken with a conditional UPDATE, so several processes never
post the same escalation twice. Acknowledge and Resolve are conditional UPDATEs too: the
first click wins and the message is updated in place (chat.update).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from db.models import Client, Workspace
from db.models.escalations import (
    ACKNOWLEDGED,
    AUTOMATIC,
    OPEN,
    PENDING,
    RESOLVED,
    SEVERITIES,
    UNRESOLVED,
    Escalation,
)
from db.models.followups import ACTIVE, SENT, FollowUp
from db.scoped import all_teams_session, team_session
from handlers.common import channels
from handlers.common.channels import NO_CHANNEL, ChannelError
from handlers.common.runtime import NotInstalled, Runtime, team_web
from handlers.common.text import escape_mrkdwn
from handlers.escalate import blocks
from handlers.escalate.blocks import EscalationView, OpenFollowUp

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
BACKOFF = (1, 5, 15, 30, 60)  # minutes before retrying a refused post, then hourly
RETRY_BATCH = 50
MESSAGE_LINK = re.compile(r"<?(https://[a-z0-9.-]+\.slack\.com/archives/[A-Z0-9]+/p\d{16}[^\s|>]*)")


@dataclass(frozen=True)
class Posted:
    """What became of one attempt to post an escalation."""

    escalation_id: int
    client_name: str
    channel: str | None
    error: str | None = None  # None: it is in the channel
    permalink: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def problem(self) -> str:
        """What to tell a person about a refused post."""
        return channels.problem_message(self.error or "", self.channel)


@dataclass(frozen=True)
class NewEscalation:
    """What a person (or Rapport itself) raises."""

    client_id: int
    summary: str  # mrkdwn: Slack-escaped as typed in a command, escaped by us from a form
    severity: str = "normal"
    source: str = "command"
    created_by: str | None = None
    owner_id: str | None = None  # default: the client's owner
    followup_id: int | None = None
    origin_channel: str | None = None
    origin_ts: str | None = None
    origin_permalink: str | None = None


def message_link_in(text: str) -> str | None:
    """The first Slack message link in ``text`` (taken as the originating message), if any."""
    match = MESSAGE_LINK.search(text or "")
    return match[1] if match else None


# --- raising and posting ---------------------------------------------------------------------


def raise_escalation(runtime: Runtime, web: WebClient, team_id: str, new: NewEscalation) -> Posted:
    """Record an escalation, then post it; a refused post leaves it pending (never lost)."""
    if new.severity not in SEVERITIES:
        raise ValueError(f"unknown severity {new.severity!r}")
    now = runtime.clock()
    token = uuid.uuid4().hex
    permalink = new.origin_permalink or origin_permalink(web, new.origin_channel, new.origin_ts)
    with team_session(runtime.sessions, team_id) as session:
        client = session.scalars(select(Client).where(Client.id == new.client_id)).one()
        escalation = Escalation(
            team_id=team_id,
            client_id=client.id,
            client_name=client.name,
            followup_id=new.followup_id,
            source=new.source,
            created_by=new.created_by,
            owner_id=new.owner_id or client.owner_id,
            severity=new.severity,
            summary=new.summary,
            origin_channel=new.origin_channel,
            origin_ts=new.origin_ts,
            origin_permalink=permalink,
            status=PENDING,
            attempts=0,
            repings=0,
            lease_until=now + LEASE,  # ours until posted: the dispatcher leaves it alone
            lease_owner=token,
            created_at=now,
        )
        session.add(escalation)
        if new.followup_id is not None:
            # Escalated by hand from its reminder: it must not escalate by itself as well.
            session.execute(
                update(FollowUp)
                .where(FollowUp.id == new.followup_id, FollowUp.escalated_at.is_(None))
                .values(escalated_at=now)
                .execution_options(synchronize_session=False)
            )
        session.flush()
        escalation_id = escalation.id
    logger.info("escalation %s raised for client %s (%s, %s)", escalation_id, new.client_id, new.severity, new.source)
    return post(runtime, web, team_id, escalation_id, token)


def origin_permalink(web: WebClient, channel: str | None, ts: str | None) -> str | None:
    """A link to the originating message; none for direct messages (nobody else could open it)."""
    if not channel or not ts or channel.startswith("D"):
        return None
    try:
        return web.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("chat.getPermalink %s/%s failed: %s", channel, ts, error)
        return None


def post(runtime: Runtime, web: WebClient, team_id: str, escalation_id: int, token: str) -> Posted:
    """Post an escalation whose lease ``token`` we hold; record the outcome and release the lease."""
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        escalation = _get(session, escalation_id)
        if escalation is None or escalation.status != PENDING or escalation.lease_owner != token:
            name = escalation.client_name if escalation else ""
            return Posted(escalation_id, name, escalation.channel if escalation else None, "not_pending")
        target = target_channel(session, escalation)
        view = dataclasses.replace(escalation_view(session, escalation, now), status=OPEN)  # as it will be
        name = escalation.client_name
    if target is None:
        return _refused(runtime, team_id, escalation_id, token, name, None, NO_CHANNEL)
    try:
        web = team_web(runtime, web, team_id)  # OAuth: this workspace's own token
    except NotInstalled:
        return _refused(runtime, team_id, escalation_id, token, name, target, "not_installed")
    try:
        channel_id = channels.resolve(web, target).id
    except ChannelError as problem:
        return _refused(runtime, team_id, escalation_id, token, name, target, problem.code)
    text, message_blocks = blocks.fallback_text(view), blocks.escalation_message(view)
    try:
        response = _post_message(web, channel_id, text, message_blocks)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        logger.warning("escalation %s: chat.postMessage to %s refused: %s", escalation_id, channel_id, code)
        return _refused(runtime, team_id, escalation_id, token, name, target, code)
    except (SlackClientError, OSError) as error:
        logger.warning("escalation %s: Slack unreachable: %s", escalation_id, error)
        return _refused(runtime, team_id, escalation_id, token, name, target, "unreachable")
    posted_channel, ts = response.get("channel") or channel_id, response["ts"]
    permalink = origin_permalink(web, posted_channel, ts)
    with team_session(runtime.sessions, team_id) as session:
        session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.lease_owner == token)
            .values(
                status=OPEN,
                channel=posted_channel,
                message_ts=ts,
                message_permalink=permalink,
                posted_at=now,
                attempts=Escalation.attempts + 1,
                next_attempt_at=None,
                lease_until=None,
                lease_owner=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
    logger.info("escalation %s posted in %s", escalation_id, posted_channel)
    return Posted(escalation_id, name, posted_channel, None, permalink)


def _post_message(web: WebClient, channel: str, text: str, message_blocks: list[Any]) -> Any:
    try:
        return web.chat_postMessage(channel=channel, text=text, blocks=message_blocks, unfurl_links=False)
    except SlackApiError as error:
        # A public channel the bot left: join and try once more (chat:write.public may be missing).
        if error.response.get("error") == "not_in_channel" and channels.try_join(web, channel):
            return web.chat_postMessage(channel=channel, text=text, blocks=message_blocks, unfurl_links=False)
        raise


def _refused(
    runtime: Runtime, team_id: str, escalation_id: int, token: str, name: str, target: str | None, code: str
) -> Posted:
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        attempts = session.scalar(select(Escalation.attempts).where(Escalation.id == escalation_id)) or 0
        wait = BACKOFF[min(attempts, len(BACKOFF) - 1)]
        session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.lease_owner == token)
            .values(
                status=PENDING,
                channel=target,
                last_error=code[:200],
                attempts=attempts + 1,
                next_attempt_at=now + dt.timedelta(minutes=wait),
                lease_until=None,
                lease_owner=None,
            )
            .execution_options(synchronize_session=False)
        )
    return Posted(escalation_id, name, target, code)


def target_channel(session: Session, escalation: Escalation) -> str | None:
    """Where an escalation goes: its client's own escalation channel, else the workspace's."""
    if escalation.client_id is not None:
        own = session.scalar(select(Client.escalation_channel).where(Client.id == escalation.client_id))
        if own:
            return channels.stored_form(own)
    workspace = session.scalar(select(Workspace.escalation_channel))
    return channels.stored_form(workspace) if workspace else None


def post_pending(
    runtime: Runtime,
    web: WebClient,
    team_id: str | None = None,
    *,
    force: bool = False,
    quiet_for: str | None = None,
) -> list[Posted]:
    """Post kept escalations whose channel may work now (one workspace, or all of them).

    A row is tried when its target channel changed since it was refused, when its back-off
    is over, or always with ``force`` (someone just fixed the channel). People who raised an
    escalation that goes out late are told in a direct message, except ``quiet_for`` (who is
    being answered already).
    """
    now = runtime.clock()
    opened = team_session(runtime.sessions, team_id) if team_id else all_teams_session(runtime.sessions)
    with opened as session:
        rows = session.execute(
            select(
                Escalation.id,
                Escalation.team_id,
                Escalation.channel,
                Escalation.next_attempt_at,
                Client.escalation_channel,
                Workspace.escalation_channel,
                Workspace.settings,
            )
            .outerjoin(Client, Client.id == Escalation.client_id)
            .outerjoin(Workspace, Workspace.team_id == Escalation.team_id)
            .where(Escalation.status == PENDING, or_(Escalation.lease_until.is_(None), Escalation.lease_until < now))
            .order_by(Escalation.created_at)
            .limit(RETRY_BATCH * 4)
        ).all()
    results: list[Posted] = []
    for row in rows:
        if len(results) >= RETRY_BATCH:
            break
        esc_id, esc_team, tried, next_attempt, client_channel, workspace_channel, settings = row
        if (settings or {}).get("uninstalled"):
            continue
        target = channels.stored_form(client_channel or "") or channels.stored_form(workspace_channel or "")
        if target is None:
            continue
        if not (force or target != tried or next_attempt is None or next_attempt <= now):
            continue
        token = claim(runtime, esc_team, esc_id)
        if token is None:
            continue
        outcome = post(runtime, web, esc_team, esc_id, token)
        results.append(outcome)
        if outcome.ok:
            tell_creator_it_went_out(runtime, web, esc_team, esc_id, quiet_for)
    return results


def claim(runtime: Runtime, team_id: str, escalation_id: int) -> str | None:
    """Take the posting lease of a pending escalation; None when another process holds it."""
    now = runtime.clock()
    token = uuid.uuid4().hex
    with team_session(runtime.sessions, team_id) as session:
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Escalation)
                .where(
                    Escalation.id == escalation_id,
                    Escalation.status == PENDING,
                    or_(Escalation.lease_until.is_(None), Escalation.lease_until < now),
                )
                .values(lease_until=now + LEASE, lease_owner=token)
                .execution_options(synchronize_session=False)
            ),
        )
    return token if result.rowcount == 1 else None


def tell_creator_it_went_out(
    runtime: Runtime, web: WebClient, team_id: str, escalation_id: int, quiet_for: str | None
) -> None:
    """A direct message to whoever raised a kept escalation once it is finally in the channel (once)."""
    now = runtime.clock()
    try:
        web = team_web(runtime, web, team_id)
    except NotInstalled:
        return
    with team_session(runtime.sessions, team_id) as session:
        escalation = _get(session, escalation_id)
        if escalation is None or escalation.created_by is None or escalation.creator_told_at is not None:
            return
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Escalation)
                .where(Escalation.id == escalation_id, Escalation.creator_told_at.is_(None))
                .values(creator_told_at=now)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1 or escalation.created_by == quiet_for:
            return
        user, name, channel, link = (
            escalation.created_by,
            escalation.client_name,
            escalation.channel,
            escalation.message_permalink,
        )
    view = f" (<{link}|view it>)" if link else ""
    text = (
        f":white_check_mark: Your escalation `#{escalation_id}` for *{escape_mrkdwn(name)}* "
        f"is now posted in <#{channel}>{view}."
    )
    _direct_message(web, user, text)


def tell_owner_not_posted(web: WebClient, owner_id: str | None, followup_ref: str, outcome: Posted) -> None:
    """Tell a follow-up's owner that its automatic escalation is kept until the channel is fixed."""
    if not owner_id:
        return
    text = (
        f":warning: Your follow-up {followup_ref} for *{escape_mrkdwn(outcome.client_name)}* is overdue, "
        f"so I escalated it (`#{outcome.escalation_id}`), but could not post it: {outcome.problem()} "
        "I kept it and will post it as soon as that is fixed."
    )
    _direct_message(web, owner_id, text)


def _direct_message(web: WebClient, user_id: str, text: str) -> None:
    try:
        web.chat_postMessage(channel=user_id, text=text, unfurl_links=False)
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("could not tell %s: %s", user_id, error)


# --- what the message shows ------------------------------------------------------------------


def _get(session: Session, escalation_id: int) -> Escalation | None:
    return session.scalars(select(Escalation).where(Escalation.id == escalation_id)).one_or_none()


def escalation_view(session: Session, escalation: Escalation, now: dt.datetime) -> EscalationView:
    """Everything the channel message shows, with the client's context as of ``now``."""
    client = None
    if escalation.client_id is not None:
        client = session.scalars(select(Client).where(Client.id == escalation.client_id)).one_or_none()
    context: list[Any] = []
    followups: list[OpenFollowUp] = []
    followups_total = 0
    if client is not None:
        context = client_context(client, now)
        rows = session.scalars(
            select(FollowUp)
            .where(FollowUp.client_id == client.id, FollowUp.status.in_(ACTIVE))
            .order_by(FollowUp.due_at.is_(None), FollowUp.due_at)
            .limit(6)
        ).all()
        followups = [
            OpenFollowUp(
                ref=f"#{row.short_id}",
                text=row.what,
                due_at=row.fired_at if row.status == SENT else row.due_at,
                owner_id=row.owner_id,
                awaiting_done=row.status == SENT,
            )
            for row in rows
        ]
        followups_total = _count_active(session, client.id)
    lead = None
    if escalation.source == AUTOMATIC:
        lead = blocks.automatic_mention(escalation.owner_id, escalation.client_name)
    return EscalationView(
        id=escalation.id,
        client_name=escalation.client_name,
        severity=escalation.severity,
        summary=escalation.summary,
        status=escalation.status,
        source=escalation.source,
        created_at=escalation.created_at,
        created_by=escalation.created_by,
        owner_id=escalation.owner_id,
        origin_permalink=escalation.origin_permalink,
        acknowledged_by=escalation.acknowledged_by,
        acknowledged_at=escalation.acknowledged_at,
        resolved_by=escalation.resolved_by,
        resolved_at=escalation.resolved_at,
        resolution=escalation.resolution,
        client_context=context,
        followups=followups,
        followups_total=followups_total,
        lead=lead,
    )


def _count_active(session: Session, client_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.client_id == client_id, FollowUp.status.in_(ACTIVE))
        )
        or 0
    )


def client_context(client: Client, now: dt.datetime) -> list[Any]:
    """The `/contact` essentials (local time, good moment or not, next window, channel, tone).

    A problem with the culture data never stops an escalation: it goes out without them.
    """
    from handlers.contact.advice import essentials

    try:
        return list(essentials(client, now))
    except Exception:
        logger.exception("no client context for client %s", client.id)
        return []


# --- acknowledge and resolve -----------------------------------------------------------------


def _transition(
    runtime: Runtime, team_id: str, escalation_id: int, allowed: Any, values: dict[str, Any], now: dt.datetime
) -> tuple[str | None, Any, str | None, str | None]:
    """Move an escalation to a new state if it is in ``allowed`` (first click wins).

    Returns (problem to tell the person, view, channel, message ts); the view is None on a problem.
    """
    with team_session(runtime.sessions, team_id) as session:
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Escalation)
                .where(Escalation.id == escalation_id, allowed)
                .values(**values)
                .execution_options(synchronize_session=False)
            ),
        )
        escalation = _get(session, escalation_id)
        if escalation is None:
            return "This escalation no longer exists.", None, None, None
        if result.rowcount != 1:
            return _already(escalation), None, None, None
        return None, escalation_view(session, escalation, now), escalation.channel, escalation.message_ts


def acknowledge(runtime: Runtime, web: WebClient, team_id: str, escalation_id: int, user_id: str) -> str | None:
    """Record who acknowledged (first click wins) and update the message; else say why not."""
    now = runtime.clock()
    values = {"status": ACKNOWLEDGED, "acknowledged_by": user_id, "acknowledged_at": now}
    problem, view, channel, ts = _transition(runtime, team_id, escalation_id, Escalation.status == OPEN, values, now)
    if problem:
        return problem
    _update_message(web, channel, ts, view)
    return None


def resolve(runtime: Runtime, web: WebClient, team_id: str, escalation_id: int, user_id: str, note: str) -> str | None:
    """Record the resolution (first wins), update the message and close its thread with the note."""
    now = runtime.clock()
    values = {
        "status": RESOLVED,
        "resolved_by": user_id,
        "resolved_at": now,
        "resolution": note or None,
        "lease_until": None,
        "lease_owner": None,
    }
    problem, view, channel, ts = _transition(
        runtime, team_id, escalation_id, Escalation.status.in_(UNRESOLVED), values, now
    )
    if problem:
        return problem
    if channel and ts:  # posted: message_ts and channel are recorded together
        _update_message(web, channel, ts, view)
        try:
            web.chat_postMessage(channel=channel, thread_ts=ts, text=blocks.resolution_reply(view), unfurl_links=False)
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("escalation %s: resolution note not posted in the thread: %s", escalation_id, error)
    return None


def _already(escalation: Escalation) -> str:
    if escalation.status == RESOLVED:
        return f"Escalation `#{escalation.id}` was already resolved by <@{escalation.resolved_by}>."
    if escalation.status == ACKNOWLEDGED:
        return f"Escalation `#{escalation.id}` was already acknowledged by <@{escalation.acknowledged_by}>."
    return f"Escalation `#{escalation.id}` is not in the channel yet, so there is nothing to acknowledge."


def _update_message(web: WebClient, channel: str | None, ts: str | None, view: EscalationView) -> None:
    if not channel or not ts:
        return
    try:
        web.chat_update(channel=channel, ts=ts, text=blocks.fallback_text(view), blocks=blocks.escalation_message(view))
    except (SlackApiError, SlackClientError, OSError) as error:
        # The record is what counts; the message catches up on the next change.
        logger.warning("escalation %s: chat.update failed: %s", view.id, error)


# --- re-pinging urgent ones ------------------------------------------------------------------


def reping_unacknowledged(runtime: Runtime, web: WebClient) -> int:
    """Re-ping urgent escalations nobody acknowledged, after the workspace's delay, at most twice."""
    from handlers.escalate.settings import EscalationSettings

    now = runtime.clock()
    with all_teams_session(runtime.sessions) as session:
        rows = session.execute(
            select(
                Escalation.id,
                Escalation.team_id,
                Escalation.repings,
                Escalation.posted_at,
                Escalation.last_pinged_at,
                Workspace.settings,
            )
            .outerjoin(Workspace, Workspace.team_id == Escalation.team_id)
            .where(
                Escalation.status == OPEN,
                Escalation.severity == "urgent",
                Escalation.message_ts.is_not(None),
                Escalation.repings < 10,
            )
            .order_by(Escalation.posted_at)
            .limit(500)
        ).all()
    pinged = 0
    for esc_id, esc_team, repings, posted_at, last_pinged_at, settings in rows:
        policy = EscalationSettings.from_workspace(settings)
        if policy.reping_after is None or repings >= policy.max_repings or (settings or {}).get("uninstalled"):
            continue
        since = last_pinged_at or posted_at
        if since is None or now - since < policy.reping_after:
            continue
        with team_session(runtime.sessions, esc_team) as session:
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(Escalation)
                    .where(Escalation.id == esc_id, Escalation.status == OPEN, Escalation.repings == repings)
                    .values(repings=repings + 1, last_pinged_at=now)
                    .execution_options(synchronize_session=False)
                ),
            )
            if result.rowcount != 1:
                continue  # acknowledged meanwhile, or another process pinged
            escalation = _get(session, esc_id)
            assert escalation is not None
            view = escalation_view(session, escalation, now)
            channel, ts = escalation.channel, escalation.message_ts
            assert channel is not None  # posted (message_ts set): its channel was recorded with it
            waited = blocks.age(escalation.posted_at or now, now)
        text = blocks.reping_text(view, waited, repings + 1, policy.max_repings)
        try:
            team_web(runtime, web, esc_team).chat_postMessage(
                channel=channel, thread_ts=ts, reply_broadcast=True, text=text, unfurl_links=False
            )
            pinged += 1
        except NotInstalled:
            continue
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("escalation %s: re-ping failed: %s", esc_id, error)
            with team_session(runtime.sessions, esc_team) as session:
                session.execute(
                    update(Escalation)
                    .where(Escalation.id == esc_id)
                    .values(last_error=f"reping: {error}"[:200])
                    .execution_options(synchronize_session=False)
                )
    return pinged
