"""Slack wiring of client channels: messages and 👀/✅ reactions in linked channels, the bot added
to a shared channel (and the pick list that links it), and what `/rapport stats` counts.

Registered before translation's listeners: Bolt runs the first listener whose event matches, so
the 👀/✅ reaction listener matches those two emoji only and flag reactions still reach `/translate`'s.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz, utils
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.models import Client
from db.scoped import team_session
from handlers.channels import blocks, messages, requests
from handlers.clients.links import link_shared
from handlers.common.events import first_time
from handlers.common.interactive import Interaction, answers_errors
from handlers.common.respond import Reply, Responder
from handlers.common.runtime import Runtime
from handlers.common.stats import StatSource
from handlers.common.text import escape_mrkdwn

logger = logging.getLogger(__name__)

REQUEST_REACTIONS = frozenset({"eyes", "white_check_mark", "heavy_check_mark"})


def only_logs_errors(listener: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an event listener: a failure is logged, and nobody is told — the person behind a message
    or reaction in a shared channel may be the client, who asked Rapport nothing."""

    @functools.wraps(listener)
    def guarded(**kwargs: Any) -> Any:
        try:
            return listener(**kwargs)
        except Exception:
            logger.exception("%s failed", listener.__name__)
            return None

    return guarded


def register(app: App, runtime: Runtime) -> None:
    """Register the message, reaction and member-joined listeners and the link pick list."""

    @app.event("message")
    @only_logs_errors
    def message(context: BoltContext, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        messages.on_message(runtime, client, context.team_id or "", context.bot_user_id, event)

    def is_request_reaction(event: dict[str, Any]) -> bool:
        return event.get("reaction") in REQUEST_REACTIONS

    @app.event("reaction_added", matchers=[is_request_reaction])
    @only_logs_errors
    def request_reaction(context: BoltContext, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        messages.on_reaction(runtime, client, context.team_id or "", event)

    @app.event("member_joined_channel")
    @only_logs_errors
    def member_joined(context: BoltContext, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("user") != context.bot_user_id:
            return  # only Rapport itself joining a channel matters here
        on_added(runtime, client, context.team_id or "", event, body.get("event_id"))

    @app.action(blocks.LINK_ACTION)
    @answers_errors
    def link_choice(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = Interaction.of(context, body)
        reply = on_link_choice(runtime, click)
        Responder(client, click.user_id, click.channel_id, click.response_url).send(reply, replace_original=True)


# --- Rapport added to a shared channel --------------------------------------------------------


def on_added(runtime: Runtime, web: WebClient, team_id: str, event: dict[str, Any], event_id: str | None) -> None:
    """Rapport was added to a channel: when it is shared with another organisation and no client
    has it, ask whoever added it (DM) which client it belongs to. Never posts in the channel."""
    channel = str(event.get("channel") or "")
    if not channel or requests.link_of(runtime, team_id, channel) is not None:
        return
    if event_id and not first_time(runtime, team_id, f"channel-added:{event_id}"):
        return
    try:
        info = web.conversations_info(channel=channel).get("channel") or {}
    except messages.SLACK_ERRORS as error:
        logger.warning("conversations.info for %s failed: %s", channel, error)
        return
    if not (info.get("is_ext_shared") or info.get("is_pending_ext_shared")):
        return  # internal (or shared only inside an Enterprise Grid org): not a client's channel
    asker = event.get("inviter") or event.get("actor_id")
    if not asker:
        return
    org = _other_organisation(web, team_id, info)
    with team_session(runtime.sessions, team_id) as session:
        clients = [(int(row.id), str(row.name)) for row in session.execute(select(Client.id, Client.name))]
    try:
        web.chat_postMessage(
            channel=str(asker),
            text=f"You added me to <#{channel}>: which client is it?",
            blocks=blocks.link_prompt_blocks(channel, org, likely_first(org, clients)),
            unfurl_links=False,
        )
    except messages.SLACK_ERRORS as error:
        logger.warning("could not ask %s about %s: %s", asker, channel, error)


def _other_organisation(web: WebClient, team_id: str, info: dict[str, Any]) -> str | None:
    """The name of the other organisation in a Slack Connect channel (``team.info``), if Slack says."""
    teams = [str(team) for team in (info.get("connected_team_ids") or info.get("shared_team_ids") or [])]
    for other in teams:
        if other == team_id:
            continue
        try:
            name = (web.team_info(team=other).get("team") or {}).get("name")
        except messages.SLACK_ERRORS as error:
            logger.info("team.info for %s failed: %s", other, error)
            continue
        if name:
            return str(name)
    return None


def likely_first(org: str | None, clients: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Clients ordered by how well their name matches the other organisation's (then by name)."""
    if not org:
        return sorted(clients, key=lambda item: item[1].casefold())

    def score(item: tuple[int, str]) -> float:
        return float(fuzz.WRatio(org, item[1], processor=utils.default_process))

    return sorted(clients, key=lambda item: (-score(item), item[1].casefold()))


def on_link_choice(runtime: Runtime, click: Interaction) -> Reply:
    """The person picked a client (or "new client") for a shared channel in the DM's pick list."""
    channel, _, choice = click.value.partition(":")
    if not channel or not choice:
        return Reply(
            text="That choice no longer makes sense; link the channel with `/client edit <client> shared:#channel`."
        )
    if choice == blocks.NEW_CLIENT:
        return Reply(
            text="Add the client with its channel in one go, e.g. "
            f"`/client add Acme GmbH country:DE shared:<#{channel}>`; until then I post nothing in it."
        )
    try:
        with team_session(runtime.sessions, click.team_id) as session:
            client = session.get(Client, int(choice)) if choice.isdigit() else None
            if client is None:
                return Reply(
                    text="That client no longer exists; link the channel with `/client edit <client> shared:#channel`."
                )
            name = client.name
            remarks = link_shared(session, client, [channel], click.user_id)
    except IntegrityError:  # linked at this very moment by someone else
        return Reply(text=f"<#{channel}> was linked just now by someone else: `/client show <client>` says to whom.")
    lines = [
        f":link: <#{channel}> is now linked to *{escape_mrkdwn(name)}*: I track their requests there "
        f"and translate their messages. `/client show {name}` lists its open requests."
    ]
    return Reply(text="\n".join([*lines, *remarks]))


STATS: tuple[StatSource, ...] = (
    ("Open client requests", requests.open_count),
    ("Client requests", requests.first_response_summary),
)
