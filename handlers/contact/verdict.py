"""The verdict in plain words: the line every `/contact` answer opens with (see CONTRACT)."""

from __future__ import annotations

from cultures.hours import Verdict

REASON_WORDS = {
    "night": "night",
    "lunch": "lunch break",
    "weekend": "weekend",
    "outside business hours": "outside business hours",
}


def reason_words(verdict: Verdict) -> str:
    """Why a moment is not good, in plain words (``public holiday (New Year's Day)``)."""
    if verdict.reason == "holiday":
        return f"public holiday ({verdict.holiday_name})" if verdict.holiday_name else "public holiday"
    if verdict.reason == "closed":
        return f"closed ({verdict.holiday_name})" if verdict.holiday_name else "closed"
    if verdict.reason == "outside business hours" and verdict.hours_note == "Ramadan hours":
        return "outside Ramadan hours"
    words = REASON_WORDS.get(verdict.reason or "", verdict.reason or "")
    if verdict.hours_note and verdict.reason in ("outside business hours", "lunch"):
        return f"{words} ({verdict.hours_note})"
    return words


PAST = "that moment is in the past"


def verdict_line(name: str, verdict: Verdict, past: bool = False) -> str:
    """``Good time to contact <name>`` or ``Not a good time to contact <name>: <reason>``.

    A proposed moment that has passed is never a good time, whatever it would have been.
    """
    if past:
        return f"Not a good time to contact {name}: {PAST}"
    if verdict.good:
        return f"Good time to contact {name}"
    return f"Not a good time to contact {name}: {reason_words(verdict)}"
