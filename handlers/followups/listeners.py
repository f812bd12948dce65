"""Slack wiring of follow-ups: `/followup`, the reminder's buttons and the escalate form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.common.commands import register_command, subcommands
from handlers.common.errors import UserError
from handlers.common.interactive import Interaction
from handlers.common.respond import Reply, Responder
from handlers.common.runtime import Runtime
from handlers.common.stats import StatSource
from handlers.escalate.commands import open_modal_for_followup
from handlers.followups import actions, blocks, reminders
from handlers.followups.commands import USAGE, followup

logger = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    """Register `/followup` and the reminder's Done / Snooze / Escalate buttons."""
    register_command(app, runtime, "/followup", followup, USAGE, read_only=subcommands("", "list"))

    @app.action(blocks.DONE_ACTION)
    def done(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = Interaction.of(context, body)
        _answer_errors(client, click, lambda: _done(client, runtime, click))

    for action_id, choice in blocks.SNOOZE_ACTIONS.items():
        app.action(action_id)(_snooze_listener(runtime, choice))

    @app.action(blocks.ESCALATE_ACTION)
    def escalate(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = Interaction.of(context, body)
        _answer_errors(
            client,
            click,
            lambda: open_modal_for_followup(
                runtime,
                client,
                team_id=click.team_id,
                user_id=click.user_id,
                trigger_id=click.trigger_id or "",
                followup_id=click.number or 0,
                channel_id=click.channel_id,
                message_ts=click.message_ts,
                response_url=click.response_url,
            ),
        )


def _snooze_listener(runtime: Runtime, choice: str) -> Any:
    """A listener for one snooze button (Bolt passes arguments by name, so ``choice`` is closed over)."""

    def snooze(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = Interaction.of(context, body)
        _answer_errors(
            client,
            click,
            lambda: actions.snooze_and_refresh(
                client,
                runtime,
                click.team_id,
                choice,
                click.user_id,
                followup_id=click.number or 0,
                channel=click.channel_id,
                ts=click.message_ts,
            ),
        )

    snooze.__name__ = f"snooze_{choice}"
    return snooze


def _answer_errors(client: WebClient, click: Interaction, work: Any) -> None:
    """Run a click's work; a problem is told to the person, ephemerally, never swallowed."""
    try:
        work()
    except UserError as error:
        Responder(client, click.user_id, click.channel_id, click.response_url).send(Reply(text=error.message))
    except Exception:
        logger.exception("follow-up button failed")
        Responder(client, click.user_id, click.channel_id, click.response_url).send(
            Reply(text=":warning: Sorry, that did not work; try again, or use `/followup list`.")
        )


def _done(client: WebClient, runtime: Runtime, click: Interaction) -> None:
    changed = reminders.mark_done(runtime, click.team_id, followup_id=click.number or 0, by=click.user_id)
    actions.refresh_message(
        client, runtime, click.team_id, changed, "done", click.user_id, channel=click.channel_id, ts=click.message_ts
    )


STATS: tuple[StatSource, ...] = (("Open follow-ups", reminders.count_open),)
ON_ESCALATION_RAISED = (actions.show_escalated,)
