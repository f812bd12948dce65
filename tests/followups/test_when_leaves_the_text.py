"""`<when>` takes only the words that make the moment: the rest is the reminder text, as typed."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.followups.conftest import add_client, followups, set_member
from tests.followups.test_people_times_placeholders import ask

FRIDAY = dt.datetime(2026, 11, 27, 9, 55, tzinfo=dt.UTC)


@pytest.fixture
def app(rapport):
    add_client(rapport.runtime, "Tanaka Trading", "JP", "Asia/Tokyo")
    set_member(rapport.runtime, "U1", "Asia/Tokyo")
    rapport.clock.set(FRIDAY)
    return rapport


@pytest.mark.parametrize(
    ("typed", "when", "what"),
    [
        ("tomorrow after lunch call them", "tomorrow", "after lunch call them"),
        ("in 3 days after the meeting send notes", "in 3 days", "after the meeting send notes"),
        ("next week one last check", "next week", "one last check"),
        ("in 2 days now that they signed, send invoice", "in 2 days", "now that they signed, send invoice"),
        ("2026-12-01 10:00 their time check the tender", "2026-12-01 10:00 their time", "check the tender"),
        ("dec 1 2026 send offer", "dec 1 2026", "send offer"),
        ("tuesday 2026-12-01 call", "tuesday 2026-12-01", "call"),
        ("monday 30 nov call", "monday 30 nov", "call"),
        ("every 2 weeks from 2026-12-11 send report", "every 2 weeks from 2026-12-11", "send report"),
        (
            "tomorrow 10 am call <@U2> about <https://x.y|the deal> :fire:",
            "tomorrow 10 am",
            "call <@U2> about <https://x.y|the deal> :fire:",
        ),
    ],
)
def test_words_that_do_not_change_the_moment_stay_in_the_text(app, typed, when, what):
    answer = ask(app, f"Tanaka Trading {typed}")["text"]
    assert "Follow-up *#" in answer, answer
    [row] = followups(app.runtime)
    assert (row.when_text, row.what) == (when, what)


def test_in_n_minutes_never_fires_before_the_time_has_passed(app):
    app.clock.set(dt.datetime(2026, 11, 27, 1, 26, 38, tzinfo=dt.UTC))  # 10:26:38 in Tokyo
    ask(app, "Tanaka Trading in 1 minute ping them")
    [row] = followups(app.runtime)
    assert row.due_at == dt.datetime(2026, 11, 27, 1, 28, tzinfo=dt.UTC)  # 10:28, not 10:27:00
