"""Pacing under Slack's rate limits: the pacer's arithmetic, and 300 reminders due at once delivered
through a fake Slack that enforces the limits — exactly once, without calls before Retry-After."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.app import build_runtime
from bot.pacing import LIMITS, POSTS, Limit, Pacer, RememberingPacer, SharedPacer, pacing_key
from bot.sender import build_poster
from bot.settings import Settings
from bot.slack import KeepAliveWebClient, build_client
from bot.standin import Call, SlackStandIn
from db.migrate import upgrade
from db.models.followups import SENT, FollowUp
from db.models.pacing import SlackPacing
from db.scoped import all_teams_session
from db.session import make_engine
from handlers.followups.claims import claim
from handlers.followups.delivery import dispatch_due
from tests.support.workers import deliveries_of, insert_due, start_worker, stop, wait_until, widen_backlog


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_channel_gets_its_burst_then_one_post_a_little_over_each_second():
    fake = FakeTime()
    pacer = Pacer(clock=fake.clock, sleep=fake.sleep)
    key = ("xoxb-1", "chat.postMessage", "D1")
    waits = [pacer.reserve(key, POSTS) for _ in range(5)]
    interval = 60 / POSTS.per_minute
    assert waits[:2] == [0, 0]  # a burst of two: one under Slack's three
    assert waits[2:] == pytest.approx([interval, 2 * interval, 3 * interval])
    assert interval == pytest.approx(1 / 0.9)
    # Another channel, and another workspace's same channel, are not held back.
    assert pacer.reserve(("xoxb-1", "chat.postMessage", "D2"), POSTS) == 0
    assert pacer.reserve(("xoxb-2", "chat.postMessage", "D1"), POSTS) == 0


def test_after_a_429_nothing_goes_on_that_key_before_retry_after():
    fake = FakeTime()
    pacer = Pacer(clock=fake.clock, sleep=fake.sleep)
    key = ("xoxb-1", "users.info", "")
    pacer.block(key, 30)
    assert pacer.reserve(key, LIMITS["users.info"]) == pytest.approx(30)
    assert pacer.reserve(("xoxb-1", "views.publish", ""), LIMITS["views.publish"]) == 0


def test_two_processes_on_postgresql_reserve_from_one_budget(pg_url: str):
    """Two pacers on their own engines, as two workers have: together they get one channel's
    burst and then one slot per interval — not one each."""
    engines = [make_engine(pg_url), make_engine(pg_url)]
    first, second = (SharedPacer(engine) for engine in engines)
    key = ("xoxb-1", "chat.postMessage", "D1")
    limit = Limit(60, 2)  # one a second, two at once
    try:
        waits = [pacer.reserve(key, limit) for pacer in (first, second, first, second, first)]
        assert waits[:2] == [0, 0]
        # The database's clock moves on between calls: each wait is a little under its slot.
        assert waits[2:] == pytest.approx([1, 2, 3], abs=0.2)
        other = ("xoxb-1", "chat.postMessage", "D2")
        assert second.reserve(other, limit) == 0  # another channel is not held back
        # A 429 seen by one process holds the key back in the other.
        blocked = ("xoxb-1", "users.info", "")
        first.block(blocked, 20)
        assert second.reserve(blocked, LIMITS["users.info"]) == pytest.approx(20, abs=0.2)
        tier4 = 60 / LIMITS["users.info"].per_minute  # then one interval apart: Slack's bucket is empty
        assert first.reserve(blocked, LIMITS["users.info"]) == pytest.approx(20 + tier4, abs=0.2)
        with engines[0].connect() as connection:
            keys = connection.scalars(select(SlackPacing.key)).all()
        assert keys and not any("xoxb" in stored for stored in keys)  # the token is not stored
    finally:
        for engine in engines:
            engine.dispose()


def test_on_sqlite_a_retry_after_outlives_the_process_that_heard_it(tmp_path):
    """One process on SQLite paces in memory; a 429's Retry-After is also kept in the database, so
    the process started after a crash does not call the blocked key early."""
    engine = make_engine(f"sqlite:///{tmp_path / 'paced.db'}")
    upgrade(engine)
    wall = FakeTime()
    try:
        before_crash = RememberingPacer(engine, clock=wall.clock, sleep=wall.sleep, wall=wall.clock)
        blocked = ("xoxb-1", "chat.postMessage", "D1")
        before_crash.block(blocked, 30)
        before_crash.block(("xoxb-1", "users.info", ""), 5)
        wall.now += 10  # the restart takes 10 s: the 5 s block is over, the 30 s one is not
        after_restart = RememberingPacer(engine, clock=wall.clock, sleep=wall.sleep, wall=wall.clock)
        assert after_restart.reserve(blocked, POSTS) == pytest.approx(20)
        assert after_restart.reserve(("xoxb-1", "users.info", ""), LIMITS["users.info"]) == 0
        assert after_restart.reserve(("xoxb-1", "chat.postMessage", "D2"), POSTS) == 0
        with engine.connect() as connection:
            keys = connection.scalars(select(SlackPacing.key)).all()
        assert len(keys) == 1 and "xoxb" not in keys[0]  # the block that ended is gone; no token stored
    finally:
        engine.dispose()


def test_after_a_kill_every_key_starts_with_its_burst_spent():
    """The process killed before may have spent a channel's burst just before: Slack still counts
    those posts, so the next process's first post to each channel waits one interval, then paces."""
    fake = FakeTime()
    pacer = Pacer(clock=fake.clock, sleep=fake.sleep)
    pacer.assume_spent()
    interval = 60 / POSTS.per_minute
    key = ("xoxb-1", "chat.postMessage", "D1")
    assert [pacer.reserve(key, POSTS) for _ in range(3)] == pytest.approx([interval, 2 * interval, 3 * interval])
    assert pacer.reserve(("xoxb-1", "chat.postMessage", "D2"), POSTS) == pytest.approx(interval)
    tier = LIMITS["conversations.history"]
    assert pacer.reserve(("xoxb-1", "conversations.history", ""), tier) == pytest.approx(60 / tier.per_minute)
    fake.now += 60  # a minute on, a key first used now has its whole burst again
    assert [pacer.reserve(("xoxb-1", "chat.postMessage", "D3"), POSTS) for _ in range(2)] == [0, 0]
    # Bursts spent a second ago (a clean stop then): the first post waits what is left of the interval.
    pacer.assume_spent(ago=1.0)
    assert pacer.reserve(("xoxb-1", "chat.postMessage", "D4"), POSTS) == pytest.approx(interval - 1.0)


def test_after_a_retry_after_the_calls_go_one_interval_apart_not_in_a_burst():
    """Slack's bucket is empty when it answers 429: once the block ends, the key paces from there."""
    fake = FakeTime()
    pacer = Pacer(clock=fake.clock, sleep=fake.sleep)
    key = ("xoxb-1", "chat.postMessage", "D1")
    pacer.block(key, 5)
    interval = 60 / POSTS.per_minute
    assert [pacer.reserve(key, POSTS) for _ in range(3)] == pytest.approx([5, 5 + interval, 5 + 2 * interval])


def test_a_call_waiting_when_a_429_comes_takes_a_new_slot_after_it_in_turn():
    """A call already waiting for its slot when another call on the key is answered 429 does not go
    at the block's end together with the refused one tried again: they go one interval apart."""
    fake = FakeTime()
    key, limit = ("xoxb-1", "chat.postMessage", "D1"), POSTS
    interval = 60 / POSTS.per_minute
    pacer = Pacer(clock=fake.clock, sleep=fake.sleep)
    pacer.reserve(key, limit)
    pacer.reserve(key, limit)  # the burst: this one will be answered 429
    retried: list[float] = []

    def sleep(seconds: float) -> None:
        if not retried:  # while the second call waits, the first is answered 429 (Retry-After 5)
            pacer.block(key, 5)
            retried.append(fake.now + pacer.reserve(key, limit))  # tried again in its next slot
        fake.sleep(seconds)

    pacer.sleep = sleep
    waited = pacer.wait(key, limit)
    assert retried == [pytest.approx(105)]
    assert fake.now == pytest.approx(100 + waited) and fake.now == pytest.approx(105 + interval)


def test_on_sqlite_a_process_paces_from_the_moment_the_one_before_stopped_or_was_killed(tmp_path):
    """`run` and `worker` note in the database when they start and when they stop cleanly: the next
    process paces from every burst spent at that stop — or at its own start, when the one before
    never noted a stop (it was killed)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'paced.db'}")
    upgrade(engine)
    wall = FakeTime()
    key = ("xoxb-1", "chat.postMessage", "D1")
    interval = 60 / POSTS.per_minute

    def started() -> tuple[RememberingPacer, bool, float]:
        pacer = RememberingPacer(engine, clock=wall.clock, sleep=wall.sleep, wall=wall.clock)
        killed = pacer.begin("worker")
        return pacer, killed, pacer.reserve(key, POSTS)

    try:
        first, killed, wait = started()
        assert (killed, wait) == (False, 0)  # the very first start: full bursts
        first.block(("xoxb-1", "users.info", ""), 30)  # a Retry-After heard before the kill
        wall.now += 5
        second, killed, wait = started()  # the first one never stopped: it was killed
        assert killed and wait == pytest.approx(interval)
        assert second.reserve(("xoxb-1", "users.info", ""), LIMITS["users.info"]) == pytest.approx(25)
        second.end()  # a clean stop, right after its last posts
        wall.now += 0.5
        third, killed, wait = started()  # a deploy's restart half a second later
        assert not killed and wait == pytest.approx(interval - 0.5)
        first.end()  # a process whose note was written over leaves the newer note alone
        fourth, killed, _ = started()
        assert killed  # the third never noted a stop
        wall.now += 60
        third.end()  # nor does the third's clean stop, late, touch the fourth's note
        wall.now += 60
        fourth.end()
        wall.now += 60
        _, killed, wait = started()  # a start a minute after a clean stop: full bursts
        assert (killed, wait) == (False, 0)
        with engine.connect() as connection:  # the note is not taken for a Retry-After block
            assert pacing_rows(connection) == {"running|process"}
    finally:
        engine.dispose()


def pacing_rows(connection) -> set[str]:
    from db.pacing import remembered_blocks

    assert remembered_blocks(connection, 10**10) == {}  # every block over: only the note is left
    return set(connection.scalars(select(SlackPacing.key)))


def test_a_tiered_method_has_one_call_in_flight_per_workspace(slack: SlackStandIn):
    """Eight threads calling `conversations.history` at once reach Slack one after another (a 429
    cannot find others already on the wire); `users.info`, which listeners wait on, is not held."""
    in_flight = {"now": 0, "most": {}}
    lock = threading.Lock()

    def slow(call: Call) -> None:
        with lock:
            in_flight["now"] += 1
            most = in_flight["most"]
            most[call.method] = max(most.get(call.method, 0), in_flight["now"])
        time.sleep(0.05)
        with lock:
            in_flight["now"] -= 1

    slack.listeners.append(slow)
    slack.add_user("U100", tz="Europe/London")
    client = KeepAliveWebClient(token="xoxb-1", base_url=slack.url, pacer=Pacer())
    for method, call in (
        ("conversations.history", lambda: client.conversations_history(channel="D1")),
        ("users.info", lambda: client.users_info(user="U100")),
    ):
        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(slack.calls_to(method)) == 8
    assert in_flight["most"]["conversations.history"] == 1
    assert in_flight["most"]["users.info"] > 1


def test_a_worker_restarted_after_a_crash_waits_out_the_retry_after_its_predecessor_heard(tmp_path):
    """`python -m bot worker` on SQLite, pacing on: Slack answers a post 429 with an 8 s Retry-After,
    the worker is killed (SIGKILL), and a new one starts with one more reminder for that DM. It waits
    for the Retry-After to pass instead of calling at once."""
    with _one_person_under_limits(tmp_path, post_rate=0.125, post_burst=1) as rig:  # next post 8 s away
        first = rig.start_worker()
        insert_due(rig.engine, 3, owners=1)
        assert wait_until(lambda: len(rig.slack.rate_limited) >= 1, timeout=30), rig.log.read_text()
        stop(first, signal.SIGKILL)
        later = insert_due(rig.engine, 1, owners=1)
        rig.start_worker()
        assert wait_until(lambda: set(later) <= set(rig.delivered()), timeout=60), rig.log.read_text()
        early = rig.slack.early_calls
        assert early == [], [(call.method, call.args.get("channel")) for call in early]


def test_without_the_database_a_process_paces_on_its_own(caplog):
    fake = FakeTime()
    engine = make_engine("postgresql+psycopg://rapport@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    pacer = SharedPacer(engine, clock=fake.clock, sleep=fake.sleep)
    key = ("xoxb-1", "chat.postMessage", "D1")
    waits = [pacer.reserve(key, POSTS) for _ in range(3)]
    assert waits == pytest.approx([0, 0, 60 / POSTS.per_minute])
    assert "shared budget is not reachable" in caplog.text
    assert caplog.text.count("shared budget is not reachable") == 1  # said once per outage


def test_which_calls_are_paced():
    assert pacing_key("chat.postMessage", "t", {"channel": "D1"}) == (("t", "chat.postMessage", "D1"), POSTS)
    assert pacing_key("conversations.open", "t", {})[0] == ("t", "conversations.open", "")  # type: ignore[index]
    assert pacing_key("auth.test", "t", {}) is None


@pytest.mark.parametrize("posting", ["threads", "poster"])
def test_300_reminders_due_together_under_enforced_limits(tmp_path, slack: SlackStandIn, posting: str):
    """20 DM channels x 15: all out exactly once, within 30 s of the floor (12 s at 1/s after a
    burst of 3), at most 5% answered 429, no call before its Retry-After — posted by the
    dispatcher's threads, and by the poster's event loop as `python -m bot` does."""
    widen_backlog(slack)
    slack.enforce_limits(post_rate=1.0, post_burst=3)
    for n in range(20):
        slack.add_user(f"U{100 + n}", tz="Europe/London")
    url = f"sqlite:///{tmp_path / 'pace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    insert_due(engine, 300, owners=20)
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-pace-test",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": url,
            "RAPPORT_PACING": "on",
        }
    )
    runtime = build_runtime(settings, engine=engine)
    poster = build_poster(settings) if posting == "poster" else None
    if poster is not None:
        runtime.extras["sender"] = poster
    started = time.monotonic()
    delivered = 0
    try:
        while delivered < 300 and time.monotonic() - started < 60:
            dispatch_due(runtime, build_client(settings))
            with all_teams_session(runtime.sessions) as session:
                delivered = len(session.scalars(select(FollowUp.id).where(FollowUp.status == SENT)).all())
    finally:
        if poster is not None:
            poster.close()
    elapsed = time.monotonic() - started
    posts = slack.calls_to("chat.postMessage")
    counts = deliveries_of(call.args for call in posts if call not in slack.rate_limited)
    assert delivered == 300 and len(counts) == 300 and set(counts.values()) == {1}
    assert len(slack.rate_limited) <= 15, len(slack.rate_limited)
    assert slack.early_calls == []
    assert elapsed < 12 + 30, elapsed


def test_one_workspaces_backlog_does_not_hold_back_anothers_single_reminder(tmp_path):
    url = f"sqlite:///{tmp_path / 'fair.db'}"
    engine = make_engine(url)
    upgrade(engine)
    insert_due(engine, 2000, owners=20, team="TBIG")
    [single] = insert_due(engine, 1, owners=1, team="TSMALL")[-1:]
    settings = Settings.from_env({"DATABASE_URL": url})
    runtime = build_runtime(settings, engine=engine)
    import datetime as dt

    first_batch = claim(runtime, "deliver", dt.datetime.now(dt.UTC), 200)
    assert single in {row.id for row in first_batch}
    # In the first round: every owner's first reminder (20 of the big workspace's, the small one's)
    # goes before anyone's second, so it is posted within the first second or so.
    position = [row.id for row in first_batch].index(single)
    assert position < 21, position


def test_two_workers_on_postgresql_share_the_budget_and_post_each_reminder_once(pg_url: str, slack: SlackStandIn):
    """Both workers post to one person at once (each has claimed its own batch of that person's
    reminders); nothing tells them there are two. Each pacing alone would send 1.8 posts a second
    into a channel that takes 1: with the budget in the database they stay under it together."""
    import signal

    from tests.support.workers import count_sent, start_worker, stop, wait_until

    widen_backlog(slack)
    slack.enforce_limits(post_rate=1.0, post_burst=3)
    engine = make_engine(pg_url)
    insert_due(engine, 400, owners=1)  # two batches of 200, one per worker, all for one DM

    def claimers() -> int:
        with engine.connect() as connection:
            return len(
                connection.scalars(
                    select(FollowUp.claimed_by)
                    .where(FollowUp.status != SENT, FollowUp.claimed_by.is_not(None))
                    .distinct()
                ).all()
            )

    extra = {"RAPPORT_PACING": "on"}
    workers = [start_worker(pg_url, slack.url, extra_env=extra) for _ in range(2)]
    try:
        assert wait_until(lambda: claimers() == 2, timeout=30)
        assert wait_until(lambda: count_sent(engine) >= 15, timeout=40)
    finally:
        for worker in workers:  # each still holds minutes of one channel's posts: no need to wait
            stop(worker, signal.SIGKILL)
    engine.dispose()
    posts = slack.calls_to("chat.postMessage")
    counts = deliveries_of(call.args for call in posts if call not in slack.rate_limited)
    assert len(counts) >= 15 and set(counts.values()) == {1}
    assert len(slack.rate_limited) <= max(1, len(posts) // 20), len(slack.rate_limited)  # 5%
    assert slack.early_calls == []


def test_sigterm_gives_back_the_reminders_not_yet_sent_and_the_next_worker_sends_them_once(tmp_path):
    """A deploy stops a worker that has 15 reminders queued for one person (under Slack's limits, a
    little over a second apart). It stops within seconds instead of sending them all first: the
    ones on the wire finish, the rest are given back unclaimed, and the next worker sends them —
    each once, without a look in the DM (nothing was in doubt)."""
    with _one_person_under_limits(tmp_path) as rig:
        first = rig.start_worker()
        ids = insert_due(rig.engine, 15, owners=1)
        assert wait_until(lambda: len(rig.delivered()) >= 4, timeout=30), rig.log.read_text()
        started = time.monotonic()
        stop(first, signal.SIGTERM)
        assert first.returncode == 0, rig.log.read_text()
        assert time.monotonic() - started < 6, "the worker sent its whole queue before stopping"
        sent_before = set(rig.delivered())
        assert 4 <= len(sent_before) < 15
        with rig.engine.connect() as connection:
            rows = connection.execute(select(FollowUp.id, FollowUp.status, FollowUp.claimed_by)).all()
        assert {row.id for row in rows if row.status == SENT} == sent_before  # every post recorded
        assert all(row.claimed_by is None for row in rows if row.status != SENT)  # the rest given back
        assert "given back (stopping)" in rig.log.read_text()

        rig.start_worker()
        assert wait_until(lambda: set(ids) <= set(rig.delivered()), timeout=90), rig.log.read_text()
        assert all(count == 1 for count in rig.delivered().values())
        assert rig.slack.calls_to("conversations.history") == []
        assert rig.slack.early_calls == []


@dataclass
class _Rig:
    """A fake Slack enforcing its limits with one person, a migrated SQLite file, and the
    `python -m bot worker` processes started on them (pacing on), all sharing one log."""

    slack: SlackStandIn
    engine: Engine
    db_url: str
    log: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = start_worker(self.db_url, self.slack.url, log=self.log, extra_env={"RAPPORT_PACING": "on"})
        self.workers.append(worker)
        return worker

    def delivered(self) -> dict[int, int]:
        """Messages each reminder got (posts answered 429 do not count)."""
        posts = self.slack.calls_to("chat.postMessage")
        return deliveries_of(call.args for call in posts if call not in self.slack.rate_limited)


@contextlib.contextmanager
def _one_person_under_limits(tmp_path: Path, post_rate: float = 1.0, post_burst: int = 3) -> Iterator[_Rig]:
    slack = widen_backlog(SlackStandIn(team_id="T1").start())
    slack.enforce_limits(post_rate=post_rate, post_burst=post_burst)
    slack.add_user("U100", tz="Europe/London")
    db_url = f"sqlite:///{tmp_path / 'workers.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    rig = _Rig(slack, engine, db_url, tmp_path / "workers.log")
    try:
        yield rig
    finally:
        for worker in rig.workers:
            stop(worker, signal.SIGKILL)
        engine.dispose()
        slack.stop()
