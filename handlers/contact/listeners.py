"""Slack wiring of `/contact`."""

from __future__ import annotations

from slack_bolt import App

from handlers.common.commands import always, register_command
from handlers.common.runtime import Runtime
from handlers.contact.advice import USAGE, contact


def register(app: App, runtime: Runtime) -> None:
    """Register `/contact`."""
    register_command(app, runtime, "/contact", contact, USAGE, read_only=always)
