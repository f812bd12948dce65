"""The shared rate-limit budget in SQL (PostgreSQL): reserve a key's next slot, block it after a 429.

Each operation is one statement that inserts or updates the key's row under its row lock, so any
number of processes reserve slots in turn and none is handed the same one. Times come from the
database's clock (``statement_timestamp()``), so processes on hosts whose clocks differ agree.
``bot.pacing.SharedPacer`` calls these; the arithmetic is :class:`bot.pacing.Pacer`'s.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["block", "forget_idle", "mark_running", "mark_stopped", "remember_block", "remembered_blocks", "reserve"]

_NOW = "CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS double precision)"

# The generic cell rate algorithm in one upsert. With ``tat`` the key's theoretical arrival time,
# ``i`` the interval and ``b`` the burst: the call may start at max(tat - (b-1)·i, blocked, now)
# and the next tat is max(tat, now, blocked) + i, so the start is max(new tat - b·i, blocked, now).
_RESERVE = text(
    f"""
    INSERT INTO slack_pacing AS p (key, tat, blocked_until)
    VALUES (:key, {_NOW} + :interval, 0)
    ON CONFLICT (key) DO UPDATE
       SET tat = GREATEST(p.tat, {_NOW}, p.blocked_until) + :interval
    RETURNING GREATEST(tat - :burst * :interval, blocked_until, {_NOW}) - {_NOW}
    """
)

_BLOCK = text(
    f"""
    INSERT INTO slack_pacing AS p (key, tat, blocked_until)
    VALUES (:key, {_NOW} + :seconds + :after, {_NOW} + :seconds)
    ON CONFLICT (key) DO UPDATE
       SET blocked_until = GREATEST(p.blocked_until, {_NOW} + :seconds),
           tat = GREATEST(p.tat, {_NOW} + :seconds + :after)
    """
)

_FORGET = text(f"DELETE FROM slack_pacing WHERE tat < {_NOW} - :idle AND blocked_until < {_NOW} - :idle")


def reserve(connection: Connection, key: str, interval: float, burst: int) -> float:
    """Reserve ``key``'s next slot; the seconds to wait before using it (0 when it is free now)."""
    delay = connection.execute(_RESERVE, {"key": key, "interval": interval, "burst": burst}).scalar_one()
    return max(0.0, float(delay))


def block(connection: Connection, key: str, seconds: float, after: float = 0.0) -> None:
    """Nothing on ``key`` before ``seconds`` from now (Slack answered 429 with that Retry-After), and
    its schedule ``after`` seconds past that (no burst once the block ends)."""
    connection.execute(_BLOCK, {"key": key, "seconds": seconds, "after": after})


def forget_idle(connection: Connection, idle_seconds: float = 3600.0) -> int:
    """Delete keys unused for ``idle_seconds``; how many went."""
    return connection.execute(_FORGET, {"idle": idle_seconds}).rowcount


# One process on SQLite paces in memory (``bot.pacing.RememberingPacer``) and keeps only the ends of
# Slack's Retry-After here, by the host's wall clock, so that a process started after a crash
# honours them. Plain SQL that SQLite and PostgreSQL both take.
_REMEMBER = text(
    """
    INSERT INTO slack_pacing (key, tat, blocked_until)
    VALUES (:key, :until, :until)
    ON CONFLICT (key) DO UPDATE
       SET blocked_until = CASE WHEN slack_pacing.blocked_until > excluded.blocked_until
                                THEN slack_pacing.blocked_until ELSE excluded.blocked_until END,
           tat = CASE WHEN slack_pacing.tat > excluded.tat THEN slack_pacing.tat ELSE excluded.tat END
    """
)


def remember_block(connection: Connection, key: str, until: float) -> None:
    """Keep ``key`` blocked until ``until`` (seconds since the epoch) for a process started later."""
    connection.execute(_REMEMBER, {"key": key, "until": until})


def remembered_blocks(connection: Connection, now: float) -> dict[str, float]:
    """The blocks still running at ``now`` (key → end); the ones that are over are deleted."""
    connection.execute(
        text(f"DELETE FROM slack_pacing WHERE blocked_until <= :now AND key NOT LIKE '{_RUNNING}%'"), {"now": now}
    )
    rows = connection.execute(text(f"SELECT key, blocked_until FROM slack_pacing WHERE key NOT LIKE '{_RUNNING}%'"))
    return {str(key): float(until) for key, until in rows}


# A process that paces in memory (SQLite: one at a time) notes here when it started (``tat``) and, if
# it stops cleanly, when it stopped (``blocked_until``; 0 while it runs). The process started next
# paces from every key's burst spent at that moment — or now, when the note says the one before was
# still running (it was killed): Slack still counts the calls made just before. (Stored keys of calls
# are a token's digest then "|": never this one.)
_RUNNING = "running|process"


def mark_running(connection: Connection, now: float) -> float | None:
    """Note that a process runs since ``now`` (seconds since the epoch; it names this process's note
    for :func:`mark_stopped`). Returns when the process before stopped, 0 if it never noted a stop
    (it was killed), None if no process ran before."""
    before = connection.execute(text("SELECT blocked_until FROM slack_pacing WHERE key = :key"), {"key": _RUNNING})
    stopped = before.scalar()
    connection.execute(text("DELETE FROM slack_pacing WHERE key = :key"), {"key": _RUNNING})
    connection.execute(
        text("INSERT INTO slack_pacing (key, tat, blocked_until) VALUES (:key, :now, 0)"), {"key": _RUNNING, "now": now}
    )
    return None if stopped is None else float(stopped)


def mark_stopped(connection: Connection, started: float, now: float) -> None:
    """The process that started at ``started`` stops cleanly at ``now`` (a note a later process
    wrote over it is left alone)."""
    connection.execute(
        text("UPDATE slack_pacing SET blocked_until = :now WHERE key = :key AND tat = :started"),
        {"key": _RUNNING, "started": started, "now": now},
    )
