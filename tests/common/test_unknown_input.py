"""Unknown input gets a short, specific message *and* the usage (CONTRACT), on every command.

Through the real wire: signed slash commands into the Bolt app, answers read from the fake
Slack's response_url.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contact.test_wire import ask
from tests.followups.conftest import add_client, followups, set_member

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(rapport):
    rapport.clock.set(MONDAY)
    add_client(rapport.runtime, "Acme GmbH", "DE", "Europe/Berlin")
    add_client(rapport.runtime, "Barrington Ltd", "GB", "Europe/London")
    set_member(rapport.runtime, "U1", "Europe/London")
    return rapport


def _answer(app, command: str, text: str) -> str:
    return ask(app, command, text)["text"]


def test_followup_unknown_client_keeps_the_suggestion_and_adds_the_usage(app):
    answer = _answer(app, "/followup", "acmee in 3 days x")
    assert "I don't know a client called “acmee" in answer and "Did you mean *Acme GmbH*?" in answer
    assert "*Usage*" in answer and "/followup list" in answer
    assert followups(app.runtime) == []


def test_escalate_unknown_client_keeps_the_suggestion_and_adds_the_usage(app):
    answer = _answer(app, "/escalate", "acmee invoice disputed")
    assert "Did you mean *Acme GmbH*?" in answer
    assert "*Usage*" in answer and "/escalate list" in answer


def test_client_remove_unknown_client_keeps_the_suggestion_and_adds_the_usage(app):
    answer = _answer(app, "/client", "remove barr")
    assert "I don't know a client called “barr”" in answer and "Did you mean *Barrington Ltd*?" in answer
    assert "*Usage*" in answer and "/client add" in answer


def test_unknown_client_without_a_suggestion_still_shows_the_usage(app):
    answer = _answer(app, "/client", "show Zyxwv")
    assert "I don't know a client called “Zyxwv”" in answer and "*Usage*" in answer


def test_followup_done_with_an_unknown_number_shows_the_usage(app):
    answer = _answer(app, "/followup", "done 999")
    assert "There is no follow-up #999" in answer
    assert "*Usage*" in answer and "/followup list" in answer
