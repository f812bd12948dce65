"""`/followup … until reply` ends by itself when the client writes in a linked channel first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models.followups import FollowUp
from db.scoped import team_session
from handlers.followups.delivery import dispatch_due
from tests.channels.helpers import SHARED, linked, message
from tests.contact.test_wire import ask
from tests.escalate.helpers import posts_in

UTC = dt.UTC


def followups(rapport) -> dict[str, tuple[str, str | None]]:
    with team_session(rapport.runtime.sessions, "T1") as session:
        return {f.what: (f.status, f.done_by) for f in session.scalars(select(FollowUp).order_by(FollowUp.id))}


def test_until_reply_follow_ups_end_when_the_client_writes_and_others_do_not(rapport, libre):
    rapport.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    linked(rapport)
    answer = ask(rapport, "/followup", "Dupont SA tomorrow chase the signed quote until reply")
    assert f"Ends by itself if Dupont SA writes in <#{SHARED}>" in answer["text"], answer["text"]
    ask(rapport, "/followup", "Dupont SA tomorrow send the invoice")
    ask(rapport, "/followup", "Dupont SA in 2 days call about the renewal until they reply")
    message(rapport, "Hello team")  # a greeting from the client is still the client writing
    assert followups(rapport) == {
        "chase the signed quote": ("done", "client-reply"),
        "send the invoice": ("scheduled", None),
        "call about the renewal": ("done", "client-reply"),
    }
    notes = [post["text"] for post in posts_in(rapport.slack, "U1") if "ended by itself" in post["text"]]
    assert len(notes) == 2 and all(f"<#{SHARED}>" in note for note in notes)
    message(rapport, "Encore moi")  # nothing more to end
    assert len([post for post in posts_in(rapport.slack, "U1") if "ended by itself" in post["text"]]) == 2
    rapport.clock.set(dt.datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    dispatch_due(rapport.runtime, rapport.client)
    fired = [post["text"] for post in posts_in(rapport.slack, "U1") if "ended by itself" not in post["text"]]
    assert any("send the invoice" in text for text in fired)
    assert not any("chase the signed quote" in text or "renewal" in text for text in fired)


def test_the_teams_own_message_does_not_end_until_reply(rapport, libre):
    rapport.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    linked(rapport)
    ask(rapport, "/followup", "Dupont SA tomorrow chase the signed quote until reply")
    message(rapport, "Any news on the quote?", user="U1")
    assert followups(rapport) == {"chase the signed quote": ("scheduled", None)}


def test_until_reply_without_a_linked_channel_says_it_cannot_end_by_itself(rapport, libre):
    ask(rapport, "/client", "add Durand SARL country:FR")
    answer = ask(rapport, "/followup", "Durand SARL tomorrow chase the quote until reply")
    assert "shared:" in answer["text"], answer["text"]
