"""Slack wiring of escalations: `/escalate`, the Escalate and Resolve forms, Acknowledge and Resolve."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from db.models.escalations import RESOLVED
from handlers.common.commands import register_command, subcommands
from handlers.common.interactive import Interaction, answers_errors
from handlers.common.respond import Reply, Responder
from handlers.common.runtime import Runtime
from handlers.common.stats import StatSource
from handlers.escalate import blocks, commands, escalations
from handlers.escalate.escalations import NewEscalation, Posted

logger = logging.getLogger(__name__)

SORRY = ":warning: Sorry, something went wrong on our side; your escalation was kept. `/escalate list` shows it."


EscalationHook = Callable[[Runtime, WebClient, str, NewEscalation, Posted], None]


def register(app: App, runtime: Runtime, on_raised: Sequence[EscalationHook] = ()) -> None:
    """Register `/escalate`, its forms and its buttons; ``on_raised`` run after one is raised from
    the form (the follow-up capability marks the reminder it came from)."""
    register_command(app, runtime, "/escalate", commands.escalate, commands.USAGE, read_only=subcommands("list"))

    @app.view(blocks.FORM)
    @answers_errors
    def escalate_form_submitted(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        user_id, team_id = context.user_id or "", context.team_id or ""
        checked = commands.read_form(runtime, team_id, user_id, body.get("view") or {})
        if isinstance(checked, dict):
            ack(response_action="errors", errors=checked)
            return
        ack()
        try:
            outcome = escalations.raise_escalation(runtime, client, team_id, checked.escalation)
            text = commands.outcome_text(outcome, checked.escalation.severity)
            for hook in on_raised:
                hook(runtime, client, team_id, checked.escalation, outcome)
        except Exception:
            logger.exception("escalation from the form failed")
            text = SORRY
        _tell(
            client,
            Interaction(team_id, user_id, checked.origin.channel_id, response_url=checked.origin.response_url),
            text,
        )

    @app.action(blocks.ACKNOWLEDGE)
    @answers_errors
    def acknowledge_clicked(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = Interaction.of(context, body)
        if click.number is None:
            return
        problem = escalations.acknowledge(runtime, client, click.team_id, click.number, click.user_id)
        if problem:
            _tell(client, click, problem)

    @app.action(blocks.RESOLVE)
    @answers_errors
    def resolve_clicked(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = Interaction.of(context, body)
        escalation_id = click.number
        if escalation_id is None:
            return
        found = commands.escalation_client_name(runtime, click.team_id, escalation_id)
        if found is None or found[1] == RESOLVED:
            _tell(
                client, click, "This escalation is already resolved." if found else "This escalation no longer exists."
            )
            return
        metadata = commands.resolution_form_metadata(escalation_id, click.channel_id, click.response_url)
        try:
            client.views_open(
                trigger_id=click.trigger_id, view=blocks.resolution_form(escalation_id, found[0], metadata)
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("views.open for a resolution failed: %s", error)
            _tell(client, click, f"I could not open the form; type `/escalate resolve {escalation_id} <note>` instead.")

    @app.view(blocks.RESOLUTION_FORM)
    @answers_errors
    def resolution_submitted(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        user_id, team_id = context.user_id or "", context.team_id or ""
        checked = commands.read_resolution(body.get("view") or {})
        if isinstance(checked, dict):
            ack(response_action="errors", errors=checked)
            return
        ack()
        escalation_id, note, origin = checked
        problem = escalations.resolve(runtime, client, team_id, escalation_id, user_id, note)
        if problem:
            _tell(client, Interaction(team_id, user_id, origin.channel_id, response_url=origin.response_url), problem)


def _tell(client: WebClient, who: Interaction, text: str) -> None:
    """An answer only that person sees: in the channel through response_url, else a direct message."""
    try:
        Responder(client, who.user_id, who.channel_id, who.response_url).send(Reply(text=text))
    except Exception:
        logger.exception("could not answer %s", who.user_id)


STATS: tuple[StatSource, ...] = (("Open escalations", commands.open_escalations_count),)
