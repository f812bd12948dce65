"""Slack's rate-limit budget, shared by every process on one database (``bot.pacing``).

One row per pacing key — a digest of the bot token, the method, and for posts the channel — with
the earliest moment of the next call (``tat``, the generic cell rate algorithm's theoretical arrival
time) and the end of a 429's ``Retry-After``, both as seconds since the epoch by the database's
clock. It is not :class:`~db.base.TeamOwned`: a row holds no workspace data, only those two numbers
under a key no one can turn back into a token, and rows are forgotten an hour after their last use.
"""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class SlackPacing(Base):
    """When the next call on a key may go, for all processes at once."""

    __tablename__ = "slack_pacing"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Float(precision=53))
    blocked_until: Mapped[float] = mapped_column(Float(precision=53), default=0.0)
