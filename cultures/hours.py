"""The local-time engine: is this a good moment for the client, and when is the next one?

Pure functions of a schedule and an instant; nothing here reads the clock (callers inject a
:data:`Clock`, :func:`system_clock` in production). A client's good moments are their
business hours (from their card or their own override) on the days their country works
(weekends, public holidays and make-up working days from ``cultures.calendar``), never at
night (before 07:00 or from 21:00 local). A team member's are their working hours on their
working weekdays, in their own zone.

Windows are computed interval by interval, one local day at a time — not minute by minute:
each day's intervals are turned into UTC with the day's UTC offset, and the rare day on
which the offset changes (DST gaps and overlaps) is split at the exact transition, so
answers follow the wall clock across DST changes, half-hour and 45-minute zones
(Asia/Kolkata, Asia/Kathmandu, America/St_Johns) and the date line. :func:`judge` reads the
wall clock directly and always agrees with :func:`next_good_windows`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import pendulum

from cultures.calendar import (
    CLOSED,
    HALF_DAY,
    HOLIDAY,
    MAKEUP_WORKDAY,
    WEEKEND,
    WORKING,
    CountryCalendar,
    country_calendar,
)
from cultures.cards import card_for
from cultures.company import Closure, format_span, half_day_cutoff
from cultures.countries import canonical_zone
from cultures.errors import HoursFormatError, UnknownZone
from cultures.weekly import Interval, WeeklyHours, parse_shift

logger = logging.getLogger(__name__)

__all__ = [
    "NIGHT_END",
    "NIGHT_START",
    "ClientHours",
    "Clock",
    "MemberHours",
    "Reason",
    "Verdict",
    "Window",
    "business_deadline",
    "business_time",
    "first_good_moment",
    "good_at",
    "is_good_moment",
    "judge",
    "local_instant",
    "member_is_working",
    "next_good_windows",
    "overlap",
    "system_clock",
    "timezone",
]

#: Before this minute of the local day it is night (07:00).
NIGHT_END = 7 * 60
#: From this minute of the local day it is night (21:00).
NIGHT_START = 21 * 60

Reason = Literal["night", "lunch", "weekend", "holiday", "closed", "outside business hours"]
#: Something that tells the time; inject a fixed one in tests.
Clock = Callable[[], pendulum.DateTime]

_DAY = 86400
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_UTC = pendulum.UTC
_Span = tuple[int, int]  # UTC seconds since the epoch, end exclusive


def system_clock() -> pendulum.DateTime:
    """The current instant, in UTC."""
    return pendulum.now(_UTC)


def _weekday(ordinal: int) -> int:
    return (ordinal - 1) % 7  # date.fromordinal(1) is a Monday


def _timestamp(instant: dt.datetime) -> float:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware (pendulum or datetime with tzinfo)")
    return instant.timestamp()


def _zone_info(zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(zone) from None


class _ZoneClock:
    """Turns local wall-clock intervals of one day into UTC spans, for one zone.

    The zone's offset changes are found once per year (sampling every 12 hours, then
    bisecting to the second); the local days they touch take the exact, slower path.
    """

    __slots__ = ("_range", "_scanned", "_steady", "_unsteady", "_year_offset", "info", "zone")

    def __init__(self, zone: str) -> None:
        self.zone = zone
        self.info = _zone_info(zone)
        self._steady: dict[int, int | None] = {}  # ordinal -> the day's only UTC offset, or None
        self._unsteady: set[int] = set()  # ordinals of local days on which the offset changes
        self._year_offset: dict[int, int] = {}  # year -> offset on 1 January, a first guess
        self._scanned: set[int] = set()
        self._range: dict[int, tuple[int, int]] = {}  # year -> lowest and highest offset seen

    def _scan_year(self, year: int) -> None:
        first = (dt.date(year, 1, 1).toordinal() - _EPOCH_ORDINAL - 2) * _DAY
        last = (dt.date(year, 12, 31).toordinal() - _EPOCH_ORDINAL + 3) * _DAY
        self._year_offset[year] = previous = self.offset_at(first)
        low_offset = high_offset = previous
        probe = first
        while probe < last:
            step = probe + _DAY // 2
            current = self.offset_at(step)
            if current != previous:
                low_offset, high_offset = min(low_offset, current), max(high_offset, current)
                moment = self._transition(probe, step)
                # Both wall-clock readings at the change, and every local day between them.
                low = (moment + min(previous, current)) // _DAY + _EPOCH_ORDINAL
                high = (moment + max(previous, current)) // _DAY + _EPOCH_ORDINAL
                self._unsteady.update(range(low, high + 1))
                previous = current
            probe = step
        self._range[year] = (low_offset, high_offset)
        self._scanned.add(year)

    def offset_range(self, first_year: int, last_year: int) -> tuple[int, int]:
        """The lowest and highest UTC offsets (seconds) the zone uses in these years."""
        self.prepare(range(first_year, last_year + 1))
        ranges = [self._range[year] for year in range(first_year, last_year + 1)]
        return min(low for low, _ in ranges), max(high for _, high in ranges)

    def prepare(self, years: Iterable[int]) -> None:
        """Find the offset changes of these years now rather than on first use."""
        for year in years:
            if year not in self._scanned:
                self._scan_year(year)

    def steady_offset(self, ordinal: int) -> int | None:
        """The UTC offset (seconds) valid all day long, or None on a day the offset changes."""
        if ordinal in self._steady:
            return self._steady[ordinal]
        year = dt.date.fromordinal(ordinal).year
        if year not in self._scanned:
            self._scan_year(year)
        offset: int | None = None
        if ordinal not in self._unsteady:
            base = (ordinal - _EPOCH_ORDINAL) * _DAY
            probe = base + _DAY // 2 - self._year_offset[year]
            offset = self.offset_at(probe)
            if not base <= probe + offset < base + _DAY:  # the guess was off by a day (Samoa, 2011)
                offset = self.offset_at(base + _DAY // 2 - offset)
        self._steady[ordinal] = offset
        return offset

    def offset_at(self, timestamp: float) -> int:
        """The UTC offset in seconds at a UTC instant."""
        offset = dt.datetime.fromtimestamp(timestamp, self.info).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def spans(self, ordinal: int, intervals: tuple[Interval, ...]) -> tuple[_Span, ...]:
        """UTC spans of the instants whose local wall clock is inside ``intervals`` on that day.

        ``intervals`` are in seconds after local midnight. A wall time skipped by a DST gap
        simply does not occur; a wall time repeated by an overlap counts both times.
        """
        if not intervals:
            return ()
        base = (ordinal - _EPOCH_ORDINAL) * _DAY  # local midnight, read as if it were UTC
        offset = self.steady_offset(ordinal)
        if offset is not None:
            # Tuples, not lists: cached spans of ints drop out of the garbage collector's sight.
            return tuple([(base + start - offset, base + end - offset) for start, end in intervals])
        return tuple(self._split_spans(base, intervals))

    def _split_spans(self, base: int, intervals: tuple[Interval, ...]) -> list[_Span]:
        # The offset changes today: cut the day into stretches of constant offset, then map
        # each interval through each stretch (wall = utc + offset is monotonic inside one).
        low, high = base - 16 * 3600, base + _DAY + 16 * 3600  # beyond any UTC offset
        cuts = [low]
        probe, last = low, self.offset_at(low)
        while probe < high:
            step = min(high, probe + 3600)
            current = self.offset_at(step)
            if current != last:
                cuts.append(self._transition(probe, step))
                last = current
            probe = step
        cuts.append(high)
        spans: list[_Span] = []
        for left, right in itertools.pairwise(cuts):
            if left >= right:
                continue
            offset = self.offset_at(left)
            for start, end in intervals:
                a, b = max(left, base + start - offset), min(right, base + end - offset)
                if a < b:
                    spans.append((a, b))
        return _merge(sorted(spans))

    def _transition(self, before: int, after: int) -> int:
        """The first second in (before, after] whose offset differs from ``before``'s."""
        old = self.offset_at(before)
        while after - before > 1:
            middle = (before + after) // 2
            if self.offset_at(middle) == old:
                before = middle
            else:
                after = middle
        return after

    def wall_seconds(self, timestamp: float) -> tuple[int, float, dt.datetime]:
        """(local date ordinal, seconds since local midnight, local datetime) of a UTC instant."""
        local = dt.datetime.fromtimestamp(timestamp, self.info)
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return local.toordinal(), seconds, local


@functools.lru_cache(maxsize=1024)
def timezone(zone: str) -> pendulum.Timezone:
    """pendulum's zone for an IANA name, built once: ``pendulum.timezone()`` and
    ``in_timezone("Europe/Berlin")`` read the zone file again on every call."""
    return pendulum.timezone(zone)


@functools.lru_cache(maxsize=1024)
def _zone_clock(zone: str) -> _ZoneClock:
    return _ZoneClock(zone)


def _merge(spans: Iterable[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _in_any(seconds: float, intervals: tuple[Interval, ...]) -> bool:
    return any(start <= seconds < end for start, end in intervals)


# ---------------------------------------------------------------------------------------------
# Schedules


@functools.lru_cache(maxsize=4096)
def _daytime_seconds(hours: WeeklyHours) -> tuple[tuple[Interval, ...], ...]:
    """Each weekday's intervals in seconds, cut to daytime (07:00–21:00)."""
    days = []
    for intervals in hours.days:
        kept = []
        for start, end in intervals:
            start, end = max(start, NIGHT_END), min(end, NIGHT_START)
            if start < end:
                kept.append((start * 60, end * 60))
        days.append(tuple(kept))
    return tuple(days)


@dataclass(frozen=True)
class ClientHours:
    """When a client can be contacted: their zone, country (and subdivision) and hours.

    ``hours=None`` takes the business hours of the country's culture card. ``subdiv`` is a
    subdivision code or name of the ``holidays`` library (``CA``, ``Bayern``) for regional
    public holidays. ``closures`` are the client's own closed spans (a plant shutdown). The
    card's company calendar (closures, half days, Ramadan hours) always counts; Ramadan hours
    replace the card's hours only — a client's own ``hours`` are theirs all year.
    """

    zone: str
    country: str
    subdiv: str | None = None
    hours: WeeklyHours | None = None
    closures: tuple[Closure, ...] = ()
    _plan: _ClientPlan | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Fail here, where the client is described, rather than at the first question.
        object.__setattr__(self, "country", self.country.strip().upper())
        object.__setattr__(self, "zone", canonical_zone(self.zone))  # UnknownZone
        if self.subdiv:
            object.__setattr__(self, "subdiv", country_calendar(self.country, self.subdiv).subdiv)  # UnknownSubdivision
        if self.hours is None:
            card_for(self.country)  # MissingCard

    @classmethod
    def for_country(
        cls,
        country: str,
        zone: str,
        subdiv: str | None = None,
        hours: WeeklyHours | str | None = None,
        closures: tuple[Closure, ...] = (),
    ) -> ClientHours:
        """A client with the country card's hours, or ``hours`` (``"08:30-17:00"`` or WeeklyHours)."""
        if isinstance(hours, str):
            hours = WeeklyHours.parse(hours)
        return cls(zone=zone, country=country, subdiv=subdiv, hours=hours, closures=tuple(closures))

    @property
    def weekly_hours(self) -> WeeklyHours:
        """The hours in force: the client's own, else their country card's."""
        return self.hours if self.hours is not None else card_for(self.country).hours

    def day_hours(self, day: dt.date) -> tuple[Interval, ...]:
        """The business hours of a local day as the engine counts them (Ramadan's, a half day's);
        empty on days they do not work."""
        plan = self.plan()
        ordinal = day.toordinal()
        code = plan.calendar.code_of(ordinal)
        return plan.day_hours(ordinal, code) if plan.worked(ordinal, code) else ()

    def prepare(self, years: Iterable[int]) -> None:
        """Load the card, calendar and zone changes of these years now (else on first use)."""
        plan = self.plan()
        years = list(years)
        plan.calendar.prepare(years)
        plan.clock.prepare(years)

    def plan(self) -> _ClientPlan:
        """The resolved schedule (zone clock, calendar, hours), shared by equal clients."""
        plan = self._plan
        if plan is None:
            ramadan = card_for(self.country).calendar.ramadan if self.hours is None else None
            plan = _client_plan(self.zone, self.country, self.subdiv, self.weekly_hours, ramadan, self.closures)
            object.__setattr__(self, "_plan", plan)
        return plan


_DAY_CACHE_LIMIT = 4096  # days of spans kept per schedule; cleared wholesale beyond that


class _ClientPlan:
    """What the engine needs about a client, resolved once: zone clock, calendar, hours.

    Day spans are kept per date ordinal: clients of one country and zone share a plan, so a
    busy team asks each day's arithmetic once.
    """

    __slots__ = (
        "_days",
        "any_day",
        "calendar",
        "clock",
        "closed",
        "closed_spans",
        "daytime",
        "hours",
        "ramadan",
        "ramadan_daytime",
    )

    def __init__(
        self,
        zone: str,
        country: str,
        subdiv: str | None,
        hours: WeeklyHours,
        ramadan: WeeklyHours | None = None,
        closures: tuple[Closure, ...] = (),
    ) -> None:
        self.clock = _zone_clock(zone)
        self.calendar: CountryCalendar = country_calendar(country, subdiv)
        self.hours = hours
        self.daytime = _daytime_seconds(hours)
        self.ramadan = ramadan
        self.ramadan_daytime = _daytime_seconds(ramadan) if ramadan is not None else None
        every = [*self.daytime, *(self.ramadan_daytime or ())]
        self.any_day = _merge(sorted({interval for day in every for interval in day}))
        self.closed: dict[int, Closure] = {}
        for closure in closures:
            for ordinal in range(closure.first.toordinal(), closure.last.toordinal() + 1):
                self.closed.setdefault(ordinal, closure)
        self.closed_spans: list[tuple[int, int]] = []  # merged, in order
        for start, last in sorted((c.first.toordinal(), c.last.toordinal()) for c in closures):
            if self.closed_spans and start <= self.closed_spans[-1][1] + 1:
                self.closed_spans[-1] = (self.closed_spans[-1][0], max(last, self.closed_spans[-1][1]))
            else:
                self.closed_spans.append((start, last))
        self._days: dict[int, tuple[_Span, ...]] = {}

    def in_ramadan(self, ordinal: int) -> bool:
        return self.ramadan is not None and self.calendar.in_ramadan(ordinal)

    def closed_days_ahead(self, first: int, days: float) -> int:
        """How many of the client's own closed days fall in a search of ``days`` from ``first``,
        stretched by those very days (a search must reach as far past a closure as it would have
        reached without it: a month's shutdown does not leave a three-week search empty)."""
        end = first + int(days)
        extra = 0
        for start, last in self.closed_spans:
            if last < first:
                continue
            if start > end:
                break
            length = last - max(start, first) + 1
            extra += length
            end += length
        return extra

    def day_hours(self, ordinal: int, code: int) -> tuple[Interval, ...]:
        """The business hours (minutes) of a worked day: Ramadan's, cut short on a half day."""
        weekday = _weekday(ordinal)
        week = self.ramadan if self.ramadan is not None and self.in_ramadan(ordinal) else self.hours
        intervals = week.on(weekday)
        if code == HALF_DAY:
            cutoff = self.calendar.half_day_end(ordinal)
            if cutoff is None:
                name = self.calendar.company_day_name(ordinal) or ""
                cutoff = half_day_cutoff(name, intervals, self.calendar.company.half_day_ends)
            intervals = tuple((start, min(end, cutoff)) for start, end in intervals if start < cutoff)
        return intervals

    def day_seconds(self, ordinal: int, code: int) -> tuple[Interval, ...]:
        """The day's good intervals in seconds after local midnight (daytime only)."""
        if code == HALF_DAY or (self.ramadan is not None and self.in_ramadan(ordinal)):
            return _daytime_seconds(WeeklyHours((self.day_hours(ordinal, code),) * 7))[0]
        return self.daytime[_weekday(ordinal)]

    def worked(self, ordinal: int, code: int) -> bool:
        return code not in (WEEKEND, HOLIDAY, CLOSED) and ordinal not in self.closed

    def spans(self, ordinal: int) -> tuple[_Span, ...]:
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        code = self.calendar.code_of(ordinal)
        found: tuple[_Span, ...]
        if not self.worked(ordinal, code):
            found = ()
        else:
            found = self.clock.spans(ordinal, self.day_seconds(ordinal, code))
        if len(self._days) >= _DAY_CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = found
        return found


@functools.lru_cache(maxsize=4096)
def _client_plan(
    zone: str,
    country: str,
    subdiv: str | None,
    hours: WeeklyHours,
    ramadan: WeeklyHours | None = None,
    closures: tuple[Closure, ...] = (),
) -> _ClientPlan:
    return _ClientPlan(zone, country, subdiv, hours, ramadan, closures)


class _MemberPlan:
    """A member's zone clock and per-weekday intervals, with day spans kept like clients'."""

    __slots__ = ("_days", "any_day", "by_weekday", "clock")

    def __init__(self, zone: str, by_weekday: tuple[tuple[Interval, ...], ...]) -> None:
        self.clock = _zone_clock(zone)
        self.by_weekday = by_weekday
        self.any_day = _merge(sorted({interval for day in by_weekday for interval in day}))
        self._days: dict[int, tuple[_Span, ...]] = {}

    def spans(self, ordinal: int) -> tuple[_Span, ...]:
        found = self._days.get(ordinal)
        if found is not None:
            return found
        found = self.clock.spans(ordinal, self.by_weekday[_weekday(ordinal)])
        if len(self._days) >= _DAY_CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = found
        return found


@functools.lru_cache(maxsize=4096)
def _member_plan(zone: str, by_weekday: tuple[tuple[Interval, ...], ...]) -> _MemberPlan:
    return _MemberPlan(zone, by_weekday)


@dataclass(frozen=True)
class MemberHours:
    """A team member's working hours in their own zone (minutes after midnight).

    ``end_minute`` may be 1440 (24:00); an ``end_minute`` before ``start_minute`` is a shift
    that ends the next morning. ``weekdays`` are the days shifts start on (0 = Monday).
    """

    zone: str
    start_minute: int
    end_minute: int
    weekdays: frozenset[int] = frozenset(range(5))
    _by_weekday: tuple[tuple[Interval, ...], ...] = field(default=(), init=False, repr=False, compare=False)
    _plan: _MemberPlan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (0 <= self.start_minute < 1440 and 0 < self.end_minute <= 1440):
            raise HoursFormatError(f"{self.start_minute}-{self.end_minute}", "minutes must be within the day")
        if self.start_minute == self.end_minute:
            raise HoursFormatError(f"{self.start_minute}-{self.end_minute}", "the working hours are empty")
        weekdays = frozenset(self.weekdays)
        if not weekdays <= set(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        object.__setattr__(self, "weekdays", weekdays)
        object.__setattr__(self, "zone", canonical_zone(self.zone))
        start, end = self.start_minute * 60, self.end_minute * 60
        by_weekday = []
        for weekday in range(7):
            intervals = []
            if end > start:
                if weekday in weekdays:
                    intervals.append((start, end))
            else:  # overnight: the tail of yesterday's shift, then today's start
                if (weekday - 1) % 7 in weekdays:
                    intervals.append((0, end))
                if weekday in weekdays:
                    intervals.append((start, _DAY))
            by_weekday.append(tuple(intervals))
        object.__setattr__(self, "_by_weekday", tuple(by_weekday))
        object.__setattr__(self, "_plan", _member_plan(self.zone, self._by_weekday))

    @classmethod
    def from_text(cls, zone: str, text: str = "09:00-18:00", weekdays: Iterable[int] = range(5)) -> MemberHours:
        """Working hours written like ``09:00-18:00`` or, for a night shift, ``22:00-06:00``."""
        start, end = parse_shift(text)
        return cls(zone=zone, start_minute=start, end_minute=end, weekdays=frozenset(weekdays))

    def prepare(self, years: Iterable[int]) -> None:
        """Load the zone changes of these years now (else on first use)."""
        _zone_clock(self.zone).prepare(years)

    def spans(self, ordinal: int) -> tuple[_Span, ...]:
        """UTC spans (epoch seconds) of the member's working time on their local day ``ordinal``."""
        return self._plan.spans(ordinal)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Answers


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an instant is a good moment to contact a client, and if not, why.

    ``reason`` is None when good, else (in order of precedence) ``"holiday"`` (with
    ``holiday_name``), ``"closed"`` (the client's own closure or one the country's card names,
    in ``holiday_name``), ``"weekend"``, ``"night"`` (before 07:00 or from 21:00),
    ``"lunch"`` (between two business-hour intervals) or ``"outside business hours"``.
    ``local`` is the instant on the client's wall clock.
    """

    good: bool
    reason: Reason | None
    holiday_name: str | None
    local: pendulum.DateTime
    makeup_workday: bool = False
    #: The day's hours are not the usual ones: ``"Ramadan hours"`` or ``"half day (Christmas Eve)"``.
    hours_note: str | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of good time, as UTC instants; ``end`` is exclusive."""

    start: pendulum.DateTime
    end: pendulum.DateTime

    @property
    def minutes(self) -> int:
        """Length in whole minutes."""
        return int((self.end - self.start).total_seconds() // 60)

    def in_zone(self, zone: str) -> tuple[pendulum.DateTime, pendulum.DateTime]:
        """Start and end on the wall clock of ``zone``."""
        return self.start.in_timezone(timezone(zone)), self.end.in_timezone(timezone(zone))


def _instant(timestamp: float) -> pendulum.DateTime:
    """A UTC pendulum instant, built field by field (several times faster than fromtimestamp)."""
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return pendulum.DateTime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=_UTC,
    )


def _local(timestamp: float, zone: str) -> pendulum.DateTime:
    return pendulum.DateTime.fromtimestamp(timestamp, timezone(zone))


def local_instant(zone: str, day: dt.date, minute: int) -> pendulum.DateTime:
    """The instant at ``minute`` after midnight of ``day`` on the wall clock of ``zone``.

    A wall time inside a DST gap moves forward by the gap (02:30 on the spring-forward
    night in Berlin is 03:30 CEST); in an overlap the later occurrence is taken.
    """
    return pendulum.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tz=_zone_clock(zone).zone)


def judge(instant: dt.datetime, client: ClientHours) -> Verdict:
    """Is ``instant`` a good moment to contact ``client``? (See :class:`Verdict`.)"""
    plan = client.plan()
    timestamp = _timestamp(instant)
    ordinal, seconds, _ = plan.clock.wall_seconds(timestamp)
    local = _local(timestamp, plan.clock.zone)
    code = plan.calendar.code_of(ordinal)
    if code == HOLIDAY:
        name = plan.calendar.holiday_name(dt.date.fromordinal(ordinal))
        return Verdict(False, "holiday", name, local)
    closure = plan.closed.get(ordinal)
    if closure is not None:
        span = format_span(closure.first, closure.last)
        return Verdict(False, "closed", f"{closure.label}, {span}" if closure.label else span, local)
    if code == CLOSED:
        return Verdict(False, "closed", plan.calendar.company_day_name(ordinal), local)
    if code == WEEKEND:
        return Verdict(False, "weekend", None, local)
    makeup = code == MAKEUP_WORKDAY
    note = None
    if plan.in_ramadan(ordinal):
        note = "Ramadan hours"
    elif code == HALF_DAY:
        name = plan.calendar.company_day_name(ordinal)
        note = f"half day ({name})" if name else "half day"
    if _in_any(seconds, plan.day_seconds(ordinal, code)):
        return Verdict(True, None, None, local, makeup, note)
    if seconds < NIGHT_END * 60 or seconds >= NIGHT_START * 60:
        return Verdict(False, "night", None, local, makeup, note)
    minutes = seconds / 60
    hours = plan.day_hours(ordinal, code)
    if any(start <= minutes < end for start, end in _gaps(hours)):
        return Verdict(False, "lunch", None, local, makeup, note)
    return Verdict(False, "outside business hours", None, local, makeup, note)


def _gaps(intervals: tuple[Interval, ...]) -> list[Interval]:
    """The breaks between a day's intervals (lunch)."""
    return [(left[1], right[0]) for left, right in itertools.pairwise(intervals) if left[1] < right[0]]


def _client_good(plan: _ClientPlan, timestamp: float) -> bool:
    ordinal, seconds, _ = plan.clock.wall_seconds(timestamp)
    code = plan.calendar.code_of(ordinal)
    if not plan.worked(ordinal, code):
        return False
    return _in_any(seconds, plan.day_seconds(ordinal, code))


def _member_good(member: MemberHours, timestamp: float) -> bool:
    ordinal, seconds, _ = _zone_clock(member.zone).wall_seconds(timestamp)
    return _in_any(seconds, member._by_weekday[_weekday(ordinal)])


def member_is_working(instant: dt.datetime, member: MemberHours) -> bool:
    """Is the team member inside their working hours at ``instant``?"""
    return _member_good(member, _timestamp(instant))


def is_good_moment(instant: dt.datetime, client: ClientHours, member: MemberHours | None = None) -> bool:
    """True when ``instant`` suits the client (and the member, if given). Cheaper than :func:`judge`."""
    return good_at(_timestamp(instant), client, member)


def good_at(timestamp: float, client: ClientHours, member: MemberHours | None = None) -> bool:
    """:func:`is_good_moment` for an instant given as seconds since the epoch (for hot loops)."""
    return _client_good(client.plan(), timestamp) and (member is None or _member_good(member, timestamp))


def _day_spans(
    spans_of: Callable[[int], tuple[_Span, ...]], first_ordinal: int, since: float, until: float
) -> Iterator[_Span]:
    """Spans day after day from ``first_ordinal``, cut to start at ``since``; stop at ``until``."""
    ordinal = first_ordinal
    last_ordinal = first_ordinal + int((until - since) // _DAY) + 3
    while ordinal <= last_ordinal:
        for start, end in spans_of(ordinal):
            if end <= since:
                continue
            if start >= until:
                return
            yield (start if start > since else since, end)  # type: ignore[misc]
        ordinal += 1


def _joined(spans: Iterator[_Span]) -> Iterator[_Span]:
    """Merge spans that touch (a night shift running past midnight)."""
    current = next(spans, None)
    if current is None:
        return
    for start, end in spans:
        if start <= current[1]:
            current = (current[0], max(current[1], end))
        else:
            yield current
            current = (start, end)
    yield current


def _intersect(left: Iterator[_Span], right: Iterator[_Span]) -> Iterator[_Span]:
    a, b = next(left, None), next(right, None)
    while a is not None and b is not None:
        start, end = max(a[0], b[0]), min(a[1], b[1])
        if start < end:
            yield (start, end)
        if a[1] <= b[1]:
            a = next(left, None)
        else:
            b = next(right, None)


def _around_the_clock(intervals: list[_Span], low: int, high: int) -> list[_Span]:
    """Where in the UTC day (0..86400) local ``intervals`` may fall, with offsets in [low, high]."""
    found: list[_Span] = []
    for start, end in intervals:
        first, length = (start - high) % _DAY, end - start + high - low
        if length >= _DAY:
            return [(0, _DAY)]
        if first + length <= _DAY:
            found.append((first, first + length))
        else:
            found += [(first, _DAY), (0, first + length - _DAY)]
    return found


@functools.lru_cache(maxsize=8192)
def _may_meet(client: _ClientPlan, member: _MemberPlan, first_year: int, last_year: int) -> bool:
    """False when the client's hours and the member's can never overlap, whatever the day.

    Compares times of day in UTC, widened by each zone's offset changes and ignoring
    weekdays: a cheap, safe test that spares the day-by-day search for pairs that never
    meet (Sydney office hours against Los Angeles office hours).
    """
    ours = _around_the_clock(client.any_day, *client.clock.offset_range(first_year, last_year))
    theirs = _around_the_clock(member.any_day, *member.clock.offset_range(first_year, last_year))
    return any(a < d and c < b for a, b in ours for c, d in theirs)


def _good_spans(since: float, client: ClientHours, member: MemberHours | None, horizon_days: float) -> Iterator[_Span]:
    """Good spans from ``since`` that start within the horizon, each complete (not cut at it)."""
    plan = client.plan()
    first = plan.clock.wall_seconds(since)[0]
    if plan.closed_spans:
        horizon_days += plan.closed_days_ahead(first, horizon_days)
    until = since + horizon_days * _DAY
    reach = until + _DAY  # look past the horizon so a span starting inside it is whole
    spans = _day_spans(plan.spans, first, since, reach)
    if member is not None:
        member_plan: _MemberPlan = member._plan  # type: ignore[assignment]
        first_year = dt.date.fromordinal(first - 2).year
        last_year = dt.date.fromordinal(first + int(horizon_days) + 3).year
        if not _may_meet(plan, member_plan, first_year, last_year):
            return
        member_first = member_plan.clock.wall_seconds(since)[0] - 1
        member_spans = member_plan.spans
        spans = _joined(_intersect(spans, _joined(_day_spans(member_spans, member_first, since, reach))))
    for span in spans:
        if span[0] >= until:
            return
        yield span


def next_good_windows(
    start_instant: dt.datetime,
    client: ClientHours,
    member: MemberHours | None = None,
    count: int = 3,
    horizon_days: int = 21,
) -> list[Window]:
    """The next ``count`` good windows from ``start_instant`` (UTC instants), soonest first.

    A window is a stretch inside the client's business hours on a working day, in daytime,
    and — with ``member`` — inside the member's working hours too. If ``start_instant`` is
    itself good, the first window starts there. Only windows starting within
    ``horizon_days`` are returned (possibly none).
    """
    since = _timestamp(start_instant)
    found: list[Window] = []
    if count <= 0:
        return found
    for start, end in _good_spans(since, client, member, horizon_days):
        found.append(Window(_instant(start), _instant(end)))
        if len(found) >= count:
            break
    return found


def first_good_moment(
    start_instant: dt.datetime,
    client: ClientHours,
    member: MemberHours | None = None,
    horizon_days: int = 21,
) -> pendulum.DateTime | None:
    """``start_instant`` if it is good, else the start of the next good window (None if none)."""
    since = _timestamp(start_instant)
    for start, _end in _good_spans(since, client, member, horizon_days):
        return _instant(start)
    return None


def overlap(client: ClientHours, member: MemberHours, day: dt.date, respect_calendar: bool = True) -> list[Window]:
    """Where the client's business hours on their local ``day`` meet the member's working hours.

    With ``respect_calendar=False`` the client's weekends and holidays are ignored (to plan
    "what would a normal Thursday look like"). Night is always excluded.
    """
    plan = client.plan()
    ordinal = day.toordinal()
    if respect_calendar:
        client_spans = plan.spans(ordinal)
    elif plan.in_ramadan(ordinal):
        client_spans = plan.clock.spans(ordinal, plan.day_seconds(ordinal, WORKING))
    else:
        client_spans = plan.clock.spans(ordinal, plan.daytime[_weekday(ordinal)])
    if not client_spans:
        return []
    member_clock = _zone_clock(member.zone)
    first = member_clock.wall_seconds(client_spans[0][0])[0] - 1
    last = member_clock.wall_seconds(client_spans[-1][1])[0] + 1
    member_spans = _merge(span for o in range(first, last + 1) for span in member.spans(o))
    return [Window(_instant(s), _instant(e)) for s, e in _intersect(iter(client_spans), iter(member_spans))]


# ---------------------------------------------------------------------------------------------
# Business time: clocks that run only in the client's good windows


MAX_BUSINESS_WINDOWS = 400  # about a year of two windows a day: enough for any target we allow


def business_deadline(
    start: dt.datetime, duration: dt.timedelta, client: ClientHours, team: MemberHours | None = None
) -> dt.datetime:
    """The instant when ``duration`` of the client's business time has passed since ``start``.

    Only their good windows count: business hours on working days, in daytime, outside lunch;
    weekends, public holidays and nights pause the clock — and, with ``team``, the team's own
    off-hours too. When no window is found (hours closed every day, or never meeting the team's),
    plain time counts, so a deadline always comes.
    """
    needed = duration
    if needed <= dt.timedelta(0):
        return start
    cursor = start
    seen = 0
    while seen < MAX_BUSINESS_WINDOWS:
        windows = next_good_windows(cursor, client, team, count=20, horizon_days=60)
        if not windows:
            break
        for window in windows:
            begin = max(_instant(_timestamp(window.start)), _instant(_timestamp(cursor)))
            length = dt.timedelta(seconds=_timestamp(window.end) - _timestamp(begin))
            if length >= needed:
                return dt.datetime.fromtimestamp(_timestamp(begin) + needed.total_seconds(), dt.UTC)
            needed -= length
            cursor = window.end
            seen += 1
    return start + duration


def business_time(
    start: dt.datetime, end: dt.datetime, client: ClientHours, team: MemberHours | None = None
) -> dt.timedelta:
    """How much of the client's business time (inside ``team``'s hours, when given) lies between
    ``start`` and ``end``."""
    if end <= start:
        return dt.timedelta(0)
    total = 0.0
    cursor = start
    seen = 0
    while seen < MAX_BUSINESS_WINDOWS:
        windows = next_good_windows(cursor, client, team, count=20, horizon_days=60)
        if not windows:
            break
        for window in windows:
            begin, finish = max(_timestamp(window.start), _timestamp(cursor)), _timestamp(window.end)
            if begin >= _timestamp(end):
                return dt.timedelta(seconds=total)
            total += min(finish, _timestamp(end)) - begin
            if finish >= _timestamp(end):
                return dt.timedelta(seconds=total)
            cursor = window.end
            seen += 1
    return dt.timedelta(seconds=total)
