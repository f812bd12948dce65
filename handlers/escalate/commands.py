"""`/escalate`: read what was typed, call the escalation logic, say what happened.

``/escalate <client> <summary>`` posts at once; ``/escalate <client>`` and ``/escalate`` alone
open the form (severity and summary; a client picker when no client was named). The
subcommands ``channel``, ``list``, ``resolve`` and ``settings`` win over a client of the same
name only when what follows fits them; quote the client name to be sure: ``/escalate "List"
…``. When what follows does not fit and the text does not start with a client's exact name,
the answer says what the subcommand takes (``/escalate resolve abc`` is not a client "resolve abc").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cultures.matching import fold
from db.models import Client
from db.models.escalations import FROM_COMMAND, FROM_FORM, FROM_REMINDER, RESOLVED, SEVERITIES, UNRESOLVED, Escalation
from db.models.followups import FollowUp
from db.scoped import team_session
from handlers.clients.directory import find_client
from handlers.common import channels
from handlers.common.args import channel_of, parse
from handlers.common.commands import Command
from handlers.common.errors import UnknownClient, UserError
from handlers.common.respond import Reply
from handlers.common.runtime import Runtime
from handlers.common.text import escape_mrkdwn, unescape_slack
from handlers.escalate import blocks, escalations
from handlers.escalate import settings as escalation_settings
from handlers.escalate.blocks import MAX_NOTE, MAX_SUMMARY, ListedEscalation
from handlers.escalate.escalations import NewEscalation, Posted

logger = logging.getLogger(__name__)

USAGE = "\n".join(
    (
        "`/escalate <client> <summary>` — post it in the team's escalation channel, with the client's local time, "
        "whether now is a good moment to call, their channel and tone, and open follow-ups",
        "`/escalate <client> <summary> severity:urgent` — severity `low`, `normal` (default) or `urgent` "
        "(urgent ones are re-pinged until acknowledged)",
        "`/escalate <client>` — the same through a form; `/escalate` alone lets you pick the client",
        "`/escalate channel #channel` — where escalations go (I join public channels myself; for a private one "
        "type `/invite @Rapport` in it first) · `/escalate channel` shows it",
        "`/escalate list` — open escalations with their age",
        "`/escalate resolve <number> <note>` — resolve one from here (the message's *Resolve* button does the same)",
        "`/escalate settings [after:<hours>|off] [reping:<duration>|off]` — follow-ups still not Done after that many "
        "of the client's business hours escalate by themselves (default 24); unacknowledged urgent escalations are "
        "re-pinged after that long (default 2h, at most twice)",
    )
)

_SEVERITY = re.compile(r"(?:^|\s)severity:(\S*)", re.IGNORECASE)
_SEPARATORS = ":—–-,"
_MAX_NAME_WORDS = 8
_SETTINGS_KEYS = frozenset({"after", "reping"})
_THIRTY_DAYS = dt.timedelta(days=30)
# What each subcommand takes, told when what follows it does not fit (and no client has that name).
_SUBCOMMAND_SHAPES = {
    "channel": "`/escalate channel` takes one channel: `/escalate channel #escalations` (or nothing, to show it).",
    "list": "`/escalate list` takes nothing after it.",
    "resolve": "`/escalate resolve` takes an escalation number: `/escalate resolve <number> <note>`.",
    "settings": "`/escalate settings` takes `after:<hours>|off` and `reping:<duration>|off`, "
    "e.g. `/escalate settings after:16 reping:90m`.",
}
_SUBCOMMAND_SHAPES["config"] = _SUBCOMMAND_SHAPES["settings"]


# --- the command -------------------------------------------------------------------------------


def escalate(command: Command) -> Reply | None:
    """Dispatch `/escalate …`."""
    text = command.text.strip()
    if not text:
        return open_form(command, None, "normal")
    first, rest = [*text.split(maxsplit=1), ""][:2]
    sub, rest = first.lower(), rest.strip()
    if sub == "channel" and (not rest or channel_of(rest.split()[0]) != (None, None) or rest.startswith("#")):
        return set_channel(command, rest)
    if sub == "list" and not rest:
        return list_escalations(command.runtime, command.team_id)
    if sub in ("settings", "config") and all(":" in word for word in rest.split()):
        return change_settings(command, rest)
    if sub == "resolve" and re.match(r"^#?\d+(?:\s|$)", rest):
        return resolve_by_number(command, rest)
    if sub in _SUBCOMMAND_SHAPES and not names_a_client(command.runtime, command.team_id, text):
        raise UserError(_SUBCOMMAND_SHAPES[sub])
    severity, text = pull_severity(text)
    with team_session(command.runtime.sessions, command.team_id) as session:
        client, summary = split_client(session, text)
        client_ref = (client.id, client.name)
    if not summary and text.rstrip()[-1:] not in _SEPARATORS:
        return open_form(command, client_ref, severity)
    summary = check_summary(summary)
    outcome = escalations.raise_escalation(
        command.runtime,
        command.client,
        command.team_id,
        NewEscalation(
            client_id=client_ref[0],
            summary=summary,
            severity=severity,
            source=FROM_COMMAND,
            created_by=command.user_id,
            origin_permalink=escalations.message_link_in(summary),
        ),
    )
    return Reply(text=outcome_text(outcome, severity))


def pull_severity(text: str) -> tuple[str, str]:
    """Take ``severity:<level>`` out of the text; refuse levels we don't know."""
    match = _SEVERITY.search(text)
    if not match:
        return "normal", text
    level = match[1].strip().lower()
    if level not in SEVERITIES:
        shown = f"“{match[1]}”" if match[1] else "nothing"
        raise UserError(f"The severity can be `low`, `normal` or `urgent`, not {shown}.")
    return level, (text[: match.start()] + " " + text[match.end() :]).strip()


def check_summary(summary: str) -> str:
    """A summary that fits in the message; refuses empty and oversized ones."""
    summary = summary.strip().lstrip(_SEPARATORS).strip()
    if not summary:
        raise UserError(
            "Say what happened after the client's name, e.g. `/escalate Acme invoice disputed, wants a call`."
        )
    if len(summary) > MAX_SUMMARY:
        raise UserError(
            f"That summary has {len(summary):,} characters; keep it under {MAX_SUMMARY:,} "
            "and put the details in the escalation's thread."
        )
    return summary


def split_client(session: Session, text: str) -> tuple[Client, str]:
    """The client named at the start of ``text`` and the rest (the summary).

    A quoted name is taken as it is. Otherwise the longest run of leading words that is a
    client's exact name wins (so ``Acme GmbH invoice late`` finds *Acme GmbH*), then the
    longest run that the directory accepts loosely (a unique prefix or a small typo); else
    UnknownClient with suggestions for the first word(s).
    """
    text = text.strip()
    quoted = re.match(r'^["“”]([^"“”]+)["“”]\s*(.*)$', text, re.DOTALL)
    if quoted:
        return find_client(session, quoted[1].strip()), quoted[2]
    words = text.split()
    if not words:
        raise UserError("Which client? e.g. `/escalate Acme invoice disputed`.")
    exact = _exact_prefix(session, words)
    if exact is not None:
        return find_client(session, exact[0]), _rest(text, exact[1])
    candidates = []
    for count in range(min(len(words), _MAX_NAME_WORDS), 0, -1):
        candidates.append((" ".join(words[:count]).rstrip(_SEPARATORS).strip(), count))
    first_error: UnknownClient | None = None
    for prefix, count in candidates:
        if not prefix:
            continue
        try:
            return find_client(session, prefix), _rest(text, count)
        except UnknownClient as error:
            if first_error is None or (error.suggestions and not first_error.suggestions):
                first_error = error
    shortest = candidates[-1][0] if candidates else text
    raise first_error or UnknownClient(shortest)


def _exact_prefix(session: Session, words: list[str]) -> tuple[str, int] | None:
    """(client name, word count) for the longest run of leading ``words`` that is a client's exact name."""
    names = {fold(name): name for name in session.scalars(select(Client.name))}
    for count in range(min(len(words), _MAX_NAME_WORDS), 0, -1):
        stripped = " ".join(words[:count]).rstrip(_SEPARATORS).strip()
        if fold(stripped) in names:
            return names[fold(stripped)], count
    return None


def names_a_client(runtime: Runtime, team_id: str, text: str) -> bool:
    """True when ``text`` starts with a client's exact name (so ``Resolve Ltd late`` escalates for it)."""
    with team_session(runtime.sessions, team_id) as session:
        return _exact_prefix(session, text.split()) is not None


def _rest(text: str, count: int) -> str:
    """``text`` after its first ``count`` words, keeping the rest's own spacing and line breaks."""
    parts = text.split(maxsplit=count)
    return parts[count] if len(parts) > count else ""


def outcome_text(outcome: Posted, severity: str) -> str:
    """What the person who escalated is told."""
    name = escape_mrkdwn(outcome.client_name)
    label = blocks.SEVERITY_LABELS.get(severity, severity).lower()
    if outcome.ok:
        link = f" (<{outcome.permalink}|view it>)" if outcome.permalink else ""
        number = f"`#{outcome.escalation_id}`"
        return f":white_check_mark: Escalated *{name}* ({label}) in <#{outcome.channel}> as {number}{link}."
    return (
        f":warning: I kept your escalation `#{outcome.escalation_id}` for *{name}* but could not post it: "
        f"{outcome.problem()} I will post it as soon as that is fixed."
    )


# --- the form ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormOrigin:
    """What the form carries in ``private_metadata`` between opening and submitting."""

    client_id: int | None = None
    channel_id: str | None = None
    response_url: str | None = None
    followup_id: int | None = None
    origin_channel: str | None = None
    origin_ts: str | None = None

    def dump(self) -> str:
        data = {
            "c": self.client_id,
            "ch": self.channel_id,
            "r": self.response_url,
            "f": self.followup_id,
            "oc": self.origin_channel,
            "ot": self.origin_ts,
        }
        return json.dumps({k: v for k, v in data.items() if v is not None})

    @classmethod
    def load(cls, text: str) -> FormOrigin:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        return cls(data.get("c"), data.get("ch"), data.get("r"), data.get("f"), data.get("oc"), data.get("ot"))


def open_form(command: Command, client: tuple[int, str] | None, severity: str) -> Reply | None:
    """Open the Escalate form for a slash command (client fixed, or a picker)."""
    origin = FormOrigin(
        client_id=client[0] if client else None, channel_id=command.channel_id, response_url=command.response_url
    )
    choices = [] if client else client_choices(command.runtime, command.team_id)
    view = blocks.escalation_form(origin.dump(), client=client, choices=choices, severity=severity)
    _open_view(command.client, command.trigger_id, view)
    return None


def client_choices(runtime: Runtime, team_id: str) -> list[tuple[int, str]]:
    """Clients for the picker (one more than fits, so the form knows to ask for a typed name)."""
    with team_session(runtime.sessions, team_id) as session:
        rows = session.execute(
            select(Client.id, Client.name).order_by(Client.name_key).limit(blocks.MAX_PICKER_OPTIONS + 1)
        ).all()
    if not rows:
        raise UserError("There are no clients yet: add one with `/client add <name> country:<country>` first.")
    return [(row.id, row.name) for row in rows]


def _open_view(web: WebClient, trigger_id: str | None, view: Any) -> None:
    if not trigger_id:
        raise UserError(
            "I can only open the form from a slash command or a button: type `/escalate <client> <summary>`."
        )
    try:
        web.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("views.open failed: %s", error)
        raise UserError(
            "I could not open the form (Slack allows 3 seconds). Type it in one line instead: "
            "`/escalate <client> <summary>`."
        ) from None


def open_modal_for_followup(
    runtime: Runtime,
    web: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    followup_id: int,
    channel_id: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
) -> None:
    """Open the Escalate form for a follow-up reminder's *Escalate* button (call after ``ack()``).

    The form has the follow-up's client and a summary drafted from it; on submit the escalation
    is posted with the reminder as its origin, owned by the follow-up's owner, and the follow-up
    is marked escalated so it does not escalate by itself as well. Problems are told to
    ``user_id`` (through ``response_url`` when given, else a direct message).
    """
    from handlers.common.respond import Responder

    responder = Responder(web, user_id, None, response_url)
    try:
        with team_session(runtime.sessions, team_id) as session:
            followup = session.scalars(select(FollowUp).where(FollowUp.id == followup_id)).one_or_none()
            if followup is None:
                raise UserError("That follow-up no longer exists.", show_usage=False)
            client = None
            if followup.client_id is not None:
                client = session.scalars(select(Client).where(Client.id == followup.client_id)).one_or_none()
            fixed = (client.id, client.name) if client is not None else None
            draft = f"Follow-up #{followup.short_id} not done yet: {unescape_slack(followup.what)}"
        origin = FormOrigin(
            client_id=fixed[0] if fixed else None,
            channel_id=None,
            response_url=response_url,
            followup_id=followup_id,
            origin_channel=channel_id,
            origin_ts=message_ts,
        )
        choices = [] if fixed else client_choices(runtime, team_id)
        view = blocks.escalation_form(origin.dump(), client=fixed, choices=choices, summary=draft)
        _open_view(web, trigger_id, view)
    except UserError as error:
        responder.send(Reply(text=error.message))


@dataclass(frozen=True)
class FormInput:
    """A checked submission of the Escalate form."""

    origin: FormOrigin
    escalation: NewEscalation


def read_form(runtime: Runtime, team_id: str, user_id: str, view: dict[str, Any]) -> FormInput | dict[str, str]:
    """Check a submitted Escalate form: a FormInput, or errors by block id for Slack to show."""
    origin = FormOrigin.load(view.get("private_metadata") or "")
    values = (view.get("state") or {}).get("values") or {}
    errors: dict[str, str] = {}
    client_id = origin.client_id
    with team_session(runtime.sessions, team_id) as session:
        if client_id is None:
            field = (values.get(blocks.CLIENT_BLOCK) or {}).get(blocks.CLIENT_INPUT) or {}
            picked = (field.get("selected_option") or {}).get("value")
            typed = (field.get("value") or "").strip()
            try:
                if picked:
                    client_id = session.scalars(select(Client.id).where(Client.id == int(picked))).one_or_none()
                    if client_id is None:
                        errors[blocks.CLIENT_BLOCK] = "That client was removed meanwhile; choose another."
                elif typed:
                    client_id = find_client(session, typed).id
                else:
                    errors[blocks.CLIENT_BLOCK] = "Choose a client."
            except UnknownClient as error:
                errors[blocks.CLIENT_BLOCK] = unescape_slack(error.message.replace("*", ""))[:150]
        elif session.scalars(select(Client.id).where(Client.id == client_id)).one_or_none() is None:
            errors[blocks.SUMMARY_BLOCK] = "This client was removed meanwhile; close the form and pick another."
        owner_id = None
        if origin.followup_id is not None:
            owner_id = session.scalar(select(FollowUp.owner_id).where(FollowUp.id == origin.followup_id))
    severity_field = (values.get(blocks.SEVERITY_BLOCK) or {}).get(blocks.SEVERITY_INPUT) or {}
    severity = (severity_field.get("selected_option") or {}).get("value") or "normal"
    if severity not in SEVERITIES:
        errors[blocks.SEVERITY_BLOCK] = "Choose low, normal or urgent."
    summary_field = (values.get(blocks.SUMMARY_BLOCK) or {}).get(blocks.SUMMARY_INPUT) or {}
    summary = (summary_field.get("value") or "").strip()
    if not summary:
        errors[blocks.SUMMARY_BLOCK] = "Write a short summary of what happened."
    elif len(summary) > MAX_SUMMARY:
        errors[blocks.SUMMARY_BLOCK] = f"Keep it under {MAX_SUMMARY:,} characters; details can go in the thread."
    if errors or client_id is None:
        return errors
    return FormInput(
        origin,
        NewEscalation(
            client_id=client_id,
            summary=escape_mrkdwn(summary),
            severity=severity,
            source=FROM_REMINDER if origin.followup_id is not None else FROM_FORM,
            created_by=user_id,
            owner_id=owner_id,
            followup_id=origin.followup_id,
            origin_channel=origin.origin_channel,
            origin_ts=origin.origin_ts,
            origin_permalink=escalations.message_link_in(summary),
        ),
    )


def read_resolution(view: dict[str, Any]) -> tuple[int, str, FormOrigin] | dict[str, str]:
    """Check a submitted resolution form: (escalation id, note as mrkdwn, origin), or errors."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
        escalation_id = int(data["e"])
    except (ValueError, KeyError, TypeError):
        return {blocks.NOTE_BLOCK: "This form is out of date; press Resolve on the message again."}
    values = (view.get("state") or {}).get("values") or {}
    note = (((values.get(blocks.NOTE_BLOCK) or {}).get(blocks.NOTE_INPUT) or {}).get("value") or "").strip()
    if not note:
        return {blocks.NOTE_BLOCK: "Write a short note on how it was resolved."}
    if len(note) > MAX_NOTE:
        return {blocks.NOTE_BLOCK: f"Keep the note under {MAX_NOTE:,} characters."}
    return escalation_id, escape_mrkdwn(note), FormOrigin(channel_id=data.get("ch"), response_url=data.get("r"))


def resolution_form_metadata(escalation_id: int, channel_id: str | None, response_url: str | None) -> str:
    return json.dumps({"e": escalation_id, "ch": channel_id, "r": response_url})


def escalation_client_name(runtime: Runtime, team_id: str, escalation_id: int) -> tuple[str, str] | None:
    """(client name, status) of an escalation, for the resolution form; None when gone."""
    with team_session(runtime.sessions, team_id) as session:
        row = session.execute(
            select(Escalation.client_name, Escalation.status).where(Escalation.id == escalation_id)
        ).one_or_none()
    return (row[0], row[1]) if row else None


# --- channel, list, resolve, settings ------------------------------------------------------------


def set_channel(command: Command, text: str) -> Reply:
    """`/escalate channel [#channel]`: show, or check and store, where escalations go."""
    runtime, team_id = command.runtime, command.team_id
    if not text:
        with team_session(runtime.sessions, team_id) as session:
            current = escalation_settings.workspace_row(session, team_id).escalation_channel
            overrides = session.scalar(
                select(func.count()).select_from(Client).where(Client.escalation_channel.is_not(None))
            )
        if not current:
            message = "No escalation channel is set yet: type `/escalate channel #channel` to choose one."
        else:
            shown = f"<#{current}>" if re.match(r"^[CG][A-Z0-9]+$", current) else f"#{current}"
            message = f"Escalations go to {shown}."
        if overrides:
            message += f" {overrides} client(s) have their own (`/client show <name>`)."
        return Reply(text=message)
    words = text.split()
    if len(words) > 1:
        raise UserError("Give one channel, e.g. `/escalate channel #escalations`.")
    channel = channels.ensure_postable(command.client, channels.resolve(command.client, words[0]))
    with team_session(runtime.sessions, team_id) as session:
        escalation_settings.workspace_row(session, team_id, for_update=True).escalation_channel = channel.id
    outcomes = escalations.post_pending(runtime, command.client, team_id, force=True, quiet_for=command.user_id)
    message = f":white_check_mark: Escalations now go to {channel.mention}."
    posted = [o for o in outcomes if o.ok]
    still = [o for o in outcomes if not o.ok]
    if posted:
        numbers = ", ".join(f"`#{o.escalation_id}`" for o in posted)
        message += f" I posted the {len(posted)} kept escalation(s) there: {numbers}."
    if still:
        message += f" {len(still)} could not be posted yet: {still[0].problem()}"
    return Reply(text=message)


def list_escalations(runtime: Runtime, team_id: str) -> Reply:
    """`/escalate list`: open escalations, oldest first, with their age."""
    now = runtime.clock()
    with team_session(runtime.sessions, team_id) as session:
        rows = session.scalars(
            select(Escalation).where(Escalation.status.in_(UNRESOLVED)).order_by(Escalation.created_at).limit(40)
        ).all()
        listed = [
            ListedEscalation(
                id=row.id,
                client_name=row.client_name,
                severity=row.severity,
                status=row.status,
                summary=row.summary,
                created_at=row.created_at,
                channel=row.channel,
                permalink=row.message_permalink,
                last_error=channels.problem_message(row.last_error, row.channel) if row.last_error else None,
                acknowledged_by=row.acknowledged_by,
            )
            for row in rows
        ]
        recently = session.scalar(
            select(func.count())
            .select_from(Escalation)
            .where(Escalation.status == RESOLVED, Escalation.resolved_at >= now - _THIRTY_DAYS)
        )
    return Reply(text=blocks.escalation_list(listed, now, recently or 0))


def resolve_by_number(command: Command, text: str) -> Reply:
    """`/escalate resolve <number> <note>`."""
    number, note = [*text.lstrip("#").split(maxsplit=1), ""][:2]
    note = note.strip()
    if not note:
        raise UserError(f"Add a short note on how it was resolved: `/escalate resolve {number} called them, sorted`.")
    if len(note) > MAX_NOTE:
        raise UserError(f"Keep the note under {MAX_NOTE:,} characters.")
    missing = f"There is no escalation `#{number}`: `/escalate list` shows the open ones."
    if int(number) > 2**31 - 1:  # beyond any id (and beyond what an INTEGER column takes)
        raise UserError(missing)
    problem = escalations.resolve(command.runtime, command.client, command.team_id, int(number), command.user_id, note)
    if problem == "This escalation no longer exists.":
        raise UserError(missing)
    return Reply(text=problem or f":white_check_mark: Escalation `#{number}` is resolved.")


def change_settings(command: Command, text: str) -> Reply:
    """`/escalate settings [after:…] [reping:…]`: show or change the automatic behaviour."""
    parsed = parse(text, _SETTINGS_KEYS)
    with team_session(command.runtime.sessions, command.team_id) as session:
        current = escalation_settings.load(session, command.team_id)
        if not parsed.options:
            hint = "Change them with `/escalate settings after:16 reping:90m`."
            return Reply(text=f"*Escalation settings*\n{current.describe()}\n{hint}")
        auto, reping = current.auto_after_hours, current.reping_after
        if "after" in parsed.options:
            auto = escalation_settings.parse_auto_after(parsed.options["after"])
        if "reping" in parsed.options:
            reping = escalation_settings.parse_reping(parsed.options["reping"])
        changed = escalation_settings.EscalationSettings(auto, reping)
        escalation_settings.save(session, command.team_id, changed)
    return Reply(text=f"*Escalation settings updated*\n{changed.describe()}")


def open_escalations_count(session: Session) -> int:
    """For `/rapport stats`."""
    return session.scalar(select(func.count()).select_from(Escalation).where(Escalation.status.in_(UNRESOLVED))) or 0
