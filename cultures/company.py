"""The calendar companies keep, beyond public holidays: closures, half days, slow seasons, Ramadan.

A country card may carry a ``calendar:`` section (format in the README, "Culture cards"):

- ``closed_categories`` / ``half_day_categories``: categories of the ``holidays`` library
  (``bank``, ``de_facto``, ``optional``, ``half_day`` …) whose days offices of that country
  close, or close early. The library is the first source; the card only chooses which of its
  categories mean "the office is shut" (Sweden's ``de_facto`` Midsummer Eve) — China's
  ``half_day`` category, for instance, is for some groups of people only and is not taken.
- ``closed`` / ``half_days``: a small sourced table of what the library lacks (Japan's year-end
  closure 29 Dec–3 Jan), as month-day ranges that may cross New Year.
- ``slow``: seasons when answers come slower (August in France): advice only; nothing moves.
- ``ramadan``: the working hours during Ramadan where labour law or practice shortens the day.
  Its dates come from the Umm al-Qura calendar of the ``hijridate`` library, never from a table.

Client closures (``/client edit acme closed:2026-12-23..2027-01-06``) are :class:`Closure`
values too and are applied per client by ``cultures.hours``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from cultures.weekly import Interval, WeeklyHours

__all__ = [
    "Closure",
    "CompanyCalendar",
    "HalfDay",
    "MonthDaySpan",
    "Season",
    "format_span",
    "half_day_cutoff",
    "ramadan_days",
    "says_early_close",
]


@dataclass(frozen=True, slots=True)
class MonthDaySpan:
    """A yearly span of days, ``(month, day)`` to ``(month, day)`` inclusive; may cross New Year."""

    start: tuple[int, int]
    end: tuple[int, int]

    @classmethod
    def parse(cls, text: str) -> MonthDaySpan:
        """``"12-29..01-03"`` or one day ``"12-24"`` (ValueError when malformed or impossible)."""
        parts = [part.strip() for part in text.split("..")]
        if len(parts) not in (1, 2):
            raise ValueError(f'must be "MM-DD" or "MM-DD..MM-DD", got {text!r}')
        days = []
        for part in parts:
            match = re.fullmatch(r"(\d{2})-(\d{2})", part)
            if not match:
                raise ValueError(f'must be "MM-DD" or "MM-DD..MM-DD", got {text!r}')
            month, day = int(match.group(1)), int(match.group(2))
            dt.date(2024, month, day)  # a leap year: 02-29 is allowed; ValueError otherwise
            days.append((month, day))
        return cls(days[0], days[-1])

    def dates_in(self, year: int) -> list[dt.date]:
        """The days of this span that fall in ``year`` (a span crossing New Year gives both ends)."""
        found = []
        for first_year in (year - 1, year):
            start = _date(first_year, self.start)
            end_year = first_year + (1 if self.end < self.start else 0)
            end = _date(end_year, self.end)
            if start is None or end is None:
                continue
            day = start
            while day <= end:
                if day.year == year:
                    found.append(day)
                day += dt.timedelta(days=1)
        return sorted(set(found))

    def __str__(self) -> str:
        first = dt.date(2024, *self.start).strftime("%d %b").lstrip("0")
        if self.start == self.end:
            return first
        return f"{first}–{dt.date(2024, *self.end).strftime('%d %b').lstrip('0')}"


def _date(year: int, month_day: tuple[int, int]) -> dt.date | None:
    try:
        return dt.date(year, *month_day)
    except ValueError:  # 29 Feb in a common year
        return None


@dataclass(frozen=True, slots=True)
class Season:
    """A named span of a card's table: a closure or a slow season (with its advice)."""

    span: MonthDaySpan
    name: str
    advice: str | None = None


@dataclass(frozen=True, slots=True)
class HalfDay:
    """A day offices close early: at ``ends`` (minute of the day)."""

    span: MonthDaySpan
    name: str
    ends: int


@dataclass(frozen=True, slots=True)
class CompanyCalendar:
    """A country card's ``calendar:`` section, validated (see the module's docstring)."""

    closed_categories: tuple[str, ...] = ()
    half_day_categories: tuple[str, ...] = ()
    half_day_ends: int = 13 * 60
    closed: tuple[Season, ...] = ()
    half_days: tuple[HalfDay, ...] = ()
    slow: tuple[Season, ...] = ()
    ramadan: WeeklyHours | None = None
    ramadan_note: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.closed_categories
            or self.half_day_categories
            or self.closed
            or self.half_days
            or self.slow
            or self.ramadan
        )


NO_CALENDAR = CompanyCalendar()


@dataclass(frozen=True, slots=True)
class Closure:
    """A client's own closure: ``first`` to ``last`` inclusive, with an optional label."""

    first: dt.date
    last: dt.date
    label: str | None = None

    def __str__(self) -> str:
        text = format_span(self.first, self.last)
        return f"{text} {self.label}" if self.label else text

    @property
    def name(self) -> str:
        """How a verdict names it: the label, else "closure"."""
        return self.label or "client closure"


def format_span(first: dt.date, last: dt.date) -> str:
    """``2026-12-23..2027-01-06`` (one day: ``2026-12-23``): the way it is typed back."""
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


# "Midsummer Eve (from 2pm)", "Christmas Eve (from 1pm)", "(workday shortened by 3 hours)".
_FROM_HOUR = re.compile(r"from (\d{1,2})(?::(\d{2}))?\s*(am|pm)", re.IGNORECASE)
_SHORTENED = re.compile(r"shortened by (\d+) hours?", re.IGNORECASE)


def says_early_close(name: str) -> bool:
    """Whether a holiday's name gives the hour offices close ("Midsummer Eve (from 2pm)")."""
    return bool(_FROM_HOUR.search(name) or _SHORTENED.search(name))


def half_day_cutoff(name: str, hours: tuple[Interval, ...], default_end: int) -> int:
    """When work ends on a half day named ``name`` (by the ``holidays`` library or a card).

    The name says it where the library knows ("from 2pm"; "shortened by 3 hours" from the
    day's usual end); else the card's ``half_day_ends``.
    """
    match = _FROM_HOUR.search(name)
    if match:
        hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "pm" else 0)
        return hour * 60 + int(match.group(2) or 0)
    match = _SHORTENED.search(name)
    if match and hours:
        return max(hours[0][0], hours[-1][1] - int(match.group(1)) * 60)
    return default_end


@functools.lru_cache(maxsize=256)
def ramadan_days(year: int) -> frozenset[int]:
    """Date ordinals of the days of Ramadan that fall in Gregorian ``year`` (Umm al-Qura).

    Empty outside the library's range (1343–1500 AH, about 1924–2077).
    """
    from hijridate import Gregorian, Hijri

    days: set[int] = set()
    try:
        first_hijri = Gregorian(year, 1, 1).to_hijri().year
        last_hijri = Gregorian(year, 12, 31).to_hijri().year
        for hijri_year in range(first_hijri, last_hijri + 1):
            start = Hijri(hijri_year, 9, 1).to_gregorian()
            after = Hijri(hijri_year, 10, 1).to_gregorian()
            ordinal = start.toordinal()
            while ordinal < after.toordinal():
                if dt.date.fromordinal(ordinal).year == year:
                    days.add(ordinal)
                ordinal += 1
    except OverflowError:
        return frozenset()
    return frozenset(days)
