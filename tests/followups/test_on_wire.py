"""Which claimed reminders are in doubt after a crash: only those whose post may have left.

A paced dispatcher claims a batch, then posts it as Slack's limits allow; it marks each row
``on_wire`` just before its post leaves (``claims.mark_on_wire``). A claim that ends without an
outcome leaves ``maybe_sent`` — a look in the person's DM, a Tier 3 call — only to marked rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.app import build_runtime
from bot.settings import Settings
from db.models.followups import FollowUp
from db.scoped import all_teams_session
from handlers.followups.claims import LEASE, claim, mark_on_wire
from tests.support.workers import insert_due


def _runtime(db_url, engine):
    return build_runtime(Settings.from_env({"DATABASE_URL": db_url}), engine=engine)


def _in_doubt(rows) -> set[int]:
    return {row.id for row in rows if row.maybe_sent}


def test_only_rows_marked_on_the_wire_are_in_doubt_after_their_claim_ends(db_url, engine):
    ids = insert_due(engine, 6, owners=2)
    runtime = _runtime(db_url, engine)
    now = dt.datetime.now(dt.UTC)
    first = claim(runtime, "deliver", now, 10, worker="paced", on_wire=False)
    assert sorted(row.id for row in first) == ids and not _in_doubt(first)

    assert mark_on_wire(runtime, ids[:2], "paced") == set(ids[:2])
    assert mark_on_wire(runtime, [ids[2]], "another-worker") == set()  # not its claim: not marked
    with engine.begin() as connection:  # done meanwhile: the claim is given up
        connection.execute(update(FollowUp).where(FollowUp.id == ids[3]).values(claimed_by=None, claimed_until=None))
    assert mark_on_wire(runtime, [ids[3]], "paced") == set()

    # The paced worker dies. When its lease has run out, only the two marked rows are in doubt.
    later = now + LEASE + dt.timedelta(seconds=1)
    second = claim(runtime, "deliver", later, 10, worker="next", on_wire=False)
    assert sorted(row.id for row in second) == ids and _in_doubt(second) == set(ids[:2])

    # That one dies too before looking: the doubt stays until someone has looked.
    third = claim(runtime, "deliver", later + LEASE + dt.timedelta(seconds=1), 10, worker="third", on_wire=False)
    assert _in_doubt(third) == set(ids[:2])


def test_an_unpaced_claim_puts_its_whole_batch_on_the_wire(db_url, engine):
    """Unpaced, a batch goes out at once: the claim marks every row, and after a crash each is looked for."""
    ids = insert_due(engine, 4, owners=2)
    runtime = _runtime(db_url, engine)
    now = dt.datetime.now(dt.UTC)
    claim(runtime, "deliver", now, 10, worker="fast")
    with all_teams_session(runtime.sessions) as session:
        assert set(session.scalars(select(FollowUp.id).where(FollowUp.on_wire.is_(True)))) == set(ids)
    again = claim(runtime, "deliver", now + LEASE + dt.timedelta(seconds=1), 10, worker="next")
    assert _in_doubt(again) == set(ids)


def test_a_reminder_in_doubt_is_looked_for_in_the_dm_whose_id_earlier_deliveries_recorded(db_url, engine, slack):
    """After a restart the DM cache is empty: the DM's id comes from a reminder already delivered to
    that person, not from a Tier 3 conversations.open."""
    from bot.slack import build_client
    from handlers.followups.delivery import dispatch_due
    from handlers.followups.posting import forget_dm_channels

    slack.add_user("U100", tz="Europe/London")
    env = {"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack.url}
    settings = Settings.from_env({**env, "DATABASE_URL": db_url, "RAPPORT_PACING": "off"})
    runtime = build_runtime(settings, engine=engine)
    insert_due(engine, 1, owners=1)
    assert dispatch_due(runtime, build_client(settings)).sent == 1
    [later] = insert_due(engine, 1, owners=1)
    claim(runtime, "deliver", dt.datetime.now(dt.UTC), 10, worker="dead-worker")
    with engine.begin() as connection:  # it died; its lease has run out
        connection.execute(update(FollowUp).values(claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    forget_dm_channels()  # a new process
    slack.clear()
    report = dispatch_due(runtime, build_client(settings))
    assert report.sent == 1
    assert len(slack.calls_to("conversations.history")) == 1
    assert slack.calls_to("conversations.open") == []
    [post] = slack.calls_to("chat.postMessage")
    assert post.args["metadata"]["event_payload"]["followup"] == later


def test_a_reminder_cancelled_while_it_waits_for_its_turn_is_not_posted(db_url, engine, slack):
    """Under Slack's limits a claimed batch waits for its turns (one DM: a burst of 2, then about a
    second apart). Cancelled meanwhile, a reminder gives its claim up, the mark before its post
    finds it gone, and nothing is sent."""
    import threading

    from bot.sender import build_poster
    from bot.slack import build_client
    from db.models.followups import CANCELLED, SENT
    from handlers.followups.delivery import dispatch_due
    from handlers.followups.reminders import cancel

    slack.add_user("U100", tz="Europe/London")
    env = {"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack.url}
    settings = Settings.from_env({**env, "DATABASE_URL": db_url, "RAPPORT_PACING": "on"})
    runtime = build_runtime(settings, engine=engine)
    ids = insert_due(engine, 6, owners=1)
    poster = build_poster(settings)
    runtime.extras["sender"] = poster
    reports = []
    try:
        running = threading.Thread(target=lambda: reports.append(dispatch_due(runtime, build_client(settings))))
        running.start()
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
        while len(slack.calls_to("chat.postMessage")) < 3 and dt.datetime.now(dt.UTC) < deadline:
            threading.Event().wait(0.02)
        cancel(runtime, "T1", followup_id=ids[-1], by="U100")  # its turn is seconds away
        running.join(timeout=30)
    finally:
        poster.close()
    [report] = reports
    assert report.sent == 5 and report.skipped == 1
    posted = {c.args["metadata"]["event_payload"]["followup"] for c in slack.calls_to("chat.postMessage")}
    assert posted == set(ids[:-1])
    with all_teams_session(runtime.sessions) as session:
        statuses = dict(session.execute(select(FollowUp.id, FollowUp.status)).all())
    assert statuses == {**{row: SENT for row in ids[:-1]}, ids[-1]: CANCELLED}
