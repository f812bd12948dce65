"""Block Kit for translations (pure: no I/O). Builders return slack_sdk blocks, which validate."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from handlers.common.respond import split_text
from handlers.translate.markup import quiet_broadcasts
from handlers.translate.providers import split_for_limit
from handlers.translate.translation import Translation, language_name

POST_ACTION = "rapport_translate_post"
MAX_SECTION = 3000
MAX_VALUE = 2000
MAX_BUTTONS = 25


def direction(translation: Translation) -> str:
    """``*English* → *Japanese*``."""
    return f"*{language_name(translation.source)}* → *{language_name(translation.target)}*"


def _sections(text: str) -> list[SectionBlock]:
    return [SectionBlock(text=MarkdownTextObject(text=part)) for part in split_text(text or " ", MAX_SECTION)]


def post_values(translation: Translation) -> list[str]:
    """Button values (≤ 2,000 characters each) that carry the translation, in parts if long."""
    limit = 1800
    while limit > 100:
        parts = [piece + gap for piece, gap in split_for_limit(translation.text, limit)]
        values = [
            json.dumps(
                {"s": translation.source, "t": translation.target, "n": len(parts), "x": part}, ensure_ascii=False
            )
            for part in parts
        ]
        if all(len(v) <= MAX_VALUE for v in values):
            return values[:MAX_BUTTONS]
        limit = int(limit * 0.7)
    return []


def read_post_value(value: str) -> dict[str, Any]:
    """The translation a Post button carries (``s`` source, ``t`` target, ``x`` text)."""
    data = json.loads(value)
    if not isinstance(data, dict) or not isinstance(data.get("x"), str):
        raise ValueError("not a translation button value")
    return data


def translation_blocks(translation: Translation, *, shareable: bool = True) -> list[Block]:
    """The answer to the asker: direction and provider, the translation, a Post to channel button."""
    via = f"via {translation.provider}" + (" (cached)" if translation.cached else "")
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=f"{direction(translation)} · {via}")])]
    blocks.extend(_sections(translation.text))
    values = post_values(translation) if shareable else []
    if values:
        many = len(values) > 1
        buttons = [
            ButtonElement(
                text=f"Post part {index + 1} to channel" if many else "Post to channel",
                action_id=POST_ACTION if index == 0 else f"{POST_ACTION}_{index + 1}",
                value=value,
            )
            for index, value in enumerate(values)
        ]
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def translation_text(translation: Translation) -> str:
    """The plain-text fallback of the answer."""
    return f"{language_name(translation.source)} → {language_name(translation.target)}:\n{translation.text}"


def posted_blocks(text: str, source: str | None, target: str, user_id: str) -> list[Block]:
    """A translation someone shared in the channel with the Post button."""
    note = f"Translated from {language_name(source)} to {language_name(target)} for <@{user_id}> by Rapport"
    return [*_sections(quiet_broadcasts(text)), ContextBlock(elements=[MarkdownTextObject(text=note)])]


def thread_reply_blocks(translation: Translation, reaction: str) -> list[Block]:
    """The translation a flag reaction asked for, posted in the message's thread."""
    note = (
        f":{reaction}: {language_name(translation.target)} translation "
        f"(from {language_name(translation.source)}) by Rapport"
    )
    return [*_sections(quiet_broadcasts(translation.text)), ContextBlock(elements=[MarkdownTextObject(text=note)])]


def posted_note(channel_id: str) -> list[Block]:
    """The line that replaces the Post button once the translation is in the channel."""
    return [ContextBlock(elements=[MarkdownTextObject(text=f":white_check_mark: Posted to <#{channel_id}>.")])]
