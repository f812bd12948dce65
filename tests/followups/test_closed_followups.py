"""A closed follow-up stays closed: snoozing it is refused, even when its client is gone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models.followups import FollowUp
from db.scoped import team_session
from tests.contact.test_wire import ask


def test_snoozing_a_cancelled_follow_up_of_a_removed_client_is_refused(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC))
    ask(rapport, "/client", "add Gone GmbH country:DE")
    ask(rapport, "/followup", "Gone GmbH in 2 days send the quote")
    ask(rapport, "/followup", "cancel 1")
    ask(rapport, "/client", "remove Gone GmbH")
    answer = ask(rapport, "/followup", "snooze 1 1h")
    assert "cancelled" in answer["text"]
    with team_session(rapport.runtime.sessions, "T1") as session:
        assert session.scalars(select(FollowUp.status)).one() == "cancelled"
