"""Load the heavy look-up tables before the first question needs them.

The first `/contact <country>` builds the index of every country's names in every CLDR language
(about 2 s) and the first card loads every card; a process serving Slack calls :func:`warm_up`
in a background thread at start, so no person waits for that.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Build the country name index and load the culture cards (idempotent; cached afterwards)."""
    from cultures.cards import card_for
    from cultures.countries import resolve_country

    started = time.monotonic()
    resolve_country("DE")
    resolve_country("Deutschland")  # the name index, not only the code table
    card_for("DE")
    logger.debug("look-up tables ready in %.1f s", time.monotonic() - started)


def warm_up_in_background() -> threading.Thread:
    """Run :func:`warm_up` in a daemon thread (a failure is logged: the tables then load on first use)."""

    def run() -> None:
        try:
            warm_up()
        except Exception:
            logger.exception("could not load the look-up tables ahead of time")

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread
