"""A snooze never moves a follow-up earlier; when the days never meet, the moment nearest the owner's day."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models.followups import SCHEDULED
from tests.followups.conftest import add_client, one, set_member
from tests.followups.test_command import ask

THURSDAY = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # 10:00 in Berlin


@pytest.fixture
def app(rapport):
    add_client(rapport.runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    add_client(rapport.runtime, "Tanaka Trading", "JP", "Asia/Tokyo")
    set_member(rapport.runtime, "U1", "Europe/Berlin")
    rapport.clock.set(THURSDAY)
    return rapport


@pytest.mark.parametrize("choice", ["2h", "1 day", "window"])
def test_snoozing_a_follow_up_that_has_not_fired_moves_it_later_never_earlier(app, choice):
    ask(app, "Müller Maschinenbau 2026-12-08 10:00 call Anna")  # Tuesday 8 Dec, 10:00 Berlin
    due = one(app.runtime).due_at
    assert due == dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
    answer = ask(app, f"snooze 1 {choice}")
    snoozed = one(app.runtime)
    assert snoozed.status == SCHEDULED
    assert snoozed.due_at > due, answer
    assert snoozed.due_at >= app.clock() + dt.timedelta(hours=2 if choice == "2h" else 0)
    assert "Tue 8 Dec" in answer or "Wed 9 Dec" in answer


def test_a_snooze_of_an_unfired_follow_up_counts_from_its_due_time(app):
    ask(app, "Müller Maschinenbau 2026-12-08 10:00 call Anna")
    ask(app, "snooze 1 1h")
    assert one(app.runtime).due_at == dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)  # 11:00 Berlin
    ask(app, "snooze 1 1h")  # 12:00 Berlin is lunch: moved to 13:00, never earlier
    assert one(app.runtime).due_at == dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)


def test_a_snooze_of_a_delivered_reminder_counts_from_now(app, tick):
    ask(app, "Müller Maschinenbau in 10 minutes call Anna")
    app.clock.advance(minutes=11)
    tick()
    delivered_at = app.clock()
    ask(app, "snooze 1 1h")
    assert one(app.runtime).due_at == delivered_at + dt.timedelta(hours=1)


def test_when_days_never_meet_the_reminder_goes_late_in_their_day_if_that_is_nearer(app):
    # Owner in UTC 09:00-18:00; Tokyo works 09:00-12:00, 13:00-18:00 (00:00-09:00 UTC): no overlap.
    set_member(app.runtime, "U2", "UTC")
    answer = ask(app, "Tanaka Trading 2026-12-08 call Sato", user="U2")
    fired = one(app.runtime).due_at
    # 17:00 Tokyo = 08:00 UTC, one hour before the owner's day, instead of 04:00 UTC (13:00 Tokyo).
    assert fired == dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.UTC), answer
    assert "never overlap" in answer and "17:00 Tokyo is 08:00 for you" in answer
