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
    VALUES (:key, {_NOW} + :seconds, {_NOW} + :seconds)
    ON CONFLICT (key) DO UPDATE
       SET blocked_until = GREATEST(p.blocked_until, {_NOW} + :seconds),
           tat = GREATEST(p.tat, {_NOW} + :seconds)
    """
)

_FORGET = text(f"DELETE FROM slack_pacing WHERE tat < {_NOW} - :idle AND blocked_until < {_NOW} - :idle")


def reserve(connection: Connection, key: str, interval: float, burst: int) -> float:
    """Reserve ``key``'s next slot; the seconds to wait before using it (0 when it is free now)."""
    delay = connection.execute(_RESERVE, {"key": key, "interval": interval, "burst": burst}).scalar_one()
    return max(0.0, float(delay))


def block(connection: Connection, key: str, seconds: float) -> None:
    """Nothing on ``key`` before ``seconds`` from now (Slack answered 429 with that Retry-After)."""
    connection.execute(_BLOCK, {"key": key, "seconds": seconds})


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


# A process that paces in memory notes here that it runs, and clears the note when it stops cleanly.
# A note found at start means the process before it was killed: it may have spent every key's burst
# just before, and Slack still counts those calls. (Stored keys of calls are a token's digest, then
# "|": never this prefix.)
_RUNNING = "running|"


def mark_running(connection: Connection, role: str, now: float) -> float | None:
    """Note that a ``role`` process runs since ``now`` (seconds since the epoch); the start of the
    one noted before, when it did not stop cleanly (None when it did, or none ran)."""
    key = _RUNNING + role
    before = connection.execute(text("SELECT tat FROM slack_pacing WHERE key = :key"), {"key": key}).scalar()
    connection.execute(text("DELETE FROM slack_pacing WHERE key = :key"), {"key": key})
    connection.execute(
        text("INSERT INTO slack_pacing (key, tat, blocked_until) VALUES (:key, :now, 0)"), {"key": key, "now": now}
    )
    return None if before is None else float(before)


def mark_stopped(connection: Connection, role: str) -> None:
    """The ``role`` process stopped cleanly: the next one starts with every burst available."""
    connection.execute(text("DELETE FROM slack_pacing WHERE key = :key"), {"key": _RUNNING + role})
