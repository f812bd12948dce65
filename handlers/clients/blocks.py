"""Block Kit for the client directory: a client's card, the list, the "add a client" form (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from cultures.countries import get_country
from cultures.errors import CultureError
from cultures.languages import resolve_language
from db.models import Client
from handlers.clients.fields import CHANNELS, DEFAULT_REPLY_MINUTES, closures_text
from handlers.common.respond import split_text
from handlers.common.text import escape_mrkdwn

ADD_CALLBACK = "rapport_clients_add"
FIELD_ACTION = "value"
LIST_LINES_PER_BLOCK = 20


def flag(country_code: str) -> str:
    """The flag emoji of an ISO alpha-2 code (regional indicator letters)."""
    code = country_code.upper()
    if len(code) != 2 or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)


def country_words(client: Client) -> str:
    """``🇩🇪 Germany`` (with the region when there is one)."""
    try:
        name = get_country(client.country).english_name
    except LookupError:
        name = client.country
    region = f" ({client.subdivision})" if client.subdivision else ""
    return f"{flag(client.country)} {name}{region}".strip()


def language_words(code: str) -> str:
    """``Japanese (ja)``; the bare code when it cannot be read."""
    try:
        return f"{resolve_language(code).english_name} ({code})"
    except CultureError:
        return code


@dataclass(frozen=True)
class ClientCard:
    """What `/client show` adds to the row: its shared channels and its open requests (mrkdwn lines)."""

    shared: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()
    requests_more: int = 0


def reply_words(minutes: int | None) -> str:
    """``4 h`` / ``30 min`` / ``1 h 30 min`` of their business hours (the default when None)."""
    minutes = minutes or DEFAULT_REPLY_MINUTES
    hours, rest = divmod(minutes, 60)
    words = " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)
    return f"{words} of their business hours"


def client_facts(client: Client, card: ClientCard | None = None) -> list[tuple[str, str]]:
    """(label, mrkdwn value) pairs of what is on file, in the CONTRACT's key order."""
    facts = [("Country", country_words(client)), ("Time zone", client.tz)]
    if client.language:
        facts.append(("Language", language_words(client.language)))
    if client.contact:
        facts.append(("Contact", escape_mrkdwn(client.contact)))
    if client.channel:
        facts.append(("Channel", client.channel))
    if client.owner_id:
        facts.append(("Owner", f"<@{client.owner_id}>"))
    if client.email:
        facts.append(("Email", client.email))
    if client.phone:
        facts.append(("Phone", client.phone))
    if client.hours:
        facts.append(("Hours", client.hours))
    if client.birthday:
        facts.append(("Birthday", client.birthday.isoformat()))
    if client.note:
        facts.append(("Note", client.note))
    if client.escalation_channel:
        facts.append(("Escalations", f"<#{client.escalation_channel}>"))
    if card is not None and card.shared:
        facts.append(("Shared channels", " ".join(f"<#{channel}>" for channel in card.shared)))
        facts.append(("Reply target", reply_words(client.reply_minutes)))
        facts.append(("Translation", TRANSLATE_WORDS[client.translate_mode or "in"]))
    elif client.reply_minutes or client.translate_mode:
        facts.append(("Reply target", reply_words(client.reply_minutes)))
        facts.append(("Translation", TRANSLATE_WORDS[client.translate_mode or "in"]))
    if client.closures:
        facts.append(("Closed", _closures_fact(client)))
    return facts


CLOSED_FACT_LIMIT = 1500  # within a section field's 2,000 characters, escapes included


def _closures_fact(client: Client) -> str:
    """The closures, one a line; a list too long for one field ends with a pointer to the rest."""
    lines = [escape_mrkdwn(line) for line in closures_text(client, "\n").splitlines()]
    shown: list[str] = []
    for index, line in enumerate(lines):
        if sum(len(item) + 1 for item in shown) + len(line) > CLOSED_FACT_LIMIT:
            shown.append(f"…and {len(lines) - index} more (all in `/client export`)")
            break
        shown.append(line)
    return "\n".join(shown)


TRANSLATE_WORDS = {
    "in": "their messages into your language",
    "both": "both ways",
    "off": "off",
}


def _request_lines(card: ClientCard | None) -> list[str]:
    if card is None or not (card.requests or card.shared):
        return []
    if not card.requests:
        return ["*Open requests*: none"]
    more = f"\n…and {card.requests_more} more" if card.requests_more else ""
    return ["*Open requests*\n" + "\n".join(card.requests) + more]


def client_text(client: Client, heading: str | None = None, card: ClientCard | None = None) -> str:
    """A client's record as readable text."""
    lines = [heading or f"*{escape_mrkdwn(client.name)}*"]
    lines += [f"{label}: {value}" for label, value in client_facts(client, card)]
    lines += _request_lines(card)
    return "\n".join(lines)


def client_blocks(
    client: Client, heading: str | None = None, remarks: list[str] | None = None, card: ClientCard | None = None
) -> list[Block]:
    """A client's record as a card; ``remarks`` go in a context line below."""
    facts = client_facts(client, card)
    short = [(label, value) for label, value in facts if label != "Note"]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=heading or f"*{escape_mrkdwn(client.name)}*")),
    ]
    # A section holds at most 10 fields: the rest of the facts go in the next section(s), never dropped.
    for start in range(0, len(short), 10):
        fields = [MarkdownTextObject(text=f"*{label}*\n{value[:1900]}") for label, value in short[start : start + 10]]
        blocks.append(SectionBlock(fields=fields))
    if client.note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Note*\n{client.note[:2900]}")))
    for line in _request_lines(card):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line[:2900])))
    hint = f"`/contact {escape_mrkdwn(client.name)}` — how and when to reach them"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join([*(remarks or []), hint])[:2900])]))
    return blocks


def list_line(client: Client) -> str:
    """One line of `/client list`."""
    owner = f" · <@{client.owner_id}>" if client.owner_id else ""
    contact = f" · {escape_mrkdwn(client.contact)}" if client.contact else ""
    return f"• *{escape_mrkdwn(client.name)}* — {country_words(client)} · {client.tz}{contact}{owner}"


def list_blocks(heading: str, clients: list[Client]) -> list[Block]:
    """The list, a section per 20 clients, split further where Slack's 3,000-character limit needs it."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=heading))]
    lines = [list_line(client) for client in clients]
    for start in range(0, len(lines), LIST_LINES_PER_BLOCK):
        chunk = "\n".join(lines[start : start + LIST_LINES_PER_BLOCK])
        for piece in split_text(chunk, 2990):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=piece)))
    return blocks


def _text_input(
    key: str,
    label: str,
    hint: str | None = None,
    *,
    optional: bool = True,
    multiline: bool = False,
    placeholder: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=key,
        label=PlainTextObject(text=label),
        element=PlainTextInputElement(
            action_id=FIELD_ACTION,
            multiline=multiline,
            placeholder=PlainTextObject(text=placeholder) if placeholder else None,
        ),
        hint=PlainTextObject(text=hint) if hint else None,
        optional=optional,
    )


def add_modal(private_metadata: str = "") -> View:
    """The form `/client add` opens when given no arguments (same checks as the command)."""
    return View(
        type="modal",
        callback_id=ADD_CALLBACK,
        private_metadata=private_metadata,
        title=PlainTextObject(text="Add a client"),
        submit=PlainTextObject(text="Add"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            _text_input("name", "Name", optional=False, placeholder="Müller Maschinenbau"),
            _text_input("country", "Country", "An ISO code or a name: DE, Germany, Deutschland", optional=False),
            _text_input(
                "tz", "Time zone or city", "Needed when the country has several zones: America/Chicago or Chicago"
            ),
            _text_input("region", "State or region", "For regional holidays: Bayern, California, CA"),
            _text_input("lang", "Language", "Leave empty for the country's main language: ja, Japanese, 日本語"),
            _text_input("contact", "Contact person", placeholder="Dr. Anna Müller"),
            InputBlock(
                block_id="channel",
                label=PlainTextObject(text="Preferred channel"),
                element=StaticSelectElement(
                    action_id=FIELD_ACTION,
                    placeholder=PlainTextObject(text="Choose"),
                    options=[Option(value=channel, text=channel) for channel in CHANNELS],
                ),
                optional=True,
            ),
            InputBlock(
                block_id="owner",
                label=PlainTextObject(text="Owner"),
                element=UserSelectElement(
                    action_id=FIELD_ACTION, placeholder=PlainTextObject(text="Who looks after them")
                ),
                optional=True,
            ),
            _text_input("email", "Email"),
            _text_input("phone", "Phone"),
            _text_input(
                "hours", "Their business hours", "Overrides the country's: 09:00-17:00 or 09:00-12:00,13:00-17:00"
            ),
            InputBlock(
                block_id="birthday",
                label=PlainTextObject(text="Contact's birthday"),
                element=DatePickerElement(action_id=FIELD_ACTION),
                optional=True,
            ),
            _text_input("note", "Note", multiline=True),
        ],
    )


def form_values(state: dict[str, Any]) -> dict[str, str]:
    """The submitted form as `key: text` options (users as mentions), empty fields left out."""
    options: dict[str, str] = {}
    for key, actions in (state.get("values") or {}).items():
        element = (actions or {}).get(FIELD_ACTION) or {}
        value = (
            element.get("value")
            or (element.get("selected_option") or {}).get("value")
            or element.get("selected_date")
            or (f"<@{element['selected_user']}>" if element.get("selected_user") else None)
        )
        if value and str(value).strip():
            options[key] = str(value)
    return options
