"""Reminders leave at the right moment, exactly once, and the buttons act on the same message."""

from __future__ import annotations

import datetime as dt

from db.models.followups import CANCELLED, DONE, FAILED, SCHEDULED, SENT
from tests.followups.conftest import add_client, followups, one, set_member

BERLIN_FRIDAY_1755 = dt.datetime(2026, 11, 27, 16, 55, tzinfo=dt.UTC)


def _schedule(rapport, text: str, user: str = "U1") -> str:
    rapport.slack.clear()
    rapport.send.command("/followup", text, user=user)
    [answer] = rapport.slack.wait_for("response")
    return answer.args["text"]


def test_friday_evening_in_ten_minutes_fires_next_working_morning(rapport, tick):
    runtime, clock, slack = rapport.runtime, rapport.clock, rapport.slack
    add_client(runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    set_member(runtime, "U1", "Europe/Berlin")
    clock.set(BERLIN_FRIDAY_1755)

    answer = _schedule(rapport, "Müller Maschinenbau in 10 minutes send the revised offer")

    assert "Mon 30 Nov 09:00 in Berlin" in answer
    assert "Moved from Friday 27 Nov 18:05 to Monday 30 Nov 09:00 Berlin" in answer
    row = one(runtime)
    assert row.due_at == dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)  # 09:00 Berlin
    for moment in (dt.datetime(2026, 11, 27, 17, 6, tzinfo=dt.UTC), dt.datetime(2026, 11, 30, 7, 59, tzinfo=dt.UTC)):
        clock.set(moment)
        tick()
        assert slack.calls_to("chat.postMessage") == []
    clock.set(dt.datetime(2026, 11, 30, 8, 0, 30, tzinfo=dt.UTC))
    report = tick()
    assert report.sent == 1
    [post] = slack.calls_to("chat.postMessage")
    assert post.args["channel"] == "U1"  # to the person: Slack puts it in their DM with the app
    assert "send the revised offer" in post.args["text"]
    action_ids = [e["action_id"] for b in post.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert action_ids == [
        "rapport_followup_done",
        "rapport_followup_snooze_hour",
        "rapport_followup_snooze_day",
        "rapport_followup_snooze_window",
        "rapport_followup_escalate",
    ]
    assert slack.calls_to("conversations.open") == []  # no Tier 3 call per person
    assert one(runtime).status == SENT and one(runtime).channel_id == "D1"


MONDAY_10_BERLIN = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _berlin_app(rapport):
    add_client(rapport.runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    set_member(rapport.runtime, "U1", "Europe/Berlin")
    rapport.clock.set(MONDAY_10_BERLIN)
    return rapport


def _deliver_one(rapport, tick, text: str = "Müller Maschinenbau in 1 hour call Anna"):
    _schedule(rapport, text)
    rapport.clock.set(one(rapport.runtime).due_at + dt.timedelta(seconds=1))
    rapport.slack.clear()
    assert tick().sent == 1
    [post] = rapport.slack.calls_to("chat.postMessage")
    return post


def _click(rapport, action_id: str, row, ts: str):
    rapport.slack.clear()
    rapport.send.action(action_id, str(row.id), channel="D1", message_ts=ts)


def test_in_hours_reminder_fires_within_two_dispatcher_ticks_of_due(rapport):
    from bot.dispatcher import tick as dispatcher_tick

    _berlin_app(rapport)
    interval = rapport.settings.dispatch_interval
    _schedule(rapport, "Müller Maschinenbau in 1 hour call Anna about the drawings")
    row = one(rapport.runtime)
    assert row.due_at == MONDAY_10_BERLIN + dt.timedelta(hours=1) and row.move_reason is None
    rapport.clock.set(row.due_at - dt.timedelta(seconds=interval / 2))
    dispatcher_tick(rapport.runtime, rapport.client)
    assert rapport.slack.calls_to("chat.postMessage") == []
    rapport.clock.advance(seconds=interval)  # the next tick after due
    dispatcher_tick(rapport.runtime, rapport.client)
    [post] = rapport.slack.calls_to("chat.postMessage")
    assert "call Anna about the drawings" in post.args["text"]
    assert one(rapport.runtime).fired_at - row.due_at <= dt.timedelta(seconds=2 * interval)


def test_done_updates_the_message_and_stops_further_messages(rapport, tick):
    _berlin_app(rapport)
    post = _deliver_one(rapport, tick)
    ts = rapport.slack.messages and post.args and one(rapport.runtime).message_ts
    _click(rapport, "rapport_followup_done", one(rapport.runtime), ts)
    [update] = rapport.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("D1", ts)
    assert "*Done*" in update.args["text"] and "call Anna" in update.args["text"]
    assert not any(b["type"] == "actions" for b in update.args["blocks"])
    assert one(rapport.runtime).status == DONE
    rapport.clock.advance(days=2)  # past any nag
    assert not tick()
    assert rapport.slack.calls_to("chat.postMessage") == []


def test_snooze_one_hour_moves_it_and_updates_the_message(rapport, tick):
    _berlin_app(rapport)
    _deliver_one(rapport, tick, "Müller Maschinenbau 2026-11-30 14:00 call Anna")
    row = one(rapport.runtime)
    clicked_at = rapport.clock.now
    _click(rapport, "rapport_followup_snooze_hour", row, row.message_ts)
    [update] = rapport.slack.wait_for("chat.update")
    assert update.args["ts"] == row.message_ts and "*Snoozed* until" in update.args["text"]
    snoozed = one(rapport.runtime)
    assert snoozed.status == SCHEDULED and snoozed.due_at == clicked_at + dt.timedelta(hours=1)
    rapport.clock.advance(minutes=59)
    assert not tick()
    rapport.clock.advance(minutes=1, seconds=1)
    assert tick().sent == 1
    assert one(rapport.runtime).status == SENT and one(rapport.runtime).sent_count == 2


def test_next_good_window_snooze_skips_lunch(rapport, tick):
    _berlin_app(rapport)
    _deliver_one(rapport, tick)  # fires 11:00 Berlin
    row = one(rapport.runtime)
    _click(rapport, "rapport_followup_snooze_window", row, row.message_ts)
    rapport.slack.wait_for("chat.update")
    assert one(rapport.runtime).due_at == dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)  # 13:00 Berlin


def test_nag_once_after_the_grace_then_left_for_escalation(rapport, tick):
    _berlin_app(rapport)
    _deliver_one(rapport, tick)  # 11:00 Berlin
    rapport.clock.advance(hours=3, minutes=59)
    assert not tick()
    rapport.clock.advance(minutes=2)  # 15:01 Berlin, inside both sides' hours
    rapport.slack.clear()
    assert tick().nagged == 1
    [nag] = rapport.slack.calls_to("chat.postMessage")
    assert nag.args["text"].startswith("Still open")
    row = one(rapport.runtime)
    assert row.nagged_at == rapport.clock.now and row.status == SENT and row.message_ts != ""
    rapport.clock.advance(days=3)
    assert not tick()


def test_nag_waits_for_a_good_moment(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "settings nag 2h")
    _deliver_one(rapport, tick, "Müller Maschinenbau 2026-11-30 16:30 call Anna")  # 16:30 Berlin
    rapport.clock.advance(hours=2, minutes=1)  # 18:31 Berlin: both out of hours
    report = tick()
    assert report.deferred == 1 and not report.nagged
    assert one(rapport.runtime).nag_due_at == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)  # 09:00 Berlin
    rapport.clock.set(dt.datetime(2026, 12, 1, 8, 0, 1, tzinfo=dt.UTC))
    assert tick().nagged == 1


def test_overdue_after_downtime_is_delivered_at_once_and_marked_late(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "Müller Maschinenbau in 1 hour call Anna")
    rapport.clock.advance(hours=4)  # the dispatcher was down
    assert tick().sent == 1
    [post] = rapport.slack.calls_to("chat.postMessage")
    context = next(b for b in post.args["blocks"] if b["type"] == "context")
    assert "3 h late" in context["elements"][0]["text"]


def test_recurring_catches_up_once_then_keeps_its_schedule(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "Müller Maschinenbau every working day 10:30 stand-up notes")
    first = one(rapport.runtime)
    assert first.due_at == dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)  # today 10:30 Berlin, still ahead
    rapport.clock.set(dt.datetime(2026, 12, 8, 14, 0, tzinfo=dt.UTC))  # a week of downtime
    assert tick().sent == 1
    assert not tick()  # no burst for the missed days
    row = one(rapport.runtime)
    assert row.due_at == dt.datetime(2026, 12, 9, 9, 30, tzinfo=dt.UTC)  # the next occurrence, 10:30 local
    assert row.status == SENT
    rapport.clock.set(row.due_at + dt.timedelta(seconds=5))
    assert tick().sent == 1


def test_crash_after_claim_loses_nothing_and_sends_nothing_twice(rapport, tick):
    from handlers.followups.claims import LEASE, claim
    from tests.support.workers import deliveries_of

    _berlin_app(rapport)
    for n in range(30):
        _schedule(rapport, f"Müller Maschinenbau in 1 hour call number {n}")
    rapport.clock.advance(hours=1, seconds=1)
    claimed = claim(rapport.runtime, "deliver", rapport.clock.now, 100, worker="dead-worker")
    assert len(claimed) == 30
    # The dead worker got one message out before dying: Slack has it, our database does not.
    victim = claimed[0]
    from handlers.followups.claims import Job

    rapport.client.chat_postMessage(
        channel="D1",
        text="already out",
        metadata={
            "event_type": "rapport_followup",
            "event_payload": {"followup": victim.id, "delivery": Job(victim, "deliver").key},
        },
    )
    assert not tick()  # leased: nobody else may take them yet
    rapport.clock.advance(seconds=LEASE.total_seconds() + 1)
    report = tick()
    assert report.sent == 29 and report.recovered == 1
    counts = deliveries_of(c.args for c in rapport.slack.calls_to("chat.postMessage"))
    assert sorted(counts) == sorted(r.id for r in claimed) and set(counts.values()) == {1}
    assert {r.status for r in followups(rapport.runtime)} == {SENT}
    assert not tick()


def test_a_claim_failing_midway_still_records_the_messages_in_flight(rapport, engine, web):
    """The database fails the second claim while the first batch is posting: what went out is
    recorded (nothing left leased without an outcome, so nothing can be posted twice), and the
    rest goes at the next tick."""
    import sqlite3

    from sqlalchemy import event

    from handlers.followups.delivery import dispatch_due
    from tests.support.workers import deliveries_of

    _berlin_app(rapport)
    for n in range(10):
        _schedule(rapport, f"Müller Maschinenbau in 1 hour call number {n}")
    rapport.clock.advance(hours=1, seconds=1)
    claims = []

    def fail_the_second_claim(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE followup SET claimed_until") and "RETURNING" in statement:
            claims.append(statement)
            if len(claims) == 2:
                raise sqlite3.OperationalError("disk I/O error")

    event.listen(engine, "before_cursor_execute", fail_the_second_claim)
    try:
        report = dispatch_due(rapport.runtime, web, batch=4)
    finally:
        event.remove(engine, "before_cursor_execute", fail_the_second_claim)
    assert len(claims) >= 2 and report.errors  # the deliver claims, then the nag claim
    assert report.sent == 4
    rows = followups(rapport.runtime)
    assert sorted(r.status for r in rows) == [SCHEDULED] * 6 + [SENT] * 4
    assert all(r.claimed_by is None for r in rows)
    assert dispatch_due(rapport.runtime, web, batch=4).sent == 6
    counts = deliveries_of(c.args for c in rapport.slack.calls_to("chat.postMessage"))
    assert len(counts) == 10 and set(counts.values()) == {1}


def test_permanent_error_marks_failed(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "Müller Maschinenbau in 1 hour call Anna")
    rapport.slack.fail("chat.postMessage", error="user_disabled")
    rapport.clock.advance(hours=1, seconds=1)
    assert tick().failed == 1
    row = one(rapport.runtime)
    assert row.status == FAILED and row.last_error.startswith("user_disabled")
    assert not tick()


def test_rate_limit_is_retried_after_retry_after(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "Müller Maschinenbau in 1 hour call Anna")
    rapport.slack.fail("chat.postMessage", status=429, retry_after=1)
    rapport.clock.advance(hours=1, seconds=1)
    assert tick().sent == 1
    calls = rapport.slack.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.9
    assert one(rapport.runtime).status == SENT


def test_server_errors_back_off_and_retry(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "Müller Maschinenbau in 1 hour call Anna")
    rapport.slack.fail("chat.postMessage", status=503, times=1)
    rapport.clock.advance(hours=1, seconds=1)
    report = tick()
    assert report.retried == 1
    # A post that failed with a 5xx is never re-sent blindly by the client (Slack may have taken it).
    assert len(rapport.slack.calls_to("chat.postMessage")) == 1
    row = one(rapport.runtime)
    assert row.status == SCHEDULED and row.attempts == 1 and "503" in row.last_error
    assert not tick()  # backing off
    rapport.clock.advance(seconds=31)
    assert tick().sent == 1
    assert one(rapport.runtime).attempts == 0 and one(rapport.runtime).last_error is None
    # …the next attempt looked for it in the DM first.
    methods = [
        call.method for call in rapport.slack.calls if call.method in ("conversations.history", "chat.postMessage")
    ]
    assert methods == ["chat.postMessage", "conversations.history", "chat.postMessage"]


def test_cancel_while_scheduled_means_no_message(rapport, tick):
    _berlin_app(rapport)
    _schedule(rapport, "Müller Maschinenbau in 1 hour call Anna")
    _schedule(rapport, "cancel 1")
    rapport.clock.advance(hours=2)
    assert not tick()
    assert one(rapport.runtime).status == CANCELLED


def _submit_escalation(rapport, summary: str) -> None:
    import json

    [opened] = rapport.slack.wait_for("views.open")
    view = json.loads(opened.args["view"]) if isinstance(opened.args["view"], str) else opened.args["view"]
    assert view["callback_id"] == "rapport_escalate_form"
    rapport.slack.clear()
    rapport.send.view_submission(
        "rapport_escalate_form",
        {
            "severity": {
                "rapport_escalate_severity": {"type": "radio_buttons", "selected_option": {"value": "urgent"}}
            },
            "summary": {"rapport_escalate_summary": {"type": "plain_text_input", "value": summary}},
        },
        private_metadata=view["private_metadata"],
    )


def test_escalate_without_a_channel_keeps_it_and_says_how_to_set_one(rapport, tick):
    from sqlalchemy import select

    from db.models import Escalation
    from db.scoped import team_session

    _berlin_app(rapport)
    _deliver_one(rapport, tick)
    row = one(rapport.runtime)
    _click(rapport, "rapport_followup_escalate", row, row.message_ts)
    _submit_escalation(rapport, "They threaten to cancel the order")
    deadline = __import__("time").monotonic() + 10
    told = []
    while not told and __import__("time").monotonic() < deadline:
        told = [c for c in rapport.slack.calls if "/escalate channel" in str(c.args.get("text", ""))]
    assert told, "the person is told how to set the channel"
    with team_session(rapport.runtime.sessions, "T1") as session:
        [kept] = session.scalars(select(Escalation)).all()
        assert kept.status == "pending" and "cancel the order" in kept.summary


def test_escalate_asks_for_a_summary_and_posts_to_the_escalation_channel(rapport, tick):
    from db.models import Workspace
    from db.scoped import team_session

    _berlin_app(rapport)
    with team_session(rapport.runtime.sessions, "T1") as session:
        session.add(Workspace(team_id="T1", settings={}, escalation_channel="C0ESCALATE"))
    rapport.slack.add_channel("C0ESCALATE", "escalations")
    _deliver_one(rapport, tick)
    row = one(rapport.runtime)
    _click(rapport, "rapport_followup_escalate", row, row.message_ts)
    _submit_escalation(rapport, "They threaten to cancel the order")
    posts = rapport.slack.wait_for("chat.postMessage")
    channel_post = next(p for p in posts if p.args["channel"] == "C0ESCALATE")
    assert "They threaten to cancel the order" in str(channel_post.args)
    [update] = rapport.slack.wait_for("chat.update")
    assert update.args["ts"] == row.message_ts and "Escalated" in update.args["text"]
    assert one(rapport.runtime).escalated_at is not None


def test_posters_hand_back_one_outcome_per_job_even_when_a_job_raises():
    import threading

    from handlers.followups import delivery, posting

    def work(n: int):
        if n % 7 == 0:
            raise RuntimeError(f"job {n} broke")
        return posting.Outcome("sent", row_id=n)

    with delivery.Posters(4) as posters:
        for n in range(100):
            posters.submit(n, lambda n=n: work(n))
        results = [posters.results.get(timeout=10) for _ in range(100)]
        assert posters.results.empty()
    assert sorted(row_id for row_id, _ in results) == list(range(100))
    broken = {row_id for row_id, outcome in results if isinstance(outcome, RuntimeError)}
    assert broken == set(range(0, 100, 7))
    assert not [t for t in threading.enumerate() if t.name.startswith("followup-post-")]  # all joined on exit


def test_a_job_that_raises_is_counted_and_the_pass_finishes():
    from collections import Counter

    from handlers.followups import delivery, posting

    report = delivery.DispatchReport()
    done: list = []
    with delivery.Posters(2) as posters:
        posters.submit(1, lambda: posting.Outcome("sent", row_id=1, values={"x": 1}))
        posters.submit(2, lambda: 1 / 0)
        pending = Counter({1: 1, 2: 1})
        while pending:
            delivery._collect(posters, pending, report, done, timeout=10)
    assert report.sent == 1 and len(done) == 1
    assert report.errors == ["ZeroDivisionError('division by zero')"]


def test_after_a_crash_each_dm_is_read_once_for_all_its_uncertain_reminders(tmp_path, slack):
    """Reminders a dead worker held (it may have posted them) are checked against the DM before
    they are sent again — one conversations.history per person, not one per reminder."""
    import datetime as dt

    from sqlalchemy import update

    from bot.app import build_runtime
    from bot.settings import Settings
    from bot.slack import build_client
    from db.migrate import upgrade
    from db.models.followups import FollowUp
    from db.session import make_engine
    from handlers.followups.delivery import dispatch_due
    from tests.support.workers import deliveries_of, insert_due

    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    insert_due(engine, 12, owners=3)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with engine.begin() as connection:  # a worker claimed them all, posting may have begun, then it died
        connection.execute(update(FollowUp).values(claimed_by="dead-worker", claimed_until=past, on_wire=True))
    env = {"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack.url, "DATABASE_URL": url}
    settings = Settings.from_env({**env, "RAPPORT_PACING": "off"})
    runtime = build_runtime(settings, engine=engine)
    report = dispatch_due(runtime, build_client(settings))
    assert report.sent == 12
    assert len(slack.calls_to("conversations.history")) == 3
    assert set(deliveries_of(c.args for c in slack.calls_to("chat.postMessage")).values()) == {1}
