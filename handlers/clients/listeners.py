"""Slack wiring of `/client` and its "add a client" form."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.clients import blocks, shared_file
from handlers.clients.commands import USAGE, client_command, save_new
from handlers.clients.fields import FieldError
from handlers.common.commands import Command, register_command, subcommands
from handlers.common.errors import UserError
from handlers.common.interactive import answers_errors
from handlers.common.respond import Responder
from handlers.common.runtime import Runtime

logger = logging.getLogger(__name__)

# Form fields errors are shown beside; `city:` is typed into the time zone field.
_FIELD_BLOCKS = {"city": "tz"}


def register(app: App, runtime: Runtime) -> None:
    """Register `/client` and the submission of its form."""
    register_command(app, runtime, "/client", client_command, USAGE, read_only=subcommands("", "show", "list"))

    @app.event("file_shared")
    def file_shared(context: BoltContext, event: dict[str, Any], client: WebClient) -> None:
        # Bolt has acknowledged the event already; the download and import run here, after it.
        team_id = context.team_id or ""
        user_id, channel_id = event.get("user_id") or "", event.get("channel_id") or ""
        try:
            reply = shared_file.import_shared_file(
                runtime, client, team_id, user_id, channel_id, event.get("file_id") or ""
            )
            if reply is not None:
                shared_file.answer(client, user_id, channel_id, reply)
        except Exception:
            logger.exception("importing a shared file failed")

    @app.view(blocks.ADD_CALLBACK)
    @answers_errors
    def add_submitted(ack: Ack, context: BoltContext, view: dict[str, Any], client: WebClient) -> None:
        # Checked before ack(): Slack shows errors beside the fields only in the ack itself.
        user_id, team_id = context.user_id or "", context.team_id or ""
        command = Command(
            name="/client",
            text="add",
            team_id=team_id,
            user_id=user_id,
            channel_id=None,
            client=client,
            runtime=runtime,
        )
        try:
            reply = save_new(command, blocks.form_values(view.get("state") or {}))
        except FieldError as error:
            ack(response_action="errors", errors={_FIELD_BLOCKS.get(error.key, error.key): _plain(error.message)})
            return
        except UserError as error:
            ack(response_action="errors", errors={"name": _plain(error.message)})
            return
        ack()
        try:
            Responder(client, user_id).send(reply)
        except Exception:
            logger.exception("could not confirm the new client to %s", user_id)


def _plain(message: str) -> str:
    """Form errors are plain text: drop mrkdwn marks."""
    return message.replace("`", "").replace("*", "")[:300]
