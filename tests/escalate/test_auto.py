"""Escalations that happen by themselves: overdue follow-ups, kept escalations, urgent re-pings.

The dispatcher's task is called directly with a FakeClock moved by hand; Slack is the fake on
loopback and the database real (SQLite here, PostgreSQL for the concurrent test).
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo

import pytest
from sqlalchemy import update

from cultures.hours import ClientHours
from db.models.escalations import AUTOMATIC, OPEN, PENDING
from db.models.followups import DONE, FollowUp
from db.scoped import team_session
from handlers import periodic_tasks
from handlers.escalate import blocks
from handlers.escalate.auto import business_deadline, escalate_overdue_followups, escalation_tick
from tests.escalate.helpers import (
    TEAM,
    add_client,
    add_sent_followup,
    all_text,
    ask,
    escalations,
    followup,
    posts_in,
    set_channel,
    set_workspace_settings,
)

UTC = dt.UTC
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")


def _saudi(rapport, channel: str | None = "C9") -> int:
    rapport.slack.add_channel("C9", "escalations")
    if channel:
        set_channel(rapport.runtime, channel)
    return add_client(rapport.runtime, "Al Noor Trading", "SA", "Asia/Riyadh", owner_id="U2")


def _tick_hourly(rapport, until: dt.datetime) -> list[dt.datetime]:
    """Tick every hour (and on ``until``); the instants at which a tick escalated something."""
    escalated_at = []
    while rapport.clock() < until:
        if escalation_tick(rapport.runtime, rapport.client).escalated:
            escalated_at.append(rapport.clock())
        rapport.clock.advance(hours=1)
    rapport.clock.set(until)
    if escalation_tick(rapport.runtime, rapport.client).escalated:
        escalated_at.append(until)
    return escalated_at


def test_the_dispatcher_runs_the_escalation_task():
    assert escalation_tick in periodic_tasks()


def test_business_hours_skip_the_saudi_weekend():
    saudi = ClientHours(zone="Asia/Riyadh", country="SA")  # 08:30-12:00, 13:00-17:00, Friday-Saturday weekend
    thursday_afternoon = dt.datetime(2026, 11, 26, 14, 0, tzinfo=RIYADH)
    # Thu 3 h + Sun 7.5 + Mon 7.5 + Tue 3.5 + 2.5 = 24 → Tuesday 15:30
    assert business_deadline(thursday_afternoon, 24, saudi) == dt.datetime(2026, 12, 1, 15, 30, tzinfo=RIYADH)
    friday = dt.datetime(2026, 11, 27, 10, 0, tzinfo=RIYADH)
    # Nothing counts on Friday or Saturday: Sun + Mon + Tue = 22.5 h, then 1.5 h on Wednesday
    assert business_deadline(friday, 24, saudi) == dt.datetime(2026, 12, 2, 10, 0, tzinfo=RIYADH)
    assert business_deadline(friday, 24, None) == friday + dt.timedelta(hours=24)


def test_a_friday_reminder_for_a_saudi_client_escalates_once_on_wednesday_not_over_their_weekend(rapport):
    client_id = _saudi(rapport)
    fired = dt.datetime(2026, 11, 27, 10, 0, tzinfo=RIYADH)  # Friday: their weekend
    rapport.clock.set(fired)
    followup_id = add_sent_followup(rapport.runtime, client_id, fired, owner="U2", what="send the revised quote")

    due = dt.datetime(2026, 12, 2, 10, 0, tzinfo=RIYADH)
    escalated_at = _tick_hourly(rapport, due + dt.timedelta(hours=30))
    assert escalated_at == [due.astimezone(UTC)]

    [row] = escalations(rapport.runtime)
    assert (row.source, row.status, row.owner_id, row.followup_id) == (AUTOMATIC, OPEN, "U2", followup_id)
    assert row.created_at.astimezone(RIYADH).strftime("%a %H:%M") == "Wed 10:00"
    [post] = posts_in(rapport.slack, "C9")
    assert post["text"].startswith("<@U2>")  # the owner is mentioned, so notified
    text = all_text(post["blocks"])
    assert "send the revised quote" in text and "24 business hours" in text
    assert "#1" in text  # the follow-up itself, still open
    assert followup(rapport.runtime, followup_id).escalated_at == due.astimezone(UTC)


def test_a_thursday_afternoon_reminder_escalates_on_tuesday_afternoon(rapport):
    client_id = _saudi(rapport)
    fired = dt.datetime(2026, 11, 26, 14, 0, tzinfo=RIYADH)
    rapport.clock.set(fired)
    add_sent_followup(rapport.runtime, client_id, fired)
    rapport.clock.set(dt.datetime(2026, 12, 1, 15, 29, tzinfo=RIYADH))
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 0
    rapport.clock.set(dt.datetime(2026, 12, 1, 15, 30, tzinfo=RIYADH))
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 1
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 0
    assert len(posts_in(rapport.slack, "C9")) == 1


def test_done_cancelled_and_switched_off_follow_ups_do_not_escalate(rapport):
    client_id = _saudi(rapport)
    fired = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)  # Monday
    rapport.clock.set(fired)
    done_id = add_sent_followup(rapport.runtime, client_id, fired, short_id=1)
    with team_session(rapport.runtime.sessions, TEAM) as session:
        session.execute(update(FollowUp).where(FollowUp.id == done_id).values(status=DONE))
    rapport.clock.set(fired + dt.timedelta(days=10))
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 0

    add_sent_followup(rapport.runtime, client_id, fired, short_id=2)
    set_workspace_settings(rapport.runtime, auto_after_hours=None)
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 0
    set_workspace_settings(rapport.runtime, auto_after_hours=8)
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 1
    assert escalations(rapport.runtime)[0].summary.startswith(
        "Follow-up still not done 8 business hours after its reminder (counted in "
    )


def test_workspace_setting_shortens_the_wait(rapport):
    client_id = _saudi(rapport)
    set_workspace_settings(rapport.runtime, auto_after_hours=4)
    fired = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)  # Monday 09:00; 4 h with the lunch break: 14:00
    rapport.clock.set(fired)
    add_sent_followup(rapport.runtime, client_id, fired)
    assert _tick_hourly(rapport, fired + dt.timedelta(hours=8)) == [dt.datetime(2026, 11, 23, 14, 0, tzinfo=RIYADH)]


def test_overdue_follow_up_without_a_channel_is_kept_the_owner_told_and_posted_later(rapport):
    client_id = _saudi(rapport, channel=None)
    fired = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)
    rapport.clock.set(fired)
    add_sent_followup(rapport.runtime, client_id, fired, owner="U2")
    rapport.clock.set(fired + dt.timedelta(days=7))
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 1
    [row] = escalations(rapport.runtime)
    assert row.status == PENDING and row.last_error == "no_channel"
    [told] = posts_in(rapport.slack, "U2")
    assert "/escalate channel #" in told["text"] and "kept it" in told["text"]
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 0  # kept, not raised again

    set_channel(rapport.runtime, "C9")  # e.g. /client edit or a second web process
    assert escalation_tick(rapport.runtime, rapport.client).posted == 1
    assert len(posts_in(rapport.slack, "C9")) == 1
    assert escalation_tick(rapport.runtime, rapport.client).posted == 0
    assert len(posts_in(rapport.slack, "U2")) == 1  # Rapport raised it: nobody else to tell


def test_the_escalation_goes_to_the_clients_own_channel(rapport):
    client_id = _saudi(rapport)
    rapport.slack.add_channel("C55", "gulf-accounts")
    with team_session(rapport.runtime.sessions, TEAM) as session:
        from db.models import Client

        session.execute(update(Client).where(Client.id == client_id).values(escalation_channel="C55"))
    rapport.clock.set(dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH))
    ask(rapport, "al noor trading shipment lost")
    assert len(posts_in(rapport.slack, "C55")) == 1 and posts_in(rapport.slack, "C9") == []


def test_an_unacknowledged_urgent_escalation_is_repinged_at_most_twice(rapport):
    _saudi(rapport)
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)
    rapport.clock.set(start)
    ask(rapport, "al noor trading customs blocked the container severity:urgent")
    ask(rapport, "al noor trading minor typo on invoice")  # normal: never re-pinged
    urgent, _normal = escalations(rapport.runtime)

    def thread_replies():
        return [p for p in posts_in(rapport.slack, "C9") if p.get("thread_ts") == urgent.message_ts]

    rapport.clock.set(start + dt.timedelta(hours=1, minutes=59))
    assert escalation_tick(rapport.runtime, rapport.client).repinged == 0
    rapport.clock.set(start + dt.timedelta(hours=2))
    assert escalation_tick(rapport.runtime, rapport.client).repinged == 1
    assert escalation_tick(rapport.runtime, rapport.client).repinged == 0
    [first] = thread_replies()
    assert "<!here>" in first["text"] and "<@U2>" in first["text"]
    broadcasts = [c for c in rapport.slack.calls_to("chat.postMessage") if c.args.get("reply_broadcast")]
    assert len(broadcasts) == 1
    for hours in (4, 6, 8, 24):
        rapport.clock.set(start + dt.timedelta(hours=hours))
        escalation_tick(rapport.runtime, rapport.client)
    assert len(thread_replies()) == 2
    assert "last reminder" in thread_replies()[1]["text"]
    [row, _] = escalations(rapport.runtime)
    assert row.repings == 2 and row.last_pinged_at == start + dt.timedelta(hours=4)


def test_an_acknowledged_urgent_escalation_is_not_repinged(rapport):
    _saudi(rapport)
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)
    rapport.clock.set(start)
    ask(rapport, "al noor trading customs blocked the container severity:urgent")
    [row] = escalations(rapport.runtime)
    rapport.send.action(blocks.ACKNOWLEDGE, str(row.id), user="U2", channel="C9", message_ts=row.message_ts)
    rapport.slack.wait_for("chat.update")
    set_workspace_settings(rapport.runtime, reping_minutes=30)
    rapport.clock.set(start + dt.timedelta(hours=5))
    assert escalation_tick(rapport.runtime, rapport.client).repinged == 0


def test_reping_delay_is_configurable(rapport):
    _saudi(rapport)
    set_workspace_settings(rapport.runtime, reping_minutes=30)
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)
    rapport.clock.set(start)
    ask(rapport, "al noor trading customs blocked the container severity:urgent")
    rapport.clock.set(start + dt.timedelta(minutes=30))
    assert escalation_tick(rapport.runtime, rapport.client).repinged == 1


def test_two_claims_of_one_follow_up_escalate_it_once(rapport):
    """Two dispatchers racing over the same overdue follow-ups (threads on one SQLite file)."""
    client_id = _saudi(rapport)
    fired = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)
    rapport.clock.set(fired)
    for short_id in range(1, 6):
        add_sent_followup(rapport.runtime, client_id, fired, short_id=short_id)
    rapport.clock.set(fired + dt.timedelta(days=7))
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda: counts.append(escalate_overdue_followups(rapport.runtime, rapport.client)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 5
    assert len(escalations(rapport.runtime)) == 5
    assert len(posts_in(rapport.slack, "C9")) == 5


@pytest.mark.postgres
def test_several_dispatchers_on_postgres_escalate_each_follow_up_exactly_once(pg_url, slack, clock):
    from bot.app import build_runtime
    from bot.settings import Settings
    from bot.slack import build_client
    from db.session import make_engine

    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": pg_url,
            "DISPATCH_INTERVAL": "1",
        }
    )
    engine = make_engine(pg_url, pool_size=10)
    runtime = build_runtime(settings, clock=clock, engine=engine)
    slack.add_channel("C9", "escalations")
    set_channel(runtime, "C9")
    client_id = add_client(runtime, "Al Noor Trading", "SA", "Asia/Riyadh", owner_id="U2")
    fired = dt.datetime(2026, 11, 23, 9, 0, tzinfo=RIYADH)
    clock.set(fired)
    for short_id in range(1, 41):
        add_sent_followup(runtime, client_id, fired, short_id=short_id)
    clock.set(fired + dt.timedelta(days=7))
    counts: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        client = build_client(settings)
        barrier.wait()
        counts.append(escalation_tick(runtime, client).escalated)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 40
    rows = escalations(runtime)
    assert len(rows) == 40 and len({row.followup_id for row in rows}) == 40
    assert all(row.status == OPEN for row in rows)
    assert len(posts_in(slack, "C9")) == 40
    engine.dispose()
