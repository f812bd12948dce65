"""The logic of `/rapport`: help, hours, stats."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultures.countries import canonical_zone
from cultures.errors import CultureError
from cultures.languages import resolve_language
from db.models import Client, TeamMember, Workspace
from db.scoped import team_session
from handlers.common.args import parse
from handlers.common.catalog import OVERVIEW
from handlers.common.commands import Command
from handlers.common.errors import UserError
from handlers.common.people import member, set_work_hours
from handlers.common.respond import Reply
from handlers.common.runtime import Runtime
from handlers.common.stats import StatSource
from handlers.common.team import language_name, team_hours, team_language

USAGE = """*More on `/rapport`*
`/rapport hours` — show your working hours and time zone; `/rapport hours 08:30-17:00` sets them
`/rapport hours team 08:00-20:00 Europe/London` — the team's hours: client reply clocks count only inside them
`/rapport care 3` — heads-ups 3 days before clients' holidays and birthdays (`off` stops them)
`/rapport language German` — the team's language (default English), for translations in shared channels
`/rapport stats` — what this workspace keeps · `/rapport export` — all of it, as a JSON file"""

_SPAN = re.compile(
    r"^(?P<h1>\d{1,2})(?:[:.h](?P<m1>[0-5]\d))?\s*(?:-|–|—|to)\s*(?P<h2>\d{1,2})(?:[:.h](?P<m2>[0-5]\d))?$"
)


def rapport_command(stat_sources: Sequence[StatSource] = ()) -> Callable[[Command], Reply]:
    """`/rapport`, counting in `/rapport stats` what the capabilities contribute (``stat_sources``)."""

    def command_function(command: Command) -> Reply:
        return rapport(command, stat_sources)

    return command_function


def rapport(command: Command, stat_sources: Sequence[StatSource] = ()) -> Reply:
    """Dispatch `/rapport <subcommand>`."""
    parsed = parse(command.text)
    if not parsed.words:
        return Reply(text=OVERVIEW)
    sub, *rest = parsed.words
    sub = sub.lower()
    if sub in ("help", "commands"):
        return Reply(text=OVERVIEW)
    if sub in ("hours", "hour", "workhours"):
        if rest and rest[0].lower() == "team":
            return team_hours_command(command, rest[1:])
        return hours(command, " ".join(rest))
    if sub == "stats":
        return Reply(text=stats(command.runtime, command.team_id, stat_sources))
    if sub == "care":
        return care(command, " ".join(rest))
    if sub in ("language", "lang"):
        return language(command, " ".join(rest))
    if sub == "export":
        from handlers.rapport.export import export_workspace

        return export_workspace(command)
    raise UserError(f"I don't know `/rapport {sub}`.")


def hours(command: Command, text: str) -> Reply:
    """Show or set the asker's working hours (their zone comes from Slack)."""
    runtime = command.runtime
    if text.strip():
        start, end = parse_span(text)
        set_work_hours(runtime, command.team_id, command.user_id, start, end)
    who = member(command.client, runtime, command.team_id, command.user_id)
    zone = who.tz if who.tz_known else "UTC (I could not read your Slack time zone)"
    verb = "are now" if text.strip() else "are"
    return Reply(
        text=f"Your working hours {verb} *{_hhmm(who.work_start)}–{_hhmm(who.work_end)}*, time zone *{zone}*. "
        "Follow-ups fire inside them."
    )


def _workspace_row(session: Session, team_id: str) -> Workspace:
    """The workspace's settings row in a scoped session, created on first use."""
    row = session.scalars(select(Workspace)).one_or_none()
    if row is None:
        row = Workspace(team_id=team_id, settings={})
        session.add(row)
    return row


def care(command: Command, text: str) -> Reply:
    """`/rapport care [<days>|off|on]`: relationship-care heads-ups for the workspace."""
    from handlers.care.occasions import MAX_LEAD_DAYS, care_enabled, lead_days

    value = text.strip().lower()
    with team_session(command.runtime.sessions, command.team_id) as session:
        row = _workspace_row(session, command.team_id)
        settings = dict(row.settings or {})
        if value in ("off", "no", "stop"):
            settings["care_enabled"] = False
        elif value in ("on", "yes", "start"):
            settings["care_enabled"] = True
        elif value:
            days = value.removesuffix("days").removesuffix("day").removesuffix("d").strip()
            if not days.isdigit() or not 0 <= int(days) <= MAX_LEAD_DAYS:
                raise UserError(f"“{text.strip()}” is not a number of days from 0 to {MAX_LEAD_DAYS}, or `off`.")
            settings["care_days"] = int(days)
            settings["care_enabled"] = True
        row.settings = settings
    if not care_enabled(settings):
        return Reply(text="Relationship-care heads-ups are *off* for this workspace. `/rapport care on` turns them on.")
    return Reply(
        text=f"Relationship-care heads-ups are *on*: {lead_days(settings)} day(s) before a client's greeting-worthy "
        "holiday or birthday, to the client's owner. `/rapport care off` stops them."
    )


def team_hours_command(command: Command, words: list[str]) -> Reply:
    """`/rapport hours team [<span> [<zone>] | off]`: the team's shared hours, Monday to Friday.

    Reply clocks in client channels count only where the client's business hours and these meet;
    the zone defaults to the asker's Slack time zone."""
    with team_session(command.runtime.sessions, command.team_id) as session:
        row = _workspace_row(session, command.team_id)
        settings = dict(row.settings or {})
        if words and words[0].lower() in ("off", "none", "clear"):
            settings.pop("team_hours", None)
            row.settings = settings
        elif words:
            start, end = parse_span(words[0])
            if len(words) > 2:
                raise UserError(f"“{' '.join(words)}” is more than hours and a time zone.")
            if len(words) == 2:
                try:
                    zone = canonical_zone(words[1])
                except CultureError as error:
                    raise UserError(str(error)) from None
            else:
                who = member(command.client, command.runtime, command.team_id, command.user_id)
                zone = who.tz
            settings["team_hours"] = {"zone": zone, "start": start, "end": end, "weekdays": [0, 1, 2, 3, 4]}
            row.settings = settings
    chosen = team_hours(settings)
    if chosen is None:
        return Reply(
            text="The team has no shared hours: reply clocks in client channels count the client's business hours "
            "only. `/rapport hours team 08:00-20:00 Europe/London` sets them (Monday to Friday)."
        )
    return Reply(
        text=f"The team's hours are *{_hhmm(chosen.start_minute)}–{_hhmm(chosen.end_minute)}*, Monday to Friday, "
        f"time zone *{chosen.zone}*: reply clocks in client channels count only where the client's business hours "
        "meet them (new requests). `/rapport hours team off` stops it."
    )


def language(command: Command, text: str) -> Reply:
    """`/rapport language [<language>]`: the team's language (clients' messages are translated into it)."""
    with team_session(command.runtime.sessions, command.team_id) as session:
        row = _workspace_row(session, command.team_id)
        settings = dict(row.settings or {})
        if text.strip():
            try:
                settings["language"] = resolve_language(text.strip()).code
            except CultureError as error:
                raise UserError(f"{error} Write a code or a name, e.g. `/rapport language de` or `German`.") from None
            row.settings = settings
    chosen = team_language(settings)
    name = language_name(chosen)
    return Reply(
        text=f"The team's language is *{name}* (`{chosen}`): in channels shared with clients, their messages "
        "are translated into it. `/rapport language <language>` changes it."
    )


def parse_span(text: str) -> tuple[int, int]:
    """``08:30-17:00`` (also ``8-17``, ``8:30–17``) to minutes after midnight; refuses nonsense."""
    match = _SPAN.match(text.strip())
    if not match:
        raise UserError(f"“{text.strip()}” is not a span of hours: write it like `08:30-17:00`.")
    start = int(match["h1"]) * 60 + int(match["m1"] or 0)
    end = int(match["h2"]) * 60 + int(match["m2"] or 0)
    if int(match["h1"]) > 23 or int(match["h2"]) > 24 or end > 24 * 60:
        raise UserError(f"“{text.strip()}” has an hour that does not exist: hours run 00:00 to 24:00.")
    if end <= start:
        raise UserError(f"“{text.strip()}” ends before it starts: write the earlier time first, like `08:30-17:00`.")
    return start, end


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def stats(runtime: Runtime, team_id: str, sources: Sequence[StatSource] = ()) -> str:
    """A few counts about this workspace: clients, members, and what each capability adds."""
    with team_session(runtime.sessions, team_id) as session:
        clients = session.scalar(select(func.count()).select_from(Client)) or 0
        members = session.scalar(select(func.count()).select_from(TeamMember)) or 0
        lines = [f"• Clients: *{clients}*", f"• Team members seen: *{members}*"]
        for label, count in sources:
            value = count(session)
            lines.append(f"• {label}: *{value}*" if isinstance(value, int) else f"• {label}: {value}")
    return "*Rapport in this workspace*\n" + "\n".join(lines)
