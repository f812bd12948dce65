"""The one Web API client: Slack's base URL from settings, timeouts, retries made explicit, and
HTTP connections kept alive."""

from __future__ import annotations

import io
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from http.client import HTTPException, HTTPMessage
from typing import Any, cast
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine, event

from bot.pacing import LIMITS, Key, Limit, Pacer, Pacing, RememberingPacer, SharedPacer, pacing_key
from bot.settings import Settings
from db.session import make_engine

logger = logging.getLogger(__name__)

WEB_API_TIMEOUT = 10  # seconds; no listener may wait on Slack longer than this per call
POOL_SIZE = 32  # idle connections kept per host: the dispatcher's posters plus Bolt's listener threads


class KeepAliveWebClient(WebClient):
    """A ``WebClient`` whose HTTP connections are reused between calls.

    slack_sdk sends every call through ``urllib.request.urlopen``, which opens (and for Slack,
    TLS-handshakes) a new connection each time. This client hands the same prepared request to a
    ``urllib3.PoolManager`` instead, which keeps connections alive, notices when the server has
    closed an idle one, and is safe to share between threads. Everything else — arguments,
    retry handlers, errors, ``SlackResponse`` — is slack_sdk's own: answers come back in the
    shape ``urlopen`` gives (non-2xx as ``urllib.error.HTTPError``, connection failures as
    ``URLError``/``TimeoutError``), so the retry handlers see exactly what they expect.
    """

    def __init__(
        self,
        *args: Any,
        pool_size: int = POOL_SIZE,
        pool: urllib3.PoolManager | None = None,
        pacer: Pacing | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer
        _settle_level(self._logger)
        self._pool = (
            pool
            if pool is not None
            else urllib3.PoolManager(num_pools=4, maxsize=pool_size, block=False, retries=False, ssl_context=self.ssl)
        )

    def for_request(self, token: str | None, team_id: str | None) -> KeepAliveWebClient:
        """A client for one request, as Bolt makes per request, sharing this one's connections."""
        return KeepAliveWebClient(
            token=token,
            base_url=self.base_url,
            timeout=self.timeout,
            ssl=self.ssl,
            proxy=self.proxy,
            headers=self.headers,
            team_id=team_id,
            logger=self._logger,
            retry_handlers=list(self.retry_handlers),
            pool=self._pool,
            pacer=self.pacer,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> KeepAliveWebClient:
        # Bolt deep-copies the request (client included) for lazy listeners; a pool's locks cannot
        # be copied, and need not be: the copy shares it.
        return self.for_request(self.token, self.default_params.get("team_id"))

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> Any:
        """Every call waits for its slot under Slack's limits first (``bot.pacing``), when paced."""
        found = pacing_key(api_method, self.token or "", json or data or params) if self.pacer else None
        with _one_at_a_time(found):
            if found is not None and self.pacer is not None:
                self.pacer.wait(*found)
                _calling.found = found
            try:
                return super().api_call(
                    api_method,
                    http_verb=http_verb,
                    files=files,
                    data=data,
                    params=params,
                    json=json,
                    headers=headers,
                    auth=auth,
                )
            finally:
                _calling.found = None

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            response = self._pool.request(
                req.get_method(),
                url,
                body=cast("bytes | None", req.data),  # slack_sdk's Request carries bytes or nothing
                headers=dict(req.header_items()),
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
                retries=False,
                redirect=False,
            )
        except urllib3.exceptions.ReadTimeoutError as error:
            raise TimeoutError(f"Slack did not answer within {self.timeout} s") from error
        except urllib3.exceptions.ProtocolError as error:
            cause = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], BaseException) else None
            if isinstance(cause, HTTPException | ConnectionResetError):
                # As urlopen raises them: a reset or disconnect is retried by slack_sdk's handler,
                # an answer cut off midway (Slack may have acted on it) is not.
                raise cause from error
            raise URLError(cause or error) from error
        except urllib3.exceptions.HTTPError as error:  # could not connect (refused, DNS, TLS, timeout)
            raise URLError(error.__context__ or error) from error
        headers = HTTPMessage()
        for name, value in response.headers.items():
            headers[name] = value
        if not 200 <= response.status < 300:
            raise HTTPError(url, response.status, response.reason or "", headers, io.BytesIO(response.data))
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": response.status, "headers": headers, "body": response.data}
        body = response.data.decode(headers.get_content_charset() or "utf-8")
        return {"status": response.status, "headers": headers, "body": body}


def _settle_level(log: logging.Logger) -> None:
    """Give slack_sdk's logger the level logging would apply anyway.

    slack_sdk guards its debug output with ``logger.level <= DEBUG``, which is true for a logger
    left at NOTSET: every call would format the whole request (blocks and all) into a debug line
    that is then dropped. Pinning the effective level keeps that work for when DEBUG is really on.
    """
    if log.level == logging.NOTSET:
        log.setLevel(log.getEffectiveLevel())


_calling = threading.local()  # the pacing key and limit of the call this thread is making (for a 429)
_TURNS: dict[Key, threading.Lock] = {}  # one call in flight per tiered key, across the process
_TURNS_LOCK = threading.Lock()


def _one_at_a_time(found: tuple[Key, Limit] | None) -> AbstractContextManager[Any]:
    """Hold a Tier 2/3 method to one call in flight per workspace in this process.

    Several threads calling, say, ``conversations.history`` at once could all be on the wire when
    the first is answered 429, and the others would then reach Slack before its Retry-After. One
    at a time, the next call starts only after the answer — and after a 429, after the block it
    set. Posts are held to one per channel by the poster (``bot.sender``); interactive tiers are
    left free, since a listener may be waiting on them before it can answer.
    """
    if found is None:
        return nullcontext()
    key, limit = found
    if key[1] == "chat.postMessage" or limit == LIMITS["users.info"]:  # Tier 4: interactive
        return nullcontext()
    with _TURNS_LOCK:
        lock = _TURNS.get(key)
        if lock is None:
            lock = _TURNS[key] = threading.Lock()
    return lock


_PACERS: dict[str, Pacing] = {}
_PACERS_LOCK = threading.Lock()

#: The shared budget's own connections: short timeouts, so a listener never waits on them long.
_BUDGET_POOL = {"pool_size": 4, "max_overflow": 28, "pool_timeout": 3}
_BUDGET_CONNECT = {"connect_timeout": 3, "options": "-c statement_timeout=3000 -c lock_timeout=3000"}


def _remembering_engine(database_url: str) -> Engine:
    """A small engine for the Retry-After blocks kept on SQLite: a busy database delays a 429's
    handling by a second at most (the blocks are also kept in memory)."""
    engine = make_engine(database_url, pool_size=1, max_overflow=2)

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=1000")
        cursor.close()

    return engine


def shared_pacer(database_url: str) -> Pacing:
    """The process's pacer: every client and thread of the process uses it. On PostgreSQL its
    schedules live in the database, shared with every other process there (``SharedPacer``); on
    SQLite — one process — in memory."""
    with _PACERS_LOCK:
        pacer = _PACERS.get(database_url)
        if pacer is None:
            if database_url.startswith("postgresql"):
                engine = make_engine(database_url, connect_args=_BUDGET_CONNECT, **_BUDGET_POOL)
                pacer = SharedPacer(engine)
            elif database_url.startswith("sqlite") and ":memory:" not in database_url:
                pacer = RememberingPacer(_remembering_engine(database_url))
            else:
                pacer = Pacer()
            _PACERS[database_url] = pacer
        return pacer


@contextmanager
def pacing_process(settings: Settings, role: str) -> Iterator[None]:
    """Around a whole ``run`` or ``worker`` process: on SQLite its pacer notes in the database when
    it starts and when it stops cleanly, and paces from every burst spent at the moment the process
    before it stopped — or was killed (``RememberingPacer.begin``). On PostgreSQL the whole budget
    is in the database already."""
    pacer = shared_pacer(settings.database_url) if settings.pacing else None
    remembering = pacer if isinstance(pacer, RememberingPacer) else None
    if remembering is not None:
        remembering.begin(role)
    yield
    if remembering is not None:  # not on an exception: the next process then paces as after a kill
        remembering.end()


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """On a 429: block the call's pacing key for ``Retry-After`` (so no other thread or process
    calls it earlier), then try again in the key's next free slot after it — in turn with the
    calls that were already waiting for that key, not all at once when the block ends."""

    def __init__(self, pacer: Pacing | None, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def prepare_for_next_attempt(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> None:
        if response is None:
            raise error
        value = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        text = value[0] if isinstance(value, list) else value
        try:
            seconds = float(text) if text is not None else 1.0
        except ValueError:
            seconds = 1.0
        found = getattr(_calling, "found", None)
        logger.warning("Slack rate-limited a call; waiting %.0f s as Retry-After asks", seconds)
        state.next_attempt_requested = True
        if self.pacer is not None and found is not None:
            key, limit = found
            self.pacer.block(key, seconds + 0.05)
            self.pacer.wait(key, limit)
        else:
            time.sleep(seconds + 0.05 + random.random() * 0.2)
        state.increment_current_attempt()


class IdempotentServerErrorRetryHandler(ServerErrorRetryHandler):
    """Retries 500/503 — but never a ``chat.postMessage``: Slack may have posted it before failing,
    and a blind retry would post it twice. The dispatcher retries those itself, checking first."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if str(getattr(request, "url", "")).rstrip("/").endswith("chat.postMessage"):
            return False
        return bool(super()._can_retry(state=state, request=request, response=response, error=error))


def build_client(settings: Settings, token: str | None = None) -> WebClient:
    """A WebClient for ``SLACK_API_URL``: paced under Slack's limits, honouring 429 Retry-After,
    retrying 5xx (not posts) and connection resets.

    slack_sdk only retries connection errors by default; rate limits and server errors are
    added here, each a bounded number of times.
    """
    pacer = shared_pacer(settings.database_url) if settings.pacing else None
    return KeepAliveWebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            PacedRateLimitHandler(pacer, max_retry_count=3),
            IdempotentServerErrorRetryHandler(max_retry_count=2),
        ],
        pacer=pacer,
    )
