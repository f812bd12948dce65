"""Slack wiring of escalations: `/escalate`, the Escalate and Resolve forms, Acknowledge and Resolve."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from db.models.escalations import RESOLVED
from handlers.common.commands import register_command, subcommands
from handlers.common.interactive import answers_errors
from handlers.common.respond import Reply, Responder
from handlers.escalate import blocks, commands, escalations
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)

SORRY = ":warning: Sorry, something went wrong on our side; your escalation was kept. `/escalate list` shows it."


def register(app: App, runtime: Runtime) -> None:
    """Register `/escalate`, its forms and its buttons."""
    register_command(app, runtime, "/escalate", commands.escalate, commands.USAGE, read_only=subcommands("list"))
    _count_in_stats()

    @app.view(blocks.FORM)
    @answers_errors
    def escalate_form_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user_id, team_id = _who(body)
        checked = commands.read_form(runtime, team_id, user_id, body.get("view") or {})
        if isinstance(checked, dict):
            ack(response_action="errors", errors=checked)
            return
        ack()
        try:
            outcome = escalations.raise_escalation(runtime, client, team_id, checked.escalation)
            text = commands.outcome_text(outcome, checked.escalation.severity)
            escalations.show_on_reminder(runtime, client, team_id, checked.escalation, outcome)
        except Exception:
            logger.exception("escalation from the form failed")
            text = SORRY
        _tell(client, user_id, checked.origin.channel_id, checked.origin.response_url, text)

    @app.action(blocks.ACKNOWLEDGE)
    @answers_errors
    def acknowledge_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id, team_id = _who(body)
        escalation_id = _escalation_id(body)
        if escalation_id is None:
            return
        problem = escalations.acknowledge(runtime, client, team_id, escalation_id, user_id)
        if problem:
            _tell(client, user_id, _channel(body), body.get("response_url"), problem)

    @app.action(blocks.RESOLVE)
    @answers_errors
    def resolve_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id, team_id = _who(body)
        escalation_id = _escalation_id(body)
        if escalation_id is None:
            return
        found = commands.escalation_client_name(runtime, team_id, escalation_id)
        if found is None or found[1] == RESOLVED:
            text = "This escalation is already resolved." if found else "This escalation no longer exists."
            _tell(client, user_id, _channel(body), body.get("response_url"), text)
            return
        metadata = commands.resolution_form_metadata(escalation_id, _channel(body), body.get("response_url"))
        try:
            client.views_open(
                trigger_id=body.get("trigger_id"), view=blocks.resolution_form(escalation_id, found[0], metadata)
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("views.open for a resolution failed: %s", error)
            _tell(
                client,
                user_id,
                _channel(body),
                body.get("response_url"),
                f"I could not open the form; type `/escalate resolve {escalation_id} <note>` instead.",
            )

    @app.view(blocks.RESOLUTION_FORM)
    @answers_errors
    def resolution_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        user_id, team_id = _who(body)
        checked = commands.read_resolution(body.get("view") or {})
        if isinstance(checked, dict):
            ack(response_action="errors", errors=checked)
            return
        ack()
        escalation_id, note, origin = checked
        problem = escalations.resolve(runtime, client, team_id, escalation_id, user_id, note)
        if problem:
            _tell(client, user_id, origin.channel_id, origin.response_url, problem)


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return user.get("id") or "", team


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _escalation_id(body: dict[str, Any]) -> int | None:
    try:
        return int(((body.get("actions") or [{}])[0]).get("value") or "")
    except ValueError:
        return None


def _tell(client: WebClient, user_id: str, channel_id: str | None, response_url: str | None, text: str) -> None:
    """An answer only ``user_id`` sees: in the channel through response_url, else a direct message."""
    try:
        Responder(client, user_id, channel_id, response_url).send(Reply(text=text))
    except Exception:
        logger.exception("could not answer %s", user_id)


def _count_in_stats() -> None:
    from handlers.rapport.commands import STAT_SOURCES

    label = "Open escalations"
    if all(existing != label for existing, _count in STAT_SOURCES):
        STAT_SOURCES.append((label, commands.open_escalations_count))
