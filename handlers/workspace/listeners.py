"""Lifecycle events and catch-alls. Registered last: the catch-alls answer what nobody else did.

Slack retries anything answered with an error or a 404, so unknown events, actions and views
are acknowledged with 200; an unknown slash command gets the overview of commands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext

from handlers.common.catalog import OVERVIEW
from handlers.common.commands import Command, always, register_command
from handlers.common.errors import UserError
from handlers.common.respond import Reply
from handlers.common.runtime import Runtime
from handlers.workspace.lifecycle import mark_uninstalled, note_in_use_soon

logger = logging.getLogger(__name__)
ANYTHING = re.compile(".*")


def register(app: App, runtime: Runtime) -> None:
    """Register lifecycle listeners, the "in use" middleware and the catch-alls (call after every
    other capability)."""

    @app.use
    def note_the_workspace_is_in_use(context: BoltContext, body: dict[str, Any], next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's argument name
        """A slash command proves the app is installed there (see ``note_in_use``); checked after the ack."""
        response = next()
        if body.get("command") and context.team_id:
            note_in_use_soon(runtime, context.team_id)
        return response

    def forget_tokens(context: BoltContext) -> None:
        """OAuth mode: delete the workspace's installation (its tokens) from our database."""
        store = runtime.extras.get("installation_store")
        if store is not None:
            store.delete_installation(enterprise_id=context.enterprise_id, team_id=context.team_id)  # type: ignore[attr-defined]

    @app.event("app_uninstalled")
    def app_uninstalled(context: BoltContext) -> None:
        mark_uninstalled(runtime, context.team_id or "", "app_uninstalled")
        forget_tokens(context)

    @app.event("tokens_revoked")
    def tokens_revoked(context: BoltContext, event: dict[str, Any]) -> None:
        # Only the bot token matters to us; a user revoking their own OAuth token changes nothing.
        if (event.get("tokens") or {}).get("bot"):
            mark_uninstalled(runtime, context.team_id or "", "tokens_revoked")
            forget_tokens(context)

    def unknown_command(command: Command) -> Reply:
        raise UserError(f"I don't know the command `{command.name}`.\n\n{OVERVIEW}", show_usage=False)

    register_command(app, runtime, ANYTHING, unknown_command, OVERVIEW, read_only=always)

    @app.event(ANYTHING)
    def any_event(body: dict[str, Any]) -> None:
        logger.debug("ignored event %s", (body.get("event") or {}).get("type"))

    @app.action(ANYTHING)
    def any_action(ack: Ack) -> None:
        ack()

    @app.view(ANYTHING)
    def any_view(ack: Ack) -> None:
        ack()

    @app.shortcut(ANYTHING)
    def any_shortcut(ack: Ack) -> None:
        ack()

    @app.options(ANYTHING)
    def any_options(ack: Ack) -> None:
        ack(options=[])
