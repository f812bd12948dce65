"""The WSGI target for production servers: ``gunicorn 'bot.wsgi:application()'``.

A factory, so that nothing reads the environment or touches the network at import time.
Web processes serve Slack only; the dispatcher runs in ``python -m bot worker``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from bot.settings import Settings, SettingsError

# gunicorn stops its master ("App failed to load.", exit status 4) instead of booting workers
# again and again only when a worker exits with 3 (WORKER_BOOT_ERROR) or 4 (APP_LOAD_ERROR).
APP_LOAD_ERROR = 4
# How long a later worker leaves the first one to report the same failure (see _stop).
SIBLING_WAIT = 10.0


def application() -> Callable[..., Iterable[bytes]]:
    """Build the WSGI callable from the environment.

    A missing or invalid setting prints one line and makes gunicorn stop with a non-zero status
    (see ``_stop``). A database that cannot be used prints one line and ends this worker only:
    gunicorn starts it again, so a database that is briefly away (at a restart of one worker)
    does not take the healthy workers down.
    """
    from bot import logs
    from bot.__main__ import StartupError, _migrated_engine
    from bot.app import build_runtime, create_app
    from bot.server import wsgi_app
    from cultures.warm import warm_up_in_background

    try:
        settings = Settings.from_env(process="web")
        logs.configure(settings.log_level, settings.log_json)
        engine = _migrated_engine(settings)
    except SettingsError as error:
        _stop(str(error))
    except StartupError as error:
        print(f"rapport: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    runtime = build_runtime(settings, engine=engine)
    app = create_app(settings, runtime)
    warm_up_in_background()
    return wsgi_app(app, engine, settings.slack_signing_secret or "")


def _stop(message: str) -> NoReturn:
    """Print ``message`` as the one line and leave with APP_LOAD_ERROR, which halts gunicorn.

    Every worker fails the same way, but only one may say so: a second worker leaving with 3 or 4
    while the master is already stopping makes gunicorn raise its HaltServer again, as a
    traceback. So under gunicorn the first worker (age 1) reports; a later one waits for the
    master's SIGTERM, which then ends it at once and silently, and reports only if none came.
    """
    worker = _gunicorn_worker()
    if worker is not None and worker.age != 1:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        deadline = time.monotonic() + SIBLING_WAIT
        while worker.alive and os.getppid() == worker.ppid and time.monotonic() < deadline:
            time.sleep(0.05)
        if not worker.alive or os.getppid() != worker.ppid:  # told to stop before the wait, or orphaned
            sys.exit(0)
    print(f"rapport: {message}", file=sys.stderr, flush=True)
    sys.exit(APP_LOAD_ERROR)


def _gunicorn_worker() -> Any:
    """The gunicorn worker running this factory (through the SIGTERM handler it set), else None."""
    worker = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    if all(hasattr(worker, name) for name in ("age", "alive", "ppid")):
        return worker
    return None
