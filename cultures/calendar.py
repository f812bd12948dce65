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

from cultures.countries import resolve_subdivision
from cultures.errors import UnknownSubdivision

logger = logging.getLogger(__name__)

__all__ = [
    "HOLIDAY",
    "MAKEUP_WORKDAY",
    "WEEKEND",
    "WORKING",
    "CountryCalendar",
    "DayStatus",
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

_FALLBACK_WEEKEND = frozenset({5, 6})
DayKind = Literal["holiday", "weekend", "makeup_workday"]


@dataclass(frozen=True, slots=True)
class DayStatus:
    """Whether a date is worked in a country, and why not.

    ``reason`` is ``None`` on a working day, else ``"holiday"`` (with ``holiday_name``;
    a holiday on a weekend is still a holiday) or ``"weekend"``. ``makeup_workday`` marks a
    weekend day that is worked. ``calendar_known`` is False when the ``holidays`` library
    does not cover the country and a Saturday–Sunday weekend was assumed.
    """

    working: bool
    reason: Literal["weekend", "holiday"] | None
    holiday_name: str | None
    makeup_workday: bool
    calendar_known: bool = True


@dataclass(frozen=True, slots=True)
class UpcomingDay:
    """A day worth knowing about: a public holiday, a weekend day or a make-up working day."""

    date: dt.date
    kind: DayKind
    name: str | None


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
        self._years: set[int] = set()
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
            self._codes.update(codes)
            self._years.add(year)

    def code_of(self, ordinal: int) -> int:
        """The day code (WORKING, WEEKEND, HOLIDAY, MAKEUP_WORKDAY) of a date ordinal; fast."""
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
        if code == WEEKEND:
            return DayStatus(False, "weekend", None, False, self.calendar_known)
        return DayStatus(True, None, None, code == MAKEUP_WORKDAY, self.calendar_known)

    def upcoming(self, start: dt.date, days: int = 14) -> list[UpcomingDay]:
        """Holidays, weekend days and make-up working days from ``start`` for ``days`` days."""
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
        return found


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
