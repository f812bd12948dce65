"""Block Kit for escalations: the channel message, its updates, the forms and `/escalate list`. Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from db.models.escalations import ACKNOWLEDGED, AUTOMATIC, OPEN, PENDING, RESOLVED, SEVERITIES
from handlers.common.text import escape_mrkdwn as escape

ACKNOWLEDGE = "rapport_escalate_acknowledge"
RESOLVE = "rapport_escalate_resolve"
FORM = "rapport_escalate_form"
RESOLUTION_FORM = "rapport_escalate_resolution"
CLIENT_BLOCK, CLIENT_INPUT = "client", "rapport_escalate_client"
SEVERITY_BLOCK, SEVERITY_INPUT = "severity", "rapport_escalate_severity"
SUMMARY_BLOCK, SUMMARY_INPUT = "summary", "rapport_escalate_summary"
NOTE_BLOCK, NOTE_INPUT = "note", "rapport_escalate_note"
MAX_SUMMARY = 2000
MAX_NOTE = 1000
MAX_PICKER_OPTIONS = 100  # Slack's limit for a static select

SEVERITY_LABELS = {"low": "Low", "normal": "Normal", "urgent": "Urgent"}
SEVERITY_ICONS = {"low": ":large_blue_circle:", "normal": ":large_orange_circle:", "urgent": ":red_circle:"}
SEVERITY_HINTS = {
    "low": "worth the team's attention this week",
    "normal": "needs someone today",
    "urgent": "needs someone now; re-pinged until acknowledged",
}


def slack_time(instant: dt.datetime, pattern: str = "{date_short_pretty} {time}") -> str:
    """An instant every reader sees in their own time zone (UTC as the fallback)."""
    fallback = instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(instant.timestamp())}^{pattern}|{fallback}>"


def age(since: dt.datetime, now: dt.datetime) -> str:
    """``5 min``, ``3 h``, ``2 d 4 h``."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


_ENTITY_START = re.compile(r"&[a-z]{0,3}$")


def _truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with "…", never inside Slack markup or an entity.

    Stored summaries, notes and follow-up texts are mrkdwn as Slack sent them (``<@U1>``,
    ``<https://…|…>``, ``&amp;``); a cut inside one would show broken markup, so the cut moves
    to before it.
    """
    if len(text) <= limit:
        return text
    cut = limit - 1
    opening = text.rfind("<", 0, cut)
    if opening > text.rfind(">", 0, cut) and opening > 0:
        cut = opening  # do not split <@U1>, <#C1|x>, <!here>, <https://…|…>
    entity = _ENTITY_START.search(text, 0, cut)
    if entity and entity.start() > 0:
        cut = entity.start()  # do not split &amp; &lt; &gt;
    return text[:cut].rstrip() + "…"


@dataclass(frozen=True)
class OpenFollowUp:
    """A follow-up with the client that is not done yet, as the escalation shows it."""

    ref: str
    text: str  # mrkdwn, as typed in Slack
    due_at: dt.datetime | None  # when it fires, or when it fired if it awaits Done
    owner_id: str | None = None
    awaiting_done: bool = False


@dataclass(frozen=True)
class EscalationView:
    """Everything the channel message of one escalation shows."""

    id: int
    client_name: str
    severity: str
    summary: str  # mrkdwn (already escaped)
    status: str
    source: str
    created_at: dt.datetime
    created_by: str | None = None
    owner_id: str | None = None
    origin_permalink: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: dt.datetime | None = None
    resolved_by: str | None = None
    resolved_at: dt.datetime | None = None
    resolution: str | None = None  # mrkdwn
    client_context: Sequence[Block | dict[str, Any]] = field(default_factory=tuple)
    followups: Sequence[OpenFollowUp] = field(default_factory=tuple)
    followups_total: int = 0
    lead: str | None = None  # a first line, e.g. mentioning the owner of an overdue follow-up


def fallback_text(view: EscalationView) -> str:
    """The notification text (and what screen readers and old clients show)."""
    label = SEVERITY_LABELS.get(view.severity, view.severity)
    owner = f" — owner <@{view.owner_id}>" if view.owner_id else ""
    status = {ACKNOWLEDGED: " (acknowledged)", RESOLVED: " (resolved)"}.get(view.status, "")
    lead = f"{view.lead} " if view.lead else ""
    return _truncate(f"{lead}{label} escalation for {escape(view.client_name)}{status}: {view.summary}{owner}", 3000)


def escalation_message(view: EscalationView) -> list[Block | dict[str, Any]]:
    """The escalation as posted in the channel, with Acknowledge / Resolve while it is open."""
    severity_icon = SEVERITY_ICONS.get(view.severity, ":warning:")
    label = SEVERITY_LABELS.get(view.severity, view.severity)
    icon = ":white_check_mark:" if view.status == RESOLVED else severity_icon
    state = {ACKNOWLEDGED: " (acknowledged)", RESOLVED: " (resolved)"}.get(view.status, "")
    header = _truncate(f"{icon} {label} escalation: {view.client_name}{state}", 150)
    if view.source == AUTOMATIC:
        raised = f"Rapport, automatically · {slack_time(view.created_at)}"
    elif view.created_by:
        raised = f"<@{view.created_by}> · {slack_time(view.created_at)}"
    else:
        raised = slack_time(view.created_at)
    fields = [
        MarkdownTextObject(text=f"*Client*\n{escape(view.client_name)}"),
        MarkdownTextObject(text=f"*Owner*\n<@{view.owner_id}>" if view.owner_id else "*Owner*\nnobody yet"),
        MarkdownTextObject(text=f"*Severity*\n{severity_icon} {label}"),
        MarkdownTextObject(text=f"*Raised by*\n{raised}"),
    ]
    blocks: list[Block | dict[str, Any]] = [HeaderBlock(text=PlainTextObject(text=header, emoji=True))]
    if view.lead:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_truncate(view.lead, 3000))))
    blocks += [
        SectionBlock(fields=fields),
        SectionBlock(text=MarkdownTextObject(text=_truncate(f"*Summary*\n{view.summary}", 3000))),
    ]
    if view.client_context:
        blocks.append(DividerBlock())
        blocks.extend(view.client_context)
    if view.followups:
        lines = []
        for item in view.followups[:5]:
            if item.due_at is None:
                due = ""
            elif item.awaiting_done:
                due = f" — reminded {slack_time(item.due_at)}, not done yet"
            else:
                due = f" — due {slack_time(item.due_at)}"
            owner = f" (<@{item.owner_id}>)" if item.owner_id and item.owner_id != view.owner_id else ""
            lines.append(f"• `{item.ref}` {_truncate(item.text, 150)}{due}{owner}")
        more = max(view.followups_total, len(view.followups)) - len(view.followups[:5])
        if more > 0:
            lines.append(f"…and {more} more (`/followup list {escape(view.client_name)}`)")
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=_truncate("*Open follow-ups*\n" + "\n".join(lines), 3000)))
        )
    refs = [f"Escalation `#{view.id}`"]
    if view.origin_permalink:
        refs.append(f"<{view.origin_permalink}|Originating message>")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(refs))]))
    status_lines = status_text(view)
    if status_lines:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_truncate(status_lines, 3000))))
    buttons = []
    if view.status in (OPEN, PENDING):
        buttons.append(ButtonElement(text="Acknowledge", action_id=ACKNOWLEDGE, value=str(view.id), style="primary"))
    if view.status != RESOLVED:
        buttons.append(ButtonElement(text="Resolve", action_id=RESOLVE, value=str(view.id)))
    if buttons:
        blocks.append(ActionsBlock(block_id=f"escalation_{view.id}", elements=buttons))
    return blocks


def status_text(view: EscalationView) -> str:
    """Who acknowledged and resolved it, and when."""
    lines = []
    if view.acknowledged_by and view.acknowledged_at:
        lines.append(f":eyes: Acknowledged by <@{view.acknowledged_by}> · {slack_time(view.acknowledged_at)}")
    if view.resolved_by and view.resolved_at:
        note = f"\n>{view.resolution}" if view.resolution else ""
        lines.append(f":white_check_mark: Resolved by <@{view.resolved_by}> · {slack_time(view.resolved_at)}{note}")
    return "\n".join(lines)


def resolution_reply(view: EscalationView) -> str:
    """The thread reply that closes an escalation."""
    note = view.resolution or "_no note_"
    return f":white_check_mark: Resolved by <@{view.resolved_by}>: {note}"


def reping_text(view: EscalationView, waited: str, number: int, limit: int) -> str:
    """The reminder in the thread of an urgent escalation nobody acknowledged."""
    owner = f" <@{view.owner_id}>" if view.owner_id else ""
    last = " This is the last reminder." if number >= limit else ""
    return (
        f":rotating_light: <!here>{owner} this urgent escalation for *{escape(view.client_name)}* has waited {waited} "
        f"without acknowledgement. Press *Acknowledge* when someone is on it.{last}"
    )


def automatic_summary(followup_text: str, hours: str, client_name: str) -> str:
    """The summary of an escalation raised by itself for an overdue follow-up (``followup_text`` is mrkdwn)."""
    return (
        f"Follow-up still not done {hours} business hours after its reminder "
        f"(counted in {escape(client_name)}'s business hours): "
        f"“{_truncate(followup_text, 500)}”"
    )


def automatic_mention(owner_id: str | None, client_name: str) -> str:
    """The first line of an automatic escalation: mention the owner so they are notified."""
    who = f"<@{owner_id}>" if owner_id else "Nobody owns this follow-up:"
    return f"{who} please follow up with {escape(client_name)} or mark the follow-up Done."


# --- forms -------------------------------------------------------------------------------


def _severity_options() -> list[Option]:
    return [
        Option(
            value=name,
            text=MarkdownTextObject(text=f"{SEVERITY_ICONS[name]} *{SEVERITY_LABELS[name]}*"),
            description=MarkdownTextObject(text=SEVERITY_HINTS[name]),
        )
        for name in SEVERITIES
    ]


def escalation_form(
    metadata: str,
    *,
    client: tuple[int, str] | None = None,
    choices: Sequence[tuple[int, str]] = (),
    severity: str = "normal",
    summary: str = "",
) -> View:
    """The Escalate form: client (fixed, picked from a list, or typed), severity and summary.

    ``client`` fixes the client; otherwise up to 100 ``choices`` become a picker, and with more
    clients the name is typed (and checked on submit).
    """
    blocks: list[Block] = []
    if client is not None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Client:* {escape(client[1])}")))
    elif choices and len(choices) <= MAX_PICKER_OPTIONS:
        blocks.append(
            InputBlock(
                block_id=CLIENT_BLOCK,
                label="Client",
                element=StaticSelectElement(
                    action_id=CLIENT_INPUT,
                    placeholder="Choose a client",
                    options=[Option(value=str(cid), label=_truncate(name, 75)) for cid, name in choices],
                ),
            )
        )
    else:
        blocks.append(
            InputBlock(
                block_id=CLIENT_BLOCK,
                label="Client",
                element=PlainTextInputElement(action_id=CLIENT_INPUT, placeholder="Client name", max_length=200),
            )
        )
    severity_options = _severity_options()
    initial = next((o for o in severity_options if o.value == severity), severity_options[1])
    blocks.append(
        InputBlock(
            block_id=SEVERITY_BLOCK,
            label="Severity",
            element=RadioButtonsElement(action_id=SEVERITY_INPUT, options=severity_options, initial_option=initial),
        )
    )
    blocks.append(
        InputBlock(
            block_id=SUMMARY_BLOCK,
            label="What happened?",
            hint="The team sees this with the client's local time, channel and tone, and open follow-ups.",
            element=PlainTextInputElement(
                action_id=SUMMARY_INPUT,
                multiline=True,
                max_length=MAX_SUMMARY,
                initial_value=_truncate(summary, MAX_SUMMARY) if summary else None,
                placeholder="e.g. Invoice disputed, client asked for a call today",
            ),
        )
    )
    return View(
        type="modal",
        callback_id=FORM,
        title="Escalate",
        submit="Escalate",
        close="Cancel",
        private_metadata=metadata,
        blocks=blocks,
    )


def resolution_form(escalation_id: int, client_name: str, metadata: str) -> View:
    """The form asking for a short resolution note."""
    return View(
        type="modal",
        callback_id=RESOLUTION_FORM,
        title="Resolve escalation",
        submit="Resolve",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"Escalation `#{escalation_id}` for *{escape(client_name)}*")),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="How was it resolved?",
                hint="Posted in the escalation's thread for the team.",
                element=PlainTextInputElement(
                    action_id=NOTE_INPUT,
                    multiline=True,
                    max_length=MAX_NOTE,
                    placeholder="e.g. Called the client, credit note sent",
                ),
            ),
        ],
    )


# --- /escalate list ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListedEscalation:
    """One line of `/escalate list`."""

    id: int
    client_name: str
    severity: str
    status: str
    summary: str
    created_at: dt.datetime
    channel: str | None
    permalink: str | None
    last_error: str | None
    acknowledged_by: str | None = None


def escalation_list(rows: Sequence[ListedEscalation], now: dt.datetime, resolved_recently: int) -> str:
    """Open escalations, oldest first, with their age and where they stand."""
    if not rows:
        head = "No open escalations."
    else:
        head = f"*Open escalations ({len(rows)})*"
    lines = [head]
    for row in rows:
        icon = SEVERITY_ICONS.get(row.severity, ":warning:")
        summary = _truncate(row.summary, 120)  # mrkdwn as stored: keep mentions, links and emoji
        if row.status == PENDING:
            # last_error is our own mrkdwn (channels.problem_message), with a channel mention in it
            where = f"*not posted yet* ({row.last_error or 'waiting'})"
        elif row.status == ACKNOWLEDGED:
            where = f"acknowledged by <@{row.acknowledged_by}>" if row.acknowledged_by else "acknowledged"
        else:
            where = "waiting for acknowledgement"
        link = f" · <{row.permalink}|view>" if row.permalink else (f" · <#{row.channel}>" if row.channel else "")
        lines.append(
            f"• `#{row.id}` {icon} *{escape(row.client_name)}* — {age(row.created_at, now)} old, {where}{link}\n"
            f"    {summary}"
        )
    if resolved_recently:
        lines.append(f"_{resolved_recently} resolved in the last 30 days._")
    return "\n".join(lines)
