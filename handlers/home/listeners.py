"""Slack wiring of the Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.common.runtime import Runtime
from handlers.home.view import publish_home

logger = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    """Register ``app_home_opened`` (Bolt acknowledges events before the listener runs)."""

    @app.event("app_home_opened")
    def app_home_opened(context: BoltContext, event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to publish
        user_id, team_id = context.user_id or "", context.team_id or ""
        if not user_id or not team_id:
            return
        try:
            publish_home(runtime, client, team_id, user_id)
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("could not publish the Home tab of %s: %s", user_id, error)
