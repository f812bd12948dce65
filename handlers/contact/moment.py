"""Reading the proposed moment of `/contact <client> at <when>`.

``at tomorrow 15:00`` is in the asker's zone; ``at 2026-12-24 10:00 their time`` in the
client's; ISO 8601 with an offset or ``Z`` is an exact instant. Relative words are read
against the injected clock (dateparser's RELATIVE_BASE), never the system's.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

import dateparser
import pendulum

from handlers.common.errors import UserError

THEIR_TIME = re.compile(r"\s*\(?\b(?:in\s+)?(?:their|client'?s?|the client'?s|local)\s+(?:local\s+)?time\)?\s*$", re.I)
MY_TIME = re.compile(r"\s*\(?\b(?:in\s+)?(?:my|our)\s+(?:local\s+)?time\)?\s*$", re.I)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$", re.I)
EXAMPLES = "`at tomorrow 15:00` (your time), `at 2026-12-24 10:00 their time` or `at 2026-12-24T09:00Z`"
# A word shaped like a time of day: ``25:00``, ``10:75``, ``7:30pm``, ``13pm`` (the numbers are checked after).
_CLOCK_WORD = re.compile(r"(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s?(?P<half>[ap]\.?m\.?)?", re.I)
_ISO_CLOCK = re.compile(r"^\d{4}-\d{2}-\d{2}T(?P<clock>[\d:]+)(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$", re.I)
_HALVES = ("am", "pm", "a.m.", "p.m.", "a.m", "p.m")


class UnreadableMoment(UserError):
    """The text after ``at`` is not a moment we can read."""

    def __init__(self, text: str) -> None:
        super().__init__(f"I can't read “{text}” as a moment. Try {EXAMPLES}.")


def impossible_time(words: list[str]) -> tuple[int, str] | None:
    """The first word that is shaped like a time of day but is none (``25:00``, ``24:30``, ``10:75``,
    ``13pm``), as (its index, a message saying why); None when there is none.

    ``7pm``, ``07:30``, ``12am`` and ISO 8601's ``2026-12-24T09:00Z`` are times of day; ``3``
    alone is a number, not a time.
    """
    for index, word in enumerate(words):
        token = word.strip(",;()")
        shown = token
        iso = _ISO_CLOCK.match(token)
        if iso:
            token = shown = iso["clock"]
        following = words[index + 1].strip(",;()") if index + 1 < len(words) else ""
        if following.lower() in _HALVES and re.fullmatch(r"[\d:]+", token):
            token, shown = f"{token}{following}", f"{shown} {following}"
        match = _CLOCK_WORD.fullmatch(token)
        if match is None or (match["m"] is None and match["half"] is None):
            continue
        hour, minute, second = int(match["h"]), int(match["m"] or 0), int(match["s"] or 0)
        problem = None
        if match["half"] is not None and not 1 <= hour <= 12:
            problem = "with am or pm the hour goes from 1 to 12"
        elif hour > 23:
            problem = "hours go from 00 to 23"
        elif minute > 59:
            problem = "minutes go from 00 to 59"
        elif second > 59:
            problem = "seconds go from 00 to 59"
        if problem:
            return index, f"`{shown}` is not a time of day: {problem}."
    return None


def proposed_moment(text: str, now: dt.datetime, asker_zone: str, client_zone: str) -> tuple[dt.datetime, str]:
    """The UTC instant meant by ``text`` and the zone it was read in (``asker_zone`` unless “their time”).

    Raises :class:`UnreadableMoment`.
    """
    raw = text.strip()
    zone = asker_zone
    when = raw
    if THEIR_TIME.search(when):
        zone, when = client_zone, THEIR_TIME.sub("", when)
    elif MY_TIME.search(when):
        when = MY_TIME.sub("", when)
    when = when.strip()
    if not when:
        raise UnreadableMoment(raw)
    wrong = impossible_time(when.split())
    if wrong is not None:
        raise UserError(wrong[1])
    if _ISO.match(when):
        try:
            parsed = dt.datetime.fromisoformat(when.upper().replace("Z", "+00:00"))
        except ValueError:
            raise UnreadableMoment(raw) from None
        if parsed.tzinfo is not None:
            return parsed.astimezone(dt.UTC), zone
        return _on_wall_clock(parsed, zone), zone
    base = now.astimezone(pendulum.timezone(zone)).replace(tzinfo=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser warns about pytz/locale internals
        try:
            parsed = dateparser.parse(
                when,
                languages=["en"],
                settings={
                    "RELATIVE_BASE": base,
                    "PREFER_DATES_FROM": "future",
                    "TIMEZONE": zone,
                    "RETURN_AS_TIMEZONE_AWARE": True,
                },
            )
        except (ValueError, TypeError, OverflowError, OSError, LookupError):
            parsed = None
    if parsed is None:
        raise UnreadableMoment(raw)
    if parsed.tzinfo is None:
        return _on_wall_clock(parsed, zone), zone
    return parsed.astimezone(dt.UTC), zone


def _on_wall_clock(naive: dt.datetime, zone: str) -> dt.datetime:
    """A wall-clock time in ``zone`` as UTC (a time inside a DST gap moves forward by the gap)."""
    local = pendulum.datetime(
        naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second, tz=pendulum.timezone(zone)
    )
    return dt.datetime.fromtimestamp(local.timestamp(), dt.UTC)
