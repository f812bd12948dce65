"""What the reminder's buttons (and `/followup done|cancel|snooze`) do to the follow-up and its message.

Each click changes the row in one short transaction, then rewrites the same message with
``chat.update`` so the DM shows what happened instead of stale buttons.
"""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select

from db.models.followups import ACTIVE, SCHEDULED, FollowUp
from db.scoped import team_session
from handlers.common.people import member
from handlers.common.runtime import Runtime
from handlers.escalate.escalations import NewEscalation, Posted
from handlers.followups import blocks, reminders
from handlers.followups.reminders import Changed
from handlers.followups.schedule import Placement
from handlers.followups.when import parse_duration

logger = logging.getLogger(__name__)


def refresh_message(
    client: WebClient,
    runtime: Runtime,
    team_id: str,
    changed: Changed,
    outcome: str,
    by: str,
    *,
    channel: str | None = None,
    ts: str | None = None,
) -> None:
    """Rewrite the reminder message (the clicked one, else the latest posted) to show ``outcome``."""
    followup = changed.followup
    channel = channel or followup.channel_id
    ts = ts or followup.message_ts
    if not channel or not ts:
        return  # never posted yet: nothing to update
    view = outcome_view(runtime, team_id, changed, outcome, by)
    try:
        client.chat_update(channel=channel, ts=ts, text=blocks.outcome_text(view), blocks=blocks.outcome_blocks(view))
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("could not update the reminder message of follow-up %s: %s", followup.id, error)


def outcome_view(runtime: Runtime, team_id: str, changed: Changed, outcome: str, by: str) -> blocks.OutcomeView:
    """The reminder message's new look after ``outcome`` (done, cancelled, snoozed, escalated)."""
    followup = changed.followup
    zone = member(None, runtime, team_id, followup.owner_id).tz
    now = runtime.clock()
    if outcome == "done":
        headline = f":white_check_mark: *Done* (<@{by}>, {blocks.moment(now, zone)})"
        detail = None
        if followup.recurrence and followup.due_at is not None:
            detail = f"Next time: {blocks.moment(followup.due_at, zone)} your time"
    elif outcome == "cancelled":
        headline = f":no_entry_sign: *Cancelled* (<@{by}>)"
        detail = None
    elif outcome == "snoozed":
        when = blocks.moment(followup.due_at, zone) if followup.due_at else "later"
        headline = f":zzz: *Snoozed* until {when} your time"
        placement = changed.placement
        detail = f"Moved: {placement.reason}." if placement is not None and placement.reason else None
    else:
        headline = outcome
        detail = None
    return blocks.OutcomeView(followup.short_id, followup.client_name, followup.what, headline, detail)


def snooze_and_refresh(
    client: WebClient,
    runtime: Runtime,
    team_id: str,
    choice: str,
    by: str,
    *,
    short_id: int | None = None,
    followup_id: int | None = None,
    channel: str | None = None,
    ts: str | None = None,
) -> tuple[Changed, str]:
    """Snooze (``1h``, ``1d``, a duration, or ``window``), update the message; returns the answer text."""
    followup, client_row = reminders.load_for_change(runtime, team_id, short_id=short_id, followup_id=followup_id)
    owner = member(None, runtime, team_id, followup.owner_id)
    owner_hours = reminders.hours_of_member(owner)
    if client_row is None:
        # The client was removed: snooze by the clock alone.
        base = reminders.snooze_base(followup, runtime.clock())
        delta = dt.timedelta(days=1) if choice == "window" else parse_duration(choice)
        placement = Placement(base, base + delta, None)
        changed = _snooze_to(runtime, team_id, followup.id, placement)
        zone_of_client = owner.tz
    else:
        changed = reminders.snooze(
            runtime, team_id, choice, reminders.hours_of_client(client_row), owner_hours, followup_id=followup.id
        )
        zone_of_client = client_row.tz
    refresh_message(client, runtime, team_id, changed, "snoozed", by, channel=channel, ts=ts)
    f = changed.followup
    when = blocks.both_zones(f.due_at, zone_of_client, owner.tz) if f.due_at else "later"
    answer = f":zzz: Follow-up #{f.short_id} with *{blocks.escape(f.client_name)}* comes back {when}."
    if changed.placement is not None and changed.placement.reason:
        answer += f"\nMoved: {changed.placement.reason}."
    return changed, answer


def _snooze_to(runtime: Runtime, team_id: str, followup_id: int, placement: Placement) -> Changed:
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(FollowUp).where(FollowUp.id == followup_id).with_for_update()).one()
        if row.status not in ACTIVE:
            raise reminders.FollowUpClosedError(row, "snooze")
        row.status, row.due_at, row.nag_due_at = SCHEDULED, placement.fire_at, None
        row.claimed_by = row.claimed_until = None
        row.attempts = 0
        session.flush()
        return Changed(row, placement)


def show_escalated(runtime: Runtime, web: WebClient, team_id: str, new: NewEscalation, outcome: Posted) -> None:
    """Rewrite the follow-up reminder an escalation came from (its Escalate button) to say so.

    Called by the escalation capability after it raised one (``ON_ESCALATION_RAISED``).
    """
    if new.followup_id is None or not new.origin_channel or not new.origin_ts:
        return
    with team_session(runtime.sessions, team_id) as session:
        row = session.execute(
            select(FollowUp.short_id, FollowUp.client_name, FollowUp.what).where(FollowUp.id == new.followup_id)
        ).one_or_none()
    if row is None:
        return
    where = f"to <#{outcome.channel}>" if outcome.ok else "(kept until the escalation channel works)"
    headline = f":rotating_light: *Escalated* {where} by <@{new.created_by}> as `#{outcome.escalation_id}`"
    view = blocks.OutcomeView(row.short_id, row.client_name, row.what, headline)
    try:
        web.chat_update(
            channel=new.origin_channel,
            ts=new.origin_ts,
            text=blocks.outcome_text(view),
            blocks=blocks.outcome_blocks(view),
        )
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("could not mark reminder of follow-up %s as escalated: %s", new.followup_id, error)
