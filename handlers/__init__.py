"""One package per capability; each exposes ``listeners.register(app, runtime)``."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient

from handlers.runtime import Runtime

PeriodicTask = Callable[[Runtime, WebClient], object]


def register_handlers(app: App, runtime: Runtime) -> None:
    """Register every capability's listeners on ``app``."""
    from handlers.rapport import listeners as rapport
    from handlers.workspace import listeners as workspace

    for capability in (rapport, workspace):
        capability.register(app, runtime)


def periodic_tasks() -> list[PeriodicTask]:
    """The work the dispatcher runs on every tick (due follow-ups, escalations, care notes)."""
    return []
