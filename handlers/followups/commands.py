"""`/followup`: schedule a follow-up, list them, mark done, cancel, snooze, settings.

``/followup <client> <when> <what>``: the client is the longest run of leading words that names
a client (or a "quoted name"); ``<when>`` is the longest run of words after it that reads as a
time (or a "quoted phrase"); everything after is ``<what>``, kept exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import Client
from db.scoped import team_session
from handlers.clients.directory import find_client
from handlers.clients.links import shared_channels
from handlers.common.args import normalise_quotes, user_id_of
from handlers.common.commands import Command
from handlers.common.errors import UnknownClient, UserError
from handlers.common.people import Member, member, person_id
from handlers.common.respond import Reply
from handlers.followups import blocks, reminders
from handlers.followups.actions import refresh_message, snooze_and_refresh
from handlers.followups.when import WHEN_EXAMPLES, NotAWhen, Rule, WhenError, Wish, parse_duration, read_when

USAGE = f"""`/followup <client> <when> <what>` — remind me to follow up with a client, at a moment good for both
  e.g. `/followup Acme GmbH in 3 days send the revised offer`
  `/followup "Tanaka Trading" next tuesday 10:00 call about the contract`
  `<when>`: {WHEN_EXAMPLES}
  add `owner:@person` to remind someone else
`/followup list [client | @person | all]` — open follow-ups (yours by default) with their numbers
`/followup done <n>` · `/followup cancel <n>` · `/followup snooze <n> <duration>` (`1h`, `2 days`, `1 week`, `window`)
`/followup settings` · `/followup settings nag 2h` (re-notify once if not done after 2 hours; `nag off`)"""

MAX_WHAT = 2000
MAX_CLIENT_WORDS = 8
MAX_WHEN_WORDS = 10
SUBCOMMANDS = ("list", "done", "cancel", "snooze", "settings")
_TOKEN = re.compile(r'"[^"]*"|\S+')
_OWNER = re.compile(r"(?:^|\s)owner:(<@[UW][A-Z0-9]+(?:\|[^>]*)?>|@\S+)(?=\s|$)", re.I)
_UNTIL_REPLY = re.compile(r"\s+until\s+(?:they|the\s+client)?\s*repl(?:y|ies)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def quoted(self) -> bool:
        return len(self.text) >= 2 and self.text[0] == '"' and self.text[-1] == '"'

    @property
    def bare(self) -> str:
        return self.text[1:-1].strip() if self.quoted else self.text


def followup(command: Command) -> Reply | None:
    """Run `/followup …`."""
    text = command.text.strip()
    if not text:
        raise UserError("Tell me who to follow up with, when, and what about.")
    first, _, rest = text.partition(" ")
    sub = first.lower()
    if sub in SUBCOMMANDS:
        if sub == "list":
            return list_command(command, rest.strip())
        if sub == "settings":
            return settings_command(command, rest.strip())
        return change_command(command, sub, rest.strip())
    return schedule_command(command, text)


# --------------------------------------------------------------------------------------------
# Scheduling


def schedule_command(command: Command, text: str) -> Reply:
    """`/followup <client> <when> <what> [owner:@person]`."""
    runtime = command.runtime
    owner_id = command.user_id
    match = _OWNER.search(text)
    if match:
        owner_id = _user_of(match[1], command)
        text = (text[: match.start()] + text[match.end() :]).strip()
    until_reply = bool(_UNTIL_REPLY.search(text))
    if until_reply:
        text = _UNTIL_REPLY.sub("", text).strip()
    owner = member(command.client, runtime, command.team_id, owner_id)
    now = runtime.clock()
    with team_session(runtime.sessions, command.team_id) as session:
        client, when_text, wish, what = split_request(session, text, now, owner)
        shared = shared_channels(session, client.id) if until_reply else []
    if not what:
        raise UserError(
            f"What should the reminder say? Add it after the time, e.g. `/followup {client.name} {when_text} "
            "send the revised offer`."
        )
    if len(what) > MAX_WHAT:
        raise UserError(f"The reminder text is {len(what):,} characters; keep it to {MAX_WHAT:,}.", show_usage=False)
    created = reminders.create_followup(
        runtime,
        command.team_id,
        reminders.NewFollowUp(client, owner, command.user_id, what, when_text, wish, until_reply),
    )
    asker_zone = owner.tz
    if owner_id != command.user_id:
        asker_zone = member(command.client, runtime, command.team_id, command.user_id).tz
    view = blocks.ScheduledView(
        short_id=created.followup.short_id,
        client_name=client.name,
        what=what,
        fire_at=created.placement.fire_at,
        requested_at=created.placement.requested_at,
        their_zone=client.tz,
        your_zone=asker_zone,
        reason=created.placement.reason,
        recurrence=_recurrence_words(created.rule, wish),
        owner_id=owner_id if owner_id != command.user_id else None,
        asker_zone_unknown=not owner.tz_known,
        no_overlap=created.placement.no_overlap,
        requested_timed=wish.timed,
        until_reply=until_reply,
        shared_channels=tuple(shared),
    )
    return Reply(text=blocks.scheduled_text(view), blocks=blocks.scheduled_blocks(view))


def _recurrence_words(rule: Rule | None, wish: Wish) -> str | None:
    if rule is None:
        return None
    return rule.describe() + (f" at {wish.local:%H:%M} {blocks.city(wish.zone)} time" if wish.timed else "")


def _user_of(word: str, command: Command, example: str = "owner:@grace") -> str:
    """The user id of ``<@U1|grace>``, ``@grace`` or ``@me`` (plain names through users.list)."""
    return person_id(command.client, word, asker_id=command.user_id, example=example)


def split_request(session: Session, text: str, now: dt.datetime, owner: Member) -> tuple[Client, str, Wish, str]:
    """Split ``<client> <when> <what>``; raise a specific UserError for each kind of bad input."""
    normal = normalise_quotes(text)  # same length: positions still index ``text``
    if normal.count('"') % 2:
        raise UserError('A quote is not closed: put "…" around a client name with spaces, e.g. "Tanaka Trading".')
    tokens = [_Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(normal)]
    if len(tokens) < 2:
        find_client(session, tokens[0].bare if tokens else text)  # an unknown client is the first thing to say
        raise UserError("When should I remind you? Add it after the client's name, e.g. `in 3 days` or `next tuesday`.")
    client, start = _find_client_prefix(session, tokens)
    if client is None:
        when_at = _first_when_position(tokens, now, owner)
        if when_at is None:
            try:  # the whole text may be a client's name, typed loosely: only the time is missing
                client = find_client(session, text)
            except UnknownClient:
                client = find_client(session, tokens[0].bare)
                start = 1
            else:
                start = len(tokens)
        else:
            start = when_at
            client = find_client(session, _join(text, tokens[:start]))
    wish, end = _read_when_at(tokens, start, now, client, owner, shortest=True)
    when_text = _join(text, tokens[start:end])
    what = text[tokens[end].start :].strip() if end < len(tokens) else ""
    return client, when_text, wish, what


def _join(text: str, tokens: list[_Token]) -> str:
    if len(tokens) == 1:
        return tokens[0].bare
    return text[tokens[0].start : tokens[-1].end]


def _find_client_prefix(session: Session, tokens: list[_Token]) -> tuple[Client | None, int]:
    if tokens[0].quoted:
        return find_client(session, tokens[0].bare), 1
    for count in range(min(len(tokens), MAX_CLIENT_WORDS), 0, -1):
        name = " ".join(t.text for t in tokens[:count])
        try:
            return find_client(session, name, exact=True), count
        except UnknownClient:
            continue
    return None, 0


def _first_when_position(tokens: list[_Token], now: dt.datetime, owner: Member) -> int | None:
    for position in range(1, min(len(tokens), MAX_CLIENT_WORDS + 1)):
        try:
            _read_when_at(tokens, position, now, None, owner)
            return position
        except NotAWhen:
            continue
        except WhenError:
            return position
    return None


def _read_when_at(
    tokens: list[_Token],
    start: int,
    now: dt.datetime,
    client: Client | None,
    owner: Member,
    *,
    shortest: bool = False,
) -> tuple[Wish, int]:
    """The longest time expression starting at ``tokens[start]``: (wish, index after it).

    With ``shortest``, words at its end that do not change the moment are left to the reminder
    text (``tomorrow after lunch call them``: the when is ``tomorrow``, the text ``after lunch …``).
    """
    if start >= len(tokens):
        raise UserError("When should I remind you? Add it after the client's name, e.g. `in 3 days` or `next tuesday`.")
    zone = client.tz if client is not None else owner.tz
    if tokens[start].quoted:
        try:
            return read_when(tokens[start].bare, now, zone, owner.tz), start + 1
        except NotAWhen:
            raise WhenError(f"I can't read “{tokens[start].bare}” as a time. Try {WHEN_EXAMPLES}.") from None
    last = min(len(tokens), start + MAX_WHEN_WORDS)
    for end in range(last, start, -1):
        phrase = " ".join(t.text for t in tokens[start:end])
        try:
            wish = read_when(phrase, now, zone, owner.tz)
        except NotAWhen:
            continue
        return wish, _shortest_end(tokens, start, end, wish, now, zone, owner) if shortest else end
    if client is None:
        raise NotAWhen(tokens[start].text)
    shown = " ".join(t.text for t in tokens[start : start + 3])
    raise WhenError(f"I can't read a time in “{shown}”. Say when, right after the client's name: {WHEN_EXAMPLES}.")


# Words the date parser tolerates at the end of a time without their changing it; only these are
# handed back to the reminder text. A date, year, weekday, ordinal, `from …` or `their time` that
# merely confirms the moment stays in <when>.
_FILLER = frozenset("after before one now last and the a an this that at on by in half other coming".split())


def _shortest_end(
    tokens: list[_Token], start: int, end: int, wish: Wish, now: dt.datetime, zone: str, owner: Member
) -> int:
    """The smallest end of a time expression from ``start`` that still means ``wish``.

    The date parser is lenient: it reads ``tomorrow after`` or ``next week one`` as it reads
    ``tomorrow`` and ``next week``, so the longest expression it accepts may take words of the text.
    """
    best = end
    for shorter in range(end - 1, start, -1):
        if tokens[shorter].quoted or tokens[shorter].text.lower().strip("(),.;") not in _FILLER:
            break
        phrase = " ".join(t.text for t in tokens[start:shorter])
        try:
            if read_when(phrase, now, zone, owner.tz) == wish:
                best = shorter
        except (NotAWhen, WhenError):
            continue
    return best


# --------------------------------------------------------------------------------------------
# Listing


def list_command(command: Command, text: str) -> Reply:
    """`/followup list [client | @person | all]`."""
    runtime = command.runtime
    viewer = member(command.client, runtime, command.team_id, command.user_id)
    target = text.strip()
    owner_id: str | None = command.user_id
    client_id: int | None = None
    title = "Your open follow-ups"
    if target.lower() in ("all", "everyone", "team"):
        owner_id, title = None, "Open follow-ups of the whole team"
    elif target.lower() in ("", "mine", "me"):
        pass
    elif user_id_of(target) or target.startswith("@"):
        owner_id = _user_of(target, command, example="/followup list @grace")
        title = f"Open follow-ups of <@{owner_id}>"
    else:
        with team_session(runtime.sessions, command.team_id) as session:
            client = find_client(session, target)
            client_id, owner_id, title = client.id, None, f"Open follow-ups with {blocks.escape(client.name)}"
    listing = reminders.list_followups(runtime, command.team_id, owner_id=owner_id, client_id=client_id, title=title)
    zones = _client_zones(command, {f.client_id for f in listing.items if f.client_id is not None})
    items = [
        blocks.ListItem(
            short_id=f.short_id,
            client_name=f.client_name,
            what=f.what,
            status=f.status,
            due_at=f.due_at,
            fired_at=f.fired_at,
            their_zone=zones.get(f.client_id) if f.client_id is not None else None,
            owner_id=f.owner_id,
            recurrence=Rule.from_key(f.recurrence).describe() if f.recurrence else None,
            last_error=f.last_error,
            move_reason=f.move_reason,
        )
        for f in listing.items
    ]
    show_owner = owner_id is None
    return Reply(
        text=blocks.list_text(listing.title, items, listing.more, viewer.tz, show_owner),
        blocks=blocks.list_blocks(listing.title, items, listing.more, viewer.tz, show_owner),
    )


def _client_zones(command: Command, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    from sqlalchemy import select

    with team_session(command.runtime.sessions, command.team_id) as session:
        return {row.id: row.tz for row in session.execute(select(Client.id, Client.tz).where(Client.id.in_(ids)))}


# --------------------------------------------------------------------------------------------
# Done, cancel, snooze


def change_command(command: Command, sub: str, text: str) -> Reply:
    """`done <n>`, `cancel <n>`, `snooze <n> <duration>`."""
    words = text.split(maxsplit=1)
    if not words:
        raise UserError(f"Which follow-up? Give its number: `/followup {sub} 12` (`/followup list` shows them).")
    number = reminders.parse_number(words[0])
    runtime = command.runtime
    if sub == "done":
        if len(words) > 1:
            raise UserError(f"`/followup done` takes only the number, e.g. `/followup done {number}`.")
        changed = reminders.mark_done(runtime, command.team_id, short_id=number, by=command.user_id)
        refresh_message(command.client, runtime, command.team_id, changed, "done", command.user_id)
        f = changed.followup
        if f.recurrence:
            return Reply(
                text=f":white_check_mark: Done with this round of #{f.short_id} ({f.client_name}); "
                "the next one comes as planned."
            )
        return Reply(text=f":white_check_mark: Follow-up #{f.short_id} with *{blocks.escape(f.client_name)}* is done.")
    if sub == "cancel":
        if len(words) > 1:
            raise UserError(f"`/followup cancel` takes only the number, e.g. `/followup cancel {number}`.")
        changed = reminders.cancel(runtime, command.team_id, short_id=number, by=command.user_id)
        refresh_message(command.client, runtime, command.team_id, changed, "cancelled", command.user_id)
        f = changed.followup
        extra = " and all its repetitions" if f.recurrence else ""
        return Reply(
            text=f":no_entry_sign: Follow-up #{f.short_id} with *{blocks.escape(f.client_name)}*{extra} is cancelled."
        )
    if len(words) < 2:
        raise UserError(f"Snooze for how long? e.g. `/followup snooze {number} 2h`, `… 3 days`, `… window`.")
    choice = words[1].strip().lower()
    if choice in ("window", "next window", "next good window", "good window"):
        choice = "window"
    else:
        parse_duration(choice)  # refuse nonsense before touching anything
    _changed, answer = snooze_and_refresh(
        command.client, runtime, command.team_id, choice, command.user_id, short_id=number
    )
    return Reply(text=answer)


# --------------------------------------------------------------------------------------------
# Settings


def settings_command(command: Command, text: str) -> Reply:
    """`/followup settings` shows; `/followup settings nag 2h` or `nag off` changes the re-notification."""
    runtime = command.runtime
    words = text.lower().split()
    if not words:
        minutes = reminders.nag_minutes(reminders.workspace_settings(runtime, command.team_id))
        nag = f"after {_minutes_words(minutes)}" if minutes else "off"
        return Reply(
            text=f"*Follow-up settings*\n• Re-notify once if a reminder is not done: *{nag}* "
            "(`/followup settings nag 2h`, `nag 1 day`, `nag off`)"
        )
    if words[0] != "nag" or len(words) < 2:
        raise UserError("I can change `nag`: `/followup settings nag 2h` (or `nag off`).")
    value = " ".join(words[1:])
    if value in ("off", "never", "no", "0"):
        reminders.set_nag_minutes(runtime, command.team_id, None)
        return Reply(text="Reminders no longer re-notify. `/followup settings nag 4h` turns it back on.")
    minutes = int(parse_duration(value).total_seconds() // 60)
    reminders.set_nag_minutes(runtime, command.team_id, minutes)
    return Reply(text=f"A reminder not marked done now re-notifies once after *{_minutes_words(minutes)}*.")


def _minutes_words(minutes: int | None) -> str:
    if not minutes:
        return "never"
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day" + ("s" if days != 1 else "")
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"
