"""Slack wiring of follow-ups: `/followup`, the reminder's buttons and the escalate form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.common.commands import register_command
from handlers.common.errors import UserError
from handlers.common.respond import Reply, Responder
from handlers.followups import actions, blocks, reminders
from handlers.followups.commands import USAGE, followup
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    """Register `/followup`, Done / Snooze / Escalate, and the escalate modal."""
    register_command(app, runtime, "/followup", followup, USAGE)
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
        _answer_errors(client, click, lambda: _open_escalation(client, runtime, click, body.get("trigger_id")))

    @app.view(blocks.ESCALATE_VIEW)
    def escalate_submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = (body.get("user") or {}).get("id") or ""
        team_id = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
        view = body.get("view") or {}
        summary = (((view.get("state") or {}).get("values") or {}).get("summary") or {}).get("summary") or {}
        text = (summary.get("value") or "").strip()
        responder = Responder(client, user_id)
        try:
            answer = actions.escalate(client, runtime, team_id, view.get("private_metadata") or "", user_id, text)
        except UserError as error:
            answer = error.message
        except Exception:
            logger.exception("escalating a follow-up failed")
            answer = ":warning: Sorry, the escalation could not be posted; try again or use `/escalate`."
        responder.send(Reply(text=answer))


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


def _open_escalation(client: WebClient, runtime: Runtime, click: _Click, trigger_id: str | None) -> None:
    followup, _client = reminders.load_for_change(runtime, click.team_id, followup_id=click.followup_id)
    if not actions.escalation_channel(runtime, click.team_id, followup.client_id):
        raise UserError(
            "No escalation channel is set yet. Set one with `/escalate channel #channel` "
            "(per client: `/client edit <name> escalation:#channel`), then press Escalate again."
        )
    metadata = actions.escalate_metadata(followup.id, click.channel, click.ts)
    client.views_open(trigger_id=trigger_id, view=blocks.escalate_modal(metadata, followup.client_name, followup.what))


def _add_stat() -> None:
    from handlers.rapport.commands import STAT_SOURCES

    label = "Open follow-ups"
    if all(existing != label for existing, _count in STAT_SOURCES):
        STAT_SOURCES.append((label, reminders.count_open))
