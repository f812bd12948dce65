"""Entry points: ``python -m bot [run|shell|worker|migrate]`` (see README and CONTRACT)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from bot.settings import Settings, SettingsError

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
        settings = Settings.from_env(require_slack=args.process == "worker")
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


def _migrated_engine(settings: Settings):
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


def _wait_for_stop() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def _run_worker(settings: Settings, engine) -> int:
    from bot.app import build_runtime
    from bot.dispatcher import start_dispatcher
    from bot.slack import build_client

    runtime = build_runtime(settings, engine=engine)
    scheduler = start_dispatcher(runtime, build_client(settings), settings.dispatch_interval)
    _wait_for_stop()
    scheduler.shutdown(wait=True)
    return 0


def _run_app(settings: Settings, engine) -> int:
    from bot.app import build_runtime, create_app
    from bot.dispatcher import start_dispatcher
    from bot.server import serve, wsgi_app
    from bot.slack import build_client

    runtime = build_runtime(settings, engine=engine)
    client = build_client(settings)
    app = create_app(settings, runtime, client)
    scheduler = start_dispatcher(runtime, client, settings.dispatch_interval)
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(app, settings.slack_app_token)
        handler.connect()
        logger.info("connected to Slack in Socket Mode")
        server = serve(wsgi_app(app, engine), settings.port)  # /healthz stays available
    else:
        try:
            server = serve(wsgi_app(app, engine), settings.port)
        except OSError as error:
            print(f"rapport: cannot listen on PORT={settings.port}: {error.strerror}", file=sys.stderr)
            scheduler.shutdown(wait=False)
            return 1
    _wait_for_stop()
    server.shutdown()
    scheduler.shutdown(wait=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
