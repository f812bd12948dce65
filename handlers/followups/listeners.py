"""Slack wiring of follow-ups: `/followup`, the reminder's buttons and the escalate form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.common.commands import register_command, subcommands
from handlers.common.errors import UserError
from handlers.common.respond import Reply, Responder
from handlers.escalate.commands import open_modal_for_followup
from handlers.followups import actions, blocks, reminders
from handlers.followups.commands import USAGE, followup
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    """Register `/followup` and the reminder's Done / Snooze / Escalate buttons."""
    register_command(app, runtime, "/followup", followup, USAGE, read_only=subcommands("", "list"))
    _add_stat()

    @app.action(blocks.DONE_ACTION)
    def done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = _Click(body)
        _answer_errors(client, click, lambda: _done(client, runtime, click))

    for action_id, choice in blocks.SNOOZE_ACTIONS.items():
        app.action(action_id)(_snooze_listener(runtime, choice))

    @app.action(blocks.ESCALATE_ACTION)
    def escalate(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = _Click(body)
        _answer_errors(
            client,
            click,
            lambda: open_modal_for_followup(
                runtime,
                client,
                team_id=click.team_id,
                user_id=click.user_id,
                trigger_id=body.get("trigger_id") or "",
                followup_id=click.followup_id,
                channel_id=click.channel,
                message_ts=click.ts,
                response_url=click.response_url,
            ),
        )


def _snooze_listener(runtime: Runtime, choice: str) -> Any:
    """A listener for one snooze button (Bolt passes arguments by name, so ``choice`` is closed over)."""

    def snooze(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click = _Click(body)
        _answer_errors(
            client,
            click,
            lambda: actions.snooze_and_refresh(
                client,
                runtime,
                click.team_id,
                choice,
                click.user_id,
                followup_id=click.followup_id,
                channel=click.channel,
                ts=click.ts,
            ),
        )

    snooze.__name__ = f"snooze_{choice}"
    return snooze


class _Click:
    """The parts of a button click we use."""

    def __init__(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        self.user_id = (body.get("user") or {}).get("id") or ""
        self.team_id = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
        self.channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        self.ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
        self.response_url = body.get("response_url")
        try:
            self.followup_id = int(action.get("value") or 0)
        except ValueError:
            self.followup_id = 0


def _answer_errors(client: WebClient, click: _Click, work: Any) -> None:
    """Run a click's work; a problem is told to the person, ephemerally, never swallowed."""
    try:
        work()
    except UserError as error:
        Responder(client, click.user_id, click.channel, click.response_url).send(Reply(text=error.message))
    except Exception:
        logger.exception("follow-up button failed")
        Responder(client, click.user_id, click.channel, click.response_url).send(
            Reply(text=":warning: Sorry, that did not work; try again, or use `/followup list`.")
        )


def _done(client: WebClient, runtime: Runtime, click: _Click) -> None:
    changed = reminders.mark_done(runtime, click.team_id, followup_id=click.followup_id, by=click.user_id)
    actions.refresh_message(
        client, runtime, click.team_id, changed, "done", click.user_id, channel=click.channel, ts=click.ts
    )


def _add_stat() -> None:
    from handlers.rapport.commands import STAT_SOURCES

    label = "Open follow-ups"
    if all(existing != label for existing, _count in STAT_SOURCES):
        STAT_SOURCES.append((label, reminders.count_open))
