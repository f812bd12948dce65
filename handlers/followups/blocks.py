"""Block Kit for follow-ups: the reminder DM, its after-click states, the scheduling answer, the list.

Pure functions of plain values; built with ``slack_sdk.models.blocks`` so Slack's limits are
checked here rather than by a refused message. The follow-up's text (``what``) is shown as the
person typed it, Slack markup (mentions, links, emoji) intact.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pendulum
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from cultures.hours import timezone
from db.models.followups import CANCELLED, DONE, FAILED, SCHEDULED, SENT

DONE_ACTION = "rapport_followup_done"
SNOOZE_HOUR_ACTION = "rapport_followup_snooze_hour"
SNOOZE_DAY_ACTION = "rapport_followup_snooze_day"
SNOOZE_WINDOW_ACTION = "rapport_followup_snooze_window"
ESCALATE_ACTION = "rapport_followup_escalate"  # opens the escalation capability's form
SNOOZE_ACTIONS = {SNOOZE_HOUR_ACTION: "1h", SNOOZE_DAY_ACTION: "1d", SNOOZE_WINDOW_ACTION: "window"}

MAX_SECTION = 3000


def _cut(text: str, limit: int = MAX_SECTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=_cut(text)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=_cut(text, 2000))])


def _section_dict(text: str) -> dict[str, Any]:
    """``_section(text).to_dict()`` without the model's per-call validation."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text)}}


def _context_dict(text: str) -> dict[str, Any]:
    """``_context(text).to_dict()`` without the model's per-call validation."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, 2000)}]}


def escape(text: str) -> str:
    """Escape a name for mrkdwn (``&``, ``<``, ``>``); never used on ``what``, which keeps its markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def city(zone: str) -> str:
    """``America/New_York`` → ``New York``."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def moment(instant: dt.datetime, zone: str, with_day: bool = True) -> str:
    """``Mon 30 Nov 09:00`` on the wall clock of ``zone``."""
    local = pendulum.instance(instant).in_timezone(timezone(zone))
    return local.format("ddd D MMM HH:mm") if with_day else local.format("HH:mm")


def both_zones(instant: dt.datetime, their_zone: str, your_zone: str) -> str:
    """``Mon 30 Nov 09:00 in Riyadh (their time) · Mon 30 Nov 06:00 in London (your time)``."""
    theirs = f"{moment(instant, their_zone)} in {city(their_zone)} (their time)"
    if _same_clock(instant, their_zone, your_zone):
        return f"{theirs}, the same for you"
    return f"{theirs} · {moment(instant, your_zone)} in {city(your_zone)} (your time)"


def _same_clock(instant: dt.datetime, a: str, b: str) -> bool:
    return (
        pendulum.instance(instant).in_timezone(timezone(a)).utcoffset()
        == pendulum.instance(instant).in_timezone(timezone(b)).utcoffset()
    )


def duration_words(delta: dt.timedelta) -> str:
    """``25 min``, ``3 h``, ``2 days``."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 90:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


# --------------------------------------------------------------------------------------------
# The scheduling answer


@dataclass(frozen=True)
class ScheduledView:
    """What `/followup` tells the person after scheduling."""

    short_id: int
    client_name: str
    what: str
    fire_at: dt.datetime
    requested_at: dt.datetime
    their_zone: str
    your_zone: str
    reason: str | None
    recurrence: str | None = None
    owner_id: str | None = None  # set when the reminder goes to someone else
    asker_zone_unknown: bool = False
    no_overlap: bool = False
    requested_timed: bool = True
    until_reply: bool = False
    shared_channels: tuple[str, ...] = ()


def scheduled_text(view: ScheduledView) -> str:
    """The answer as text (also the notification fallback)."""
    lines = [
        f":white_check_mark: Follow-up *#{view.short_id}* with *{escape(view.client_name)}*: {view.what}",
        f"*Fires* {both_zones(view.fire_at, view.their_zone, view.your_zone)}.",
    ]
    if view.reason:
        reason = view.reason if not view.owner_id else about_someone_else(view.reason, view.owner_id)
        asked = _day_and_time(view.requested_at, view.their_zone, with_time=view.requested_timed)
        fired = _day_and_time(view.fire_at, view.their_zone)
        if not view.requested_timed and fired.startswith(asked):
            lines.append(f"{reason[0].upper()}{reason[1:]}: {fired} {city(view.their_zone)}.")
        else:
            lines.append(f"Moved from {asked} to {fired} {city(view.their_zone)}: {reason}.")
    if view.recurrence:
        lines.append(f":repeat: Repeats {view.recurrence}; each time moved to a good moment for both of you.")
    if view.owner_id:
        lines.append(f"The reminder goes to <@{view.owner_id}>.")
    if view.until_reply and view.shared_channels:
        where = " or ".join(f"<#{channel}>" for channel in view.shared_channels)
        lines.append(f":speech_balloon: Ends by itself if {escape(view.client_name)} writes in {where} before then.")
    elif view.until_reply:
        lines.append(
            f":speech_balloon: Ends by itself once {escape(view.client_name)} writes in a channel shared with them; "
            f"none is linked yet: `/client edit {escape(view.client_name)} shared:#channel`."
        )
    if view.asker_zone_unknown:
        lines.append("_I could not read the owner's Slack time zone, so I assumed UTC._")
    return "\n".join(lines)


def _day_and_time(instant: dt.datetime, zone: str, with_time: bool = True) -> str:
    local = pendulum.instance(instant).in_timezone(timezone(zone))
    return local.format("dddd D MMM HH:mm" if with_time else "dddd D MMM")


def about_someone_else(reason: str, owner_id: str) -> str:
    """Reasons speak to the owner ("your working hours"); rephrase them for the person who asked."""
    mention = f"<@{owner_id}>"
    return (
        reason.replace("your ", f"{mention}'s ").replace(" for you", f" for {mention}").replace("both of you", "both")
    )


def scheduled_blocks(view: ScheduledView) -> list[Block]:
    """The answer to `/followup <client> <when> <what>`."""
    return [
        _section(scheduled_text(view)),
        _context(
            f"`/followup done {view.short_id}` · `/followup snooze {view.short_id} 2d` · "
            f"`/followup cancel {view.short_id}` · `/followup list`"
        ),
    ]


# --------------------------------------------------------------------------------------------
# The reminder DM


@dataclass(frozen=True)
class ReminderView:
    """A reminder as it is posted to its owner."""

    followup_id: int
    short_id: int
    client_name: str
    what: str
    recurrence: str | None = None
    late: dt.timedelta | None = None
    nag: bool = False
    fired_at: dt.datetime | None = None


def reminder_text(view: ReminderView) -> str:
    """The notification text (what phones and screen readers show)."""
    lead = "Still open: follow up" if view.nag else "Follow up"
    return _cut(f"{lead} with {view.client_name} (#{view.short_id}): {view.what}", 3000)


def reminder_blocks(view: ReminderView, essentials: Sequence[Block | dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The reminder: what to do, the client's essentials, and Done / Snooze / Escalate."""
    icon = ":bell:" if not view.nag else ":hourglass_flowing_sand:"
    lead = "Still open — follow up" if view.nag else "Follow up"
    # Plain dicts of the same shape as _section/_context (the hot path of the dispatcher; the shape is
    # checked against slack_sdk's models in the tests), texts cut to Slack's limits.
    out: list[Block | dict[str, Any]] = [
        _section_dict(f"{icon} *{lead} with {escape(view.client_name)}* (#{view.short_id})\n{view.what}")
    ]
    notes = []
    if view.late is not None:
        notes.append(f":clock3: {duration_words(view.late)} late (Rapport could not send it on time)")
    if view.recurrence:
        notes.append(f":repeat: {view.recurrence}")
    if view.nag and view.fired_at is not None:
        notes.append("You were reminded earlier and it is not marked done yet")
    if notes:
        out.append(_context_dict(" · ".join(notes)))
    room = 50 - len(out) - 1
    out.extend(list(essentials)[:room])
    return [*(b.to_dict() if isinstance(b, Block) else dict(b) for b in out), actions_dict(view.followup_id)]


@functools.cache
def _actions_template() -> str:
    return json.dumps(actions(0).to_dict())


def actions_dict(followup_id: int) -> dict[str, Any]:
    """``actions(followup_id).to_dict()``, validated once and then filled in (reminders go out by thousands)."""
    block: dict[str, Any] = json.loads(_actions_template())
    for element in block["elements"]:
        element["value"] = str(followup_id)
    return block


def actions(followup_id: int) -> ActionsBlock:
    """Done, Snooze 1 hour, Snooze 1 day, Next good window, Escalate."""
    value = str(followup_id)
    return ActionsBlock(
        block_id="rapport_followup_actions",
        elements=[
            ButtonElement(text="Done", action_id=DONE_ACTION, value=value, style="primary"),
            ButtonElement(text="Snooze 1 hour", action_id=SNOOZE_HOUR_ACTION, value=value),
            ButtonElement(text="Snooze 1 day", action_id=SNOOZE_DAY_ACTION, value=value),
            ButtonElement(text="Next good window", action_id=SNOOZE_WINDOW_ACTION, value=value),
            ButtonElement(text="Escalate", action_id=ESCALATE_ACTION, value=value, style="danger"),
        ],
    )


@dataclass(frozen=True)
class OutcomeView:
    """The reminder message after a click: what happened, without the buttons (or with them again)."""

    short_id: int
    client_name: str
    what: str
    headline: str  # e.g. ":white_check_mark: *Done* by <@U1>"
    detail: str | None = None
    followup_id: int | None = None  # give it to keep the buttons (a recurring one after Done)


def outcome_text(view: OutcomeView) -> str:
    return _cut(f"{view.headline} — follow up with {view.client_name} (#{view.short_id}): {view.what}")


def outcome_blocks(view: OutcomeView) -> list[dict[str, Any]]:
    """The updated reminder message."""
    out: list[Block] = [
        _section(f"{view.headline} — follow up with *{escape(view.client_name)}* (#{view.short_id})\n{view.what}")
    ]
    if view.detail:
        out.append(_context(view.detail))
    return [b.to_dict() for b in out]


# --------------------------------------------------------------------------------------------
# `/followup list`


@dataclass(frozen=True)
class ListItem:
    """One line of `/followup list`."""

    short_id: int
    client_name: str
    what: str
    status: str
    due_at: dt.datetime | None
    fired_at: dt.datetime | None
    their_zone: str | None
    owner_id: str
    recurrence: str | None
    last_error: str | None
    move_reason: str | None


def list_line(item: ListItem, your_zone: str, show_owner: bool) -> str:
    """``*#12* Acme GmbH — send the offer`` and a second line with its state."""
    what = item.what if len(item.what) <= 200 else item.what[:199] + "…"
    head = f"*#{item.short_id}* {escape(item.client_name)} — {what}"
    if item.status == FAILED:
        reason = escape(item.last_error or "unknown reason")
        state = f":warning: *failed*: {reason} (`/followup cancel {item.short_id}` clears it)"
    elif item.status == SENT:
        sent = f"sent {moment(item.fired_at, your_zone)}" if item.fired_at else "sent"
        state = f":mailbox_with_mail: {sent}, waiting for Done"
        if item.due_at is not None:
            state += f" · next {_when(item.due_at, item.their_zone, your_zone)}"
    elif item.status == SCHEDULED and item.due_at is not None:
        state = f":alarm_clock: {_when(item.due_at, item.their_zone, your_zone)}"
    else:
        state = {DONE: "done", CANCELLED: "cancelled"}.get(item.status, item.status)
    if item.recurrence:
        state += f" · :repeat: {item.recurrence}"
    if show_owner:
        state += f" · <@{item.owner_id}>"
    return f"{head}\n      {state}"


def _when(instant: dt.datetime, their_zone: str | None, your_zone: str) -> str:
    yours = f"{moment(instant, your_zone)} your time"
    if their_zone and not _same_clock(instant, their_zone, your_zone):
        return f"{yours} ({moment(instant, their_zone, with_day=False)} {city(their_zone)})"
    return yours


def list_blocks(title: str, items: Sequence[ListItem], more: int, your_zone: str, show_owner: bool) -> list[Block]:
    """`/followup list`: a title and the follow-ups, several to a section."""
    if not items:
        return [_section(f"*{title}*\nNothing open. `/followup <client> <when> <what>` adds one.")]
    out: list[Block] = [_section(f"*{title}* ({len(items) + more})")]
    chunk: list[str] = []
    for item in items:
        line = list_line(item, your_zone, show_owner)
        if chunk and len("\n".join([*chunk, line])) > MAX_SECTION - 100:
            out.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        out.append(_section("\n".join(chunk)))
    if more:
        out.append(
            _context(f"…and {more} more. Narrow it down: `/followup list <client>` or `/followup list @person`.")
        )
    number = items[0].short_id
    out.append(_context(f"`/followup done {number}` · `/followup snooze {number} 1d` · `/followup cancel {number}`"))
    return out[:50]


def list_text(title: str, items: Sequence[ListItem], more: int, your_zone: str, show_owner: bool) -> str:
    if not items:
        return f"{title}: nothing open."
    lines = [f"{title} ({len(items) + more})"] + [list_line(item, your_zone, show_owner) for item in items]
    return "\n".join(lines)
