"""Slack wiring of `/draft`."""

from __future__ import annotations

from slack_bolt import App

from handlers.common.commands import register_command
from handlers.draft.command import USAGE, draft
from handlers.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    """Register `/draft`."""
    register_command(app, runtime, "/draft", draft, USAGE)
