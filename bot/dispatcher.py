"""The dispatcher: one APScheduler interval job that runs every capability's periodic work.

Reminders live in our own table (APScheduler's job stores cannot be shared between
processes); the scheduler only ticks. Each tick claims what is due and delivers it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy.exc import InterfaceError, OperationalError

from db.session import ping
from handlers import periodic_tasks
from handlers.common.runtime import Runtime

logger = logging.getLogger(__name__)


class _DatabaseWatch:
    """Whether the last tick found the database away: then each tick only checks whether it is
    back (one line in the log when it goes, one when it returns — not a traceback a tick)."""

    def __init__(self) -> None:
        self.away_since: float | None = None

    def still_away(self, runtime: Runtime) -> bool:
        if self.away_since is None:
            return False
        engine = runtime.sessions.kw.get("bind")
        if engine is not None and not ping(engine):
            return True
        logger.warning("the database is reachable again after %.0f s; delivering", time.monotonic() - self.away_since)
        self.away_since = None
        return False

    def went_away(self, error: Exception) -> None:
        if self.away_since is None:
            self.away_since = time.monotonic()
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            logger.warning("the database is not reachable (%s); nothing is lost, retrying every tick", reason)


_DATABASE = _DatabaseWatch()


def tick(runtime: Runtime, client: WebClient) -> None:
    """One pass of every periodic task; a failing task is logged and does not stop the others."""
    if _DATABASE.still_away(runtime):
        return
    for task in periodic_tasks():
        try:
            task(runtime, client)
        except (OperationalError, InterfaceError) as error:  # the database went away
            _DATABASE.went_away(error)
            return
        except Exception:
            logger.exception("periodic task %s failed", getattr(task, "__qualname__", task))


def start_dispatcher(
    runtime: Runtime, client: WebClient, interval: float, poster: object | None = None
) -> BackgroundScheduler:
    """Start the background scheduler ticking every ``interval`` seconds (first tick at once).

    ``poster`` (``bot.sender.AsyncPoster``) posts the reminders on its event loop; without one the
    dispatcher's threads post them through ``client``.
    """
    if poster is not None:
        runtime.extras["sender"] = poster
    runtime.extras["stopping"] = threading.Event()
    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, int(interval * 2))},
    )

    def on_error(event: JobExecutionEvent) -> None:
        logger.error("dispatcher job %s raised", event.job_id, exc_info=event.exception)

    scheduler.add_listener(on_error, EVENT_JOB_ERROR)
    scheduler.add_job(tick, "interval", seconds=interval, args=(runtime, client), id="dispatch", next_run_time=None)
    scheduler.start()
    scheduler.modify_job("dispatch", next_run_time=dt.datetime.now(dt.UTC))
    logger.info("dispatcher ticking every %ss", interval)
    return scheduler


def stop_dispatcher(scheduler: BackgroundScheduler, runtime: Runtime) -> None:
    """Stop on SIGTERM without leaving reminders in doubt: no new claims, reminders whose turn has
    not come are given back at once (another process takes them without looking in the DM first),
    the messages on the wire finish and are recorded; then the poster closes."""
    stopping = runtime.extras.get("stopping")
    if isinstance(stopping, threading.Event):
        stopping.set()
    sender = runtime.extras.get("sender")
    stop_sending = getattr(sender, "stop_sending", None)
    if stop_sending is not None:
        stop_sending()
    scheduler.shutdown(wait=True)
    close = getattr(sender, "close", None)
    if close is not None:
        close()
