"""`/followup` contract fixes through the real app: plain `@name`, impossible times of day, and
usage placeholders in blocks (escaped, so Slack does not read them as links)."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models.followups import SCHEDULED, FollowUp
from db.scoped import team_session
from tests.contact.test_wire import ask as ask_wire
from tests.followups.conftest import TEAM, add_client, followups, one, set_member

FRIDAY = dt.datetime(2026, 11, 27, 14, 55, tzinfo=dt.UTC)


@pytest.fixture
def app(rapport):
    runtime = rapport.runtime
    add_client(runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    add_client(runtime, "Acme GmbH", "DE", "Europe/Berlin")
    set_member(runtime, "U1", "Europe/London")
    set_member(runtime, "U2", "Europe/Berlin")
    rapport.clock.set(FRIDAY)
    return rapport


def ask(app, text: str, user: str = "U1") -> dict:
    """The whole answer (text and blocks) to `/followup <text>`; blocks checked against slack_sdk."""
    answer = ask_wire(app, "/followup", text, user=user)
    assert answer["response_type"] == "ephemeral"
    return answer


def block_texts(answer: dict) -> str:
    parts = []
    for block in answer.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [element.get("text", "") for element in block.get("elements") or []]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# Plain @name (CONTRACT: "plain `@name` and `#name` are accepted too")


def test_list_and_owner_accept_a_plain_at_name(app):
    assert "Open follow-ups of <@U2>: nothing open." in ask(app, "list @grace")["text"]
    answer = ask(app, "acme gmbh tomorrow x owner:@grace")["text"]
    assert "The reminder goes to <@U2>" in answer and "pick the person" not in answer
    row = one(app.runtime)
    assert (row.owner_id, row.created_by, row.what) == ("U2", "U1", "x")
    assert "Open follow-ups of <@U2> (1)" in ask(app, "list @Grace")["text"]  # case-insensitive
    assert "Your open follow-ups" in ask(app, "list", user="U2")["text"]


def test_owner_me_is_the_asker(app):
    ask(app, "Acme GmbH 2026-12-01 10:00 call Anna owner:@me")
    assert one(app.runtime).owner_id == "U1"


def test_unknown_or_ambiguous_names_get_a_specific_message_and_the_usage(app):
    app.slack.add_user("U3", tz="Asia/Tokyo", name="Grace")  # a second Grace
    for text, expected in [
        ("list @nobody", "I can't find @nobody in this workspace"),
        ("acme gmbh tomorrow x owner:@nobody", "I can't find @nobody in this workspace"),
        ("list @grace", "Several people in this workspace are called @grace (<@U2>, <@U3>)"),
        ("acme gmbh tomorrow x owner:@grace", "Several people in this workspace are called @grace"),
    ]:
        answer = ask(app, text)["text"]
        assert expected in answer, (text, answer)
        assert "*Usage*" in answer and "/followup list" in answer, text
    assert followups(app.runtime) == []


def test_slack_not_answering_users_list_is_said(app):
    app.slack.fail("users.list", error="fatal_error")
    answer = ask(app, "list @grace")["text"]
    assert "I couldn't look up @grace" in answer and "*Usage*" in answer


# --------------------------------------------------------------------------------------------
# Impossible times of day


IMPOSSIBLE = [
    ("Müller Maschinenbau 2026-12-10 25:00 ping", "`25:00` is not a time of day: hours go from 00 to 23."),
    ("Müller Maschinenbau 2026-12-10 24:30 ping", "`24:30` is not a time of day"),
    ("Müller Maschinenbau tomorrow 10:75 ping", "`10:75` is not a time of day: minutes go from 00 to 59."),
    ("Müller Maschinenbau tomorrow at 25:00 ping", "`25:00` is not a time of day"),
    ("Müller Maschinenbau next tuesday 13pm ping", "`13pm` is not a time of day: with am or pm"),
    ("Müller Maschinenbau 25:00 ping", "`25:00` is not a time of day"),
    ("Müller Maschinenbau every monday 25:00 ping", "`25:00` is not a time of day"),
]


def test_an_impossible_time_of_day_is_refused_with_the_usage(app):
    for text, expected in IMPOSSIBLE:
        answer = ask(app, text)["text"]
        assert expected in answer, (text, answer)
        assert "*Usage*" in answer, text
    assert followups(app.runtime) == []


def test_possible_times_and_numbers_in_the_text_still_work(app):
    answer = ask(app, "Müller Maschinenbau 2026-12-10 7pm send 3 quotes")["text"]
    assert "Follow-up *#1* with *Müller Maschinenbau*: send 3 quotes" in answer
    assert "Moved from Thursday 10 Dec 19:00" in answer  # 19:00 was read as the time
    ask(app, "Müller Maschinenbau 2026-12-10 10:00 send 3 quotes")
    ask(app, "Müller Maschinenbau tomorrow call about the 25:00 slot")
    ask(app, "Müller Maschinenbau 2026-12-10 12am check the 10:30 numbers")
    rows = followups(app.runtime)
    assert [row.what for row in rows] == [
        "send 3 quotes",
        "send 3 quotes",
        "call about the 25:00 slot",
        "check the 10:30 numbers",
    ]
    assert [row.when_text for row in rows] == ["2026-12-10 7pm", "2026-12-10 10:00", "tomorrow", "2026-12-10 12am"]


# --------------------------------------------------------------------------------------------
# Placeholders in blocks


def test_usage_placeholders_in_blocks_are_escaped(app):
    answer = ask(app, "list")
    blocks = block_texts(answer)
    assert "`/followup &lt;client&gt; &lt;when&gt; &lt;what&gt;` adds one." in blocks
    assert "<client>" not in str(answer["blocks"]) and "<when>" not in str(answer["blocks"])


def test_slack_markup_in_blocks_survives_the_escaping(app):
    what = "send <https://example.com/offer.pdf|the offer> to <@U2|grace> &amp; cc <#C9|sales> <!here> :tada:"
    answer = ask(app, f"Müller Maschinenbau 2026-12-01 10:00 {what}")
    assert what in block_texts(answer)
    with team_session(app.runtime.sessions, TEAM) as session:  # more than a list shows (40)
        for number in range(2, 50):
            due = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC) + dt.timedelta(hours=number)
            session.add(
                FollowUp(
                    short_id=number,
                    client_name="Acme GmbH",
                    owner_id="U1",
                    what=f"call {number}",
                    when_text="x",
                    status=SCHEDULED,
                    due_at=due,
                )
            )
    listing = block_texts(ask(app, "list"))
    assert what in listing
    assert "`/followup list &lt;client&gt;` or `/followup list @person`" in listing


def test_a_bot_sharing_a_persons_name_is_not_taken_for_them(app):
    app.slack.add_user("B7", tz="UTC", name="Grace")
    app.slack.users["B7"]["is_bot"] = True  # e.g. an integration called "grace"
    assert "Open follow-ups of <@U2>: nothing open." in ask(app, "list @grace")["text"]
