"""Pacing Web API calls a little under Slack's rate limits, instead of learning them from 429s.

Slack allows about one ``chat.postMessage`` per second per channel (short bursts pass) and, per
workspace, a number of calls a minute per method tier. :class:`Pacer` keeps, for every key —
(workspace, channel) for posts, (workspace, method) for tiered methods — the earliest moment the
next call may go (the generic cell rate algorithm: a steady interval with a small burst), shared
by every thread of the process. A call reserves its slot under a lock and sleeps outside it, so
calls to other channels and workspaces keep flowing. When Slack still answers 429, the key is
blocked until its ``Retry-After`` has passed: no call on that key goes before.

A single process on SQLite paces in memory but remembers Slack's ``Retry-After`` in the database
(:class:`RememberingPacer`), so that the process started after a crash does not call a blocked key
early, and notes when it starts and stops, so that the process started next begins with every burst
spent as of its predecessor's last moment (Slack still counts the calls made just before). Several
processes share Slack's budget: on PostgreSQL, :class:`SharedPacer` keeps the same schedules in the
database (``db.pacing``), where every worker and web process reserves its slots, so two workers
together stay under the limits just as one does. When the database cannot be reached it falls back
to this process's own schedules for a few seconds (see the README, "Slack's rate limits").
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db import pacing as budget

logger = logging.getLogger(__name__)

__all__ = [
    "LIMITS",
    "POSTS",
    "Key",
    "Limit",
    "Pacer",
    "Pacing",
    "RememberingPacer",
    "SharedPacer",
    "pacing_key",
    "row_key",
]


@dataclass(frozen=True, slots=True)
class Limit:
    """``per_minute`` calls a minute on a key, ``burst`` of them at once."""

    per_minute: float
    burst: int


#: A little under Slack's published limits: 0.9 of them, so that jitter does not trip them.
SAFETY = 0.9
#: chat.postMessage: about 1 a second per channel, short bursts (3 pass). A burst of 2 leaves a
#: post's worth of room: when many channels' posts queue for the wire together, a burst's posts
#: reach Slack later than their slots and the next one sooner after them (tests/bot/test_sender.py).
POSTS = Limit(60 * SAFETY, 2)
_TIER2 = Limit(20 * SAFETY, 5)
_TIER3 = Limit(50 * SAFETY, 20)
_TIER4 = Limit(100 * SAFETY, 40)
LIMITS: Mapping[str, Limit] = {
    "users.list": _TIER2,
    "conversations.list": _TIER2,
    "conversations.open": _TIER3,
    "conversations.info": _TIER3,
    "conversations.history": _TIER3,
    "conversations.replies": _TIER3,
    "conversations.members": _TIER3,
    "chat.update": _TIER3,
    "team.info": _TIER3,
    "users.info": _TIER4,
    "chat.postEphemeral": _TIER4,
    "chat.getPermalink": _TIER4,
    "views.publish": _TIER4,
    "views.open": _TIER4,
    "views.update": _TIER4,
    "views.push": _TIER4,
}

Key = tuple[str, str, str]  # (workspace, method, channel or "")


def pacing_key(method: str, workspace: str, args: Mapping[str, Any] | None) -> tuple[Key, Limit] | None:
    """The key and limit of a call, or None for methods Rapport does not pace."""
    if method == "chat.postMessage":
        channel = str((args or {}).get("channel") or "")
        return (workspace, method, channel), POSTS
    limit = LIMITS.get(method)
    if limit is None:
        return None
    return (workspace, method, ""), limit


def limit_of(key: Key) -> Limit | None:
    """The limit a key is paced by (None for a method Rapport does not pace)."""
    return POSTS if key[1] == "chat.postMessage" else LIMITS.get(key[1])


def after_block(key: Key) -> float:
    """Seconds past a 429's Retry-After by which ``key``'s schedule runs: Slack's bucket is empty
    when it answers 429, so the calls after the block go one interval apart, not in a burst."""
    limit = limit_of(key)
    return 0.0 if limit is None else (limit.burst - 1) * 60.0 / limit.per_minute


def row_key(key: Key) -> str:
    """A key as stored in the database: a digest of the token, never the token itself."""
    token, method, channel = key
    return f"{hashlib.sha256(token.encode()).hexdigest()[:32]}|{method}|{channel}"


class Pacing(Protocol):
    """What a Web API client needs of a pacer."""

    def reserve(self, key: Key, limit: Limit) -> float: ...

    def wait(self, key: Key, limit: Limit) -> float: ...

    def block(self, key: Key, seconds: float) -> None: ...

    def blocked_for(self, key: Key) -> float: ...


class Pacer:
    """Per-key schedules of the next allowed call, in this process; thread-safe; ``clock``/``sleep``
    injectable."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._tat: dict[Key, float] = {}  # theoretical arrival time of the next call
        self._blocked: dict[Key, float] = {}  # a 429's Retry-After: nothing before this
        self._spent_at: float | None = None  # every key's burst counts as spent at this moment

    def assume_spent(self, ago: float = 0.0) -> None:
        """Count every key's burst as spent ``ago`` seconds before now: the process before this one
        may have spent them until then, and Slack still counts those calls. A key's first call then
        waits up to one interval, not none, and the next ones go one interval apart."""
        with self._lock:
            self._spent_at = self.clock() - max(0.0, ago)

    def reserve(self, key: Key, limit: Limit) -> float:
        """Reserve the next slot of ``key``; the seconds to wait before using it."""
        interval = 60.0 / limit.per_minute
        burst = limit.burst
        with self._lock:
            now = self.clock()
            tat = self._tat.get(key)
            if tat is None:
                tat = now if self._spent_at is None else self._spent_at + burst * interval
            tat = max(tat, now)
            allowed = max(tat - (burst - 1) * interval, self._blocked.get(key, 0.0))
            start = max(allowed, now)
            self._tat[key] = max(tat, start) + interval
            if len(self._tat) > 50_000:  # old keys: forget the ones whose slots are long past
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            return start - now

    def wait(self, key: Key, limit: Limit) -> float:
        """Wait for ``key``'s next slot; returns the seconds waited. A 429 heard while waiting
        (``block``) sends the call to a new slot after its Retry-After, in turn with the others —
        not all of the calls that were waiting at once when the block ends."""
        return _wait(self, self, key, limit)

    def block(self, key: Key, seconds: float) -> None:
        """Slack answered 429: nothing on ``key`` before ``seconds`` from now, and no burst after."""
        with self._lock:
            until = self.clock() + seconds
            self._blocked[key] = max(self._blocked.get(key, 0.0), until)
            self._tat[key] = max(self._tat.get(key, 0.0), until + after_block(key))

    def follow(self, key: Key, seconds: float) -> None:
        """The next call on ``key`` is ``seconds`` away by another's reckoning (the shared budget)."""
        with self._lock:
            self._tat[key] = max(self._tat.get(key, 0.0), self.clock() + seconds)

    def blocked_for(self, key: Key) -> float:
        with self._lock:
            return max(0.0, self._blocked.get(key, 0.0) - self.clock())


class RememberingPacer(Pacer):
    """This process's schedules (:class:`Pacer`, for the one process SQLite allows) plus the ends of
    Slack's ``Retry-After`` kept in the database (``db.pacing.remember_block``, by the wall clock):
    a process that starts while a block heard before a crash is still running honours it.

    The writes are rare (one per 429) and wait at most a second for the database; if it is busy or
    away, the block is kept in memory only.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self.engine = engine
        self.wall = wall
        self._started: float | None = None  # this process's note in the database (``begin``)
        self._remembered: dict[str, float] = {}
        try:
            with self.engine.begin() as connection:
                self._remembered = budget.remembered_blocks(connection, wall())
        except SQLAlchemyError as error:
            logger.warning("Could not read the Retry-After blocks kept before this start (%s)", type(error).__name__)

    def reserve(self, key: Key, limit: Limit) -> float:
        if self._remembered:  # only after a start with blocks still running: a few seconds at most
            with self._lock:
                until = self._remembered.pop(row_key(key), None)
            if until is not None and until > self.wall():
                super().block(key, until - self.wall())
        return super().reserve(key, limit)

    def begin(self, role: str) -> bool:
        """A ``role`` process (``run``, ``worker``) starts: note it in the database. When a process
        ran before, it may have spent every key's burst until it stopped — or, if it was killed and
        never noted a stop, until now — and Slack still counts those calls: pace from bursts spent
        then (:meth:`Pacer.assume_spent`). True when that moment is now (the one before was killed)."""
        now = self.wall()
        try:
            with self.engine.begin() as connection:
                stopped = budget.mark_running(connection, now)
            self._started = now
        except SQLAlchemyError as error:
            reason = type(error).__name__
            logger.warning("Could not read how the process before stopped (%s): pacing from spent bursts", reason)
            self.assume_spent()
            return False
        if stopped is not None:  # 0: it never noted its stop
            self.assume_spent(ago=now - stopped if stopped else 0.0)
        if stopped == 0:
            logger.info("The process before this %s did not stop cleanly: pacing from spent bursts", role)
        return stopped == 0

    def end(self) -> None:
        """This process stops cleanly: note when, so that the next one paces from then."""
        if self._started is None:
            return
        try:
            with self.engine.begin() as connection:
                budget.mark_stopped(connection, self._started, self.wall())
        except SQLAlchemyError as error:
            logger.warning("Could not note a clean stop in the database (%s)", type(error).__name__)

    def block(self, key: Key, seconds: float) -> None:
        super().block(key, seconds)
        try:
            with self.engine.begin() as connection:
                budget.remember_block(connection, row_key(key), self.wall() + seconds)
        except SQLAlchemyError as error:
            logger.warning("Could not keep a Retry-After block in the database (%s)", type(error).__name__)


class SharedPacer:
    """The same schedules in the database, shared by every process that uses it (PostgreSQL).

    Each call reserves its slot with one upsert (``db.pacing``) on a small pool of its own, with
    short timeouts: a listener never waits on it long. Keys are stored as a digest of the token.
    If the database does not answer, this process paces on its own (:class:`Pacer`) for
    ``OUTAGE_SECONDS`` before trying the database again.
    """

    OUTAGE_SECONDS = 5.0
    FORGET_EVERY = 600.0  # seconds between sweeps of keys idle for an hour

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.sleep = sleep
        self.local = Pacer(clock=clock, sleep=sleep)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._next_sweep = clock() + self.FORGET_EVERY

    row_key = staticmethod(row_key)

    def reserve(self, key: Key, limit: Limit) -> float:
        """Reserve the next slot of ``key`` for all processes; the seconds to wait before using it."""
        if self.clock() < self._down_until:
            return self.local.reserve(key, limit)
        try:
            with self.engine.begin() as connection:
                delay = budget.reserve(connection, self.row_key(key), 60.0 / limit.per_minute, limit.burst)
                self._sweep(connection)
        except SQLAlchemyError as error:
            self._database_away(error)
            return self.local.reserve(key, limit)
        # Kept here too: a Retry-After this process heard while the database was away, and this
        # process's own pace, for the next time it must pace alone.
        # The shared budget's slot after this one, at the latest it can be (a burst spent): if
        # the next call must be paced here alone, it is not sent in a burst the budget lacks.
        delay = max(delay, self.local.blocked_for(key))
        self.local.follow(key, delay + limit.burst * 60.0 / limit.per_minute)
        return delay

    def wait(self, key: Key, limit: Limit) -> float:
        """As :meth:`Pacer.wait`, for a 429 this process heard while waiting."""
        return _wait(self, self.local, key, limit)

    def block(self, key: Key, seconds: float) -> None:
        """Slack answered 429: no process calls ``key`` before ``seconds`` from now."""
        self.local.block(key, seconds)
        if self.clock() < self._down_until:
            return
        try:
            with self.engine.begin() as connection:
                budget.block(connection, self.row_key(key), seconds, after_block(key))
        except SQLAlchemyError as error:
            self._database_away(error)

    def blocked_for(self, key: Key) -> float:
        """Seconds left of a Retry-After this process heard for ``key``."""
        return self.local.blocked_for(key)

    def _sweep(self, connection: Any) -> None:
        with self._lock:
            if self.clock() < self._next_sweep:
                return
            self._next_sweep = self.clock() + self.FORGET_EVERY
        budget.forget_idle(connection)

    def _database_away(self, error: Exception) -> None:
        with self._lock:
            if self.clock() < self._down_until:
                return
            self._down_until = self.clock() + self.OUTAGE_SECONDS
        logger.warning(
            "Pacing on this process alone for %.0f s: the shared budget is not reachable (%s)",
            self.OUTAGE_SECONDS,
            type(error).__name__,
        )


def _wait(pacer: Pacer | SharedPacer, heard: Pacer, key: Key, limit: Limit) -> float:
    """Sleep until ``key``'s slot; when ``heard`` learnt of a 429 on the key meanwhile, take a new
    slot: it comes after the Retry-After, one interval after the slots taken before it."""
    waited = delay = pacer.reserve(key, limit)
    while delay > 0:
        pacer.sleep(delay)
        delay = pacer.reserve(key, limit) if heard.blocked_for(key) > 0 else 0.0
        waited += delay
    return waited
