"""What Rapport posts about client channels (pure): translations in threads, the owner's warning,
the escalation summary, the note that a follow-up ended, and the pick list that links a channel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.common.team import language_name
from handlers.common.text import escape_mrkdwn
from handlers.translate.markup import quiet_broadcasts

SECTION_LIMIT = 2900
LINK_ACTION = "rapport_link_shared_channel"
NEW_CLIENT = "new"
MAX_OPTIONS = 100  # Slack: at most 100 options in a static select


def _cut(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def translation_blocks(text: str, source: str | None, target: str) -> list[dict[str, Any]]:
    """A translation posted in the message's thread, with where it came from."""
    note = f":globe_with_meridians: {language_name(target)} translation"
    if source:
        note += f" (from {language_name(source)})"
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(quiet_broadcasts(text))}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{note} by Rapport"}]},
    ]


def duration_words(delta: dt.timedelta) -> str:
    """``1 h 20 min`` / ``45 min`` (at least ``1 min``)."""
    minutes = max(1, int(delta.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)


def warning_text(client_name: str, author_id: str, channel_id: str, permalink: str | None, left: dt.timedelta) -> str:
    """The DM to the owner at 75% of the reply target."""
    where = f"<{permalink}|a request>" if permalink else "a request"
    return (
        f":hourglass_flowing_sand: {where} from <@{author_id}> ({escape_mrkdwn(client_name)}) in <#{channel_id}> "
        f"has no answer yet: {duration_words(left)} of their business hours left before it is escalated. "
        "Reply in its thread, or react :eyes: to take it."
    )


def escalation_summary(
    author_id: str,
    channel_id: str,
    waited: dt.timedelta,
    target: dt.timedelta,
    text: str | None,
    translation: str | None,
) -> str:
    """What the escalation says: who asked where, how long it waited in business hours, what they wrote."""
    lines = [
        f"No reply to a request from <@{author_id}> in <#{channel_id}> after {duration_words(waited)} of their "
        f"business hours (the target is {duration_words(target)})."
    ]
    # @channel / @here / group mentions in their text must not ping the escalation channel
    if text:
        lines.append(f"They wrote: “{_cut(quiet_broadcasts(text), 1200)}”")
    if translation:
        lines.append(f"Translation: “{_cut(quiet_broadcasts(translation), 1200)}”")
    return "\n".join(lines)


def followup_ended_text(short_id: int, client_name: str, what: str, channel_id: str) -> str:
    """The owner's note when an ``until reply`` follow-up ends by itself."""
    return (
        f":speech_balloon: Follow-up #{short_id} with *{escape_mrkdwn(client_name)}* ({what}) ended by itself: "
        f"they wrote in <#{channel_id}> before it was due."
    )


def link_prompt_blocks(channel_id: str, org_name: str | None, clients: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """The DM to whoever added Rapport to a shared channel: which client is it? (likely ones first)."""
    who = f" with *{escape_mrkdwn(_cut(org_name, 200))}*" if org_name else ""
    options = [
        {"text": {"type": "plain_text", "text": _cut(name, 75)}, "value": f"{channel_id}:{client_id}"}
        for client_id, name in clients[: MAX_OPTIONS - 1]
    ]
    options.append({"text": {"type": "plain_text", "text": "A new client…"}, "value": f"{channel_id}:{NEW_CLIENT}"})
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (
                    f"You added me to <#{channel_id}>, a channel shared{who}. Which client is it? I track the "
                    "client's requests there and translate their messages once it is linked; until then I post "
                    "nothing in it."
                ),
            },
            "accessory": {
                "type": "static_select",
                "action_id": LINK_ACTION,
                "placeholder": {"type": "plain_text", "text": "Choose the client"},
                "options": options,
            },
        }
    ]
