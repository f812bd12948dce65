"""Real worker processes: killed with SIGKILL after claiming, and two of them on PostgreSQL."""

from __future__ import annotations

import re
import signal
import time

import pytest

from bot.standin import SlackStandIn
from db.session import make_engine
from tests.support.workers import (
    count_claimed,
    count_sent,
    deliveries_of,
    insert_due,
    start_worker,
    stop,
    wait_until,
    widen_backlog,
)


@pytest.fixture
def slow_slack():
    """A fake Slack that takes 0.25 s to answer chat.postMessage (so a kill lands mid-batch)."""
    standin = SlackStandIn(team_id="T1").start()

    def slow(call) -> None:
        if call.method == "chat.postMessage":
            time.sleep(0.25)

    standin.listeners.append(slow)
    yield standin
    standin.stop()


@pytest.mark.slow
def test_kill_9_after_claiming_then_restart_delivers_everything_once(db_url, engine, slow_slack, tmp_path):
    ids = insert_due(engine, 40, owners=1)
    log = tmp_path / "worker.log"
    first = start_worker(db_url, slow_slack.url, log=log)
    try:
        assert wait_until(lambda: len(slow_slack.calls_to("chat.postMessage")) >= 5, timeout=30), log.read_text()
        assert count_claimed(engine) > 0
    finally:
        stop(first, signal.SIGKILL)
    assert count_sent(engine) < len(ids), "the kill came too late to prove anything"
    time.sleep(0.5)  # the calls in flight when the worker died reach the fake
    second = start_worker(db_url, slow_slack.url, log=log)
    try:
        assert wait_until(lambda: count_sent(engine) == len(ids), timeout=60), log.read_text()
    finally:
        stop(second)
    counts = deliveries_of(call.args for call in slow_slack.calls_to("chat.postMessage"))
    assert sorted(counts) == ids
    # Calls in flight at the kill reached Slack: the restarted worker found them instead of re-posting.
    assert "was already posted" in log.read_text()
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_on_postgresql_deliver_10000_reminders_exactly_once(pg_url, slack, tmp_path):
    widen_backlog(slack)
    engine = make_engine(pg_url)
    ids = insert_due(engine, 10_000, owners=50)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(pg_url, slack.url, log=log) for log in logs]
    try:
        assert wait_until(lambda: count_sent(engine) == len(ids), timeout=100, every=0.5), logs[0].read_text()[-3000:]
    finally:
        for worker in workers:
            stop(worker)
        engine.dispose()
    counts = deliveries_of(call.args for call in slack.calls_to("chat.postMessage"))
    assert len(counts) == len(ids) and sorted(counts) == ids
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    shares = [sum(int(n) for n in re.findall(r"follow-ups: (\d+) sent", log.read_text())) for log in logs]
    assert sum(shares) == len(ids) and all(shares), shares  # both workers took part
