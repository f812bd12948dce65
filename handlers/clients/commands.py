"""The `/client` command: add, edit, show, list, remove, import, export."""

from __future__ import annotations

import datetime as dt
import logging
import re

from sqlalchemy.orm import Session

from db.models import Client
from db.scoped import team_session
from handlers.clients import blocks, csvfile
from handlers.clients.directory import (
    add_client,
    find_client,
    list_clients,
    remove_client,
    update_client,
)
from handlers.clients.fields import (
    OPTION_KEYS,
    FieldError,
    UserLookup,
    closures_text,
    country_of,
    options_from_parsed,
    parse_options,
    read_changes,
)
from handlers.clients.links import link_shared, shared_channels, shared_channels_by_client, unlink_shared
from handlers.clients.requests_view import open_requests
from handlers.common.args import parse, user_id_of
from handlers.common.commands import Command
from handlers.common.errors import UserError
from handlers.common.files import send_file
from handlers.common.people import UnknownPerson, person_id
from handlers.common.respond import Reply
from handlers.common.text import escape_mrkdwn

logger = logging.getLogger(__name__)

USAGE = """`/client add <name> country:<country> [tz:<IANA zone or city>] [lang:<language>] [contact:"<person>"] \
[channel:email|phone|chat|video|whatsapp] [owner:@user] [email:<address>] [phone:<number>] [hours:HH:MM-HH:MM] \
[birthday:YYYY-MM-DD] [note:"<text>"] [region:<state or province>]` — `/client add` alone opens a form
`/client edit <name> key:value …` — change facts (`name:"New name"` renames; an empty value clears: `note:""`; \
`escalation:#channel` sends this client's escalations there)
`/client show <name>` · `/client list [country | @owner | mine]` · `/client remove <name>`
`/client import` + pasted CSV (first line: column names like the keys above), or drop a .csv file in your DM \
with me · `/client export` (CSV file)
Example: `/client add Müller Maschinenbau country:Deutschland contact:"Dr. Anna Müller"`"""

SUBCOMMANDS = ("add", "edit", "show", "list", "remove", "import", "export")
_SUBCOMMAND_ALIASES = {"delete": "remove", "rm": "remove", "ls": "list", "update": "edit", "info": "show", "new": "add"}


def client_command(command: Command) -> Reply | None:
    """Dispatch `/client <subcommand> …`."""
    text = command.text.strip()
    if not text:
        raise UserError("What should I do? Start with a subcommand, e.g. `/client add` or `/client list`.")
    # The subcommand ends at the first space or line break; the rest is kept exactly (pasted CSV).
    parts = re.split(r"\s", re.sub(r"\r\n?", "\n", text), maxsplit=1)
    first, rest = parts[0], (parts[1] if len(parts) > 1 else "")
    sub = _SUBCOMMAND_ALIASES.get(first.lower(), first.lower())
    if sub not in SUBCOMMANDS:
        raise UserError(f"I don't know `/client {escape_mrkdwn(first[:40])}`. Subcommands: {', '.join(SUBCOMMANDS)}.")
    rest = rest.strip()
    if sub == "add":
        return add(command, rest)
    if sub == "edit":
        return edit(command, rest)
    if sub == "show":
        return show(command, rest)
    if sub == "list":
        return list_(command, rest)
    if sub == "remove":
        return remove(command, rest)
    if sub == "import":
        return import_(command, rest)
    if rest:
        raise UserError("`/client export` takes nothing after it: it sends every client as a CSV file.")
    return export(command)


def user_lookup(command: Command) -> UserLookup:
    """Resolve what was typed for `owner:` (``me``, ``@anna``, ``anna``) to a user id via users.list."""

    def lookup(text: str) -> str:
        try:
            return person_id(command.client, text, asker_id=command.user_id, example="owner:@anna")
        except UnknownPerson as error:
            raise FieldError("owner", error.message) from None

    return lookup


def _resolve_owner(options: dict[str, str], command: Command) -> dict[str, str]:
    """Look the owner and the channels up before any session opens (network calls).

    `shared:` becomes the ids of the channels, space-separated (empty: unlink every shared channel).
    """
    shared = options.get("shared")
    if shared is not None and shared.strip().lower() not in ("", "off", "none", "-"):
        from handlers.common.channels import shared_channel

        found = [shared_channel(command.client, word) for word in re.split(r"[\s,]+", shared.strip()) if word]
        options = {**options, "shared": " ".join(channel.id for channel in found)}
        for channel in found:
            if not channel.external:
                command.remarks.append(
                    f"<#{channel.id}> is not shared with another organisation (yet): requests are tracked "
                    "once the client's people write in it."
                )
    elif shared is not None:
        options = {**options, "shared": ""}
    owner = options.get("owner", "").strip()
    if owner and user_id_of(owner) is None and not re.fullmatch(r"[UW][A-Z0-9]{6,}", owner):
        options = {**options, "owner": f"<@{user_lookup(command)(owner)}>"}
    escalation = options.get("escalation", "").strip()
    if escalation and escalation.lower() not in ("off", "none", "default", "-"):
        from handlers.common.channels import checked_channel_id

        options = {**options, "escalation": f"<#{checked_channel_id(command.client, escalation)}>"}
    return options


def add(command: Command, rest: str) -> Reply | None:
    """`/client add <name> key:value …`, or the form when nothing follows."""
    if not rest:
        if not command.trigger_id:
            raise UserError("Give the client's name and country, e.g. `/client add Acme GmbH country:DE`.")
        command.client.views_open(trigger_id=command.trigger_id, view=blocks.add_modal(command.channel_id or ""))
        return None
    parsed = parse_options(rest, OPTION_KEYS)
    options = options_from_parsed(parsed.options)
    if parsed.words and "name" in options:
        raise UserError("Give the name once: either before the options or as `name:`.")
    name = parsed.rest if parsed.words else options.pop("name", "")
    if not name.strip():
        raise UserError("The client needs a name before the options, e.g. `/client add Acme GmbH country:DE`.")
    return save_new(command, {**_resolve_owner(options, command), "name": name})


def save_new(command: Command, options: dict[str, str]) -> Reply:
    """Read, check and store a new client; the answer shows its card."""
    shared = options.pop("shared", None)
    changes = read_changes(options, today=command.runtime.clock().date())
    with team_session(command.runtime.sessions, command.team_id) as session:
        client = add_client(session, changes.values, created_by=command.user_id)
        remarks = [*changes.remarks, *command.remarks, *_link(session, client, shared, command.user_id)]
        heading = f":white_check_mark: Added *{escape_mrkdwn(client.name)}*"
        return _card_reply(session, client, heading, remarks, command.runtime.clock())


def _link(session: Session, client: Client, shared: str | None, by: str) -> list[str]:
    """Apply `shared:` (channel ids, or "" to unlink them all); remarks for the answer."""
    if shared is None:
        return []
    if not shared:
        gone = unlink_shared(session, client)
        return [f"Unlinked {' '.join(f'<#{c}>' for c in gone)}."] if gone else []
    return link_shared(session, client, shared.split(), by)


def _card_reply(session: Session, client: Client, heading: str | None, remarks: list[str], now: dt.datetime) -> Reply:
    """The client's card with its shared channels and open requests."""
    shared = shared_channels(session, client.id)
    lines, more = open_requests(session, client, now) if shared else ([], 0)
    card = blocks.ClientCard(tuple(shared), tuple(lines), more)
    return Reply(
        text=blocks.client_text(client, heading, card) + "".join(f"\n{r}" for r in remarks),
        blocks=blocks.client_blocks(client, heading, remarks, card),
    )


def edit(command: Command, rest: str) -> Reply:
    """`/client edit <name> key:value …`."""
    parsed = parse_options(rest, OPTION_KEYS)
    if not parsed.words:
        raise UserError("Which client? `/client edit <name> key:value …`, e.g. `/client edit Acme tz:Europe/Vienna`.")
    options = _resolve_owner(options_from_parsed(parsed.options), command)
    if not options:
        raise UserError(
            f"Nothing to change for “{escape_mrkdwn(parsed.rest)}”: "
            'add `key:value`, e.g. `channel:phone` or `note:"…"`.'
        )
    today = command.runtime.clock().date()
    shared = options.pop("shared", None)
    with team_session(command.runtime.sessions, command.team_id) as session:
        client = find_client(session, parsed.rest)
        changes = read_changes(options, current=client, today=today)
        update_client(session, client, changes.values)
        remarks = [*changes.remarks, *command.remarks, *_link(session, client, shared, command.user_id)]
        heading = f":pencil2: Updated *{escape_mrkdwn(client.name)}*"
        return _card_reply(session, client, heading, remarks, command.runtime.clock())


def show(command: Command, rest: str) -> Reply:
    """`/client show <name>`."""
    name = parse(rest).rest
    if not name:
        raise UserError("Which client? `/client show <name>`.")
    with team_session(command.runtime.sessions, command.team_id) as session:
        client = find_client(session, name)
        return _card_reply(session, client, None, [], command.runtime.clock())


def list_(command: Command, rest: str) -> Reply:
    """`/client list [country | @owner | mine]`."""
    words = parse(rest).rest
    country = owner = None
    heading = "*Clients*"
    if words:
        if words.lower() in ("mine", "me", "my"):
            owner = command.user_id
        elif user_id_of(words) or words.startswith("@"):
            owner = user_id_of(words) or user_lookup(command)(words)
        else:
            try:
                country = country_of(words).code
            except FieldError as error:
                raise UserError(f"{error.message} `/client list` takes a country, `@owner` or `mine`.") from None
        heading = f"*Clients of <@{owner}>*" if owner else f"*Clients in {blocks.flag(country or '')} {country}*"
    with team_session(command.runtime.sessions, command.team_id) as session:
        clients = list_clients(session, country=country, owner_id=owner)
        if not clients:
            empty = "No clients yet." if not words else "No clients match."
            return Reply(text=f"{empty} `/client add <name> country:<country>` adds one.")
        heading = f"{heading} ({len(clients)})"
        text = heading + "\n" + "\n".join(blocks.list_line(client) for client in clients)
        return Reply(text=text, blocks=blocks.list_blocks(heading, clients))


def remove(command: Command, rest: str) -> Reply:
    """`/client remove <name>` (exact name only); the answer holds the command that adds it back."""
    name = parse(rest).rest
    if not name:
        raise UserError("Which client? `/client remove <exact name>`.")
    with team_session(command.runtime.sessions, command.team_id) as session:
        client = find_client(session, name, exact=True)
        again = _add_command(client)
        removed = client.name
        remove_client(session, client)
    return Reply(text=f":wastebasket: Removed *{escape_mrkdwn(removed)}*. To add it back:\n```{again}```")


def _add_command(client: Client) -> str:
    parts = [f"/client add {client.name} country:{client.country} tz:{client.tz}"]
    pairs = [
        ("region", client.subdivision),
        ("lang", client.language),
        ("contact", client.contact),
        ("channel", client.channel),
        ("owner", f"<@{client.owner_id}>" if client.owner_id else None),
        ("email", client.email),
        ("phone", client.phone),
        ("hours", client.hours),
        ("birthday", client.birthday.isoformat() if client.birthday else None),
        ("note", client.note),
        ("escalation", f"<#{client.escalation_channel}>" if client.escalation_channel else None),
        ("reply", f"{client.reply_minutes}m" if client.reply_minutes else None),
        ("translate", client.translate_mode),
    ]
    pairs += [("closed", text) for text in closures_text(client, "\n").splitlines()]  # one key per closure
    for key, value in pairs:
        if value:
            parts.append(f'{key}:"{value}"' if (" " in value or not value) else f"{key}:{value}")
    return " ".join(parts)


def import_(command: Command, text: str) -> Reply:
    """`/client import` with CSV pasted after it: all rows or none."""
    rows = csvfile.read_csv(text)
    return Reply(text=import_rows(command, rows).text())


def import_rows(command: Command, rows: list[csvfile.Row]) -> csvfile.ImportReport:
    """Check every row, then add them all in one transaction — or none, with the reasons."""
    report = csvfile.ImportReport(total=len(rows))
    prepared: list[tuple[csvfile.Row, dict[str, str]]] = []
    for row in rows:
        try:
            prepared.append((row, _resolve_owner(row.options, command)))
        except UserError as error:
            report.refused.append((row, error.message))
    today = command.runtime.clock().date()
    with team_session(command.runtime.sessions, command.team_id) as session:
        from handlers.clients.directory import _by_key

        seen: dict[str, int] = {}
        checked = []
        for row, options in prepared:
            try:
                changes = read_changes(options, today=today)
            except UserError as error:
                report.refused.append((row, error.message))
                continue
            key = changes.values["name_key"]
            if key in seen:
                report.refused.append((row, f"the same name as line {seen[key]}"))
                continue
            seen[key] = row.line
            existing = _by_key(session, key)
            if existing is not None:
                report.refused.append((row, f"a client called *{escape_mrkdwn(existing.name)}* already exists"))
                continue
            checked.append((changes.values, options.get("shared")))
        if report.refused:
            report.refused.sort(key=lambda item: item[0].line)
            return report
        for values, shared in checked:
            client = add_client(session, values, created_by=command.user_id)
            _link(session, client, shared or None, command.user_id)  # a `shared` column links channels too
            report.added.append(values["name"])
    return report


def export(command: Command) -> Reply:
    """`/client export`: every client as a CSV file in the asker's DM."""
    with team_session(command.runtime.sessions, command.team_id) as session:
        clients = list_clients(session)
        content = csvfile.export_csv(clients, shared=shared_channels_by_client(session))
    stamp = command.runtime.clock().strftime("%Y-%m-%d")
    filename = f"clients-{stamp}.csv"
    send_file(command.client, command.user_id, filename, content, "Rapport clients", f"{len(clients)} client(s).")
    return Reply(text=f"I sent you {len(clients)} client(s) as `{filename}` in our direct messages.")
