"""Follow-ups in the database: creating, finding by number, Done, cancel, snooze, listing, settings.

Every function opens its own short transaction (``team_session``), so it can be called from a
slash command, a button click or the dispatcher. Times are aware UTC from ``runtime.clock()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cultures.hours import ClientHours, MemberHours
from db.models import Client, Workspace
from db.models.followups import ACTIVE, CANCELLED, DONE, FAILED, SCHEDULED, SENT, FollowUp
from db.scoped import team_session
from handlers.clients.directory import client_hours
from handlers.common.errors import UserError
from handlers.common.people import Member
from handlers.common.runtime import Runtime
from handlers.followups.schedule import Placement, Series, member_hours, place, snooze_target
from handlers.followups.when import Rule, Wish

logger = logging.getLogger(__name__)

DEFAULT_NAG_MINUTES = 4 * 60
MAX_OCCURRENCE_STEPS = 5000  # a daily series after years of downtime still ends the search


class UnknownFollowUpError(UserError):
    """No follow-up with this number in the workspace."""

    def __init__(self, short_id: int | str) -> None:
        super().__init__(
            f"There is no follow-up #{short_id} in this workspace. `/followup list` shows yours with their numbers."
        )


class FollowUpClosedError(UserError):
    """The follow-up is already done, cancelled or failed."""

    def __init__(self, followup: FollowUp, wanted: str) -> None:
        state = {DONE: "already done", CANCELLED: "cancelled", FAILED: "failed"}.get(followup.status, followup.status)
        super().__init__(f"Follow-up #{followup.short_id} is {state}, so I can't {wanted} it.", show_usage=False)


# --------------------------------------------------------------------------------------------
# Hours of the two sides


def hours_of_client(client: Client) -> ClientHours:
    """The client's clock and calendar (their own hours win over their country card's)."""
    return client_hours(client)


def hours_of_member(person: Member) -> MemberHours:
    """The owner's working hours in their own zone."""
    return member_hours(person.tz, person.work_start, person.work_end)


# --------------------------------------------------------------------------------------------
# Creating


@dataclass(frozen=True)
class NewFollowUp:
    """What the person asked for, read and resolved."""

    client: Client
    owner: Member
    created_by: str
    what: str
    when_text: str
    wish: Wish
    until_reply: bool = False  # ends by itself when the client writes in a shared channel first


@dataclass(frozen=True)
class Created:
    """A stored follow-up and where its first delivery landed."""

    followup: FollowUp
    placement: Placement
    rule: Rule | None


def first_placement(
    wish: Wish, client: Client, hours: ClientHours, owner: MemberHours, now: dt.datetime
) -> tuple[int, Placement]:
    """The first delivery of a wish: (occurrence index, placement); index 0 for a one-off."""
    if wish.rule is None:
        return 0, place(wish, hours, owner, now)
    series = Series(wish.rule, wish.local, wish.zone, wish.timed, client.country, client.subdivision, hours.closures)
    return next_occurrence(series, -1, now, hours, owner, now)


def next_occurrence(
    series: Series,
    after: int,
    not_before: dt.datetime,
    hours: ClientHours,
    owner: MemberHours,
    now: dt.datetime,
) -> tuple[int, Placement]:
    """The first occurrence after index ``after`` that lands later than ``not_before``.

    Missed occurrences (downtime) are skipped: a series catches up once, never in a burst.
    """
    k = max(after + 1, series.first_index_near(_wall(not_before, series.zone)))
    for _ in range(MAX_OCCURRENCE_STEPS):
        wish = series.wish(k)
        if wish is not None:
            placement = place(wish, hours, owner, now)
            if placement.fire_at > not_before:
                return k, placement
        k += 1
    raise UserError("This repetition has no occurrence I can place; cancel it and create it again.")


def _wall(instant: dt.datetime, zone: str) -> dt.datetime:
    from handlers.followups.when import local_now

    return local_now(instant, zone)


def create_followup(runtime: Runtime, team_id: str, new: NewFollowUp) -> Created:
    """Store a follow-up with the next number of the workspace; its first delivery is placed now."""
    now = runtime.clock()
    hours = hours_of_client(new.client)
    owner = hours_of_member(new.owner)
    index, placement = first_placement(new.wish, new.client, hours, owner, now)
    rule = new.wish.rule
    values: dict[str, Any] = {
        "client_id": new.client.id,
        "client_name": new.client.name,
        "owner_id": new.owner.user_id,
        "created_by": new.created_by,
        "what": new.what,
        "when_text": new.when_text[:200],
        "status": SCHEDULED,
        "due_at": placement.fire_at,
        "requested_at": placement.requested_at,
        "move_reason": placement.reason,
        "occurrence": index,
        "until_reply": new.until_reply,
    }
    if rule is not None:
        values.update(
            recurrence=rule.key,
            anchor_local=new.wish.local.strftime("%Y-%m-%dT%H:%M"),
            anchor_zone=new.wish.zone,
            anchor_timed=new.wish.timed,
        )
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with team_session(runtime.sessions, team_id) as session:
                number = _next_number(session, team_id)
                followup = FollowUp(team_id=team_id, short_id=number, **values)
                session.add(followup)
                session.flush()
            return Created(followup, placement, rule)
        except IntegrityError:
            # Another follow-up created at the same instant took the number (SQLite; PostgreSQL
            # serialises on the lock below): each clash means one of us won, so a busy minute
            # converges. Wait a random moment so the losers do not meet again at once.
            logger.info("follow-up number clash in %s (attempt %s); retrying", team_id, attempt + 1)
            time.sleep(random.uniform(0, min(0.01 * (attempt + 1), 0.2)))
    raise RuntimeError("could not allocate a follow-up number")


#: Tries at a free number before giving up: enough for a whole team typing in the same second.
NUMBER_ATTEMPTS = 50


def _next_number(session: Session, team_id: str) -> int:
    """The workspace's next follow-up number. On PostgreSQL a transaction lock per workspace makes
    concurrent creators take turns (the number is read after the previous one committed)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"followup-number:{team_id}"})
    highest = session.scalar(select(func.max(FollowUp.short_id)).where(FollowUp.team_id == team_id))
    return (highest or 0) + 1


# --------------------------------------------------------------------------------------------
# Finding


def parse_number(text: str) -> int:
    """``12`` or ``#12`` → 12; anything else is refused with the way to find numbers."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise UserError(f"`{text}` is not a follow-up number. `/followup list` shows the numbers (like `#12`).")
    return int(cleaned)


def get_by_number(session: Session, short_id: int) -> FollowUp:
    """The workspace's follow-up with this number (the session is scoped to the workspace)."""
    found = session.scalars(select(FollowUp).where(FollowUp.short_id == short_id)).one_or_none()
    if found is None:
        raise UnknownFollowUpError(short_id)
    return found


def get_by_id(session: Session, followup_id: int) -> FollowUp:
    """The workspace's follow-up with this database id (from a button's value)."""
    found = session.scalars(select(FollowUp).where(FollowUp.id == followup_id)).one_or_none()
    if found is None:
        raise UserError("I can't find this follow-up any more; it may have been removed with its client.")
    return found


@dataclass(frozen=True)
class Listing:
    """Follow-ups to show, and how many more there were."""

    items: list[FollowUp]
    more: int
    title: str


def list_followups(
    runtime: Runtime,
    team_id: str,
    *,
    owner_id: str | None = None,
    client_id: int | None = None,
    title: str,
    limit: int = 40,
) -> Listing:
    """Open follow-ups (scheduled, sent and waiting for Done, failed), soonest first."""
    with team_session(runtime.sessions, team_id) as session:
        query = select(FollowUp).where(FollowUp.status.in_((*ACTIVE, FAILED)))
        if owner_id is not None:
            query = query.where(FollowUp.owner_id == owner_id)
        if client_id is not None:
            query = query.where(FollowUp.client_id == client_id)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = (
            (FollowUp.status != FAILED),  # failed first: someone must act on them
            (FollowUp.status != SENT),
            FollowUp.due_at.is_(None),
            FollowUp.due_at,
            FollowUp.short_id,
        )
        items = list(session.scalars(query.order_by(*order).limit(limit)))
    return Listing(items, max(0, total - len(items)), title)


# --------------------------------------------------------------------------------------------
# Done, cancel, snooze


@dataclass(frozen=True)
class Changed:
    """A follow-up after a change, and what to tell the person."""

    followup: FollowUp
    placement: Placement | None = None


def mark_done(
    runtime: Runtime, team_id: str, *, short_id: int | None = None, followup_id: int | None = None, by: str
) -> Changed:
    """Done: a one-off closes; a recurring one goes back to waiting for its next occurrence."""
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        followup = _load(session, short_id, followup_id, for_update=True)
        if followup.status not in ACTIVE:
            if followup.status == DONE:
                return Changed(followup)
            raise FollowUpClosedError(followup, "mark done")
        followup.done_at, followup.done_by = now, by
        followup.nag_due_at = None
        if followup.recurrence:
            followup.status = SCHEDULED
            if followup.due_at is None:  # should not happen; keep the series alive
                logger.warning("recurring follow-up %s had no next occurrence", followup.id)
        else:
            followup.status = DONE
            followup.due_at = None
            followup.snoozed = False
        followup.claimed_by = followup.claimed_until = None
        session.flush()
        return Changed(followup)


def cancel(
    runtime: Runtime, team_id: str, *, short_id: int | None = None, followup_id: int | None = None, by: str
) -> Changed:
    """Stop a follow-up (and every further occurrence of a recurring one)."""
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        followup = _load(session, short_id, followup_id, for_update=True)
        if followup.status in (DONE, CANCELLED):
            raise FollowUpClosedError(followup, "cancel")
        followup.status = CANCELLED
        followup.done_at, followup.done_by = now, by
        followup.due_at = followup.nag_due_at = None
        followup.claimed_by = followup.claimed_until = None
        session.flush()
        return Changed(followup)


def snooze(
    runtime: Runtime,
    team_id: str,
    choice: str,
    hours: ClientHours,
    owner: MemberHours,
    *,
    short_id: int | None = None,
    followup_id: int | None = None,
) -> Changed:
    """Deliver again later: ``choice`` is a duration (``1h``, ``2 days``) or ``window`` (next good window).

    A snooze never moves a follow-up earlier: one that has not fired yet is snoozed from its
    due time, one that has from now. A recurring follow-up keeps its series: snoozing a delivered
    reminder never pushes past the next occurrence.
    """
    with team_session(runtime.sessions, team_id) as session:
        followup = _load(session, short_id, followup_id, for_update=True)
        if followup.status not in ACTIVE:
            raise FollowUpClosedError(followup, "snooze")
        placement = snooze_target(choice, snooze_base(followup, runtime.clock()), hours, owner)
        if followup.status == SENT and followup.recurrence and followup.due_at is not None and not followup.snoozed:
            if followup.due_at <= placement.fire_at:
                # The next occurrence comes first anyway.
                placement = replace(placement, fire_at=followup.due_at, reason="the next occurrence comes first")
            else:
                followup.snoozed = True
        followup.status = SCHEDULED
        followup.due_at = placement.fire_at
        followup.requested_at = placement.requested_at
        followup.move_reason = placement.reason
        followup.nag_due_at = None
        followup.claimed_by = followup.claimed_until = None
        followup.attempts = 0
        session.flush()
        return Changed(followup, placement)


def snooze_base(followup: FollowUp, now: dt.datetime) -> dt.datetime:
    """Where a snooze counts from: the due time of a follow-up that has not fired yet, else now."""
    if followup.status == SCHEDULED and followup.due_at is not None:
        return max(now, followup.due_at)
    return now


def load_for_change(
    runtime: Runtime, team_id: str, *, short_id: int | None = None, followup_id: int | None = None
) -> tuple[FollowUp, Client | None]:
    """The follow-up and its client (detached), e.g. to compute a snooze's hours."""
    with team_session(runtime.sessions, team_id) as session:
        followup = _load(session, short_id, followup_id)
        client = session.get(Client, followup.client_id) if followup.client_id is not None else None
        return followup, client


def _load(session: Session, short_id: int | None, followup_id: int | None, for_update: bool = False) -> FollowUp:
    query = select(FollowUp)
    if short_id is not None:
        query = query.where(FollowUp.short_id == short_id)
    elif followup_id is not None:
        query = query.where(FollowUp.id == followup_id)
    else:
        raise ValueError("give short_id or followup_id")
    if for_update:
        query = query.with_for_update()
    found = session.scalars(query).one_or_none()
    if found is None:
        if short_id is not None:
            raise UnknownFollowUpError(short_id)
        raise UserError("I can't find this follow-up any more; it may have been removed with its client.")
    return found


# --------------------------------------------------------------------------------------------
# Workspace settings


def nag_minutes(settings: dict[str, Any] | None) -> int | None:
    """Minutes after a reminder before it re-notifies once; None when nagging is off."""
    value = ((settings or {}).get("followups") or {}).get("nag_after_minutes", DEFAULT_NAG_MINUTES)
    return int(value) if value else None


def workspace_settings(runtime: Runtime, team_id: str) -> dict[str, Any]:
    """The workspace's settings (empty when the workspace has none yet)."""
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        return dict(row.settings or {}) if row is not None else {}


def set_nag_minutes(runtime: Runtime, team_id: str, minutes: int | None) -> None:
    """Store the nag delay (``None``: never re-notify)."""
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(Workspace)).one_or_none()
        if row is None:
            row = Workspace(team_id=team_id, settings={})
            session.add(row)
        settings = dict(row.settings or {})
        followups = dict(settings.get("followups") or {})
        followups["nag_after_minutes"] = minutes or 0
        settings["followups"] = followups
        row.settings = settings


def count_open(session: Session) -> int:
    """Open follow-ups of the session's workspace (for `/rapport stats`)."""
    return session.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.status.in_(ACTIVE))) or 0


CLIENT_REPLY = "client-reply"  # done_by of a follow-up ended by the client's own message


def end_until_reply(runtime: Runtime, team_id: str, client_id: int) -> list[FollowUp]:
    """End the client's ``until reply`` follow-ups that have not fired yet: the client wrote first.

    One statement: a follow-up that fires at the same moment is either sent or ended, never both
    (the dispatcher's claim and this update exclude each other on ``claimed_by``). Returns the
    ended rows (detached), so their owners can be told.
    """
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        rows = list(
            session.scalars(
                update(FollowUp)
                .where(
                    FollowUp.client_id == client_id,
                    FollowUp.until_reply.is_(True),
                    FollowUp.status == SCHEDULED,
                    FollowUp.claimed_by.is_(None),
                )
                .values(status=DONE, done_at=now, done_by=CLIENT_REPLY, due_at=None, nag_due_at=None)
                .returning(FollowUp)
                .execution_options(synchronize_session=False)
            )
        )
    return rows
