"""Entry points: ``python -m bot [run|shell|worker|migrate]`` (see README and CONTRACT)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError

if TYPE_CHECKING:  # for annotations only: the functions below import these where they run
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from sqlalchemy import Engine

logger = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, load settings, run the chosen process; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Rapport, a Slack bot for client follow-ups.")
    parser.add_argument(
        "process",
        nargs="?",
        default="run",
        choices=("run", "shell", "worker", "migrate"),
        help="run (default): Slack listener + dispatcher, or the console without tokens; "
        "shell: the local console; worker: only the dispatcher; migrate: update the database schema",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(process=args.process)
    except SettingsError as error:
        print(f"rapport: {error}", file=sys.stderr)
        return 2

    from bot import logs

    console = args.process == "shell" or (args.process == "run" and not settings.has_slack)
    # The console is a conversation: its prompt is not the place for routine INFO lines.
    level = "WARNING" if console and settings.log_level == "INFO" else settings.log_level
    logs.configure(level, settings.log_json)
    try:
        engine = _migrated_engine(settings)
    except StartupError as error:
        print(f"rapport: {error}", file=sys.stderr)
        return 1
    if args.process == "migrate":
        print("rapport: database schema is up to date")
        return 0
    if console:
        from bot.console import run_console

        if args.process == "run":
            print("rapport: no SLACK_BOT_TOKEN is set, so here is the local console (type 'help'; Ctrl-D quits).")
        return run_console(settings, engine)
    if args.process == "worker":
        return _run_worker(settings, engine)
    return _run_app(settings, engine)


class StartupError(Exception):
    """The process cannot start; the message is one line for the operator."""


def _migrated_engine(settings: Settings) -> Engine:
    """An engine whose schema is up to date; a clear StartupError when the database is unusable."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.migrate import upgrade
    from db.session import make_engine

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StartupError(
            f"cannot use the database at DATABASE_URL ({engine.url.render_as_string(hide_password=True)}): {reason}"
        ) from None
    return engine


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, installed before anything starts: a stop that comes
    while the server or the dispatcher is starting still ends in an orderly shutdown."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _wait_for(stop: threading.Event) -> None:
    """Block the main thread until ``stop`` is set, waking every half second: Linux may hand a
    process's signal to any thread, and Python runs the handler only when the main thread runs
    Python code, so an untimed wait could sleep through a SIGTERM."""
    while not stop.wait(0.5):
        pass


def _run_worker(settings: Settings, engine: Engine) -> int:
    from bot.app import attach_installations, build_runtime
    from bot.dispatcher import start_dispatcher, stop_dispatcher
    from bot.sender import build_poster
    from bot.slack import build_client, pacing_process

    stop = _stop_on_signals()
    with pacing_process(settings, "worker"):
        runtime = build_runtime(settings, engine=engine)
        client = build_client(settings)
        attach_installations(settings, runtime, client)  # OAuth: each workspace's own token
        scheduler = start_dispatcher(runtime, client, settings.dispatch_interval, build_poster(settings))
        _wait_for(stop)
        stop_dispatcher(scheduler, runtime)
    return 0


# apps.connections.open errors that mean the app token itself is wrong (a setting to fix)
_TOKEN_REFUSALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
    }
)


def _connect_socket_mode(app: App, settings: Settings) -> SocketModeHandler:
    """Open the Socket Mode connection; returns its handler (``close()`` it when stopping).

    Raises SettingsError (one line naming SLACK_APP_TOKEN) when Slack refuses the app token, and
    StartupError when Slack cannot be reached.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError, SlackClientError

    handler = SocketModeHandler(app, settings.slack_app_token)
    # slack_sdk logs the refusal itself before raising it; the one line below says it better.
    quiet = _DropLines("Failed to retrieve WSS URL")
    handler.client.logger.addFilter(quiet)
    try:
        handler.connect()
    except SlackApiError as error:
        reason = error.response.get("error") if isinstance(error.response.data, dict) else None
        if reason in _TOKEN_REFUSALS:
            raise SettingsError(
                f"SLACK_APP_TOKEN was refused by Slack ({reason}): use an app-level token (xapp-…) "
                "with connections:write from your app's Basic Information page"
            ) from None
        raise StartupError(
            f"Slack did not open a Socket Mode connection for SLACK_APP_TOKEN "
            f"({reason or f'HTTP {error.response.status_code}'})"
        ) from None
    except (SlackClientError, OSError) as error:
        raise StartupError(
            f"cannot open a Socket Mode connection via SLACK_API_URL ({settings.slack_api_url}): {error}"
        ) from None
    finally:
        handler.client.logger.removeFilter(quiet)
    return handler


class _DropLines(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefix)


def _run_app(settings: Settings, engine: Engine) -> int:
    from bot.slack import pacing_process

    with pacing_process(settings, "run"):
        return _listen_and_dispatch(settings, engine)


def _listen_and_dispatch(settings: Settings, engine: Engine) -> int:
    from bot.app import DRAIN_SECONDS, ListenerPool, build_runtime, create_app
    from bot.dispatcher import start_dispatcher, stop_dispatcher
    from bot.sender import build_poster
    from bot.server import serve, wsgi_app
    from bot.slack import build_client
    from cultures.warm import warm_up_in_background

    stop = _stop_on_signals()
    runtime = build_runtime(settings, engine=engine)
    client = build_client(settings)
    app = create_app(settings, runtime, client)
    socket_mode = None
    if settings.socket_mode:
        try:
            socket_mode = _connect_socket_mode(app, settings)
        except SettingsError as error:
            print(f"rapport: {error}", file=sys.stderr)
            return 2
        except StartupError as error:
            print(f"rapport: {error}", file=sys.stderr)
            return 1
        logger.info("connected to Slack in Socket Mode")
    try:  # in Socket Mode too, for /healthz (/slack/events then answers 401 unless a signing secret is set)
        server = serve(wsgi_app(app, engine, settings.slack_signing_secret or ""), settings.port)
    except OSError as error:
        print(f"rapport: cannot listen on PORT={settings.port}: {error.strerror}", file=sys.stderr)
        if socket_mode is not None:
            socket_mode.close()
        return 1
    warm_up_in_background()
    scheduler = start_dispatcher(runtime, client, settings.dispatch_interval, build_poster(settings))
    _wait_for(stop)
    stop_dispatcher(scheduler, runtime)  # first: reminders not yet sent are given back at once
    server.shutdown()
    if socket_mode is not None:
        socket_mode.close()
    pool = runtime.extras.get("listener_pool")
    if isinstance(pool, ListenerPool) and not pool.drain():  # answers already acknowledged get sent
        logger.warning("stopping with listener work still running after %s s", DRAIN_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
