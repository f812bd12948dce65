"""Where a follow-up fires: moving a wish to a moment good for both, and recurrences.

``place`` moves a :class:`~handlers.followups.when.Wish` to the first instant inside the client's
business hours (no lunch, weekend, public holiday or night) *and* the owner's working hours, and
says why it moved. A recurrence is an anchor on the client's wall clock plus a rule: occurrence
*k* is computed from the anchor every time (never from the previous one), so it keeps its local
time across DST changes and never drifts. Reading what was typed is ``handlers.followups.when``.

Everything here is pure: the current instant is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import pendulum

from cultures.calendar import country_calendar
from cultures.company import Closure
from cultures.countries import get_country
from cultures.hours import (
    ClientHours,
    MemberHours,
    Verdict,
    first_good_moment,
    judge,
    local_instant,
    member_is_working,
    next_good_windows,
    timezone,
)
from cultures.weekly import format_intervals
from handlers.common.text import escape_mrkdwn
from handlers.followups.when import Rule, WhenError, Wish, _utc, city, local_now, parse_duration

HORIZON_DAYS = 28  # how far ahead a good moment for both is looked for before giving up


# --------------------------------------------------------------------------------------------
# Occurrences of a recurring follow-up


@dataclass(frozen=True)
class Series:
    """A recurring follow-up: ``rule`` applied to ``anchor`` (naive, on the wall clock of ``zone``)."""

    rule: Rule
    anchor: dt.datetime
    zone: str
    timed: bool
    country: str
    subdivision: str | None = None
    closures: tuple[Closure, ...] = ()  # the client's own: `every working day` skips them too

    def anchor_text(self) -> str:
        return self.anchor.strftime("%Y-%m-%dT%H:%M")

    def wish(self, k: int) -> Wish | None:
        """Occurrence ``k`` (0 = the anchor) as a wish; None when that day is skipped."""
        rule, anchor = self.rule, self.anchor
        if rule.unit in ("day", "week", "workday"):
            days = k * rule.every * (7 if rule.unit == "week" else 1)
            local = anchor + dt.timedelta(days=days)
            if rule.unit == "workday" and not self._working(local.date()):
                return None
        else:
            moved = pendulum.naive(anchor.year, anchor.month, anchor.day, anchor.hour, anchor.minute)
            moved = moved.add(**{f"{rule.unit}s": k * rule.every})  # clamps 31 Jan + 1 month to 28/29 Feb
            local = dt.datetime(moved.year, moved.month, moved.day, moved.hour, moved.minute)
        return Wish(local, self.zone, self.timed, rule)

    def first_index_near(self, local: dt.datetime) -> int:
        """An occurrence index at or a little before the wall-clock moment ``local`` (for catching up)."""
        rule = self.rule
        if rule.unit in ("day", "week", "workday"):
            step = rule.every * (7 if rule.unit == "week" else 1)
            return max(0, (local - self.anchor).days // step - 1)
        months = (local.year - self.anchor.year) * 12 + local.month - self.anchor.month
        per = rule.every * (12 if rule.unit == "year" else 1)
        return max(0, months // per - 1)

    def _working(self, day: dt.date) -> bool:
        if any(closure.first <= day <= closure.last for closure in self.closures):
            return False
        return country_calendar(self.country, self.subdivision).day_status(day).working


# --------------------------------------------------------------------------------------------
# Moving a wish to a good moment


@dataclass(frozen=True)
class Placement:
    """Where a wish lands: ``fire_at`` (aware UTC) and, when it moved, ``reason``."""

    requested_at: dt.datetime
    fire_at: dt.datetime
    reason: str | None  # None: fires at the moment asked for
    no_overlap: bool = False

    @property
    def moved(self) -> bool:
        return self.reason is not None


def member_hours(zone: str, start_minute: int, end_minute: int) -> MemberHours:
    """A team member's working hours (Monday to Friday) in their zone."""
    return MemberHours(zone=zone, start_minute=start_minute, end_minute=min(end_minute, 1440))


def place(wish: Wish, client: ClientHours, member: MemberHours, now: dt.datetime) -> Placement:
    """Move ``wish`` to the first instant good for both the client and the member, explaining why."""
    start = wish.start(now)
    fire = first_good_moment(start, client, member, horizon_days=HORIZON_DAYS)
    if fire is None:
        return _closest_to_member(start, client, member)
    fire_at = _utc(fire)
    if fire_at <= start:
        return Placement(start, start, None)
    return Placement(start, fire_at, _why_moved(wish, start, fire_at, client, member))


LATE_IN_WINDOW = dt.timedelta(hours=1)


def _closest_to_member(start: dt.datetime, client: ClientHours, member: MemberHours) -> Placement:
    """The client's hours never meet the member's: pick the moment in the client's hours nearest the member's day."""
    windows = next_good_windows(start, client, None, count=12, horizon_days=HORIZON_DAYS)
    if not windows:
        raise WhenError(
            f"I find no business hours for this client in the {HORIZON_DAYS} days from then; check their hours "
            "with `/client show`."
        )
    first_day = windows[0].start.in_timezone(timezone(client.zone)).date()
    candidates: list[dt.datetime] = []
    for window in windows:
        if window.start.in_timezone(timezone(client.zone)).date() != first_day:
            continue
        # A window's start, or late in it (an hour left to act) when that is nearer the member's day.
        start_at, end_at = _utc(window.start), _utc(window.end)
        candidates += [start_at, max(start_at, end_at - LATE_IN_WINDOW)]
    # Nearest the member's working hours, before or after them; the earlier moment on a tie.
    best = min(candidates, key=lambda instant: (_distance_to_work(instant, member), instant))
    local = pendulum.instance(best).in_timezone(timezone(client.zone))
    mine = pendulum.instance(best).in_timezone(timezone(member.zone))
    reason = (
        f"your working hours ({_hhmm(member.start_minute)}–{_hhmm(member.end_minute)} {city(member.zone)}) and "
        f"their business hours never overlap, so I picked the moment in their hours closest to your day: "
        f"{local:HH:mm} {city(client.zone)} is {mine:HH:mm} for you"
    )
    return Placement(start, best, reason, no_overlap=True)


def _distance_to_work(instant: dt.datetime, member: MemberHours) -> float:
    """Seconds from ``instant`` to the nearest moment inside the member's working hours."""
    if member_is_working(instant, member):
        return 0.0
    day = pendulum.instance(instant).in_timezone(timezone(member.zone)).date()
    best = float("inf")
    for offset in (-1, 0, 1):
        other = day + dt.timedelta(days=offset)
        if other.weekday() not in member.weekdays:
            continue
        begin = local_instant(member.zone, other, member.start_minute)
        end = local_instant(member.zone, other, min(member.end_minute, 1439))
        for edge in (begin, end):
            # As a datetime: pendulum's stubs leave out DateTime - datetime (an Interval, a timedelta).
            best = min(best, abs((cast(dt.datetime, edge) - instant).total_seconds()))
    return best


def _why_moved(wish: Wish, start: dt.datetime, fire_at: dt.datetime, client: ClientHours, member: MemberHours) -> str:
    zone = client.zone
    if not wish.timed:
        same_day = pendulum.instance(fire_at).in_timezone(timezone(zone)).date() == wish.local.date()
        if same_day:
            return "no time given, so at the first good moment that day for both of you"
        noon = _utc(local_instant(zone, wish.local.date(), 12 * 60))
        verdict = judge(noon, client)
        if not verdict.good and verdict.reason in ("weekend", "holiday", "closed"):
            return _client_reason(verdict, client)
        return "no good moment that day for both of you"
    reasons = []
    verdict = judge(start, client)
    if not verdict.good:
        reasons.append(_client_reason(verdict, client))
    if not member_is_working(start, member):
        reasons.append(_member_reason(start, member))
    else:
        client_only = first_good_moment(start, client, None, horizon_days=HORIZON_DAYS)
        if client_only is not None and _utc(client_only) < fire_at:
            reasons.append(f"then outside your working hours ({_span(member)})")
    return "; ".join(reasons) or "outside the hours that suit you both"


def _client_reason(verdict: Verdict, client: ClientHours) -> str:
    country = _country_name(client.country)
    if verdict.reason == "holiday":
        return f"public holiday in {country}" + (f" ({verdict.holiday_name})" if verdict.holiday_name else "")
    if verdict.reason == "closed":  # a client's closure label is typed by people: escaped
        return "they are closed" + (f" ({escape_mrkdwn(verdict.holiday_name)})" if verdict.holiday_name else "")
    if verdict.reason == "weekend":
        return f"weekend in {country}"
    if verdict.reason == "night":
        return f"night in {city(client.zone)}"
    if verdict.reason == "lunch":
        return f"lunch break in {city(client.zone)}"
    hours = format_intervals(client.day_hours(verdict.local.date()), " and ")
    which = "Ramadan hours" if verdict.hours_note == "Ramadan hours" else "business hours"
    note = f", {verdict.hours_note}" if verdict.hours_note and verdict.hours_note != "Ramadan hours" else ""
    return f"outside their {which} ({verdict.local:ddd} {hours} {city(client.zone)}{note})"


def _member_reason(instant: dt.datetime, member: MemberHours) -> str:
    local = pendulum.instance(instant).in_timezone(timezone(member.zone))
    if local.weekday() not in member.weekdays:
        return f"your day off ({local:dddd} in {city(member.zone)})"
    return f"outside your working hours ({_span(member)})"


def _span(member: MemberHours) -> str:
    return f"{_hhmm(member.start_minute)}–{_hhmm(member.end_minute)} {city(member.zone)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _country_name(code: str) -> str:
    try:
        return get_country(code).english_name
    except Exception:  # noqa: BLE001 - a name for a sentence; the code will do
        return code


# --------------------------------------------------------------------------------------------
# Snoozing


def snooze_target(choice: str, now: dt.datetime, client: ClientHours, member: MemberHours) -> Placement:
    """Where a snooze lands: ``1h``/``1d``/any duration from now moved to a good moment, or ``window``."""
    if choice == "window":
        windows = next_good_windows(now, client, member, count=2, horizon_days=HORIZON_DAYS)
        upcoming = [w for w in windows if _utc(w.start) > now]
        if not upcoming:
            return _closest_to_member(now + dt.timedelta(minutes=1), client, member)
        return Placement(now, _utc(upcoming[0].start), "the next good window for both of you")
    delta = parse_duration(choice)
    wish_at = now + delta
    local = local_now(wish_at, client.zone)
    return place(Wish(local, client.zone, True), client, member, now)
