"""Slack wiring of `/rapport`."""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import App

from handlers.common.catalog import OVERVIEW
from handlers.common.commands import register_command, subcommands
from handlers.common.runtime import Runtime
from handlers.common.stats import StatSource
from handlers.rapport.commands import USAGE, rapport_command


def register(app: App, runtime: Runtime, stat_sources: Sequence[StatSource] = ()) -> None:
    """Register `/rapport`; ``stat_sources`` are the counts other capabilities add to its stats."""
    reads = subcommands("", "help", "commands", "stats")
    usage = f"{OVERVIEW}\n\n{USAGE}"
    register_command(app, runtime, "/rapport", rapport_command(stat_sources), usage, read_only=reads)
