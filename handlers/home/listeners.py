"""Slack wiring of the Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.home.view import publish_home
from handlers.runtime import Runtime

logger = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    """Register ``app_home_opened`` (Bolt acknowledges events before the listener runs)."""

    @app.event("app_home_opened")
    def app_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to publish
        user_id = event.get("user") or ""
        team_id = body.get("team_id") or event.get("view", {}).get("team_id") or ""
        if not user_id or not team_id:
            return
        try:
            publish_home(runtime, client, team_id, user_id)
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("could not publish the Home tab of %s: %s", user_id, error)
