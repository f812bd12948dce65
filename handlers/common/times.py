"""Times of day typed by people: telling an impossible one (``25:00``) from a number."""

from __future__ import annotations

import re

# A word shaped like a time of day: ``25:00``, ``10:75``, ``7:30pm``, ``13pm`` (the numbers are checked after).
_CLOCK_WORD = re.compile(r"(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2}))?)?\s?(?P<half>[ap]\.?m\.?)?", re.I)
_ISO_CLOCK = re.compile(r"^\d{4}-\d{2}-\d{2}T(?P<clock>[\d:]+)(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$", re.I)
_HALVES = ("am", "pm", "a.m.", "p.m.", "a.m", "p.m")


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
