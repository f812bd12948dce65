"""Engines and sessions: one sessionmaker per process, a session per request or job."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

#: Connections a process keeps open: one for each listener thread (``bot.app.LISTENER_THREADS``)
#: plus the dispatcher's, so a burst of commands never opens and closes overflow connections.
POOL_SIZE = 20


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if "poolclass" not in kwargs and ":memory:" not in url and url not in ("sqlite://", "sqlite+pysqlite://"):
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", POOL_SIZE // 2)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql"):
        # A database that does not answer (a dropped network, not a refusal) fails a connection
        # within 10 s instead of the minutes TCP would try for.
        connect_args = dict(kwargs.pop("connect_args", None) or {})
        connect_args.setdefault("connect_timeout", 10)
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, **kwargs)
    _ping_after_idle(engine)
    return engine


IDLE_PING_SECONDS = 5.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it has been idle a while (the server may have
    restarted or closed it), not on every checkout as ``pool_pre_ping`` does: under load that
    costs a round trip per request. A connection that fails the check is replaced at once."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("checked_in", 0.0) < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as error:
            raise DisconnectionError(str(error)) from error


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """The one sessionmaker of a process; use ``with factory.begin() as session:``."""
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
