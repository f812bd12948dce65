"""Reading ``<when>``: what a person typed (``in 3 days``, ``next tuesday 10:00``, ``2026-12-01``,
``every 2 weeks``, ``2h`` for a snooze) into a :class:`Wish` on the client's wall clock (``my time``
reads it on the owner's), a recurrence :class:`Rule`, or a duration. Where the wish then fires is
``handlers.followups.schedule``.

Everything here is pure: the current instant is passed in.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import dateparser
import pendulum

from cultures.hours import (
    local_instant,
)
from handlers.common.errors import UserError
from handlers.common.times import impossible_time

PAST_TOLERANCE = dt.timedelta(minutes=1)
MAX_AHEAD = dt.timedelta(days=5 * 366)

WHEN_EXAMPLES = (
    "`in 3 days`, `tomorrow`, `next tuesday 10:00`, `in 2 hours`, `2026-12-01`, `2026-12-01 10:00` "
    "(their time; add `my time` for yours), `end of month`, `every 2 weeks`, `every month`, `every working day`"
)


class WhenError(UserError):
    """``<when>`` looks like a time but cannot be used (impossible date, in the past…)."""


class NotAWhen(Exception):
    """The words are not a time expression at all (the caller tries fewer words)."""


# --------------------------------------------------------------------------------------------
# Recurrence rules

_UNITS = {"day": "day", "week": "week", "fortnight": "week", "month": "month", "quarter": "month", "year": "year"}
_LIMITS = {"day": 365, "week": 104, "month": 60, "year": 5, "workday": 1}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_WORDS = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name[:3]: i for i, name in enumerate(WEEKDAYS[:5])},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "every": 1, "other": 2, "two": 2, "three": 3, "four": 4, "six": 6}


@dataclass(frozen=True)
class Rule:
    """How often a follow-up comes back: every ``every`` ``unit`` (``workday``: each working day)."""

    unit: str  # day | week | month | year | workday
    every: int = 1
    weekday: int | None = None  # for "every monday": only used to describe the rule

    @property
    def key(self) -> str:
        """The stored form, e.g. ``week:2``; ``week:1:0`` for every Monday."""
        return f"{self.unit}:{self.every}" + (f":{self.weekday}" if self.weekday is not None else "")

    @classmethod
    def from_key(cls, key: str) -> Rule:
        unit, every, *weekday = key.split(":")
        return cls(unit, int(every), int(weekday[0]) if weekday else None)

    def describe(self) -> str:
        """``every 2 weeks``, ``every Monday``, ``every working day`` …"""
        if self.unit == "workday":
            return "every working day"
        if self.weekday is not None:
            day = WEEKDAYS[self.weekday].capitalize()
            return f"every {day}" if self.every == 1 else f"every {self.every} weeks on {day}"
        return f"every {self.unit}" if self.every == 1 else f"every {self.every} {self.unit}s"


# --------------------------------------------------------------------------------------------
# What the person asked for


@dataclass(frozen=True)
class Wish:
    """A wished-for moment on a wall clock, before it is moved to a good moment.

    ``local`` is naive, read in ``zone``. ``timed`` is False when no time of day was given
    (``tomorrow``, ``2026-12-01``): then the first good moment of that day is meant.
    ``rule`` makes it the first occurrence of a recurring follow-up.
    """

    local: dt.datetime
    zone: str
    timed: bool
    rule: Rule | None = None

    def start(self, now: dt.datetime) -> dt.datetime:
        """The instant from which a good moment is looked for (aware UTC)."""
        minute = self.local.hour * 60 + self.local.minute if self.timed else 0
        instant = _utc(local_instant(self.zone, self.local.date(), minute))
        if self.timed:
            instant += dt.timedelta(seconds=self.local.second)
        return max(instant, now) if not self.timed else instant


def _utc(instant: dt.datetime) -> dt.datetime:
    return dt.datetime.fromtimestamp(instant.timestamp(), dt.UTC)


def local_now(now: dt.datetime, zone: str) -> dt.datetime:
    """``now`` on the wall clock of ``zone``, naive."""
    return now.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


# Words a time expression may be made of. Anything else ends it (the rest is <what>); this keeps
# dateparser, which happily reads "may" or "2" as dates, from eating the follow-up's text.
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_UNIT_WORDS = set(
    "minute minutes min mins hour hours hr hrs h day days week weeks fortnight fortnights "
    "month months year years".split()
)
_PLAIN_WORDS = set(
    "in at on by next this coming last yesterday now asap tomorrow today tonight "
    "morning afternoon evening noon midday midnight "
    "end of the a an am pm their my your time local from starting beginning every other working business "
    "workday workdays weekday weekdays and half after one two three four six quarter quarters".split()
)
_WEEKDAY_TOKENS = set(_WEEKDAY_WORDS) | {f"{d}s" for d in WEEKDAYS}
_TIME = re.compile(r"^(?:[01]?\d|2[0-3])(?::[0-5]\d)?(?:am|pm|a\.m\.|p\.m\.)?$|^(?:[01]?\d|2[0-3])h(?:[0-5]\d)?$")
_CLOCK = re.compile(r"^(?:[01]?\d|2[0-3]):[0-5]\d$|^(?:1[0-2]|0?\d)(?::[0-5]\d)?(?:am|pm|a\.m\.|p\.m\.)$")
_ORDINAL = re.compile(r"^\d{1,2}(?:st|nd|rd|th)$")
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$", re.I)
_INT = re.compile(r"^\d{1,4}$")
_OWNER_ZONE = re.compile(r"\s+(?:my|your)\s+(?:local\s+)?time$", re.I)
_CLIENT_ZONE = re.compile(r"\s+(?:their|client'?s?|local)\s+(?:local\s+)?time$", re.I)
_DANGLING = {"in", "at", "on", "by", "of", "the", "next", "this", "every", "from", "starting", "a", "an", "end", "and"}


def _time_like(tokens: list[str]) -> bool:
    """True when every token may belong to a time expression, in a plausible order."""
    if not tokens or tokens[-1] in _DANGLING:
        return False
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in ("a", "an"):
            if before not in ("in", "half") or after not in _UNIT_WORDS:
                return False
        elif token in _UNIT_WORDS:
            counted = _INT.match(before) or before in _NUMBER_WORDS
            if not (counted or before in ("half", "next", "this", "the", "of", "other", "coming")):
                return False
        elif token in _PLAIN_WORDS or token in _WEEKDAY_TOKENS:
            continue
        elif token in _MONTHS:
            # "may" or "march" alone are words; a month needs a day number beside it.
            if not any(_INT.match(word) or _ORDINAL.match(word) for word in (before, after)):
                return False
        elif _ISO_DATE.match(token) or _ISO_MOMENT.match(token) or _ORDINAL.match(token):
            continue
        elif _CLOCK.match(token) or (_TIME.match(token) and not _INT.match(token)):
            continue
        elif _INT.match(token):
            # A bare number needs a unit or a month beside it ("in 3 days", "1 dec", "dec 1 2026").
            month_near = before in _MONTHS or after in _MONTHS or (i >= 2 and tokens[i - 2] in _MONTHS)
            if not (after in _UNIT_WORDS or month_near or (after in ("am", "pm") and int(token) <= 12)):
                return False
        else:
            return False
    return True


def _has_time_of_day(tokens: list[str]) -> bool:
    for i, token in enumerate(tokens):
        if token in ("noon", "midday", "midnight", "morning", "afternoon", "evening", "tonight"):
            return True
        if token in ("minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "h"):
            return True
        if _CLOCK.match(token) or _ISO_MOMENT.match(token):
            return True
        if _TIME.match(token) and not _INT.match(token):
            return True
        if token in ("am", "pm") and i and _INT.match(tokens[i - 1]):
            return True
    return False


def _check_iso_date(token: str) -> None:
    match = _ISO_DATE.match(token)
    if not match:
        return
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise WhenError(f"`{token}` is not a date: there is no month {month}. Write dates as YYYY-MM-DD.")
    try:
        dt.date(year, month, day)
    except ValueError:
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        name = dt.date(year, month, 1).strftime("%B")
        raise WhenError(f"`{token}` is not a date: {name} {year} has {last} days.") from None


def _check_time_of_day(tokens: list[str]) -> None:
    """Refuse an impossible time of day (``25:00``, ``10:75``, ``13pm``) where the time would be.

    Only where it continues the time expression (``2026-12-10 25:00``, ``tomorrow at 24:30``, or
    first): such a word is no time, so it would otherwise silently end ``<when>`` and begin the
    reminder text. Further on it belongs to the text (``call at 10:00 about the 25:00 slot``).
    """
    found = impossible_time(tokens)
    if found is None:
        return
    index, message = found
    before = tokens[:index]
    while before and before[-1] in _DANGLING:
        before.pop()
    if not before or _time_like(before):
        raise WhenError(message)


def read_when(text: str, now: dt.datetime, client_zone: str, owner_zone: str) -> Wish:
    """Read ``<when>`` typed by a person; ``now`` is aware UTC.

    Raises :class:`NotAWhen` when the words are not a time expression and :class:`WhenError`
    when they are one that cannot be used (impossible date, in the past, too far ahead).
    """
    text = " ".join(text.split())
    zone = client_zone
    if _OWNER_ZONE.search(text):
        text, zone = _OWNER_ZONE.sub("", text), owner_zone
    elif _CLIENT_ZONE.search(text):
        text = _CLIENT_ZONE.sub("", text)
    lowered = text.lower().rstrip(",.;")
    tokens = lowered.split()
    if not tokens:
        raise NotAWhen(text)
    for token in tokens:
        _check_iso_date(token)
    _check_time_of_day(tokens)
    if tokens[0] == "every":
        return _read_rule(lowered, now, zone, client_zone, owner_zone)
    wish = _read_moment(lowered, tokens, now, zone)
    _check_range(wish, now, text)
    return wish


def _read_moment(lowered: str, tokens: list[str], now: dt.datetime, zone: str) -> Wish:
    if len(tokens) <= 2 and _ISO_MOMENT.match(lowered.replace(" ", "T", 1) if len(tokens) == 2 else lowered):
        moment = dt.datetime.fromisoformat(lowered.replace(" ", "T", 1).upper().replace("Z", "+00:00"))
        return Wish(moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None), zone, True)
    if not _time_like(tokens):
        raise NotAWhen(lowered)
    base = local_now(now, zone)
    special = _special_day(lowered, base.date())
    if special is not None:
        return Wish(dt.datetime.combine(special, dt.time()), zone, False)
    if lowered in ("today", "now", "asap"):
        return Wish(base if lowered != "today" else base.replace(hour=0, minute=0), zone, lowered != "today")
    lowered = re.sub(r"\bhalf an? hour\b", "30 minutes", lowered)
    parsed = dateparser.parse(
        lowered,
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False},
    )
    if parsed is None:
        raise NotAWhen(lowered)
    timed = _has_time_of_day(tokens)
    if not timed:
        parsed = parsed.replace(hour=0, minute=0, second=0, microsecond=0)
    if parsed.second or parsed.microsecond:  # "in 10 minutes" at 11:26:38: 11:37, never before it is due
        parsed += dt.timedelta(minutes=1)
    return Wish(parsed.replace(second=0, microsecond=0, tzinfo=None), zone, timed)


def _special_day(lowered: str, today: dt.date) -> dt.date | None:
    """Phrases dateparser does not know: the end of this month or week."""
    match = re.fullmatch(r"(?:by |at )?(?:the )?end of (?:the |this )?(next )?(month|week)", lowered)
    if not match:
        return None
    if match[2] == "month":
        first = today.replace(day=1)
        months = 2 if match[1] else 1
        year, month = first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1
        return dt.date(year, month, 1) - dt.timedelta(days=1)
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7)
    return friday + dt.timedelta(days=7) if match[1] else friday


def _check_range(wish: Wish, now: dt.datetime, text: str) -> None:
    today = local_now(now, wish.zone).date()
    if wish.timed:
        instant = _utc(local_instant(wish.zone, wish.local.date(), wish.local.hour * 60 + wish.local.minute))
        if instant < now - PAST_TOLERANCE:
            shown = wish.local.strftime("%a %d %b %Y %H:%M")
            raise WhenError(f"`{text}` is in the past ({shown}, {city(wish.zone)} time). Pick a moment ahead.")
    elif wish.local.date() < today:
        raise WhenError(f"`{text}` is in the past ({wish.local:%a %d %b %Y}). Pick a day ahead.")
    if wish.local - local_now(now, wish.zone) > MAX_AHEAD:
        raise WhenError(f"`{text}` is more than five years ahead; pick a nearer moment.")


_RULE = re.compile(
    r"^every\s+(?:(?P<n>\d{1,3}|other|two|three|four|six)\s+)?"
    r"(?P<unit>working\s+days?|business\s+days?|work\s?days?|weekdays?|days?|weeks?|fortnights?|months?|quarters?|years?"
    r"|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?)"
    r"(?:\s+(?:at\s+)?(?P<time>(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:am|pm)|(?:[01]?\d|2[0-3]):[0-5]\d|noon|midday))?"
    r"(?:\s+(?:from|starting|beginning)(?:\s+on)?\s+(?P<start>.+))?$"
)


def _read_rule(lowered: str, now: dt.datetime, zone: str, client_zone: str, owner_zone: str) -> Wish:
    match = _RULE.match(lowered)
    if not match:
        if _time_like(lowered.split()):
            raise WhenError(
                f"I can't read the repetition `{lowered}`. Say `every 2 weeks`, `every month`, `every monday 10:00`, "
                "`every working day` (optionally `from 2026-12-01`)."
            )
        raise NotAWhen(lowered)
    n_text, unit_text = match["n"], re.sub(r"\s+", " ", match["unit"]).rstrip("s")
    every = int(n_text) if n_text and n_text.isdigit() else _NUMBER_WORDS.get(n_text or "", 1)
    weekday = None
    if unit_text in ("working day", "business day", "workday", "work day", "weekday"):
        unit = "workday"
    elif unit_text in WEEKDAYS:
        unit, weekday = "week", WEEKDAYS.index(unit_text)
    else:
        unit = _UNITS[unit_text]
        every *= 2 if unit_text == "fortnight" else 3 if unit_text == "quarter" else 1
    if every < 1 or every > _LIMITS[unit]:
        if unit == "workday":
            raise WhenError(
                "Working-day repetitions go every working day; for longer gaps say `every 2 days` or `every week`."
            )
        raise WhenError(f"`{lowered}`: repeat at most every {_LIMITS[unit]} {unit}s, at least every 1.")
    rule = Rule(unit, every, weekday)
    base = local_now(now, zone)
    clock = _read_clock(match["time"]) if match["time"] else None
    if match["start"]:
        start = read_when(match["start"], now, client_zone, owner_zone)
        if start.rule is not None:
            raise WhenError("Give one repetition, then `from <day>`: `every month from 2026-12-01`.")
        day = start.local.date()
        if clock is None and start.timed:
            clock = start.local.time()
        first = day
    else:
        first = None
    timed = clock is not None
    time_of_day = clock or dt.time()
    ahead_today = timed and dt.datetime.combine(base.date(), time_of_day) > base
    today = base.date()
    if first is None:
        if unit == "day":
            first = today if ahead_today else today + dt.timedelta(days=1)
        elif unit == "workday" or weekday is not None:
            first = today if ahead_today else today + dt.timedelta(days=1)
        else:
            first = pendulum.date(today.year, today.month, today.day).add(**{f"{unit}s": every})
            first = dt.date(first.year, first.month, first.day)
    if weekday is not None:
        first += dt.timedelta(days=(weekday - first.weekday()) % 7)
    wish = Wish(dt.datetime.combine(first, time_of_day), zone, timed, rule)
    _check_range(wish, now, lowered)
    return wish


def _read_clock(text: str) -> dt.time:
    text = text.replace(" ", "")
    if text in ("noon", "midday"):
        return dt.time(12)
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", text)
    if not match:
        raise WhenError(f"`{text}` is not a time of day; write it like 09:30 or 3pm.")
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise WhenError(f"`{text}` is not a time of day; write it like 09:30 or 3pm.")
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    return dt.time(hour, minute)


_DURATION_PART = (
    r"\b(?:(?P<n>\d{1,4}|(?:an?|one|two|three|half an?)(?=\s))\s*)?"
    r"(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)(?![a-z])"
)
_DURATION_PART_RE = re.compile(_DURATION_PART)
_DURATION = re.compile(rf"^(?:\s*(?:and\s+)?{_DURATION_PART.replace('?P<n>', '?:').replace('?P<unit>', '?:')}\s*,?)+$")
_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> dt.timedelta:
    """``1h``, ``90 minutes``, ``2 days``, ``1 week``, ``an hour``, ``1h 30m`` → a timedelta (5 minutes to 90 days)."""
    cleaned = " ".join(text.lower().removeprefix("for ").split())
    if not cleaned or not _DURATION.match(cleaned):
        raise WhenError(f"`{text}` is not a duration: write `1h`, `30m`, `2 days` or `1 week`.")
    total = dt.timedelta()
    for match in _DURATION_PART_RE.finditer(cleaned):
        n_text = match["n"] or "1"
        if n_text.startswith("half"):
            amount = 0.5
        else:
            amount = int(n_text) if n_text.isdigit() else _NUMBER_WORDS.get(n_text, 1)
        total += dt.timedelta(seconds=_SECONDS[match["unit"][0]] * amount)
    if total < dt.timedelta(minutes=5) or total > dt.timedelta(days=90):
        raise WhenError(f"`{text}`: snooze for at least 5 minutes and at most 90 days.")
    return total


def city(zone: str) -> str:
    """The city part of an IANA zone name, for people: ``America/New_York`` → ``New York``."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
