"""The WSGI target for production servers: ``gunicorn 'bot.wsgi:application()'``.

A factory, so that nothing reads the environment or touches the network at import time.
Web processes serve Slack only; the dispatcher runs in ``python -m bot worker``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from bot.settings import Settings, SettingsError


def application() -> Callable[..., Iterable[bytes]]:
    """Build the WSGI callable from the environment (exits with one line on bad settings)."""
    from bot import logs
    from bot.__main__ import StartupError, _migrated_engine
    from bot.app import build_runtime, create_app
    from bot.server import wsgi_app

    try:
        settings = Settings.from_env(require_slack=True)
        logs.configure(settings.log_level, settings.log_json)
        engine = _migrated_engine(settings)
    except (SettingsError, StartupError) as error:
        print(f"rapport: {error}", file=sys.stderr)
        sys.exit(2)
    runtime = build_runtime(settings, engine=engine)
    app = create_app(settings, runtime)
    wsgi: Any = wsgi_app(app, engine)
    return wsgi
