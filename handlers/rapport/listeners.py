"""Slack wiring of `/rapport`."""

from __future__ import annotations

from slack_bolt import App

from handlers.common.catalog import OVERVIEW
from handlers.common.commands import register_command, subcommands
from handlers.rapport.commands import USAGE, rapport
from handlers.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    """Register `/rapport`."""
    reads = subcommands("", "help", "commands", "stats")
    register_command(app, runtime, "/rapport", rapport, f"{OVERVIEW}\n\n{USAGE}", read_only=reads)
