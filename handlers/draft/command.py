"""`/draft <client> <kind> [details]`: reading the request, then compose, localize, render.

Client names may have several words (``Acme GmbH``) and kinds are plain words, so the request
is read by trying each kind word in the text as the end of the client's name: an exact name
first, then the directory's forgiving match (prefix, small typo). ``details`` are everything
after the kind, exactly as typed — Slack markup, line breaks and quotes untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cultures.cards import card_for
from cultures.company import Closure
from cultures.errors import CultureError
from cultures.languages import Language, main_language, resolve_language
from db.models import Client
from db.scoped import team_session
from handlers.clients.directory import find_client
from handlers.clients.fields import name_key
from handlers.common.args import normalise_quotes
from handlers.common.commands import Command
from handlers.common.errors import UnknownClient, UserError
from handlers.common.people import member
from handlers.common.respond import Reply
from handlers.common.text import escape_mrkdwn, unescape_slack
from handlers.draft.blocks import draft_blocks, draft_text
from handlers.draft.compose import Recipient, compose
from handlers.draft.localize import card_speaks, localize
from handlers.draft.templates import KINDS, kind_of

logger = logging.getLogger(__name__)

KIND_LIST = ", ".join(f"`{kind}`" for kind in KINDS)
USAGE = f"""`/draft <client> <kind> [details]` — a short message fitted to the client's culture and contact, \
in English and in their language side by side
Kinds: {KIND_LIST}
`/draft Acme followup the quote we sent on Monday`
`/draft "Tanaka Trading" apology the late delivery of order *4711*`
`/draft Acme delay the shipment moves from 5 to 12 December`
`/draft Acme greeting` · `/draft Acme thanks the warm welcome in Osaka`
`/draft Acme intro I am taking over your account from Maria`"""

_TOKEN = re.compile(r'"[^"]*"|\S+')


@dataclass(frozen=True)
class Request:
    """What the person asked for."""

    client: Client
    kind: str
    details: str | None


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].strip()
    return name


def read_request(session: Session, text: str) -> Request:
    """Find the client, the kind and the details in ``text``. Raises UserError saying what is missing."""
    original = text.strip()
    if not original:
        raise UserError(f"Tell me which client the draft is for and what kind of draft: {KIND_LIST}.")
    spotted = normalise_quotes(original)  # same length: typographic quotes become straight ones
    tokens = [(m[0], m.start(), m.end()) for m in _TOKEN.finditer(spotted)]

    def name_before(index: int) -> str:
        return _unquote(spotted[: tokens[index - 1][2]])

    def details_after(index: int) -> str | None:
        rest = original[tokens[index][2] :].strip()
        return rest or None

    keys = {row.name_key: row.id for row in session.execute(select(Client.id, Client.name_key))}

    def exact(name: str) -> Client | None:
        found = keys.get(name_key(unescape_slack(name)))
        return session.get(Client, found) if found is not None else None

    kind_at = [i for i, (word, _s, _e) in enumerate(tokens) if i >= 1 and kind_of(word)]
    for index in kind_at:
        client = exact(name_before(index))
        if client is not None:
            return Request(client, kind_of(tokens[index][0]) or "", details_after(index))
    first_miss: UnknownClient | None = None
    for index in kind_at:
        try:
            client = find_client(session, name_before(index))
        except UnknownClient as error:
            first_miss = first_miss or error
            continue
        return Request(client, kind_of(tokens[index][0]) or "", details_after(index))

    # No kind after a known client: say which is missing, the kind or the client. When the text
    # has a kind word, the words before it were meant as the name: only an exact shorter name wins.
    finders = [exact] if kind_at else [exact, lambda name: _loose(session, name)]
    for finder in finders:
        for count in range(len(tokens), 0, -1):
            client = finder(name_before(count))
            if client is None:
                continue
            if count == len(tokens):
                raise UserError(f"What kind of draft for *{escape_mrkdwn(client.name)}*? Add one of {KIND_LIST}.")
            word = escape_mrkdwn(tokens[count][0])
            raise UserError(f"I don't know the kind of draft “{word}”. Kinds: {KIND_LIST}.")
    if kind_of(tokens[0][0]):
        kind = kind_of(tokens[0][0])
        raise UserError(f"Tell me which client the draft is for, before the kind: `/draft <client> {kind} …`.")
    if first_miss is not None:
        raise UserError(first_miss.message) from None
    try:
        find_client(session, _unquote(tokens[0][0]))
    except UnknownClient as error:
        raise UserError(error.message) from None
    raise UserError(f"I could not read that: name a client and then one of {KIND_LIST}.")


def _loose(session: Session, name: str) -> Client | None:
    try:
        return find_client(session, name)
    except UnknownClient:
        return None


def language_for(language: str | None, country: str) -> Language:
    """A client's own language if set (and readable), else their country's main language."""
    if language:
        try:
            return resolve_language(language)
        except CultureError:
            logger.warning("unreadable client language %r", language)
    return main_language(country)


def client_language(client: Client) -> Language:
    """The language to write to ``client`` in."""
    return language_for(client.language, client.country)


def recipient_for(client: Client) -> Recipient:
    """The draft's view of a client row."""
    return Recipient(
        name=client.name,
        country=client.country,
        language=client_language(client),
        contact=client.contact,
        subdivision=client.subdivision,
        closures=tuple(Closure(row.first_day, row.last_day, row.label) for row in client.closures),
    )


def local_date(now: dt.datetime, zone: str) -> dt.date:
    """The date on the client's wall clock."""
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.date()


def draft(command: Command) -> Reply:
    """The `/draft` command."""
    runtime = command.runtime
    with team_session(runtime.sessions, command.team_id) as session:
        request = read_request(session, command.text)
        recipient = recipient_for(request.client)
        zone = request.client.tz
    who = member(command.client, runtime, command.team_id, command.user_id)
    sender = who.real_name or command.user_name
    card = card_for(recipient.country)
    composed = compose(
        request.kind,
        recipient,
        card,
        details=request.details,
        sender=sender,
        today=local_date(runtime.clock(), zone),
        card_in_their_language=card_speaks(card, recipient.language),
    )
    localized = localize(runtime, command.team_id, composed)
    return Reply(text=draft_text(composed, localized), blocks=draft_blocks(composed, localized))
