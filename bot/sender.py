"""The dispatcher's poster: ``chat.postMessage`` on one asyncio loop (one shared aiohttp session,
requests and answers as slack_sdk makes and reads them) instead of a blocking call per thread.

A dispatcher pass hands each message over with :meth:`AsyncPoster.send` and goes on; the loop
posts many at once, each after its slot under Slack's limits (the process's pacer, the same one the
``WebClient`` uses: in the database on PostgreSQL), and calls ``done`` exactly once with Slack's
answer or the error. The guarantees are the blocking client's: every call goes to
``SLACK_API_URL`` with the same timeout; a 429 blocks the pacing key for ``Retry-After`` and the
post is tried again in the key's next slot (at most ``RATE_LIMIT_RETRIES`` times); a 5xx or a
timeout is *not* retried here — Slack may have posted it — but handed back, and the dispatcher
looks for the message before sending it again. Connection errors before anything was sent are
retried, as slack_sdk's handler does.

With an ``OnWire`` (a paced poster's messages), the row is marked as on the wire just before its
post leaves, in one statement for all the rows whose turn came meanwhile (on a thread of its own:
the database is not asyncio's); a row that cannot be marked (taken by another worker, changed, or
the database failed) is not posted and is answered ``NotMarked``.

When the process stops (SIGTERM), :meth:`AsyncPoster.stop_sending` answers every message whose turn
has not come with ``NotSent`` — nothing of it went to Slack, and the dispatcher gives its claim back
— while the ones already on the wire finish.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import uvloop
from slack_sdk.errors import SlackApiError
from slack_sdk.web.internal_utils import get_user_agent
from slack_sdk.web.slack_response import SlackResponse

from bot.pacing import Key, Limit, Pacing, pacing_key
from bot.settings import Settings
from bot.slack import WEB_API_TIMEOUT, shared_pacer
from handlers.followups.posting import NotMarked, NotSent, OnWire

logger = logging.getLogger(__name__)

__all__ = ["AsyncPoster", "build_poster"]

IN_FLIGHT = 64  # posts on the wire at once (one connection each)
RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2

Done = Callable[[Any], None]  # called with the answer (a mapping) or the exception
Write = Callable[[list[int]], set[int]]  # marks rows on the wire; returns those marked


class AsyncPoster:
    """Posts ``chat.postMessage`` calls from any thread on its own event loop thread."""

    def __init__(self, base_url: str, pacer: Pacing | None = None, timeout: int = WEB_API_TIMEOUT) -> None:
        self.base_url = base_url
        self.pacer = pacer
        self.timeout = timeout
        # uvloop (libuv): the loop's own machinery — selector, transports, callbacks — in C, where
        # asyncio's pure-Python loop took about a tenth of the worker's CPU per delivery.
        self._loop = uvloop.new_event_loop()
        self._url = base_url.rstrip("/") + "/chat.postMessage"
        self._agent = get_user_agent()
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._inbox: deque[tuple[str, dict[str, Any], Done, OnWire | None]] = deque()  # from any thread
        self._wake_pending = False
        self._keys: dict[Key, asyncio.Lock] = {}  # the loop's own: touched on its thread only
        self._queued: dict[Key, int] = {}
        self._marks: dict[Write, list[tuple[int, asyncio.Future[bool]]]] = {}  # rows waiting for a mark
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="followup-mark")
        self._stopping = False
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="followup-poster", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failed is not None:
            raise RuntimeError("the follow-up poster could not start") from self._failed

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._open())
        except BaseException as error:
            self._failed = error
            raise
        finally:
            self._ready.set()
        self._loop.run_forever()

    async def _open(self) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT))
        self._slots = asyncio.Semaphore(IN_FLIGHT)
        self._stop_waiting = asyncio.Event()

    def stop_sending(self) -> None:
        """From now on, a message whose turn has not come is answered ``NotSent`` (nothing of it is
        sent); the ones already on the wire finish. Called from any thread when the process stops."""
        self._stopping = True
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop_waiting.set)

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if the process is stopping; then refuse to go on if it is."""
        if seconds > 0 and not self._stopping:
            try:
                await asyncio.wait_for(self._stop_waiting.wait(), seconds)
            except TimeoutError:
                pass
        if self._stopping:
            raise NotSent()

    @property
    def paced(self) -> bool:
        """Posts wait for their turn under Slack's limits (the process paces itself)."""
        return self.pacer is not None

    def send(self, token: str, args: Mapping[str, Any], done: Done, on_wire: OnWire | None = None) -> None:
        """Post ``args`` with ``token`` as soon as its slot allows; ``done`` gets the outcome.
        With ``on_wire``, the row is marked on the wire just before the post leaves."""
        if self._stopping:
            done(NotSent())
            return
        self._inbox.append((token, dict(args), done, on_wire))
        if not self._wake_pending:
            # Wake the loop once for everything handed over until it looks (waking it per message,
            # a write to its self-pipe each, cost more than the post).
            self._wake_pending = True
            self._loop.call_soon_threadsafe(self._start)

    def _start(self) -> None:
        self._wake_pending = False  # first: a message handed over from now on wakes the loop again
        while self._inbox:
            token, args, done, on_wire = self._inbox.popleft()
            self._loop.create_task(self._post(token, args, done, on_wire))

    async def _post(self, token: str, args: dict[str, Any], done: Done, on_wire: OnWire | None) -> None:
        try:
            result: Any = await self._paced_post(token, args, on_wire)
        except Exception as error:  # noqa: BLE001 - handed to the dispatcher, which decides
            known = SlackApiError | OSError | NotSent | NotMarked
            result = error if isinstance(error, known) else ConnectionError(repr(error))
        try:
            done(result)
        except Exception:
            logger.exception("recording a posted follow-up failed")

    async def _paced_post(self, token: str, args: dict[str, Any], on_wire: OnWire | None) -> Any:
        found = pacing_key("chat.postMessage", token, args) if self.pacer is not None else None
        if found is None:
            return await self._post_with_retries(token, args, None, on_wire)
        # One post per key at a time: each reserves its slot only when the one before it is out, so
        # a long queue for one person never books the shared budget minutes ahead (a worker that
        # dies would leave those slots booked, holding back the worker that takes over).
        key = found[0]
        lock = self._keys.get(key)
        if lock is None:
            lock = self._keys[key] = asyncio.Lock()
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with lock:
                return await self._post_with_retries(token, args, found, on_wire)
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._keys[key]

    async def _post_with_retries(
        self, token: str, args: dict[str, Any], found: tuple[Key, Limit] | None, on_wire: OnWire | None
    ) -> Any:
        attempt = 0
        while True:
            await self._pause(0)  # its turn came while stopping: not sent
            if found is not None and self.pacer is not None:
                delay = self.pacer.reserve(*found)
                while delay > 0:
                    await self._pause(delay)
                    delay = self.pacer.blocked_for(found[0])
            async with self._slots:
                await self._pause(0)
                if on_wire is not None:
                    await self._mark(on_wire)
                    on_wire = None  # once: a post tried again after a 429 is still the same row's
                    await self._pause(0)
                try:
                    return await self._call(token, args)
                except SlackApiError as error:
                    if error.response.status_code != 429 or attempt >= RATE_LIMIT_RETRIES:
                        raise
                    seconds = _retry_after(error.response.headers)
            attempt += 1
            logger.warning("Slack rate-limited a post; waiting %.0f s as Retry-After asks", seconds)
            if found is not None and self.pacer is not None:
                self.pacer.block(found[0], seconds + 0.05)
            else:
                await self._pause(seconds + 0.05)

    async def _mark(self, on_wire: OnWire) -> None:
        """Mark the row on the wire (raises ``NotMarked`` when it could not be). Rows whose turn
        comes while a mark is being written are marked together by the next statement."""
        answer: asyncio.Future[bool] = self._loop.create_future()
        waiting = self._marks.get(on_wire.write)
        if waiting is None:
            waiting = self._marks[on_wire.write] = []
            self._loop.create_task(self._write_marks(on_wire.write, waiting))
        waiting.append((on_wire.row_id, answer))
        if not await answer:
            raise NotMarked(f"follow-up {on_wire.row_id} was taken by another worker or changed meanwhile")

    async def _write_marks(self, write: Write, waiting: list[tuple[int, asyncio.Future[bool]]]) -> None:
        try:
            while waiting:
                batch = waiting[:]
                del waiting[:]
                try:
                    marked = await self._loop.run_in_executor(self._database, write, [row for row, _ in batch])
                except Exception as error:  # noqa: BLE001 - the rows are not posted; their claims run out
                    logger.warning(
                        "could not mark %s follow-ups as being sent (%r); not posting them", len(batch), error
                    )
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(NotMarked(f"the database failed the mark: {error!r}"))
                    continue
                for row, answer in batch:
                    if not answer.done():
                        answer.set_result(row in marked)
        finally:
            del self._marks[write]

    async def _call(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        """One ``chat.postMessage`` as slack_sdk sends it (JSON body, bearer token, its User-Agent),
        answered as slack_sdk answers: the body, or ``SlackApiError`` when Slack says it failed.

        Not through ``AsyncWebClient.api_call``: its per-call request building cost the poster a
        tenth of its time. A connection Slack closed or reset before answering is tried again, as
        slack_sdk's ``AsyncConnectionErrorRetryHandler`` does; a timeout is not (it may have posted).
        """
        body = json.dumps(args).encode()
        headers = {
            "Content-Type": "application/json;charset=utf-8",
            "Authorization": f"Bearer {token}",
            "User-Agent": self._agent,
        }
        attempt = 0
        while True:
            try:
                async with self._session.post(self._url, data=body, headers=headers, timeout=self._timeout) as answer:
                    status, answer_headers, text = answer.status, dict(answer.headers), await answer.text()
                break
            except aiohttp.ServerTimeoutError:
                raise
            except (aiohttp.ServerConnectionError, aiohttp.ClientOSError):
                if attempt >= CONNECTION_RETRIES:
                    raise
                attempt += 1
                await asyncio.sleep(0.25 * 2**attempt)
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if status != 200 or not data.get("ok"):
            data.setdefault("ok", False)
            data.setdefault("error", f"http_{status}")
            response = SlackResponse(
                client=None,
                http_verb="POST",
                api_url=self._url,
                req_args={},
                data=data,
                headers=answer_headers,
                status_code=status,
            )
            raise SlackApiError(f"The request to the Slack API failed. (url: {self._url})", response)  # type: ignore[no-untyped-call]
        return data

    def close(self) -> None:
        """Stop the loop (posts still waiting are dropped: their claims run out and are retried)."""

        async def _close() -> None:
            await self._session.close()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(_close(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._database.shutdown(wait=False)


def _retry_after(headers: Mapping[str, Any]) -> float:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    text = value[0] if isinstance(value, list) else value
    try:
        return float(text) if text is not None else 1.0
    except ValueError:
        return 1.0


def build_poster(settings: Settings) -> AsyncPoster:
    """The dispatcher's poster for ``SLACK_API_URL``, paced by the process's pacer."""
    return AsyncPoster(settings.slack_api_url, shared_pacer(settings.database_url) if settings.pacing else None)
