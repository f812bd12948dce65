"""Helpers for tests that run real `python -m bot worker` processes against the fake Slack."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select

from bot.standin import SlackStandIn
from db.models import Client
from db.models.followups import SCHEDULED, FollowUp
from handlers.clients.fields import name_key

ROOT = Path(__file__).resolve().parents[2]


def insert_due(engine: Engine, count: int, owners: int = 20, team: str = "T1") -> list[int]:
    """``count`` one-off reminders already due (by the real clock), spread over a few clients and owners."""
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        client_ids = []
        for name, country, tz in (
            ("Müller Maschinenbau", "DE", "Europe/Berlin"),
            ("Tanaka Trading", "JP", "Asia/Tokyo"),
            ("Al Noor Trading", "SA", "Asia/Riyadh"),
        ):
            known = connection.scalar(
                select(Client.id).where(Client.team_id == team, Client.name_key == name_key(name))
            )
            if known is not None:  # called again for more work (the soak bench): the same clients
                client_ids.append(known)
                continue
            result = connection.execute(
                insert(Client)
                .values(
                    team_id=team,
                    name=name,
                    name_key=name_key(name),
                    country=country,
                    tz=tz,
                    created_at=now,
                    updated_at=now,
                )
                .returning(Client.id)
            )
            client_ids.append(result.scalar_one())
        first = connection.scalar(select(func.max(FollowUp.short_id)).where(FollowUp.team_id == team)) or 0
        rows = [
            {
                "team_id": team,
                "short_id": first + n + 1,
                "client_id": client_ids[n % len(client_ids)],
                "client_name": "client",
                "owner_id": f"U{100 + n % owners}",
                "what": f"reminder {n}",
                "when_text": "now",
                "status": SCHEDULED,
                "due_at": now - dt.timedelta(seconds=30) + dt.timedelta(microseconds=n),
                "anchor_timed": True,
                "occurrence": 0,
                "snoozed": False,
                "maybe_sent": False,
                "attempts": 0,
                "sent_count": 0,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        for start in range(0, len(rows), 5000):
            connection.execute(insert(FollowUp), rows[start : start + 5000])
        return list(
            connection.scalars(
                select(FollowUp.id).where(FollowUp.team_id == team, FollowUp.short_id > first).order_by(FollowUp.id)
            )
        )


def count_sent(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.status == "sent")) or 0


def count_waiting(engine: Engine) -> int:
    """Reminders not sent yet but still scheduled to go out (the soak bench: not lost, only late)."""
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.status == SCHEDULED)) or 0


def count_claimed(engine: Engine) -> int:
    with engine.connect() as connection:
        return (
            connection.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.claimed_by.is_not(None))) or 0
        )


def start_worker(
    database_url: str,
    slack_url: str,
    interval: float = 0.2,
    log: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`python -m bot worker` as a separate process group (``extra_env``: more settings)."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": database_url,
        "DISPATCH_INTERVAL": str(interval),
        "LOG_LEVEL": "INFO",
        **(extra_env or {}),
    }
    env.pop("SLACK_APP_TOKEN", None)
    output = open(log, "ab") if log else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def widen_backlog(standin: SlackStandIn, backlog: int = 256) -> SlackStandIn:
    """The stand-in listens with socketserver's default backlog of 5: with 8+ concurrent posters per
    worker, connections overflow it and wait for TCP's 1 s retransmit. Listen again with room."""
    standin._server.socket.listen(backlog)
    return standin


def deliveries_of(calls: Iterable[dict[str, Any]]) -> dict[int, int]:
    """How many messages each follow-up got, from recorded ``chat.postMessage`` arguments (tests, bench)."""
    counts: dict[int, int] = {}
    for args in calls:
        payload = (args.get("metadata") or {}).get("event_payload") or {}
        if "followup" in payload and ":nag:" not in str(payload.get("delivery")):
            counts[int(payload["followup"])] = counts.get(int(payload["followup"]), 0) + 1
    return counts
