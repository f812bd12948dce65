"""create_app: the Bolt app with every capability registered."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine

from bot.settings import Settings
from bot.slack import KeepAliveWebClient, build_client
from db.session import make_engine, make_session_factory
from handlers import register_handlers
from handlers.common.runtime import Clock, Runtime, TranslatorConfig, system_clock

logger = logging.getLogger(__name__)
AUTH_TEST_RETRY = 300  # seconds before trying a failed auth.test again


def build_runtime(settings: Settings, clock: Clock | None = None, engine: Engine | None = None) -> Runtime:
    """Database sessions, clock and provider settings for the handlers."""
    engine = engine or make_engine(settings.database_url)
    return Runtime(
        sessions=make_session_factory(engine),
        clock=clock or system_clock,
        default_work_hours=settings.work_hours,
        translator=TranslatorConfig(
            providers=settings.translators,
            libretranslate_url=settings.libretranslate_url,
            libretranslate_api_key=settings.libretranslate_api_key,
            deepl_api_key=settings.deepl_api_key,
            microsoft_translator_key=settings.microsoft_translator_key,
            timeout=settings.translator_timeout,
        ),
        bot_token=settings.slack_bot_token,
    )


LISTENER_THREADS = 16
DRAIN_SECONDS = 5.0


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener threads, counting the work in flight so that a stopping process (and a test)
    can wait for the answers already acknowledged to be sent: ``drain()``."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._busy += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any] | None) -> None:
        with self._idle:
            self._busy -= 1
            if self._busy == 0:
                self._idle.notify_all()

    def drain(self, timeout: float = DRAIN_SECONDS) -> bool:
        """Wait until no listener work is queued or running; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)


def create_app(settings: Settings, runtime: Runtime, client: WebClient | None = None) -> App:
    """Build the Slack app: signature checks, our single-token authorisation, all listeners.

    ``client`` defaults to the one built from settings (``SLACK_API_URL``, retry handlers).
    """
    client = client or build_client(settings)
    pool = ListenerPool(LISTENER_THREADS)
    runtime.extras["listener_pool"] = pool
    oauth: dict[str, Any] = {}
    parts = attach_installations(settings, runtime, client)
    if parts is not None:
        parts["oauth_settings"].callback_options = _install_callbacks(runtime)
        oauth = {"oauth_settings": parts["oauth_settings"], "authorize": parts["authorize"]}
    else:
        oauth = {"authorize": _single_token_authorize(client, settings.slack_bot_token or "")}
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        **oauth,
        request_verification_enabled=bool(settings.slack_signing_secret),
        process_before_response=False,
        # Bolt's default is 5 threads: five slow answers (a translation) would hold every other
        # command's acknowledgement back. Each thread may hold a database connection (db.session.POOL_SIZE).
        listener_executor=pool,
        logger=logging.getLogger("slack_bolt"),
    )
    if isinstance(client, KeepAliveWebClient):
        app.use(_SharedConnections(client))
    register_handlers(app, runtime)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("unhandled error for a %s request", body.get("type") or "slash", exc_info=error)

    return app


def attach_installations(settings: Settings, runtime: Runtime, client: WebClient) -> dict[str, Any] | None:
    """OAuth mode: the installation store and the per-workspace clients, put where handlers and
    background jobs find them (``runtime.extras``); None with a single bot token."""
    if not settings.oauth:
        return None
    from bot.oauth import oauth_parts

    parts = oauth_parts(settings, runtime.sessions, client)
    runtime.extras["installation_store"] = parts["store"]
    runtime.extras["team_client"] = parts["team_client"]
    return parts


def _install_callbacks(runtime: Runtime) -> Any:
    """After a successful install: resume the workspace's held-back work (a reinstall after an
    uninstall), then Bolt's own success page."""
    from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs

    from handlers.workspace.lifecycle import note_in_use

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.team_id:
            note_in_use(runtime, installation.team_id)
        logger.info("installed in %s (%s)", installation.team_id or installation.enterprise_id, installation.team_name)
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        logger.warning("an install did not complete: %s", args.reason)
        return args.default.failure(args)

    return CallbackOptions(success=success, failure=failure)


class _SharedConnections(Middleware):
    """Listeners get a client that shares the app client's kept-alive connections.

    Bolt gives each request a fresh plain ``WebClient`` (one ``urlopen`` connection per call);
    this middleware, which runs after authorisation, swaps in one with the same token and team
    that reuses the pool, so a listener's Slack calls skip the connection (and TLS) set-up. It is
    a class, not a function middleware: Bolt builds a function middleware's arguments (``say``
    among them, bound to the client of the moment) before it runs.
    """

    def __init__(self, client: KeepAliveWebClient) -> None:
        self.client = client

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],  # noqa: A002 - Bolt's argument name
    ) -> BoltResponse:
        per_request = req.context.client
        team_id = per_request.default_params.get("team_id")
        req.context["client"] = self.client.for_request(per_request.token, team_id)
        return next()


def _single_token_authorize(client: WebClient, token: str) -> Any:
    """Authorise every request with our bot token, learning the bot's ids from auth.test once.

    Unlike Bolt's default, a failing auth.test does not block requests: the answer is still sent,
    and auth.test is tried again on a later request.
    """
    known: dict[str, Any] = {}
    last_try = [float("-inf")]
    lock = threading.Lock()

    def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        with lock:
            if not known and time.monotonic() - last_try[0] > AUTH_TEST_RETRY:
                last_try[0] = time.monotonic()
                try:
                    response = client.auth_test(token=token)
                    known.update(bot_id=response.get("bot_id"), bot_user_id=response.get("user_id"))
                except (SlackApiError, SlackClientError, OSError) as error:
                    logger.warning("auth.test failed (%s); continuing with the configured token", error)
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            bot_token=token,
            bot_id=known.get("bot_id"),
            bot_user_id=known.get("bot_user_id"),
        )

    return authorize
