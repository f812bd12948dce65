"""The boundary for buttons, forms and events: whatever goes wrong, the person hears about it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from handlers.common.respond import Reply, Responder

logger = logging.getLogger(__name__)

SORRY = ":warning: Sorry, something went wrong on our side; nothing you entered was lost. Try again in a moment."


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
            _apologise(kwargs.get("body") or {}, kwargs.get("client"))
            return None

    return guarded


def _apologise(body: dict[str, Any], client: Any) -> None:
    event = body.get("event") or {}
    user_id = (body.get("user") or {}).get("id") or event.get("user") or event.get("user_id")
    if client is None or not user_id:
        return
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    try:
        Responder(client, user_id, channel, body.get("response_url")).send(Reply(text=SORRY))
    except Exception:
        logger.exception("could not tell %s that something failed", user_id)
