"""The floor for bench_contact.py: a bare Bolt app that answers `/contact` with a constant sentence.

Served by the same HTTP stack as Rapport (our WSGI callable with its signature check, on the
threaded server of ``python -m bot`` or on gunicorn), so that the benchmark compares what Rapport
adds to one answer, not two servers.

    python bench/bare_bolt.py                               # like `python -m bot` (PORT, SLACK_*)
    gunicorn --pythonpath bench 'bare_bolt:application()'   # like the Procfile's web process
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import create_engine

from bot.server import serve, wsgi_app

ANSWER = "Good time to contact Müller Maschinenbau"


def application() -> Callable[..., Iterable[bytes]]:
    """The WSGI callable: Bolt with one `/contact` listener that answers in its ack."""
    client = WebClient(token=os.environ.get("SLACK_BOT_TOKEN", "xoxb-bare"), base_url=os.environ["SLACK_API_URL"])
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )

    @app.command("/contact")
    def contact(ack: Ack) -> None:
        ack(text=ANSWER, response_type="ephemeral")

    engine = create_engine("sqlite://")  # /healthz pings it
    return wsgi_app(app, engine, os.environ["SLACK_SIGNING_SECRET"])


def main() -> int:
    server = serve(application(), int(os.environ.get("PORT", "3000")), host="127.0.0.1")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
