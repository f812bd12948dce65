"""Slack wiring of `/draft`."""

from __future__ import annotations

from slack_bolt import App

from handlers.common.commands import register_command
from handlers.common.runtime import Runtime
from handlers.draft.command import USAGE, draft


def register(app: App, runtime: Runtime) -> None:
    """Register `/draft`."""
    register_command(app, runtime, "/draft", draft, USAGE)
