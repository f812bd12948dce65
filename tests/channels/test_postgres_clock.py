"""The reply clock on PostgreSQL with a `web` (the app, in process) and real `worker` processes:
deadlines are rows, so a worker killed mid-way and started again, or two at once, escalate each
request exactly once; a request not yet due waits."""

from __future__ import annotations

import datetime as dt
import signal

import pytest

from tests.channels.helpers import ESCALATIONS, PIERRE, linked, message, requests_of
from tests.escalate.helpers import posts_in
from tests.support.workers import start_worker, stop, wait_until, widen_backlog

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
UTC = dt.UTC


@pytest.fixture
def db_url(pg_url: str) -> str:
    return pg_url


def escalated(rapport) -> list[str]:
    return [post["text"] for post in posts_in(rapport.slack, ESCALATIONS)]


def test_web_and_worker_on_postgresql_escalate_once_across_restarts(rapport, libre, monkeypatch, tmp_path):
    widen_backlog(rapport.slack)
    monkeypatch.setenv("TRANSLATOR", "libre")
    monkeypatch.setenv("LIBRETRANSLATE_URL", libre.url)
    # The web process takes the client's messages (its clock: a Monday in the past, in Paris hours)
    rapport.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    linked(rapport, "reply:1m")
    message(rapport, "Le devis, s'il vous plaît ?")
    rapport.clock.set(dt.datetime(2036, 11, 24, 10, 0, tzinfo=UTC))
    message(rapport, "Et pour 2036 ?", user=PIERRE)  # due in ten years: must wait
    log = tmp_path / "worker.log"
    first = start_worker(rapport.settings.database_url, rapport.slack.url, log=log)
    try:
        assert wait_until(lambda: len(escalated(rapport)) >= 1, timeout=30), log.read_text()[-3000:]
    finally:
        stop(first, signal.SIGKILL)
    # Started again, and a second one beside it: nothing is escalated twice
    workers = [start_worker(rapport.settings.database_url, rapport.slack.url, log=log) for _ in range(2)]
    try:
        rapport.clock.set(dt.datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
        message(rapport, "Toujours rien ?")  # one more request due long ago (by the real clock)
        assert wait_until(lambda: len(escalated(rapport)) >= 2, timeout=30), log.read_text()[-3000:]
        assert not wait_until(lambda: len(escalated(rapport)) > 2, timeout=3)
    finally:
        for worker in workers:
            stop(worker)
    assert len(escalated(rapport)) == 2
    rows = requests_of(rapport)
    assert [row.escalated_at is not None for row in rows] == [True, False, True]
    assert all("[en]" in post for post in [str(p["blocks"]) for p in posts_in(rapport.slack, ESCALATIONS)])
