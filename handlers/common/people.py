"""Team members: their Slack time zone and locale (users.info, cached), working hours, and who a
typed name (``@grace``) means (users.list)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import TeamMember
from db.scoped import team_session
from handlers.common.args import user_id_of
from handlers.common.errors import UserError
from handlers.common.runtime import Runtime

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


MEMBER_CACHE_SECONDS = 15.0  # a member read from the database is reused this long by this process


class _Members:
    """Members recently read by this process, so a burst of answers skips the database round trip.

    Kept per runtime (one per app), for ``MEMBER_CACHE_SECONDS``: a change of hours made through
    another process shows within that time; one made here (``/rapport hours``) at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], tuple[float, Member, dt.datetime]] = {}

    def get(self, team_id: str, user_id: str, now: dt.datetime) -> Member | None:
        with self._lock:
            found = self._rows.get((team_id, user_id))
        if found is None:
            return None
        read_at, cached, fresh_until = found
        if time.monotonic() - read_at > MEMBER_CACHE_SECONDS or now >= fresh_until:
            return None
        return cached

    def put(self, team_id: str, user_id: str, cached: Member, fresh_until: dt.datetime) -> None:
        with self._lock:
            if len(self._rows) > 10_000:
                self._rows.clear()
            self._rows[(team_id, user_id)] = (time.monotonic(), cached, fresh_until)

    def forget(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._rows.pop((team_id, user_id), None)


def _members(runtime: Runtime) -> _Members:
    found = runtime.extras.get("members")
    if not isinstance(found, _Members):
        found = runtime.extras.setdefault("members", _Members())
    return found  # type: ignore[return-value]


def member(client: WebClient | None, runtime: Runtime, team_id: str, user_id: str) -> Member:
    """The member's zone and hours: cached profile, refreshed from users.info when stale.

    Slack being unreachable never fails a command: the cached zone (or UTC, flagged) is used.
    """
    now = runtime.clock()
    recent = _members(runtime).get(team_id, user_id, now)
    if recent is not None:
        return recent
    with team_session(runtime.sessions, team_id) as session:
        row = session.scalars(select(TeamMember).where(TeamMember.user_id == user_id)).one_or_none()
        fresh = row is not None and row.profile_fetched_at is not None and now - row.profile_fetched_at < PROFILE_TTL
        cached = _to_member(row, runtime) if row is not None else None
    if fresh and cached is not None:
        assert row is not None and row.profile_fetched_at is not None
        _members(runtime).put(team_id, user_id, cached, row.profile_fetched_at + PROFILE_TTL)
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
                fetched = _to_member(row, runtime)
                _members(runtime).put(team_id, user_id, fetched, now + PROFILE_TTL)
                return fetched
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
            break
        except IntegrityError:
            if attempt:
                raise
    _members(runtime).forget(team_id, user_id)  # after the commit: the next read sees the new hours


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


# --------------------------------------------------------------------------------------------
# A person named in a command: `<@U1|ada>`, `@ada`, `ada`, `me`

_PLAIN_NAME = re.compile(r"^@?([\w.\-]{1,80})$")
_ME = frozenset({"me", "myself", "@me", "@myself"})
USERS_LIST_PAGES = 20  # 200 members a page


class UnknownPerson(UserError):
    """What was typed for a person names nobody, or several people, in this workspace."""


def person_id(client: WebClient | None, typed: str, *, asker_id: str, example: str = "owner:@anna") -> str:
    """The Slack user id of a person typed as ``<@U1|ada>``, ``@ada``, ``ada`` or ``me``.

    A plain name is looked up with users.list (handle, display name or full name,
    case-insensitively). Raises :class:`UnknownPerson` (a UserError: its message, then the usage)
    when the text is no name, nobody or several people have that name, or Slack cannot be asked.
    ``example`` shows how to write a person in the messages (``owner:@anna``, ``@anna``).
    """
    text = typed.strip()
    mentioned = user_id_of(text)
    if mentioned:
        return mentioned
    if text.lower() in _ME:
        return asker_id
    match = _PLAIN_NAME.match(text)
    if not match:
        raise UnknownPerson(f"“{text}” is not a Slack user: pick them with @, e.g. `{example}`.")
    name = match[1]
    if client is None:
        raise UnknownPerson(f"I can't look up @{name} here: pick them with @ so Slack fills them in.")
    try:
        found = _users_named(client, name.lower())
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("users.list failed: %s", error)
        raise UnknownPerson(
            f"I couldn't look up @{name}: Slack did not answer. Pick them with @ so Slack fills them in."
        ) from None
    if not found:
        raise UnknownPerson(f"I can't find @{name} in this workspace: pick them with @ so Slack fills them in.")
    if len(found) > 1:
        people = ", ".join(f"<@{user_id}>" for user_id in found[:5])
        raise UnknownPerson(
            f"Several people in this workspace are called @{name} ({people}): "
            "pick the one you mean with @ so Slack fills them in."
        )
    return found[0]


def _users_named(client: WebClient, wanted: str) -> list[str]:
    """Ids of the workspace's active people (not bots, not Slackbot) whose handle, display name or
    full name is ``wanted``."""
    found: list[str] = []
    cursor = None
    for _page in range(USERS_LIST_PAGES):
        response = client.users_list(limit=200, cursor=cursor) if cursor else client.users_list(limit=200)
        for user in response.get("members") or []:
            profile = user.get("profile") or {}
            names = {user.get("name"), profile.get("display_name"), user.get("real_name"), profile.get("real_name")}
            user_id = user.get("id")
            person = user_id and user_id != "USLACKBOT" and not user.get("deleted") and not user.get("is_bot")
            if person and wanted in {str(n).lower() for n in names if n}:
                if user_id not in found:
                    found.append(user_id)
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return found
