"""The slash-command boundary: ack at once, run the capability, answer, never leak a traceback.

A capability's command function takes a ``Command`` and returns a ``Reply`` (or None when it
answered otherwise, e.g. by opening a modal) — like Errbot's commands, so the console and
tests drive the same functions through the same Bolt listener.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.common.args import is_help
from handlers.common.errors import UserError
from handlers.common.respond import Reply, Responder
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)

MAX_COMMAND_TEXT = 3000


@dataclass
class Command:
    """One slash command as a person typed it, with where it came from."""

    name: str
    text: str
    team_id: str
    user_id: str
    channel_id: str | None
    client: WebClient
    runtime: Runtime
    trigger_id: str | None = None
    response_url: str | None = None
    user_name: str | None = None

    @property
    def responder(self) -> Responder:
        return Responder(self.client, self.user_id, self.channel_id, self.response_url)


CommandFunction = Callable[[Command], Reply | None]


def usage_reply(usage: str, message: str | None = None) -> Reply:
    """A reply with an optional message, then the command's usage."""
    text = f"{message}\n\n*Usage*\n{usage}" if message else usage
    return Reply(text=text)


def run_command(command: Command, function: CommandFunction, usage: str) -> Reply | None:
    """Run a command function, turning every failure into a short answer for the person."""
    text = command.text or ""
    if is_help(text):
        return usage_reply(usage)
    if len(text) > MAX_COMMAND_TEXT:
        return usage_reply(
            usage, f"That is {len(text):,} characters; {command.name} takes at most {MAX_COMMAND_TEXT:,}."
        )
    try:
        return function(command)
    except UserError as error:
        return usage_reply(usage, error.message) if error.show_usage else Reply(text=error.message)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("%s failed (ref %s) for text %r", command.name, reference, text[:200])
        return Reply(
            text=f":warning: Sorry, something went wrong on our side (ref `{reference}`). "
            "Your input was not lost: try again in a moment, or tell your admin the reference."
        )


def register_command(
    app: App, runtime: Runtime, name: str | re.Pattern[str], function: CommandFunction, usage: str
) -> None:
    """Wire a slash command to ``function`` with ack-first, errors answered, replies split."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()  # within 3 s, before any database or network work
        command = Command(
            name=body.get("command") or str(name),
            text=(body.get("text") or "").strip(),
            team_id=body.get("team_id") or "",
            user_id=body.get("user_id") or "",
            channel_id=body.get("channel_id"),
            client=client,
            runtime=runtime,
            trigger_id=body.get("trigger_id"),
            response_url=body.get("response_url"),
            user_name=body.get("user_name"),
        )
        try:
            from handlers.workspace.lifecycle import note_in_use

            note_in_use(runtime, command.team_id)
        except Exception:
            logger.exception("could not record that workspace %s is in use", command.team_id)
        reply = run_command(command, function, usage)
        if reply is not None:
            try:
                command.responder.send(reply)
            except Exception:
                logger.exception("could not deliver the answer to %s", name)

    listener.__name__ = f"command_{name.strip('/') if isinstance(name, str) else 'any'}"
    app.command(name)(listener)
