"""Read-only answers go in the acknowledgement when they are ready in time; nothing slow runs before it."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import event

from handlers.common.commands import ack_body, fits_one_message
from handlers.common.respond import Reply
from tests.followups.conftest import add_client, set_member

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(rapport):
    add_client(rapport.runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    set_member(rapport.runtime, "U1", "Europe/London")  # a known profile: no users.info needed
    rapport.clock.set(MONDAY)
    return rapport


def _ack(app, command: str, text: str, user: str = "U1") -> tuple[dict | None, float]:
    """Send a slash command without the harness's ack recording; return the ack body and its time."""
    app.send.on_ack = None
    started = time.monotonic()
    result = app.send.command(command, text, user=user)
    elapsed = time.monotonic() - started
    assert result.status == 200
    return (result.json() if result.body.startswith("{") else None), elapsed


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/contact", "Müller Maschinenbau", "Good time to contact Müller Maschinenbau"),
        ("/contact", "Japan", "contact Japan"),
        ("/contact", "Nobody Inc", "I don't know a client or a country called “Nobody Inc”"),
        ("/client", "show müller maschinenbau", "Müller Maschinenbau"),
        ("/client", "list", "Müller Maschinenbau"),
        ("/followup", "list", "follow-up"),
        ("/escalate", "list", "escalation"),
        ("/rapport", "help", "/contact"),
        ("/draft", "help", "/draft"),
        ("/translate", "help", "/translate"),
        ("/rapport", "stats", "client"),
    ],
)
def test_read_only_answers_come_in_the_acknowledgement(app, command, text, expected):
    body, _ = _ack(app, command, text)
    assert body is not None and body["response_type"] == "ephemeral"
    assert expected.lower() in body["text"].lower(), body["text"]
    for block in body.get("blocks") or []:
        Block.parse(block).validate_json()
    time.sleep(0.2)
    assert app.slack.calls_to("response") == []  # nothing more went to the response_url
    assert app.slack.calls_to("users.info") == []


def test_commands_that_change_something_answer_after_an_empty_ack(app):
    body, _ = _ack(app, "/client", "add Dubois et Fils country:FR")
    assert body is None
    [answer] = app.slack.wait_for("response")
    assert "Dubois et Fils" in answer.args["text"]


def test_an_answer_that_needs_slack_acks_empty_and_follows_by_response_url(app):
    app.slack.add_user("U9", tz="Asia/Tokyo", name="Hana")  # no cached profile: users.info is needed
    body, _ = _ack(app, "/contact", "Müller Maschinenbau", user="U9")
    assert body is None
    [answer] = app.slack.wait_for("response")
    assert answer.args["text"].startswith("Good time to contact Müller Maschinenbau")
    assert "your time" in answer.args["text"] and "JST" in answer.args["text"]
    [info] = app.slack.calls_to("users.info")
    assert info.at >= answer.at - 5  # asked after the ack, for the answer
    # Now the profile is cached: the next answer comes in the ack.
    body, _ = _ack(app, "/contact", "Müller Maschinenbau", user="U9")
    assert body is not None and "JST" in body["text"]


def test_a_slow_database_still_gets_an_ack_within_three_seconds(app, engine):
    def slow(conn, cursor, statement, parameters, context, executemany):
        if "FROM client" in statement:
            time.sleep(2.0)

    event.listen(engine, "before_cursor_execute", slow)
    try:
        body, elapsed = _ack(app, "/contact", "Müller Maschinenbau")
        assert body is None and elapsed < 3.0
        [answer] = app.slack.wait_for("response")
        assert answer.args["text"].startswith("Good time to contact Müller Maschinenbau")
    finally:
        event.remove(engine, "before_cursor_execute", slow)


def test_only_an_answer_that_fits_one_message_goes_in_the_ack():
    assert fits_one_message(Reply(text="x" * 3000))
    assert not fits_one_message(Reply(text="x" * 5000))  # split in two: the response_url carries both
    assert not fits_one_message(Reply(text="x", blocks=[{"type": "divider"}] * 51))
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "<x>"}}
    body = ack_body(Reply(text="`/contact <client>`", blocks=[section]))
    assert body["text"] == "`/contact &lt;client&gt;`" and body["blocks"][0]["text"]["text"] == "&lt;x&gt;"
    assert body["response_type"] == "ephemeral"


def test_answers_after_the_ack_reuse_one_connection_to_the_response_url(app):
    for count, hours in enumerate(("08:00-16:00", "08:30-16:30", "09:00-17:00"), start=1):
        body, _ = _ack(app, "/rapport", f"hours {hours}")
        assert body is None
        answers = app.slack.wait_for("response", count=count)
    assert "09:00" in answers[-1].args["text"]
    assert len({answer.peer for answer in answers}) == 1  # one kept-alive connection, not three
