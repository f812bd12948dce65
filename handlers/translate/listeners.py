"""Slack wiring of translation: `/translate`, the Translate shortcut, flag reactions, Post to channel."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.common.commands import register_command
from handlers.common.interactive import Interaction, answers_errors
from handlers.common.runtime import Runtime
from handlers.translate import detect, messages
from handlers.translate.blocks import POST_ACTION
from handlers.translate.command import USAGE, translate_command

SHORTCUT = "rapport_translate_message"


def register(app: App, runtime: Runtime) -> None:
    """Register `/translate`, the message shortcut, the reaction listener and the Post button."""
    register_command(app, runtime, "/translate", translate_command, USAGE)

    @app.shortcut(SHORTCUT)
    @answers_errors
    def translate_message(ack: Ack, context: BoltContext, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        messages.on_shortcut(runtime, client, Interaction.of(context, shortcut), (shortcut.get("message") or {}))

    @app.event("reaction_added")
    @answers_errors
    def reaction_added(context: BoltContext, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        messages.on_reaction(runtime, client, context.team_id or "", event, body.get("event_id"))

    @app.action(re.compile(rf"^{POST_ACTION}(_\d+)?$"))
    @answers_errors
    def post_translation(ack: Ack, context: BoltContext, body: dict[str, Any], client: WebClient) -> None:
        ack()
        messages.on_post(client, Interaction.of(context, body))

    detect.warm_up()  # the language detector loads in the background, not on the first request
