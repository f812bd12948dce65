"""The Home tab as Block Kit (pure: no Slack, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pendulum
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from cultures.hours import Verdict, Window, timezone
from handlers.care.blocks import when_words
from handlers.care.occasions import CareOccasion
from handlers.common.catalog import OVERVIEW
from handlers.common.people import Member
from handlers.common.respond import escape_block_placeholders, split_text
from handlers.common.text import escape_mrkdwn
from handlers.contact.verdict import reason_words


@dataclass(frozen=True)
class ClientNow:
    """One client the person owns, at this moment."""

    name: str
    country: str
    zone: str
    verdict: Verdict | None
    next_window: Window | None = None


@dataclass(frozen=True)
class FollowUpItem:
    """A follow-up waiting for the person."""

    short_id: int
    client_name: str
    what: str
    due_at: dt.datetime | None
    awaiting_done: bool


@dataclass(frozen=True)
class Coming:
    """An occasion coming up for one of the person's clients."""

    client_name: str
    country: str
    occasion: CareOccasion
    today: dt.date


@dataclass
class Home:
    """Everything the Home tab shows for one person."""

    user_id: str
    now: dt.datetime
    member: Member
    followups: list[FollowUpItem] = field(default_factory=list)
    followups_more: int = 0
    clients: list[ClientNow] = field(default_factory=list)
    clients_more: int = 0
    coming: list[Coming] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (client name, request line)
    requests_more: int = 0


SECTION_LIMIT = 3000
MAX_BLOCKS = 100  # Slack's limit for a Home tab
MAX_WHAT = 300  # characters of a follow-up's text shown on the Home tab

INTRO = (
    "Rapport helps you reach clients abroad at the right moment and in the right tone: their local time, "
    "holidays and customs, reminders that fire when it suits both of you, drafts in their language."
)


def _cut(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=_cut(text)))


def _sections(text: str) -> list[SectionBlock]:
    """A long list in several sections, cut between lines (a section holds 3,000 characters)."""
    return [_section(piece) for piece in split_text(text, SECTION_LIMIT)]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}" if minutes < 1440 else "24:00"


def _clock(instant: dt.datetime, zone: str, day: bool = True) -> str:
    local = pendulum.instance(instant).in_timezone(timezone(zone))
    return local.format("ddd D MMM HH:mm") if day else local.format("ddd HH:mm")


def you_text(home: Home) -> str:
    """The person's zone and working hours."""
    who = home.member
    hours = f"*{_hhmm(who.work_start)}–{_hhmm(who.work_end)}*"
    if who.tz_known:
        now = _clock(home.now, who.tz, day=False)
        zone = f"*{who.tz}* (from your Slack profile; it is {now} for you)"
    else:
        zone = "*UTC* — I could not read your time zone from Slack"
    return (
        f"*You*\nTime zone: {zone}\nWorking hours: {hours} · `/rapport hours 08:30-17:00` changes them. "
        "Reminders fire inside them."
    )


def followup_line(item: FollowUpItem, zone: str) -> str:
    """``#12 · Acme GmbH — send the quote · Tue 24 Nov 10:00``."""
    when = "waiting for Done" if item.awaiting_done else (_clock(item.due_at, zone) if item.due_at else "unscheduled")
    what = item.what if len(item.what) <= MAX_WHAT else split_text(item.what, MAX_WHAT)[0] + "…"
    return f"• `#{item.short_id}` *{escape_mrkdwn(item.client_name)}* — {what} · {when}"


def followups_text(home: Home) -> str:
    if not home.followups:
        return "*Your next follow-ups*\nNone waiting. `/followup <client> <when> <what>` sets one."
    lines = [followup_line(item, home.member.tz) for item in home.followups]
    if home.followups_more:
        lines.append(f"…and {home.followups_more} more: `/followup list`")
    return "*Your next follow-ups* (your time)\n" + "\n".join(lines)


def client_line(item: ClientNow, your_zone: str) -> str:
    """``:large_green_circle: *Acme GmbH* (Germany) — 14:05 there: good time to contact``."""
    name = f"*{escape_mrkdwn(item.name)}* ({escape_mrkdwn(item.country)})"
    if item.verdict is None:
        return f"• {name} — I cannot judge their time right now"
    there = item.verdict.local.format("ddd HH:mm")
    if item.verdict.good:
        return f"• :large_green_circle: {name} — {there} there: good time to contact"
    line = f"• :red_circle: {name} — {there} there: not a good time: {reason_words(item.verdict)}"
    if item.next_window is not None:
        line += f"; next good window {_clock(item.next_window.start, item.zone)} their time"
        line += f" ({_clock(item.next_window.start, your_zone)} yours)"
    return line


def clients_text(home: Home) -> str:
    if not home.clients:
        return "*Your clients*\nYou own no clients yet. `/client add <name> country:<country> owner:@you` adds one."
    lines = [client_line(item, home.member.tz) for item in home.clients]
    if home.clients_more:
        lines.append(f"…and {home.clients_more} more: `/client list @you`")
    return "*Your clients, right now*\n" + "\n".join(lines)


def requests_text(home: Home) -> str | None:
    """Open requests in channels shared with the person's clients (or taken by them), soonest due first."""
    if not home.requests:
        return None
    lines = [f"*{escape_mrkdwn(name)}* {line.removeprefix('• ')}" for name, line in home.requests]
    if home.requests_more:
        lines.append(f"…and {home.requests_more} more: `/client show <client>` lists a client's")
    return "*Waiting for an answer in client channels*\n" + "\n".join(f"• {line}" for line in lines)


def coming_text(home: Home) -> str | None:
    if not home.coming:
        return None
    lines = []
    for item in home.coming:
        what = "contact's birthday" if item.occasion.birthday else f"{item.occasion.name} ({item.country})"
        when = when_words(item.occasion, item.today)
        lines.append(f"• *{escape_mrkdwn(item.client_name)}*: {escape_mrkdwn(what)} — {when}")
    return "*Coming up for your clients*\n" + "\n".join(lines) + "\nI send you a heads-up with a greeting draft."


def home_blocks(home: Home) -> list[Block]:
    """The Home tab's blocks."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text="Rapport")),
        _section(INTRO),
        DividerBlock(),
        _section(you_text(home)),
        DividerBlock(),
        *_sections(followups_text(home)),
    ]
    waiting = requests_text(home)
    if waiting:
        blocks += [DividerBlock(), *_sections(waiting)]
    blocks += [
        DividerBlock(),
        *_sections(clients_text(home)),
    ]
    coming = coming_text(home)
    if coming:
        blocks += [DividerBlock(), _section(coming)]
    blocks += [
        DividerBlock(),
        _section(OVERVIEW),
        ContextBlock(elements=[MarkdownTextObject(text=f"Updated {_clock(home.now, home.member.tz)} your time.")]),
    ]
    return blocks[:MAX_BLOCKS]


def home_view(home: Home) -> View:
    """The Home tab view for views.publish (usage hints escaped: ``&lt;client&gt;``, not a link)."""
    blocks = escape_block_placeholders([block.to_dict() for block in home_blocks(home)])
    return View(type="home", blocks=blocks)
