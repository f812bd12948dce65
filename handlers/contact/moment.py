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

from cultures.hours import timezone
from handlers.common.errors import UserError
from handlers.common.times import impossible_time

THEIR_TIME = re.compile(r"\s*\(?\b(?:in\s+)?(?:their|client'?s?|the client'?s|local)\s+(?:local\s+)?time\)?\s*$", re.I)
MY_TIME = re.compile(r"\s*\(?\b(?:in\s+)?(?:my|our)\s+(?:local\s+)?time\)?\s*$", re.I)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$", re.I)
EXAMPLES = "`at tomorrow 15:00` (your time), `at 2026-12-24 10:00 their time` or `at 2026-12-24T09:00Z`"


class UnreadableMoment(UserError):
    """The text after ``at`` is not a moment we can read."""

    def __init__(self, text: str) -> None:
        super().__init__(f"I can't read “{text}” as a moment. Try {EXAMPLES}.")


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
    parsed: dt.datetime | None
    if _ISO.match(when):
        try:
            parsed = dt.datetime.fromisoformat(when.upper().replace("Z", "+00:00"))
        except ValueError:
            raise UnreadableMoment(raw) from None
        if parsed.tzinfo is not None:
            return parsed.astimezone(dt.UTC), zone
        return _on_wall_clock(parsed, zone), zone
    base = now.astimezone(timezone(zone)).replace(tzinfo=None)
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
        naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second, tz=timezone(zone)
    )
    return dt.datetime.fromtimestamp(local.timestamp(), dt.UTC)
