"""Working days of a country: weekends, public holidays and make-up working days.

Everything comes from the ``holidays`` library — never written by hand: weekends that differ
by country and changed over time (the UAE moved from Friday–Saturday to Saturday–Sunday in
2022), public holidays per subdivision (US states, German Länder, Indian states…) and the
weekend days that become working days (China's make-up days). A country the library does
not cover falls back to a Saturday–Sunday weekend with no holidays, and says so
(``calendar_known=False``).

Calendars are cached per (country, subdivision) and per year, as a table of day codes, so
the local-time engine can ask about a day with one dictionary lookup.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from dataclasses import dataclass
from typing import Literal

import holidays

from cultures.company import NO_CALENDAR, CompanyCalendar, ramadan_days, says_early_close
from cultures.countries import resolve_subdivision
from cultures.errors import CultureError, UnknownSubdivision

logger = logging.getLogger(__name__)

__all__ = [
    "CLOSED",
    "HALF_DAY",
    "HOLIDAY",
    "MAKEUP_WORKDAY",
    "WEEKEND",
    "WORKING",
    "CountryCalendar",
    "DayStatus",
    "Season",
    "UpcomingDay",
    "country_calendar",
    "day_status",
    "upcoming",
]

# Day codes of the per-year tables.
WORKING = 0
WEEKEND = 1
HOLIDAY = 2
MAKEUP_WORKDAY = 3  # a weekend day that is worked (China, Taiwan, Russia…)
CLOSED = 4  # a working day offices close (Japan's year-end, Sweden's Midsummer Eve): the card's calendar
HALF_DAY = 5  # a working day offices close early (Christmas Eve in Iceland, "from 2pm" in Sweden)

_FALLBACK_WEEKEND = frozenset({5, 6})
DayKind = Literal["holiday", "weekend", "makeup_workday", "closed", "half_day"]


@dataclass(frozen=True, slots=True)
class DayStatus:
    """Whether a date is worked in a country, and why not.

    ``reason`` is ``None`` on a working day, else ``"holiday"`` (with ``holiday_name``;
    a holiday on a weekend is still a holiday), ``"closed"`` (a company closure the country's
    card names, in ``holiday_name``) or ``"weekend"``. ``makeup_workday`` marks a
    weekend day that is worked. ``calendar_known`` is False when the ``holidays`` library
    does not cover the country and a Saturday–Sunday weekend was assumed.
    """

    working: bool
    reason: Literal["weekend", "holiday", "closed"] | None
    holiday_name: str | None
    makeup_workday: bool
    calendar_known: bool = True


@dataclass(frozen=True, slots=True)
class UpcomingDay:
    """A day worth knowing about: a public holiday, a weekend day, a make-up working day, a
    company closure or a half day (``name`` says which)."""

    date: dt.date
    kind: DayKind
    name: str | None


@dataclass(frozen=True, slots=True)
class Season:
    """A stretch of days ahead that changes how a country works without closing it.

    ``kind`` is ``"slow"`` (answers come slower: advice only) or ``"ramadan"`` (shorter hours).
    """

    kind: Literal["slow", "ramadan"]
    name: str
    first: dt.date
    last: dt.date
    advice: str | None = None


def _names_language(entity: type) -> str | None:
    # Always pass a language: with None the library would guess from the process locale.
    supported = tuple(getattr(entity, "supported_languages", ()) or ())
    for preferred in ("en_US", "en_GB", "en"):
        if preferred in supported:
            return preferred
    english = next((lang for lang in supported if lang.startswith("en")), None)
    return english or getattr(entity, "default_language", None)


class CountryCalendar:
    """The working-day calendar of one country (and optionally one subdivision).

    Build it with :func:`country_calendar` (cached). Years are computed on demand and kept.
    """

    def __init__(self, code: str, subdiv: str | None = None) -> None:
        self.code = code
        self.subdiv = subdiv
        self._lock = threading.Lock()
        self._codes: dict[int, int] = {}  # date ordinal -> day code
        self._names: dict[int, str] = {}  # date ordinal -> name of a closure or half day
        self._ends: dict[int, int] = {}  # date ordinal -> minute a card's own half day ends
        self._years: set[int] = set()
        self.company: CompanyCalendar = _company_calendar(code)
        supported = holidays.list_supported_countries(include_aliases=False)
        self.calendar_known = code in supported
        self._holidays: holidays.HolidayBase | None = None
        if self.calendar_known:
            entity = getattr(holidays, code)
            try:
                self._holidays = holidays.country_holidays(code, subdiv=subdiv, language=_names_language(entity))
            except NotImplementedError:
                raise UnknownSubdivision(code, subdiv or "", list(entity.subdivisions)[:10]) from None
        elif subdiv:
            raise UnknownSubdivision(code, subdiv)
        else:
            logger.debug("No holiday calendar for %s; assuming a Saturday-Sunday weekend", code)

    def __repr__(self) -> str:
        return f"CountryCalendar({self.code!r}, subdiv={self.subdiv!r}, calendar_known={self.calendar_known})"

    def prepare(self, years: int | range | list[int] | tuple[int, ...]) -> None:
        """Compute the given years now rather than on first use."""
        for year in [years] if isinstance(years, int) else years:
            self._build_year(year)

    def _build_year(self, year: int) -> None:
        with self._lock:
            if year in self._years:
                return
            first = dt.date(year, 1, 1).toordinal()
            last = dt.date(year, 12, 31).toordinal()
            codes: dict[int, int] = {}
            calendar = self._holidays
            for ordinal in range(first, last + 1):
                day = dt.date.fromordinal(ordinal)
                if calendar is None:
                    codes[ordinal] = WEEKEND if day.weekday() in _FALLBACK_WEEKEND else WORKING
                    continue
                weekend = calendar.is_weekend(day)
                if calendar.is_working_day(day):
                    codes[ordinal] = MAKEUP_WORKDAY if weekend else WORKING
                else:
                    codes[ordinal] = HOLIDAY if day in calendar else WEEKEND
            if not self.company.empty:
                self._company_days(year, codes)
            self._codes.update(codes)
            self._years.add(year)

    def _company_days(self, year: int, codes: dict[int, int]) -> None:
        """Mark the card's closures and half days on the working days of ``year``."""
        company = self.company
        worked = (WORKING, MAKEUP_WORKDAY)

        def mark(day: dt.date, code: int, name: str) -> None:
            ordinal = day.toordinal()
            if codes.get(ordinal) in worked or (code == CLOSED and codes.get(ordinal) == HALF_DAY):
                codes[ordinal] = code
                self._names[ordinal] = name

        for categories, code in ((company.half_day_categories, HALF_DAY), (company.closed_categories, CLOSED)):
            if not categories:
                continue
            extra = holidays.country_holidays(
                self.code,
                subdiv=self.subdiv,
                years=year,
                categories=categories,
                language=_names_language(getattr(holidays, self.code)),
            )
            for day, name in sorted(extra.items()):
                # A name that gives the hour ("from 2pm", "shortened by 3 hours") is a half day.
                mark(day, HALF_DAY if says_early_close(name) else code, name)
        for half in company.half_days:
            for day in half.span.dates_in(year):
                mark(day, HALF_DAY, half.name)
                if codes.get(day.toordinal()) == HALF_DAY:
                    self._ends[day.toordinal()] = half.ends
        for season in company.closed:
            for day in season.span.dates_in(year):
                mark(day, CLOSED, season.name)

    def code_of(self, ordinal: int) -> int:
        """The day code (WORKING, WEEKEND, HOLIDAY, MAKEUP_WORKDAY, CLOSED, HALF_DAY) of a date ordinal; fast."""
        code = self._codes.get(ordinal)
        if code is None:
            self._build_year(dt.date.fromordinal(ordinal).year)
            code = self._codes[ordinal]
        return code

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday's name on ``day`` (several joined by "; "), or None."""
        if self._holidays is None:
            return None
        return self._holidays.get(day)

    def company_day_name(self, ordinal: int) -> str | None:
        """The name of the closure or half day on a date ordinal (None on other days)."""
        self.code_of(ordinal)
        return self._names.get(ordinal)

    def half_day_end(self, ordinal: int) -> int | None:
        """When a half day from the card's own table ends (None: read it from the day's name)."""
        self.code_of(ordinal)
        return self._ends.get(ordinal)

    def in_ramadan(self, ordinal: int) -> bool:
        """Whether the card shortens hours in Ramadan and this day is in it (Umm al-Qura)."""
        return self.company.ramadan is not None and ordinal in ramadan_days(dt.date.fromordinal(ordinal).year)

    def seasons(self, start: dt.date, days: int = 14) -> list[Season]:
        """Slow seasons and Ramadan that overlap the ``days`` from ``start``, with their full span."""
        found: list[Season] = []
        end = start + dt.timedelta(days=days - 1)
        for season in self.company.slow:
            for year in range(start.year - 1, end.year + 1):
                dates = season.span.dates_in(year) + season.span.dates_in(year + 1)
                runs = _runs(sorted(set(dates)))
                for first, last in runs:
                    if first <= end and last >= start:
                        item = Season("slow", season.name, first, last, season.advice)
                        if item not in found:
                            found.append(item)
        if self.company.ramadan is not None:
            ordinals = sorted(
                ramadan_days(start.year - 1)
                | ramadan_days(start.year)
                | ramadan_days(end.year)
                | ramadan_days(end.year + 1)
            )
            for first, last in _runs([dt.date.fromordinal(o) for o in ordinals]):
                if first <= end and last >= start:
                    found.append(Season("ramadan", "Ramadan", first, last, self.company.ramadan_note))
        return sorted(found, key=lambda item: item.first)

    def weekend_days(self, day: dt.date) -> frozenset[int]:
        """The weekdays (0 = Monday) that are weekend in the week of ``day``."""
        if self._holidays is None:
            return _FALLBACK_WEEKEND
        monday = day - dt.timedelta(days=day.weekday())
        return frozenset(i for i in range(7) if self._holidays.is_weekend(monday + dt.timedelta(days=i)))

    def day_status(self, day: dt.date) -> DayStatus:
        """Whether ``day`` is worked, and why not (see :class:`DayStatus`)."""
        code = self.code_of(day.toordinal())
        if code == HOLIDAY:
            return DayStatus(False, "holiday", self.holiday_name(day), False, self.calendar_known)
        if code == CLOSED:
            return DayStatus(False, "closed", self._names.get(day.toordinal()), False, self.calendar_known)
        if code == WEEKEND:
            return DayStatus(False, "weekend", None, False, self.calendar_known)
        return DayStatus(True, None, None, code == MAKEUP_WORKDAY, self.calendar_known)

    def upcoming(self, start: dt.date, days: int = 14) -> list[UpcomingDay]:
        """Holidays, weekend days, make-up working days, closures and half days from ``start``."""
        found: list[UpcomingDay] = []
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            code = self.code_of(day.toordinal())
            if code == HOLIDAY:
                found.append(UpcomingDay(day, "holiday", self.holiday_name(day)))
            elif code == WEEKEND:
                found.append(UpcomingDay(day, "weekend", None))
            elif code == MAKEUP_WORKDAY:
                found.append(UpcomingDay(day, "makeup_workday", self.holiday_name(day)))
            elif code == CLOSED:
                found.append(UpcomingDay(day, "closed", self._names.get(day.toordinal())))
            elif code == HALF_DAY:
                found.append(UpcomingDay(day, "half_day", self._names.get(day.toordinal())))
        return found


def _runs(dates: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive dates grouped into (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in dates:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        elif not runs or day > runs[-1][1]:
            runs.append((day, day))
    return runs


def _company_calendar(code: str) -> CompanyCalendar:
    # Imported here: the cards module loads YAML files, which plain calendar questions never need.
    from cultures.cards import card_for

    try:
        return card_for(code).calendar
    except CultureError:
        return NO_CALENDAR


@functools.lru_cache(maxsize=2048)
def _calendar(code: str, subdiv: str | None) -> CountryCalendar:
    return CountryCalendar(code, subdiv)


def country_calendar(
    code: str,
    subdiv: str | None = None,
    years: int | range | list[int] | tuple[int, ...] | None = None,
) -> CountryCalendar:
    """The cached calendar of a country (alpha-2 code) and optional subdivision.

    ``subdiv`` is a code or name the ``holidays`` library knows (``CA``, ``US-CA``,
    ``California``); unknown ones raise :class:`UnknownSubdivision`. ``years`` are computed
    at once; others on first use.
    """
    code = code.strip().upper()
    if subdiv:
        subdiv = resolve_subdivision(code, subdiv).code
    calendar = _calendar(code, subdiv or None)
    if years is not None:
        calendar.prepare(years)
    return calendar


def day_status(day: dt.date, code: str, subdiv: str | None = None) -> DayStatus:
    """Whether ``day`` is a working day in a country (and subdivision), and why not."""
    return country_calendar(code, subdiv).day_status(day)


def upcoming(code: str, subdiv: str | None, start_date: dt.date, days: int = 14) -> list[UpcomingDay]:
    """Public holidays, weekend days and make-up working days in the ``days`` from ``start_date``.

    ``start_date`` is the client's local today; ``subdiv`` may be None.
    """
    return country_calendar(code, subdiv).upcoming(start_date, days)
