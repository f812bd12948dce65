"""Team members: their Slack time zone and locale (users.info, cached) and working hours."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import TeamMember
from db.scoped import team_session
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)

PROFILE_TTL = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Member:
    """A team member as the scheduling logic sees them."""

    user_id: str
    tz: str
    locale: str | None
    work_start: int  # minutes after local midnight
    work_end: int
    tz_known: bool = True
    real_name: str | None = None


def member(client: WebClient | None, runtime: Runtime, team_id: str, user_id: str) -> Member:
    """The member's zone and hours: cached profile, refreshed from users.info when stale.

    Slack being unreachable never fails a command: the cached zone (or UTC, flagged) is used.
    """
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(TeamMember).where(TeamMember.user_id == user_id)).one_or_none()
        fresh = row is not None and row.profile_fetched_at is not None and now - row.profile_fetched_at < PROFILE_TTL
        cached = _to_member(row, runtime) if row is not None else None
    if fresh and cached is not None:
        return cached
    profile = _fetch_profile(client, user_id) if client is not None else None
    if profile is None:
        if cached is not None:
            return cached
        start, end = runtime.default_work_hours
        return Member(user_id, "UTC", None, start, end, tz_known=False)
    for attempt in range(2):  # two requests may create the same member at once: retry reads it
        try:
            with team_session(runtime.sessions, team_id) as session:
                row = _member_row(session, team_id, user_id)
                row.tz = profile.get("tz") or row.tz
                row.locale = profile.get("locale") or row.locale
                row.real_name = profile.get("real_name") or row.real_name
                row.profile_fetched_at = now
                session.flush()
                return _to_member(row, runtime)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _member_row(session: Session, team_id: str, user_id: str) -> TeamMember:
    row = session.scalars(select(TeamMember).where(TeamMember.user_id == user_id)).one_or_none()
    if row is None:
        row = TeamMember(team_id=team_id, user_id=user_id)
        session.add(row)
    return row


def set_work_hours(runtime: Runtime, team_id: str, user_id: str, start: int, end: int) -> None:
    """Store a member's working hours (minutes after local midnight)."""
    for attempt in range(2):
        try:
            with team_session(runtime.sessions, team_id) as session:
                row = _member_row(session, team_id, user_id)
                row.work_start, row.work_end = start, end
            return
        except IntegrityError:
            if attempt:
                raise


def _to_member(row: TeamMember, runtime: Runtime) -> Member:
    start, end = runtime.default_work_hours
    return Member(
        user_id=row.user_id,
        tz=row.tz or "UTC",
        locale=row.locale,
        work_start=row.work_start if row.work_start is not None else start,
        work_end=row.work_end if row.work_end is not None else end,
        tz_known=row.tz is not None,
        real_name=row.real_name,
    )


def _fetch_profile(client: WebClient, user_id: str) -> dict[str, str] | None:
    try:
        response = client.users_info(user=user_id, include_locale=True)
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("users.info for %s failed: %s", user_id, error)
        return None
    user = response.get("user") or {}
    return {
        "tz": user.get("tz") or "",
        "locale": user.get("locale") or "",
        "real_name": user.get("real_name") or (user.get("profile") or {}).get("real_name") or "",
    }
