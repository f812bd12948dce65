"""`/contact … at <when>` refuses an impossible time of day instead of dropping it (dateparser is lenient)."""

from __future__ import annotations

import datetime as dt

from tests.contact.test_wire import ask

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def test_an_impossible_time_of_day_gets_a_specific_message_and_the_usage(rapport):
    rapport.clock.set(MONDAY)
    ask(rapport, "/client", "add Dubois et Fils country:FR")
    for when, expected in [
        ("tomorrow 25:00", "`25:00` is not a time of day: hours go from 00 to 23."),
        ("tomorrow 24:30", "`24:30` is not a time of day: hours go from 00 to 23."),
        ("tomorrow 10:75", "`10:75` is not a time of day: minutes go from 00 to 59."),
        ("2026-12-24 25:00 their time", "`25:00` is not a time of day"),
        ("2026-12-24T25:00Z", "`25:00` is not a time of day"),
        ("tomorrow 13pm", "`13pm` is not a time of day: with am or pm the hour goes from 1 to 12."),
    ]:
        answer = ask(rapport, "/contact", f"Dubois et Fils at {when}")["text"]
        assert answer.splitlines()[0].startswith(expected), (when, answer)
        assert "*Usage*" in answer and "/contact &lt;client&gt; at &lt;when&gt;" in answer, when
        assert "contact Dubois et Fils" not in answer, when  # no verdict for some other moment


def test_possible_times_of_day_still_give_a_verdict(rapport):
    rapport.clock.set(MONDAY)
    ask(rapport, "/client", "add Dubois et Fils country:FR")
    # U1 is in Europe/London: 7pm London is 20:00 Paris, after business hours.
    evening = ask(rapport, "/contact", "Dubois et Fils at tomorrow 7pm")["text"]
    assert evening.splitlines()[0].startswith("Not a good time to contact Dubois et Fils")
    assert "Tue 24 Nov, 20:00 CET" in evening
    for when in ("tomorrow 7 pm", "tomorrow 23:59", "tomorrow 00:00", "tomorrow 12am", "2026-11-24T09:30Z"):
        answer = ask(rapport, "/contact", f"Dubois et Fils at {when}")["text"]
        assert "contact Dubois et Fils" in answer.splitlines()[0], (when, answer)
