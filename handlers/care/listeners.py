"""Slack wiring of relationship care.

Care has no slash command, button or event of its own: it runs on the dispatcher's ticks
(``handlers.care.delivery.care_tick``, listed in ``handlers.periodic_tasks``) and posts with
``chat.postMessage``. Here it only adds its count to `/rapport stats`.
"""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models.care import SENT, CareNote
from handlers.common.runtime import Runtime
from handlers.common.stats import StatSource

STAT_LABEL = "Relationship-care heads-ups sent"


def heads_ups_sent(session: Session) -> int:
    """How many heads-ups this workspace has received."""
    return session.scalar(select(func.count()).select_from(CareNote).where(CareNote.status == SENT)) or 0


def register(app: App, runtime: Runtime) -> None:
    """Nothing to wire: heads-ups are sent by the dispatcher (``care_tick``); ``STATS`` counts them."""


STATS: tuple[StatSource, ...] = ((STAT_LABEL, heads_ups_sent),)
