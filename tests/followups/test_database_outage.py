"""The database goes away for 20 s while a worker is delivering (every connection reset, new ones
refused: a restart or failover), longer than a claim's lease. Nothing is lost, nothing is posted
twice, and the worker carries on by itself once the database is back."""

from __future__ import annotations

import time

from sqlalchemy.engine import make_url

from bot.standin import SlackStandIn
from db.session import make_engine
from tests.support.tcp_proxy import TcpProxy
from tests.support.workers import count_sent, deliveries_of, insert_due, start_worker, stop, wait_until, widen_backlog

OUTAGE = 20.0  # seconds; more than a lease (15 s). bench/soak_followups.py --outage 30 goes further


def test_a_database_outage_during_delivery_loses_nothing_and_doubles_nothing(pg_url: str, tmp_path):
    slack = widen_backlog(SlackStandIn(team_id="T1").start())
    slack.enforce_limits(post_rate=1.0, post_burst=3)  # about 10 s of posting: the outage lands mid-way
    direct = make_engine(pg_url)
    ids = insert_due(direct, 200, owners=20)
    url = make_url(pg_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    log = tmp_path / "worker.log"
    worker = start_worker(proxied, slack.url, log=log, extra_env={"RAPPORT_PACING": "on"})
    try:
        assert wait_until(lambda: count_sent(direct) >= 40, timeout=60), log.read_text()
        proxy.cut()
        posted_before = len(slack.calls_to("chat.postMessage"))
        time.sleep(OUTAGE)
        proxy.restore()
        assert worker.poll() is None, "the worker gave up while the database was away"
        assert wait_until(lambda: count_sent(direct) == 200, timeout=90), log.read_text()[-3000:]
    finally:
        stop(worker)
        proxy.stop()
        direct.dispose()
        slack.stop()
    posts = [call for call in slack.calls_to("chat.postMessage") if call not in slack.rate_limited]
    counts = deliveries_of(call.args for call in posts)
    assert set(counts) == set(ids) and set(counts.values()) == {1}
    assert posted_before < 200  # the outage did land while reminders were still due
    assert slack.early_calls == []
    # Said once when it went and once when it came back, not a traceback every tick.
    output = log.read_text()
    assert output.count("the database is not reachable") == 1, output[-3000:]
    assert output.count("Traceback") <= 3, output[-5000:]
