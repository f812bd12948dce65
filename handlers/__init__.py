"""One package per capability; each exposes ``listeners.register(app, runtime)``."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient

from handlers.common.runtime import Runtime

PeriodicTask = Callable[[Runtime, WebClient], object]


def register_handlers(app: App, runtime: Runtime) -> None:
    """Register every capability's listeners on ``app``."""
    from handlers.care import listeners as care
    from handlers.channels import listeners as channels
    from handlers.clients import listeners as clients
    from handlers.contact import listeners as contact
    from handlers.draft import listeners as draft
    from handlers.escalate import listeners as escalate
    from handlers.followups import listeners as followups
    from handlers.home import listeners as home
    from handlers.rapport import listeners as rapport
    from handlers.translate import listeners as translate
    from handlers.workspace import listeners as workspace

    # channels before translate: its 👀/✅ reaction listener must see those reactions first
    others = (clients, contact, escalate, channels, translate, followups, draft, home, care, workspace)
    stat_sources = [source for capability in others for source in getattr(capability, "STATS", ())]
    rapport.register(app, runtime, stat_sources)  # counts flow down to /rapport stats, not up into it
    for capability in others:
        if capability is escalate:
            hooks = [hook for other in others for hook in getattr(other, "ON_ESCALATION_RAISED", ())]
            escalate.register(app, runtime, on_raised=hooks)
        else:
            capability.register(app, runtime)


def periodic_tasks() -> list[PeriodicTask]:
    """The work the dispatcher runs on every tick (due follow-ups, escalations, care notes, the reply
    clocks of client requests)."""
    from handlers.care.delivery import care_tick
    from handlers.channels.clock import request_tick
    from handlers.common.events import prune_seen_events
    from handlers.escalate.auto import escalation_tick
    from handlers.followups.delivery import dispatch_due

    return [dispatch_due, escalation_tick, care_tick, request_tick, prune_seen_events]
