"""Block Kit and plain-text renderings of a `/contact` answer (pure: no Slack, no database).

Blocks are plain dicts: this is the hottest answer, and building slack_sdk model objects costs
more than the rest of the answer together (``Block.to_dict()`` validates on every call). Tests
parse every answer with ``Block.parse(...).validate_json()``; texts are cut to Slack's limits here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pendulum

from cultures.address import Addressing, Filled, blank_address
from cultures.calendar import Season, UpcomingDay
from cultures.cards import Card
from cultures.countries import Country
from cultures.hours import ClientHours, Verdict, Window, timezone
from cultures.languages import Language
from cultures.weekly import WEEKDAY_NAMES, Interval, WeeklyHours, format_intervals
from db.models import Client
from handlers.common.people import Member
from handlers.common.text import escape_mrkdwn
from handlers.contact.verdict import reason_words, verdict_line


@dataclass(frozen=True)
class Subject:
    """Who `/contact` is about: a client (with their record) or a country on its own."""

    name: str
    country: Country
    card: Card
    hours: ClientHours
    language: Language
    client: Client | None = None

    @property
    def zone(self) -> str:
        return self.hours.zone

    @property
    def weekly_hours(self) -> WeeklyHours:
        return self.hours.weekly_hours

    @property
    def own_hours(self) -> bool:
        """True when the client's own hours replace the card's."""
        return self.client is not None and bool(self.client.hours)


@dataclass(frozen=True)
class Advice:
    """Everything one `/contact` answer says, computed; ``blocks`` renders it."""

    subject: Subject
    now: dt.datetime
    at: dt.datetime
    proposed: bool
    verdict: Verdict
    past: bool
    windows: list[Window]
    shared: list[Window]
    ahead: list[UpcomingDay]
    weekend: frozenset[int]
    address: Addressing
    asker: Member | None = None
    remarks: list[str] = field(default_factory=list)
    #: Slow seasons and Ramadan overlapping the days ahead (advice; Ramadan also shortens hours).
    seasons: list[Season] = field(default_factory=list)


MAX_SECTION = 2900  # Slack: 3,000 characters per section text
FIELD_LIMIT = 1900  # Slack: 2,000 characters per section field


def _cut(text: str, limit: int = MAX_SECTION) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


BlockDict = dict[str, Any]


def _mrkdwn(text: str, limit: int = MAX_SECTION) -> dict[str, str]:
    return {"type": "mrkdwn", "text": _cut(text, limit)}


def _section(text: str) -> BlockDict:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> BlockDict:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _local(instant: dt.datetime, zone: str) -> pendulum.DateTime:
    return pendulum.instance(instant).in_timezone(timezone(zone))


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(moment: dt.date) -> str:
    """``Tue 24 Nov`` in English whatever the process locale (and far cheaper than a formatter)."""
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"


def _hm(moment: dt.datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def clock_time(instant: dt.datetime, zone: str) -> str:
    """``Mon 23 Nov, 11:00 CET`` on the wall clock of ``zone``."""
    local = _local(instant, zone)
    return f"{_day(local)}, {_hm(local)} {local.strftime('%Z')}"


def window_text(window: Window, zone: str, with_day: bool = True) -> str:
    """``Tue 24 Nov 08:30–12:00`` in ``zone`` (both days shown when it crosses midnight)."""
    start, end = window.in_zone(zone)
    day = f"{_day(start)} " if with_day else ""
    if start.date() == end.date() or (end.hour == 0 and end.minute == 0 and (end - start).days < 1):
        return f"{day}{_hm(start)}–{_hm(end)}"
    return f"{day}{_hm(start)} – {_day(end)} {_hm(end)}"


def weekend_words(days: frozenset[int]) -> str:
    """``Saturday and Sunday``, ``Friday``, or ``none``."""
    names = [WEEKDAY_NAMES[d] for d in sorted(days)]
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_text(advice: Advice) -> str:
    """The opening line, escaped for Slack."""
    return escape_mrkdwn(verdict_line(advice.subject.name, advice.verdict, advice.past))


def _moment_line(advice: Advice) -> str:
    zone = advice.subject.zone
    their = clock_time(advice.at, zone)
    if advice.asker is not None and advice.asker.tz != zone:
        mine = f" · {clock_time(advice.at, advice.asker.tz)} your time"
    else:
        mine = ""
    label = "Proposed moment" if advice.proposed else "Their local time"
    makeup = " (a make-up working day)" if advice.verdict.makeup_workday else ""
    note = f" ({advice.verdict.hours_note})" if advice.verdict.hours_note else ""
    line = f"{label}: {their} ({zone}){mine}{makeup}{note}"
    if advice.past:
        then = "a good time" if advice.verdict.good else reason_words(advice.verdict)
        line += f" — {_ago(advice.now - advice.at)} ago; it would have been {then} for them"
        line += f"\nTheir local time now: {clock_time(advice.now, zone)}"
    return line


def _ago(delta: dt.timedelta) -> str:
    """``3 hours``, ``2 days``, ``25 minutes``: how long ago, roughly."""
    minutes = int(delta.total_seconds() // 60)
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "a moment"


def _windows_lines(advice: Advice) -> list[str]:
    zone = advice.subject.zone
    asker_zone = advice.asker.tz if advice.asker is not None else None
    lines: list[str] = []

    def both(window: Window) -> str:
        text = f"*{window_text(window, zone)}* their time"
        if asker_zone and asker_zone != zone:
            text += f" · {window_text(window, asker_zone)} your time"
        return text

    windows = list(advice.windows)
    if windows and advice.verdict.good and windows[0].start <= advice.at:
        first = windows.pop(0)
        until = _hm(_local(first.end, zone))
        mine = f" ({_hm(_local(first.end, asker_zone))} your time)" if asker_zone and asker_zone != zone else ""
        lines.append(f"Good until {until} their time{mine}.")
    if windows:
        lines.append(f"Next good window: {both(windows[0])}")
    elif not lines:
        lines.append("No good window in the next three weeks.")
    if advice.asker is not None:
        start, end = advice.asker.work_start, advice.asker.work_end
        hours = f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"
        if advice.shared:
            lines.append(f"Inside your working hours ({hours}): {both(advice.shared[0])}")
        else:
            lines.append(f"No overlap with your working hours ({hours} {asker_zone}) in the next three weeks.")
    return lines


def working_hours_words(hours: WeeklyHours, weekend: frozenset[int]) -> str:
    """``Mon–Thu 08:30–12:00, 13:00–17:00; Fri 08:30–12:00`` for the days that are not weekend."""
    groups: list[tuple[int, int, tuple[Interval, ...]]] = []
    for weekday in range(7):
        if weekday in weekend:
            continue
        day = hours.on(weekday)
        if groups and groups[-1][2] == day and groups[-1][1] == weekday - 1:
            groups[-1] = (groups[-1][0], weekday, day)
        else:
            groups.append((weekday, weekday, day))
    parts = []
    for first, last, day in groups:
        label = WEEKDAY_NAMES[first][:3] + (f"–{WEEKDAY_NAMES[last][:3]}" if last != first else "")
        parts.append(f"{label} {format_intervals(day)}")
    return "; ".join(parts) or "no working days"


def _hours_text(advice: Advice) -> str:
    subject = advice.subject
    whose = "their own" if subject.own_hours else f"usual in {subject.country.english_name}"
    return f"{working_hours_words(subject.weekly_hours, advice.weekend)} ({whose})"


def _language_text(advice: Advice) -> str:
    language = advice.subject.language
    native = (
        f" ({language.native_name})" if language.native_name and language.native_name != language.english_name else ""
    )
    client = advice.subject.client
    mark = " — their preference" if client is not None and client.language else ""
    return f"{language.english_name}{native}{mark}"


def _channel_text(advice: Advice) -> str:
    card = advice.subject.card
    client = advice.subject.client
    preferred = list(card.channels.preferred)
    if client is not None and client.channel:
        others = [c for c in preferred if c != client.channel]
        rest = f"; usual there: {', '.join(preferred)}" if others else ""
        return f"{client.channel} (their preference{rest})"
    return ", ".join(preferred)


def _tone_text(advice: Advice) -> str:
    scales = advice.subject.card.scales
    return f"{scales['communication'].level}, {scales['formality'].level}"


def _greeting(advice: Advice) -> str:
    greeting = advice.subject.card.greetings[0]
    return f"_{greeting.text}_ ({greeting.meaning})"


def _line(phrase: Filled) -> str:
    return f"_{escape_mrkdwn(phrase.text)}_ ({escape_mrkdwn(phrase.meaning)})"


def _address_lines(advice: Advice) -> list[str]:
    """Form of address, greetings and email lines: for the named contact, else with blanks for a name."""
    card = advice.subject.card
    addressing = advice.address
    greetings = [f"• Say _{g.text}_ ({g.meaning}; {g.use})" for g in card.greetings[:2]]
    closing = f"• Email closing: {_line(addressing.closing)}"
    if addressing.contact is not None:
        contact = escape_mrkdwn(addressing.contact.typed)
        lines = [f"• Address {contact} as *{escape_mrkdwn(addressing.form)}*. {card.address.advice}"]
        if addressing.remark:
            lines.append(f"• {escape_mrkdwn(addressing.remark)}")
        return [*lines, *greetings, f"• Email opening: {_line(addressing.opening)}", closing]
    blanks = blank_address(card)
    forms = f"*{escape_mrkdwn(blanks['neutral'][0])}*"
    openings = [f"to a named person {_line(blanks['neutral'][1])}"]
    if "m" in blanks:
        forms += f"; a man *{escape_mrkdwn(blanks['m'][0])}*, a woman *{escape_mrkdwn(blanks['f'][0])}*"
        openings += [f"a man {_line(blanks['m'][1])}", f"a woman {_line(blanks['f'][1])}"]
    return [
        f"• Address people as {forms}. {card.address.advice}",
        *greetings,
        f"• Email opening to the company: {_line(addressing.opening)}; " + "; ".join(openings),
        closing,
    ]


_AHEAD_WORDS = {"holiday": "public holiday", "closed": "closed", "half_day": "closes early"}


def _ahead_lines(advice: Advice) -> list[str]:
    """Weekend, then days that are not ordinary working days (runs of one closure on one line), then
    the client's own closures and the seasons that change how they work."""
    lines = [f"Weekend: {weekend_words(advice.weekend)}."]
    runs: list[tuple[dt.date, dt.date, str, str | None]] = []
    for day in advice.ahead:
        if day.kind == "weekend":
            continue
        last = runs[-1] if runs else None
        if last is not None and (last[2], last[3]) == (day.kind, day.name) and (day.date - last[1]).days <= 3:
            runs[-1] = (last[0], day.date, day.kind, day.name)  # one closure across a weekend stays one line
        else:
            runs.append((day.date, day.date, day.kind, day.name))
    for first, last_day, kind, name in runs:
        label = first.strftime("%a %d %b") + (f" – {last_day.strftime('%a %d %b')}" if last_day != first else "")
        if kind == "makeup_workday":
            reason = f" for {name}" if name else ""
            lines.append(f"• {label}: a make-up working day{reason}")
        else:
            words = _AHEAD_WORDS.get(kind, kind)
            lines.append(f"• {label}: {name or words} ({words})" if name else f"• {label}: {words}")
    today = advice.verdict.local.date()
    window_end = today + dt.timedelta(days=13)  # the fortnight the section covers
    for closure in advice.subject.hours.closures:
        if closure.last >= today and closure.first <= window_end:
            span = f"{closure.first:%a %d %b %Y} – {closure.last:%a %d %b %Y}"
            lines.append(f"• {span}: {escape_mrkdwn(closure.name)} (their closure)")
    for season in advice.seasons:
        span = f"{season.first:%d %b} – {season.last:%d %b}"
        if season.kind == "ramadan":
            hours = advice.subject.card.calendar.ramadan
            words = f" {working_hours_words(hours, advice.weekend)}" if hours is not None else ""
            lines.append(f"• {span}: Ramadan — shorter hours{words} ({season.advice})")
        else:
            lines.append(f"• {span}: {season.name} — {season.advice or 'expect slower answers'} (slow season)")
    if len(lines) == 1:
        lines.append("No public holidays.")
    return lines


def _client_lines(advice: Advice) -> list[str]:
    client = advice.subject.client
    if client is None:
        return []
    lines = []
    if client.contact:
        lines.append(f"Contact: {escape_mrkdwn(client.contact)}")
    if client.owner_id:
        lines.append(f"Owner: <@{client.owner_id}>")
    if client.email:
        lines.append(f"Email: {client.email}")
    if client.phone:
        lines.append(f"Phone: {client.phone}")
    if client.subdivision:
        lines.append(f"Region: {client.subdivision} (its holidays count)")
    if client.note:
        lines.append(f"Note: {client.note}")
    return lines


def _card_line(advice: Advice) -> str:
    card = advice.subject.card
    country = advice.subject.country.english_name
    if card.regional_default:
        return (
            f":information_source: Regional default card for {card.region_name}: {country} has no card of its own yet, "
            f"so this advice is general to the region. Sources: {'; '.join(card.sources[:2])}"
        )
    return f"Culture card: {country}. Sources: {'; '.join(card.sources[:2])}"


@dataclass(frozen=True)
class _Parts:
    """The pieces both renderings of an answer share, computed once."""

    verdict: str
    moment: str
    windows: list[str]
    hours: str
    language: str
    channel: str
    tone: str
    address: list[str]
    ahead: list[str]
    directory: list[str]
    source: str


def _parts(advice: Advice) -> _Parts:
    return _Parts(
        verdict=verdict_text(advice),
        moment=escape_mrkdwn(_moment_line(advice)),
        windows=_windows_lines(advice),
        hours=_hours_text(advice),
        language=_language_text(advice),
        channel=_channel_text(advice),
        tone=_tone_text(advice),
        address=_address_lines(advice),
        ahead=_ahead_lines(advice),
        directory=_client_lines(advice),
        source=_card_line(advice),
    )


def render(advice: Advice) -> tuple[str, list[BlockDict]]:
    """The full `/contact` answer: its text (notification fallback and the console) and its blocks."""
    parts = _parts(advice)
    return _text(advice, parts), _blocks(advice, parts)


def _blocks(advice: Advice, parts: _Parts) -> list[BlockDict]:
    card = advice.subject.card
    scales = card.scales
    blocks: list[BlockDict] = [
        _section(f"*{parts.verdict}*\n{parts.moment}"),
        _section("\n".join(parts.windows)),
        {
            "type": "section",
            "fields": [  # Slack: at most 2,000 characters a field
                _mrkdwn(f"*Business hours*\n{parts.hours}", FIELD_LIMIT),
                _mrkdwn(f"*Language*\n{parts.language}", FIELD_LIMIT),
                _mrkdwn(f"*Channel*\n{parts.channel}", FIELD_LIMIT),
                _mrkdwn(f"*Replies*\n{card.channels.response_time}", FIELD_LIMIT),
            ],
        },
        _section(
            f"*Tone: {parts.tone}*\n{scales['communication'].advice} {scales['formality'].advice} "
            f"{card.channels.advice}"
        ),
        _section("*Greeting and address*\n" + "\n".join(parts.address)),
        _section(
            f"*Do:* talk about {', '.join(card.topics.favour[:4])}. {scales['feedback'].advice}\n"
            f"*Avoid:* {', '.join(card.topics.avoid[:4])}.\n"
            f"*Bad news and no:* {card.bad_news}\n*Punctuality:* {card.punctuality}"
        ),
        _section("*Next 14 days*\n" + "\n".join(parts.ahead)),
    ]
    if parts.directory:
        blocks.append(
            _section("*From your directory* (wins over the country's defaults)\n" + "\n".join(parts.directory))
        )
    blocks.append({"type": "divider"})
    blocks.append(_context(parts.source))
    if advice.remarks:
        blocks.append(_context(" ".join(advice.remarks)))
    return blocks


def _text(advice: Advice, parts: _Parts) -> str:
    card = advice.subject.card
    lines = [
        parts.verdict,
        parts.moment,
        *parts.windows,
        f"Business hours: {parts.hours}",
        f"Language: {parts.language} · greeting: {_greeting(advice)}",
        f"Channel: {parts.channel} · replies: {card.channels.response_time}",
        f"Tone: {parts.tone}",
        *parts.address,
        f"Do: talk about {', '.join(card.topics.favour[:4])}. Avoid: {', '.join(card.topics.avoid[:4])}.",
        "Next 14 days: " + " ".join(line.removeprefix("• ") for line in parts.ahead),
        *parts.directory,
        parts.source,
        *advice.remarks,
    ]
    return "\n".join(lines)


def essential_blocks(advice: Advice) -> list[BlockDict]:
    """The compact version for reminders and escalations."""
    card = advice.subject.card
    windows = _windows_lines(advice)
    return [
        _section(f"*{verdict_text(advice)}*\n{escape_mrkdwn(_moment_line(advice))}\n{windows[0]}"),
        _context(
            f"Channel: {_channel_text(advice)} · Tone: {_tone_text(advice)} · Language: {_language_text(advice)} · "
            f"Greeting: {_greeting(advice)}"
            + (f" · Address: {escape_mrkdwn(advice.address.form)}" if advice.address.contact else "")
            + (" · regional default card" if card.regional_default else "")
        ),
    ]
