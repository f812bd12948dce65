"""Real worker processes: killed with SIGKILL after claiming, and two of them on PostgreSQL."""

from __future__ import annotations

import itertools
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


@pytest.mark.slow
def test_a_paced_worker_killed_mid_delivery_leaves_only_what_was_on_the_wire_in_doubt(db_url, engine, slack, tmp_path):
    """Pacing holds a batch back (a burst of 2 per DM, then one post a little over a second apart):
    a worker killed then has most of its claimed rows still waiting. Only those whose post had left
    are looked for in the DM; the rest go out without a Tier 3 call, and all exactly once — and the
    DM's id recorded by earlier deliveries spares a conversations.open per person."""
    import datetime as dt

    from sqlalchemy import func, select, update

    from db.models.followups import FollowUp

    ids = insert_due(engine, 24, owners=2)
    log = tmp_path / "worker.log"
    first = start_worker(db_url, slack.url, log=log, extra_env={"RAPPORT_PACING": "on"})
    try:
        assert wait_until(lambda: len(slack.calls_to("chat.postMessage")) >= 8, timeout=30), log.read_text()
    finally:
        stop(first, signal.SIGKILL)
    time.sleep(0.5)  # the calls in flight when the worker died reach the fake

    def claimed(on_wire: bool) -> int:
        with engine.connect() as connection:
            query = select(func.count()).select_from(FollowUp)
            query = query.where(FollowUp.claimed_by.is_not(None), FollowUp.on_wire.is_(on_wire))
            return connection.scalar(query) or 0

    assert claimed(on_wire=False) >= 8, "the kill came too late to prove anything"
    assert claimed(on_wire=True) <= 4  # a post in flight per DM, and the last ones not yet recorded
    with engine.begin() as connection:  # the dead worker's lease runs out
        connection.execute(update(FollowUp).values(claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    second = start_worker(db_url, slack.url, log=log, extra_env={"RAPPORT_PACING": "on"})
    try:
        assert wait_until(lambda: count_sent(engine) == len(ids), timeout=60), log.read_text()
    finally:
        stop(second)
    counts = deliveries_of(call.args for call in slack.calls_to("chat.postMessage"))
    assert sorted(counts) == ids and set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    assert len(slack.calls_to("conversations.history")) <= 2  # one per person at most
    assert slack.calls_to("conversations.open") == []  # the DMs' ids were known from earlier deliveries


@pytest.mark.slow
def test_a_worker_started_after_a_kill_does_not_spend_the_bursts_its_predecessor_spent(db_url, engine, slack, tmp_path):
    """Slack still counts the posts of a worker killed a moment ago. The worker started next (on
    SQLite, pacing in memory) finds the note the killed one left and begins with every channel's
    burst spent: one post a little over a second apart from its first, so no 429 — while a worker
    started after a clean stop may burst at once."""
    import datetime as dt

    from sqlalchemy import update

    from db.models.followups import FollowUp

    slack.enforce_limits()
    paced = {"RAPPORT_PACING": "on"}
    ids = insert_due(engine, 22, owners=2)
    log = tmp_path / "worker.log"
    first = start_worker(db_url, slack.url, log=log, extra_env=paced)
    try:
        assert wait_until(lambda: len(slack.calls_to("chat.postMessage")) >= 8, timeout=30), log.read_text()
    finally:
        stop(first, signal.SIGKILL)
    time.sleep(0.5)  # the calls in flight when the worker died reach the fake
    assert count_sent(engine) < len(ids) - 6, "the kill came too late to prove anything"
    before = len(slack.calls)
    with engine.begin() as connection:  # the dead worker's lease runs out at once
        connection.execute(update(FollowUp).values(claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    second = start_worker(db_url, slack.url, log=log, extra_env=paced)
    try:
        assert wait_until(lambda: count_sent(engine) == len(ids), timeout=60), log.read_text()
    finally:
        stop(second)  # SIGTERM: a clean stop
    after_kill = [call for call in slack.calls[before:] if call.method == "chat.postMessage"]
    assert slack.rate_limited == [] and slack.early_calls == []
    counts = deliveries_of(call.args for call in slack.calls_to("chat.postMessage"))
    assert sorted(counts) == ids and set(counts.values()) == {1}
    by_channel: dict[str, list[float]] = {}
    for call in after_kill:
        by_channel.setdefault(str(call.args["channel"]), []).append(call.at)
    assert len(by_channel) == 2
    for times in by_channel.values():  # no burst: each post at least about a second after the one before
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert gaps and min(gaps) > 0.5, gaps  # 1.1 s apart as paced; a burst goes within milliseconds

    # A clean stop is noted: a worker started after Slack's buckets have filled again sends its burst at once.
    more = insert_due(engine, 6, owners=2)
    time.sleep(3.5)  # 3 posts' worth, as between a Friday's stop and a Monday
    before = len(slack.calls)
    third = start_worker(db_url, slack.url, log=log, extra_env=paced)
    try:
        assert wait_until(lambda: count_sent(engine) == len(ids) + len(more), timeout=60), log.read_text()
    finally:
        stop(third)
    times = sorted(call.at for call in slack.calls[before:] if call.method == "chat.postMessage")
    assert len(times) == 6 and times[-1] - times[0] < 2.0, times  # 2 at once, then 1.1 s; spent: 2.2 s
    assert slack.rate_limited == []


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
