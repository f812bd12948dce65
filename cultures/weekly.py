"""Business hours per weekday, and the ways people write hours (``08:30-12:00, 13:00-17:00``).

Pure and small: ``WeeklyHours`` is the table a culture card (or a client's own ``hours:``) gives;
``parse_hours`` and ``parse_shift`` read what people type; ``format_intervals`` writes it back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cultures.errors import HoursFormatError

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: A span of the day in minutes after local midnight: ``(start, end)``, end exclusive, 0..1440.
Interval = tuple[int, int]


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def format_intervals(intervals: Iterable[Interval], separator: str = ", ") -> str:
    """Render intervals as ``09:00–12:00, 13:00–17:00`` (``closed`` when there are none)."""
    parts = [f"{_format_minute(start)}–{_format_minute(end)}" for start, end in intervals]
    return separator.join(parts) if parts else "closed"


# Card files are written by us: exactly HH:MM-HH:MM. People typing /rapport hours get more slack.
_STRICT_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_LOOSE_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(h|am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_LOOSE_DASH = re.compile(r"\s*(?:-|–|—|\bto\b|\buntil\b)\s*", re.IGNORECASE)


def _loose_minute(text: str, whole: str) -> int:
    compact = text.strip().replace(" ", "")
    if re.fullmatch(r"\d{3,4}", compact):  # 0900, 930
        compact = f"{compact[:-2]}:{compact[-2:]}"
    match = _LOOSE_TIME.match(compact)
    if not match:
        raise HoursFormatError(whole, f"“{text.strip()}” is not a time of day")
    hour = int(match.group(1))
    minute = int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower().replace(".", "")
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise HoursFormatError(whole, f"“{text.strip()}” is not a time of day")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise HoursFormatError(whole, f"“{text.strip()}” is not a time of day")
    return hour * 60 + minute


def _check_intervals(intervals: list[Interval], whole: str) -> tuple[Interval, ...]:
    intervals.sort()
    merged: list[Interval] = []
    for start, end in intervals:
        if end <= start:
            raise HoursFormatError(
                whole,
                f"{_format_minute(start)}-{_format_minute(end)} ends before it starts "
                "(overnight hours are not supported)",
            )
        if merged and start < merged[-1][1]:
            raise HoursFormatError(whole, "the time ranges overlap")
        if merged and start == merged[-1][1]:  # 09:00-12:00,12:00-17:00 is one stretch
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_hours(text: str) -> tuple[Interval, ...]:
    """Parse hours like ``09:00-12:00,13:00-17:00`` into sorted ``(start, end)`` minute pairs.

    Accepts ``9-17``, ``8:30–17:00``, ``9am-5pm``, ``0900-1700`` and several ranges
    separated by commas or semicolons (a gap between ranges is a lunch break). ``24:00`` is
    the end of the day. Raises :class:`HoursFormatError` (a ``ValueError``) with a readable
    message otherwise.
    """
    if not text or not text.strip():
        raise HoursFormatError(text or "", "no hours given")
    intervals: list[Interval] = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        pieces = _LOOSE_DASH.split(part.strip())
        if len(pieces) != 2 or not all(p.strip() for p in pieces):
            raise HoursFormatError(text, f"“{part.strip()}” is not a range like 09:00-17:00")
        intervals.append((_loose_minute(pieces[0], text), _loose_minute(pieces[1], text)))
    if not intervals:
        raise HoursFormatError(text, "no hours given")
    return _check_intervals(intervals, text)


def parse_shift(text: str) -> Interval:
    """Parse one range of working hours, which may run past midnight (``22:00-06:00``).

    Returns ``(start_minute, end_minute)``; ``end < start`` means the shift ends the next
    day. Raises :class:`HoursFormatError` for anything else, including several ranges.
    """
    if not text or not text.strip():
        raise HoursFormatError(text or "", "no hours given")
    if re.search(r"[,;]", text.strip().strip(",;")):
        raise HoursFormatError(text, "give one range of working hours, like 09:00-18:00")
    pieces = _LOOSE_DASH.split(text.strip().strip(",;").strip())
    if len(pieces) != 2 or not all(p.strip() for p in pieces):
        raise HoursFormatError(text, f"“{text.strip()}” is not a range like 09:00-17:00")
    start, end = _loose_minute(pieces[0], text), _loose_minute(pieces[1], text)
    if start == 1440:
        start = 0
    if end == 0 and start:  # 22:00-00:00 ends at midnight
        end = 1440
    if start == end:
        raise HoursFormatError(text, "the range is empty")
    return start, end


def parse_card_ranges(ranges: Sequence[str]) -> tuple[Interval, ...]:
    intervals: list[Interval] = []
    joined = ",".join(ranges)
    for item in ranges:
        match = _STRICT_RANGE.match(item)
        if not match:
            raise HoursFormatError(joined, f"“{item}” is not written as HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        for hour, minute in ((h1, m1), (h2, m2)):
            if minute > 59 or hour > 24 or (hour == 24 and minute):
                raise HoursFormatError(joined, f"“{item}” is not a time range within one day")
        intervals.append((h1 * 60 + m1, h2 * 60 + m2))
    return _check_intervals(intervals, joined)


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Business hours per weekday: ``days[0]`` is Monday … ``days[6]`` Sunday.

    Each day is a sorted tuple of ``(start_minute, end_minute)`` intervals; the gap between
    two intervals is the lunch break. Whether a day is worked at all (weekend, public
    holiday, make-up working day) is the calendar's business, not this table's.
    """

    days: tuple[tuple[Interval, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("WeeklyHours needs exactly seven days (Monday first)")

    @classmethod
    def uniform(cls, intervals: Iterable[Interval]) -> WeeklyHours:
        """The same intervals on every day of the week."""
        day = tuple(intervals)
        return cls((day,) * 7)

    @classmethod
    def parse(cls, text: str) -> WeeklyHours:
        """Every day with the hours written in ``text`` (see :func:`parse_hours`)."""
        return cls.uniform(parse_hours(text))

    def on(self, weekday: int) -> tuple[Interval, ...]:
        """Intervals of a weekday (0 = Monday)."""
        return self.days[weekday]

    def lunch_breaks(self, weekday: int) -> tuple[Interval, ...]:
        """The gaps between a weekday's intervals."""
        day = self.days[weekday]
        return tuple((day[i][1], day[i + 1][0]) for i in range(len(day) - 1))

    def describe(self, weekdays: Iterable[int] = range(7)) -> str:
        """A short human summary, e.g. ``Mon–Thu 09:00–12:00, 13:00–17:00; Fri 09:00–15:00``.

        ``weekdays`` limits it to the days worked (the calendar knows which those are);
        when all of them share the same hours only the hours are given.
        """
        groups: list[tuple[int, int, tuple[Interval, ...]]] = []
        for index in sorted(set(weekdays)):
            day = self.days[index]
            if groups and groups[-1][2] == day and groups[-1][1] == index - 1:
                groups[-1] = (groups[-1][0], index, day)
            else:
                groups.append((index, index, day))
        if len({day for _, _, day in groups}) <= 1:
            return format_intervals(groups[0][2]) if groups else "closed"
        parts = []
        for first, last, day in groups:
            label = WEEKDAY_KEYS[first].title()
            if last != first:
                label += f"–{WEEKDAY_KEYS[last].title()}"
            parts.append(f"{label} {format_intervals(day)}")
        return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# Card
