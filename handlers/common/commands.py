"""The slash-command boundary: ack at once, run the capability, answer, never leak a traceback.

A capability's command function takes a ``Command`` and returns a ``Reply`` (or None when it
answered otherwise, e.g. by opening a modal) — like Errbot's commands, so the console and
tests drive the same functions through the same Bolt listener.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.common.args import is_help
from handlers.common.errors import NeedsSlack, UserError
from handlers.common.respond import Reply, Responder, escape_block_placeholders, escape_placeholders, split_reply
from handlers.common.runtime import Runtime

logger = logging.getLogger(__name__)

MAX_COMMAND_TEXT = 3000
#: Read-only answers ready within this time go in the acknowledgement (Slack allows 3 s).
ACK_DEADLINE = 1.5


@dataclass
class Command:
    """One slash command as a person typed it, with where it came from."""

    name: str
    text: str
    team_id: str
    user_id: str
    channel_id: str | None
    client: WebClient
    runtime: Runtime
    trigger_id: str | None = None
    response_url: str | None = None
    user_name: str | None = None
    #: Things worth telling the person that a look-up found on the way (e.g. a channel not shared yet).
    remarks: list[str] = field(default_factory=list)

    @property
    def responder(self) -> Responder:
        return Responder(self.client, self.user_id, self.channel_id, self.response_url)


CommandFunction = Callable[[Command], Reply | None]


def usage_reply(usage: str, message: str | None = None) -> Reply:
    """A reply with an optional message, then the command's usage."""
    text = f"{message}\n\n*Usage*\n{usage}" if message else usage
    return Reply(text=text)


def run_command(command: Command, function: CommandFunction, usage: str) -> Reply | None:
    """Run a command function, turning every failure into a short answer for the person.

    :class:`NeedsSlack` (an answer for the acknowledgement that needs Slack) passes through.
    """
    text = command.text or ""
    if is_help(text):
        return usage_reply(usage)
    if len(text) > MAX_COMMAND_TEXT:
        return usage_reply(
            usage, f"That is {len(text):,} characters; {command.name} takes at most {MAX_COMMAND_TEXT:,}."
        )
    try:
        return function(command)
    except NeedsSlack:
        raise
    except UserError as error:
        return usage_reply(usage, error.message) if error.show_usage else Reply(text=error.message)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("%s failed (ref %s) for text %r", command.name, reference, text[:200])
        return Reply(
            text=f":warning: Sorry, something went wrong on our side (ref `{reference}`). "
            "Your input was not lost: try again in a moment, or tell your admin the reference."
        )


class OfflineClient:
    """Stands in for the Web API client while an answer is computed for the acknowledgement:
    any Slack call raises :class:`NeedsSlack`, so nothing slow runs before the ack."""

    def __getattr__(self, name: str) -> Any:
        def refuse(*_args: Any, **_kwargs: Any) -> Any:
            raise NeedsSlack(name)

        return refuse


class _Watchdog:
    """Calls functions at their deadlines from one thread (a thread per request costs more than an
    answer); a cancelled call is dropped when its time comes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[list[Any]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, function: Callable[[], Any]) -> list[Any]:
        entry = [when, next(self._order), function]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ack-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0] is entry:
                self._cond.notify()
        return entry

    @staticmethod
    def cancel(entry: list[Any]) -> None:
        entry[2] = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                when = self._heap[0][0]
                left = when - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                function = heapq.heappop(self._heap)[2]
            if function is not None:
                try:
                    function()
                except Exception:
                    logger.exception("a deadline's call failed")


_WATCHDOG = _Watchdog()


class _AckOnce:
    """Acknowledge exactly once: with the answer when it is ready in time, else empty at the deadline."""

    def __init__(self, ack: Ack) -> None:
        self._ack = ack
        self._lock = threading.Lock()
        self.done = False

    def __call__(self, reply: Reply | None = None) -> bool:
        """Ack (with ``reply`` as the body when given); False when the ack was already sent."""
        with self._lock:
            if self.done:
                return False
            self.done = True
        if reply is None:
            self._ack()
        else:
            self._ack(**ack_body(reply))
        return True


def ack_body(reply: Reply) -> dict[str, Any]:
    """A reply as the acknowledgement's body: Slack shows it to the person like a response_url message."""
    body: dict[str, Any] = {
        "text": escape_placeholders(reply.text),
        "response_type": "in_channel" if reply.public else "ephemeral",
    }
    blocks = escape_block_placeholders(reply.block_dicts())
    if blocks:
        body["blocks"] = blocks
    return body


def fits_one_message(reply: Reply) -> bool:
    """True when ``reply`` goes as one message (an ack carries one; longer answers are split)."""
    return len(split_reply(reply)) == 1


ReadOnly = Callable[[str], bool]


def always(_text: str) -> bool:
    """Every use of the command only reads (`/contact`)."""
    return True


def subcommands(*names: str) -> ReadOnly:
    """The command only reads when its text starts with one of ``names`` ("" for no text at all)."""
    wanted = frozenset(names)

    def reads(text: str) -> bool:
        words = text.split(maxsplit=1)
        return (words[0].lower() if words else "") in wanted

    return reads


def register_command(
    app: App,
    runtime: Runtime,
    name: str | re.Pattern[str],
    function: CommandFunction,
    usage: str,
    *,
    read_only: ReadOnly | None = None,
) -> None:
    """Wire a slash command to ``function`` with ack-first, errors answered, replies split.

    ``read_only(text)`` says which texts only read (``/contact``, ``/client show|list``): their
    answer is computed at once, without Slack, and sent as the acknowledgement when ready within
    ``ACK_DEADLINE``; otherwise (or when it needs Slack) the ack goes out empty and the answer
    follows through the response_url. Help is always answered in the ack.
    """

    def listener(ack: Ack, context: BoltContext, command: dict[str, Any], client: WebClient) -> None:
        typed = Command(
            name=command.get("command") or str(name),
            text=(command.get("text") or "").strip(),
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            channel_id=context.channel_id,
            client=client,
            runtime=runtime,
            trigger_id=command.get("trigger_id"),
            response_url=context.response_url,
            user_name=command.get("user_name"),
        )
        acknowledge = _AckOnce(ack)
        reply: Reply | None = None
        answered = False
        if is_help(typed.text) or (read_only is not None and read_only(typed.text)):
            answered, reply = _answer_in_ack(acknowledge, typed, function, usage)
        acknowledge()  # within 3 s, before any Slack call or slow work (a no-op when already sent)
        if answered:
            return
        if reply is None:
            reply = run_command(typed, function, usage)
        if reply is not None:
            try:
                typed.responder.send(reply)
            except Exception:
                logger.exception("could not deliver the answer to %s", name)

    listener.__name__ = f"command_{name.strip('/') if isinstance(name, str) else 'any'}"
    app.command(name)(listener)


def _answer_in_ack(
    acknowledge: _AckOnce, command: Command, function: CommandFunction, usage: str
) -> tuple[bool, Reply | None]:
    """Compute a read-only answer without Slack; ack with it when it is ready in time.

    Returns (answered in the ack, the reply if it was computed but came too late). A watchdog
    acks empty at ``ACK_DEADLINE`` so a slow database never delays the acknowledgement.
    """
    deadline = _WATCHDOG.call_at(time.monotonic() + ACK_DEADLINE, acknowledge)
    offline = dataclasses.replace(command, client=OfflineClient())  # type: ignore[arg-type]
    try:
        reply = run_command(offline, function, usage)
    except NeedsSlack:
        return False, None  # the ack goes out empty; the answer is computed with Slack after it
    finally:
        _WATCHDOG.cancel(deadline)
    if reply is None:
        return True, None  # the function answered otherwise (it cannot have: it only reads)
    if fits_one_message(reply) and acknowledge(reply):
        return True, None
    return False, reply
