"""Block Kit and plain text for a draft (pure: no Slack, no database, no network).

The English draft and the local version stand side by side as the two fields of one section
(Slack shows fields in two columns on a wide screen and one under the other on a phone);
drafts too long for a field (2,000 characters) get a section each.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from cultures.countries import get_country
from cultures.errors import CultureError
from handlers.common.text import escape_mrkdwn
from handlers.draft.compose import Draft
from handlers.draft.localize import Localized

FIELD_LIMIT = 2000
SECTION_LIMIT = 3000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sections(text: str) -> list[SectionBlock]:
    """``text`` in sections of at most 3,000 characters, cut at paragraph or line ends."""
    blocks: list[SectionBlock] = []
    rest = text
    while rest:
        if len(rest) <= SECTION_LIMIT:
            piece, rest = rest, ""
        else:
            cut = rest.rfind("\n", 0, SECTION_LIMIT)
            if cut <= 0:
                cut = rest.rfind(" ", 0, SECTION_LIMIT)
            if cut <= 0:
                cut = SECTION_LIMIT
            piece, rest = rest[:cut], rest[cut:].lstrip("\n ")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=piece)))
    return blocks


def country_words(draft: Draft) -> str:
    """``Germany`` or ``Ghana (regional default card: Western Africa)``."""
    try:
        name = get_country(draft.recipient.country).english_name
    except CultureError:
        name = draft.recipient.country
    if draft.card.regional_default:
        return f"{name} (regional default card: {draft.card.region_name})"
    return name


def language_label(draft: Draft) -> str:
    """``Deutsch (German)`` or ``English``."""
    language = draft.recipient.language
    if language.native_name and language.native_name.lower() != language.english_name.lower():
        return f"{language.native_name} ({language.english_name})"
    return language.english_name


def card_phrases(draft: Draft) -> str:
    """The card's greeting and closing in their language, with what they mean."""
    opening, closing = draft.addressing.opening, draft.addressing.closing
    greeting = draft.card.greetings[0] if draft.card.greetings else None
    lines = [
        f"• Opening: *{escape_mrkdwn(opening.text)}* — _{escape_mrkdwn(opening.meaning)}_",
        f"• Closing: *{escape_mrkdwn(closing.text)}* — _{escape_mrkdwn(closing.meaning)}_",
    ]
    if greeting is not None:
        meaning, use = escape_mrkdwn(greeting.meaning), escape_mrkdwn(greeting.use)
        lines.append(f"• Greeting: *{escape_mrkdwn(greeting.text)}* — _{meaning}_ ({use})")
    return "\n".join(lines)


def versions(draft: Draft, localized: Localized) -> list[Block]:
    """The draft itself: English and local side by side, or English with the card's phrases."""
    english = draft.english_text()
    if draft.english_only:
        return [*_sections(f"*English* — their language\n{english}")]
    if localized.text is None:
        note = localized.unavailable or "translation unavailable right now"
        source = (
            f"Their greeting and closing from the culture card ({language_label(draft)})"
            if draft.card_in_their_language
            else "The culture card's email phrases (the card writes business email in another language than theirs)"
        )
        return [
            *_sections(f"*English*\n{english}"),
            SectionBlock(
                text=MarkdownTextObject(
                    text=_cut(
                        f":warning: {note[:1].upper()}{note[1:]}. {source}:\n{card_phrases(draft)}",
                        SECTION_LIMIT,
                    )
                )
            ),
        ]
    left = f"*English*\n{english}"
    right = f"*{language_label(draft)}*\n{localized.text}"
    if len(left) <= FIELD_LIMIT and len(right) <= FIELD_LIMIT:
        return [SectionBlock(fields=[MarkdownTextObject(text=left), MarkdownTextObject(text=right)])]
    return [*_sections(left), *_sections(right)]


def draft_blocks(draft: Draft, localized: Localized) -> list[Block]:
    """The `/draft` answer."""
    about = [f"{escape_mrkdwn(country_words(draft))}", f"their language: {escape_mrkdwn(language_label(draft))}"]
    if draft.contact is not None:
        about.append(f"contact: {escape_mrkdwn(draft.contact.typed)}")
    about.append(f"tone: {draft.tone.describe()}")
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_cut(draft.title, 150))),
        ContextBlock(elements=[MarkdownTextObject(text=_cut(" · ".join(about), 2000))]),
        *versions(draft, localized),
    ]
    notes = draft.remarks()
    if "[" in draft.english_text():
        notes.insert(0, "Fill in the [bracketed] parts before sending.")
    if localized.provider:
        notes.append(
            f"Machine translation ({localized.provider}): have a colleague who speaks the language glance at it."
        )
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_cut(n, 2000)) for n in notes[:10]]))
    if draft.tips:
        blocks.append(DividerBlock())
        lines = [f"• *{label}:* {escape_mrkdwn(advice)}" for label, advice in draft.tips]
        tips = _cut("*Why this wording*\n" + "\n".join(lines), SECTION_LIMIT)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=tips)))
    return blocks


def draft_text(draft: Draft, localized: Localized) -> str:
    """Plain-text fallback (notifications, clients without Block Kit)."""
    parts = [f"{draft.title}", f"English:\n{draft.english_text()}"]
    if localized.text is not None:
        parts.append(f"{language_label(draft)}:\n{localized.text}")
    elif not draft.english_only:
        parts.append(f"{localized.unavailable or 'translation unavailable right now'}.")
    return "\n\n".join(parts)
