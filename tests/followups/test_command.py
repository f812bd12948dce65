"""`/followup` through the real app: answers, every kind of bad input, list / done / cancel / snooze / settings."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models.followups import CANCELLED, DONE, FAILED, SCHEDULED
from tests.followups.conftest import add_client, followups, one, set_member

FRIDAY = dt.datetime(2026, 11, 27, 14, 55, tzinfo=dt.UTC)  # 17:55 Riyadh, 15:55 Berlin, 14:55 London


@pytest.fixture
def app(rapport):
    runtime = rapport.runtime
    add_client(runtime, "Al Noor Trading", "SA", "Asia/Riyadh")
    add_client(runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    add_client(runtime, "Tanaka Trading", "JP", "Asia/Tokyo")
    set_member(runtime, "U1", "Europe/London")
    rapport.clock.set(FRIDAY)
    return rapport


def ask(app, text: str, user: str = "U1") -> str:
    app.slack.clear()
    result = app.send.command("/followup", text, user=user)
    assert result.status == 200
    [answer] = app.slack.wait_for("response")
    assert answer.args["response_type"] == "ephemeral"
    return answer.args["text"]


def test_reply_states_both_zones_and_why_it_moved(app):
    answer = ask(app, "Al Noor Trading 2026-11-28 10:00 call Ahmed about the tender")
    assert "Follow-up *#1* with *Al Noor Trading*: call Ahmed about the tender" in answer
    assert "Mon 30 Nov 13:00 in Riyadh (their time) · Mon 30 Nov 10:00 in London (your time)" in answer
    assert "Moved from Saturday 28 Nov 10:00 to Monday 30 Nov 13:00 Riyadh: weekend in Saudi Arabia" in answer


def test_hours_that_never_overlap_are_explained(app):
    set_member(app.runtime, "U2", "America/New_York")
    answer = ask(app, "Tanaka Trading 2026-12-01 10:00 call", user="U2")
    assert "never overlap" in answer and "closest to your day" in answer


def test_names_are_case_insensitive_and_quotes_work(app):
    assert "*#1* with *Müller Maschinenbau*" in ask(app, "müller maschinenbau in 3 days send the offer")
    assert "*#2* with *Tanaka Trading*" in ask(app, '"Tanaka Trading" "next tuesday 10:00" call')


def test_slack_markup_in_what_is_kept_exactly(app, tick):
    what = "send <https://example.com/offer.pdf|the offer> to <@U2|grace> &amp; cc <#C9|sales> :tada:"
    answer = ask(app, f"Müller Maschinenbau 2026-12-01 10:00 {what}")
    assert what in answer
    assert one(app.runtime).what == what
    app.clock.set(dt.datetime(2026, 12, 1, 9, 0, 10, tzinfo=dt.UTC))
    tick()
    [post] = app.slack.calls_to("chat.postMessage")
    assert what in post.args["blocks"][0]["text"]["text"]


def test_recurring_reply(app):
    answer = ask(app, "Müller Maschinenbau every 2 weeks check in")
    assert ":repeat: Repeats every 2 weeks" in answer
    assert one(app.runtime).recurrence == "week:2"


def test_owner_option_sends_the_reminder_to_someone_else(app):
    set_member(app.runtime, "U2", "Europe/Berlin")
    answer = ask(app, "Müller Maschinenbau 2026-12-01 10:00 owner:<@U2|grace> call Anna")
    assert "The reminder goes to <@U2>" in answer
    row = one(app.runtime)
    assert (row.owner_id, row.created_by, row.what) == ("U2", "U1", "call Anna")


BAD_INPUT = [
    ("Mueller Maschinenbau AG tomorrow call", "Did you mean *Müller Maschinenbau*?"),
    ("Zyxw tomorrow call", "I don't know a client called “Zyxw”"),
    ("Müller Maschinenbau 2026-02-30 call", "`2026-02-30` is not a date: February 2026 has 28 days."),
    ("Müller Maschinenbau 2025-03-01 call", "`2025-03-01` is in the past"),
    ("Müller Maschinenbau whenever you like call", "I can't read a time in “whenever you like”"),
    ("Müller Maschinenbau tomorrow", "What should the reminder say?"),
    ("Müller Maschinenbau", "When should I remind you?"),
    ("Müller Maschinenbau every 0 weeks call", "at least every 1"),
    ('"Müller Maschinenbau tomorrow call', "A quote is not closed"),
    ("Müller Maschinenbau tomorrow " + "x" * 2100, "keep it to 2,000"),
    ("done", "Which follow-up?"),
    ("done abc", "is not a follow-up number"),
    ("done 99", "There is no follow-up #99"),
    ("snooze 1", "Snooze for how long?"),
    ("settings volume 11", "I can change `nag`"),
    ("list Zyxw", "I don't know a client called “Zyxw”"),
    ("", "Usage"),
]


def test_bad_input_gets_a_specific_message(app):
    for text, message in BAD_INPUT:
        answer = ask(app, text)
        assert message in answer, (text, answer)
    assert followups(app.runtime) == []


def test_usage_comes_with_the_message(app):
    answer = ask(app, "Müller Maschinenbau 2026-02-30 call")
    assert "*Usage*" in answer and "/followup list" in answer
    assert "/followup list" in ask(app, "help")


def test_snooze_with_a_bad_duration_changes_nothing(app):
    ask(app, "Müller Maschinenbau 2026-12-01 10:00 call")
    before = one(app.runtime).due_at
    assert "is not a duration" in ask(app, "snooze 1 soonish")
    assert one(app.runtime).due_at == before


def test_list_done_cancel_snooze(app):
    ask(app, "Müller Maschinenbau 2026-12-01 10:00 call Anna")
    ask(app, "Tanaka Trading 2026-12-02 10:00 send samples")
    ask(app, "Al Noor Trading every month check in")
    listing = ask(app, "list")
    assert "Your open follow-ups (3)" in listing
    assert "*#1* Müller Maschinenbau — call Anna" in listing and "#3" in listing and "every month" in listing
    assert "#2" not in ask(app, "list müller maschinenbau")
    assert "Open follow-ups of the whole team" in ask(app, "list all")
    assert "Open follow-ups of <@U2>: nothing open." in ask(app, "list <@U2|grace>")

    assert "is done" in ask(app, "done 1")
    assert "is cancelled" in ask(app, "cancel #2")
    snoozed = ask(app, "snooze 3 2 days")
    assert "comes back" in snoozed
    rows = {row.short_id: row for row in followups(app.runtime)}
    assert rows[1].status == DONE and rows[2].status == CANCELLED and rows[3].status == SCHEDULED
    assert "already done" in ask(app, "cancel 1")
    assert "#1" not in ask(app, "list") and "#2" not in ask(app, "list")


def test_failed_reminders_show_in_the_list_with_the_reason(app, tick):
    ask(app, "Müller Maschinenbau 2026-12-01 10:00 call Anna")
    app.slack.fail("chat.postMessage", error="account_inactive")
    app.clock.set(dt.datetime(2026, 12, 1, 9, 1, tzinfo=dt.UTC))
    assert tick().failed == 1
    assert one(app.runtime).status == FAILED
    listing = ask(app, "list")
    assert "failed" in listing and "account_inactive" in listing


def test_nag_setting(app):
    assert "after 4 hours" in ask(app, "settings")
    assert "after *2 hours*" in ask(app, "settings nag 2h")
    assert "after 2 hours" in ask(app, "settings")
    assert "no longer re-notify" in ask(app, "settings nag off")
    assert "*off*" in ask(app, "settings")


def test_numbers_are_per_workspace(app):
    ask(app, "Müller Maschinenbau 2026-12-01 10:00 call")
    add_client(app.runtime, "Other Co", "DE", "Europe/Berlin", team="T2")
    app.slack.clear()
    app.send.command("/followup", "Other Co 2026-12-01 10:00 call", team="T2")
    [answer] = app.slack.wait_for("response")
    assert "*#1* with *Other Co*" in answer.args["text"]
    assert sorted((row.team_id, row.short_id) for row in followups(app.runtime)) == [("T1", 1), ("T2", 1)]
