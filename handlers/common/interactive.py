"""The boundary for buttons, forms and events: whatever goes wrong, the person hears about it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext

from handlers.common.respond import Reply, Responder

logger = logging.getLogger(__name__)

SORRY = ":warning: Sorry, something went wrong on our side; nothing you entered was lost. Try again in a moment."


@dataclass(frozen=True)
class Interaction:
    """A click, form submission or shortcut: who, in which workspace and channel, on which message,
    with which value. Bolt's context says who and where; the few parts only the payload holds (the
    action's value, the clicked message, a view's private metadata) are read here and nowhere else.
    """

    team_id: str
    user_id: str
    channel_id: str | None = None
    message_ts: str | None = None
    value: str = ""
    action_id: str = ""
    response_url: str | None = None
    trigger_id: str | None = None
    private_metadata: str = ""

    @classmethod
    def of(cls, context: BoltContext, body: dict[str, Any]) -> Interaction:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        return cls(
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            channel_id=context.channel_id or container.get("channel_id"),
            message_ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
            value=str(action.get("value") or (action.get("selected_option") or {}).get("value") or ""),
            action_id=str(action.get("action_id") or ""),
            response_url=context.response_url or body.get("response_url"),
            trigger_id=body.get("trigger_id"),
            private_metadata=str((body.get("view") or {}).get("private_metadata") or ""),
        )

    @property
    def number(self) -> int | None:
        """The action's value as a row id (buttons carry ids), or None."""
        try:
            return int(self.value)
        except ValueError:
            return None


def answers_errors(listener: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Bolt listener: an unexpected exception is logged and the person gets a short apology.

    Bolt passes arguments by name from the wrapped function's signature (``functools.wraps``
    keeps it), so the listener's own parameters still decide what it receives.
    """

    @functools.wraps(listener)
    def guarded(**kwargs: Any) -> Any:
        try:
            return listener(**kwargs)
        except Exception:
            logger.exception("%s failed", listener.__name__)
            ack = kwargs.get("ack")
            if ack is not None and getattr(ack, "response", None) is None:
                ack()
            _apologise(kwargs.get("context"), kwargs.get("body") or {}, kwargs.get("client"))
            return None

    return guarded


def _apologise(context: BoltContext | None, body: dict[str, Any], client: Any) -> None:
    if context is None or client is None or not context.user_id:
        return
    where = Interaction.of(context, body)
    try:
        Responder(client, where.user_id, where.channel_id, where.response_url).send(Reply(text=SORRY))
    except Exception:
        logger.exception("could not tell %s that something failed", where.user_id)
