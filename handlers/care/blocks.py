"""Block Kit for a relationship-care heads-up (pure: no Slack, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, MarkdownTextObject, SectionBlock

from handlers.care.occasions import CareOccasion
from handlers.common.text import escape_mrkdwn
from handlers.draft.blocks import versions
from handlers.draft.compose import Draft, day_words
from handlers.draft.localize import Localized

SECTION_LIMIT = 3000


@dataclass(frozen=True)
class HeadsUp:
    """What one heads-up says: the client, the occasion, who gets it, and the greeting draft."""

    client_name: str
    country_name: str
    occasion: CareOccasion
    today: dt.date  # the client's local date
    to_owner: bool
    lead_days: int
    draft: Draft
    localized: Localized
    contact: str | None = None


def _cut(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when_words(occasion: CareOccasion, today: dt.date) -> str:
    """``Friday, 25 December (in 3 days)``, ``today``, ``tomorrow, Friday, 25 December``."""
    days = occasion.days_from(today)
    if days <= 0:
        return f"today, {day_words(occasion.date)}"
    if days == 1:
        return f"tomorrow, {day_words(occasion.date)}"
    return f"{day_words(occasion.date)} (in {days} days)"


def headline(heads_up: HeadsUp) -> str:
    """The first line, also the notification text."""
    client = escape_mrkdwn(heads_up.client_name)
    when = when_words(heads_up.occasion, heads_up.today)
    if heads_up.occasion.birthday:
        who = f"{escape_mrkdwn(heads_up.contact)} ({client})" if heads_up.contact else f"your contact at {client}"
        return f"Heads-up: birthday of {who} — {when}."
    country = escape_mrkdwn(heads_up.country_name)
    return f"Heads-up: {escape_mrkdwn(heads_up.occasion.name)} in {country} is {when}, for {client}."


def heads_up_blocks(heads_up: HeadsUp) -> list[Block]:
    """The heads-up message: what is coming, the local custom, and a greeting draft to send."""
    client = escape_mrkdwn(heads_up.client_name)
    if heads_up.to_owner:
        why = f"You get this as the owner of *{client}*."
    else:
        why = (
            f"Nobody owns *{client}* yet, so this goes to the escalation channel: "
            f"`/client edit {client} owner:@someone` sends the next one to a person."
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_cut(f":calendar: *{headline(heads_up)}*"))),
        ContextBlock(elements=[MarkdownTextObject(text=_cut(why, 2000))]),
    ]
    custom = heads_up.occasion.custom or (None if heads_up.occasion.birthday else heads_up.draft.card.holiday_customs)
    if custom:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_cut(f"*Custom:* {escape_mrkdwn(custom)}"))))
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=MarkdownTextObject(text="*A greeting you could send*")))
    blocks.extend(versions(heads_up.draft, heads_up.localized))
    notes = heads_up.draft.remarks()
    notes.append(
        f"Another wording: `/draft {client} greeting`. Heads-ups come {heads_up.lead_days} "
        "day(s) ahead (workspace setting `care_days`)."
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_cut(note, 2000)) for note in notes[:10]]))
    return blocks


def heads_up_text(heads_up: HeadsUp) -> str:
    """Plain-text fallback."""
    return headline(heads_up)
