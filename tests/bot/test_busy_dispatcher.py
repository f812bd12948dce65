"""A busy, rate-limited dispatcher does not slow the listener: `python -m bot` (one process, SQLite)
delivering 300 due reminders into a Slack that limits it harder than Rapport paces itself (so it
is both pacing and being answered 429) still acknowledges every `/followup` within 3 s."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from bot.standin import SlackStandIn
from db.models.followups import FollowUp
from db.session import make_engine
from tests.bot.test_entry_points import ROOT, _env, _free_port
from tests.support.slack_requests import SlackSender
from tests.support.workers import insert_due, wait_until, widen_backlog

SECRET = "busy-secret"


def test_followup_is_acked_within_3_s_while_the_dispatcher_is_rate_limited(tmp_path: Path):
    slack = widen_backlog(SlackStandIn(team_id="T1").start())
    # Half the post rate Rapport paces for: its posts are answered 429 and wait out Retry-After.
    slack.enforce_limits(post_rate=0.5, post_burst=2)
    for n in range(20):
        slack.add_user(f"U{100 + n}", tz="Europe/London")
    for n in range(10):
        slack.add_user(f"U{n + 1}", tz="America/New_York")
    port = _free_port()
    db_url = f"sqlite:///{tmp_path / 'busy.db'}"
    env = _env(
        SLACK_BOT_TOKEN="xoxb-busy",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url,
        DATABASE_URL=db_url,
        PORT=str(port),
        DISPATCH_INTERVAL="0.2",
        RAPPORT_PACING="on",
    )
    log = tmp_path / "output.log"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "bot"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    engine = make_engine(db_url)
    try:
        assert wait_until(lambda: _healthy(port), timeout=30), log.read_text()
        insert_due(engine, 300, owners=20)
        assert wait_until(lambda: len(slack.rate_limited) >= 5, timeout=30), "the dispatcher was never rate-limited"

        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, response_url_base=slack.base)
        timings = []
        for n in range(10):
            started = time.monotonic()
            result = sender.command("/followup", f"Tanaka in 3 days send the quote v{n}", user=f"U{n + 1}")
            timings.append(time.monotonic() - started)
            assert result.status == 200
        assert max(timings) < 3.0, timings
        # Every command was carried out (the answers go out after the ack, through response_url).
        scheduled = wait_until(lambda: _scheduled_quotes(engine) == 10, timeout=30)
        assert scheduled, [line for line in log.read_text().splitlines() if "ERROR" in line or "Error" in line]
        slack.wait_for("response", count=10, timeout=30)
        assert slack.early_calls == []
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        engine.dispose()
        slack.stop()
    assert "Traceback" not in log.read_text()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _scheduled_quotes(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(FollowUp).where(FollowUp.what.like("send the quote v%"))
        )
