"""Answering a person: ephemeral by default, within Slack's limits.

Slack allows a ``response_url`` to be used 5 times in 30 minutes; after that (or with no
``response_url``, as from a button in a DM) answers go through ``chat.postMessage``.
A message carries at most 4,000 characters of text and 50 blocks; longer answers are split.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import urllib3
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_BLOCKS = 50
RESPONSE_URL_USES = 5
RESPONSE_URL_WINDOW = 30 * 60


@dataclass
class Reply:
    """An answer: fallback ``text`` (always) and optional Block Kit ``blocks``.

    ``public`` posts it for the channel to see instead of only to the asker.
    """

    text: str
    blocks: Sequence[Block | dict[str, Any]] | None = None
    public: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)

    def block_dicts(self) -> list[dict[str, Any]]:
        """The blocks as plain dicts (validated by slack_sdk when they are Block objects)."""
        return [b.to_dict() if isinstance(b, Block) else dict(b) for b in (self.blocks or [])]


class _ResponseUrlBudget:
    """Counts uses of each response_url in this process (Slack: 5 per 30 minutes)."""

    def __init__(self) -> None:
        self._uses: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, url: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, v in self._uses.items() if now - v[-1] > RESPONSE_URL_WINDOW]:
                del self._uses[key]
            uses = [t for t in self._uses.get(url, []) if now - t < RESPONSE_URL_WINDOW]
            if len(uses) >= RESPONSE_URL_USES:
                self._uses[url] = uses
                return False
            uses.append(now)
            self._uses[url] = uses
            return True


response_url_budget = _ResponseUrlBudget()


_PLACEHOLDER = re.compile(r"<(?![@#!]|https?:|mailto:|tel:|slack:)([^<>\n]{1,60})>")


def escape_placeholders(text: str) -> str:
    """Escape ``<client>``-style placeholders so Slack shows them instead of reading a link.

    Slack markup we mean (``<@U1>``, ``<#C1>``, ``<!here>``, ``<https://…|…>``) is left as it is.
    """
    return _PLACEHOLDER.sub(lambda m: f"&lt;{m[1]}&gt;", text)


def escape_block_placeholders(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``blocks`` with :func:`escape_placeholders` applied to every ``mrkdwn`` text (copies; the
    input is not changed).

    Slack reads ``<…>`` as a link in mrkdwn, so a usage hint such as ``/followup <client>`` in a
    block would show as a broken link. ``plain_text`` has no links and is left as it is.
    """
    return [_escaped(block) for block in blocks]


def _escaped(value: Any) -> Any:
    if isinstance(value, dict):
        out = {key: _escaped(item) for key, item in value.items()}
        if out.get("type") == "mrkdwn" and isinstance(out.get("text"), str):
            out["text"] = escape_placeholders(out["text"])
        return out
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into pieces of at most ``limit`` characters at line, then word boundaries.

    Never cuts inside Slack markup (``<@U1>``, ``<https://…|…>``).
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        opening = rest.rfind("<", 0, cut)
        if opening > rest.rfind(">", 0, cut) and opening > 0:
            cut = opening  # do not split a <…> token
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        pieces.append(rest)
    return pieces


def split_reply(reply: Reply) -> list[Reply]:
    """Split a reply into messages that Slack accepts (≤ 4,000 characters, ≤ 50 blocks)."""
    blocks = reply.block_dicts()
    texts = split_text(reply.text)
    if not blocks:
        return [Reply(text=t, public=reply.public) for t in texts]
    chunks = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)]
    out = []
    for index, chunk in enumerate(chunks):
        text = texts[0] if index == 0 else f"{texts[0][:200]} (continued)"
        out.append(Reply(text=text[:MAX_TEXT], blocks=chunk, public=reply.public))
    return out


# response_url posts share kept-alive connections (Slack's hooks host answers many of them):
# a new TLS connection per answer costs more than building the answer.
_POOL = urllib3.PoolManager(num_pools=16, maxsize=8, retries=False)


def _post_json(url: str, payload: dict[str, Any], timeout: float) -> int:
    """POST ``payload`` as JSON to a response_url over a kept-alive connection; the HTTP status."""
    response = _POOL.request(
        "POST",
        url,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=urllib3.Timeout(total=timeout),
        redirect=False,
    )
    return int(response.status)


@dataclass
class Responder:
    """Sends replies to the person who asked, through response_url or the Web API."""

    client: WebClient
    user_id: str
    channel_id: str | None = None
    response_url: str | None = None
    timeout: float = 10.0

    def send(self, reply: Reply, *, replace_original: bool = False) -> None:
        """Deliver ``reply`` (split when too long); ephemeral unless ``reply.public``."""
        for part in split_reply(reply):
            self._send_one(part, replace_original=replace_original)
            replace_original = False

    def _send_one(self, reply: Reply, *, replace_original: bool) -> None:
        blocks = escape_block_placeholders(reply.block_dicts()) or None
        reply = Reply(text=escape_placeholders(reply.text), blocks=reply.blocks, public=reply.public)
        if self.response_url and response_url_budget.take(self.response_url):
            payload: dict[str, Any] = {
                "text": reply.text,
                "response_type": "in_channel" if reply.public else "ephemeral",
                "replace_original": replace_original,
            }
            if blocks:
                payload["blocks"] = blocks
            try:
                status = _post_json(self.response_url, payload, self.timeout)
                if status == 200:
                    return
                logger.warning("response_url answered %s; falling back to chat.postMessage", status)
            except (urllib3.exceptions.HTTPError, OSError) as error:
                logger.warning("response_url failed (%s); falling back to chat.postMessage", error)
        channel = self.channel_id if reply.public and self.channel_id else self.user_id
        self.client.chat_postMessage(channel=channel, text=reply.text, blocks=blocks, unfurl_links=False)
