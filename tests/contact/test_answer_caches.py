"""Answers and profiles are reused within their time, and never past a change made through the app."""

from __future__ import annotations

import datetime as dt

from tests.contact.test_wire import ask
from tests.followups.conftest import set_member

MONDAY = dt.datetime(2026, 11, 23, 10, 0, 5, tzinfo=dt.UTC)


def test_an_edit_shows_in_the_next_answer_of_the_same_minute(rapport):
    rapport.clock.set(MONDAY)
    set_member(rapport.runtime, "U1", "Europe/London")
    ask(rapport, "/client", "add Müller Maschinenbau country:DE")
    first = ask(rapport, "/contact", "Müller Maschinenbau")["text"]
    assert "Mon–Thu 08:30–12:00" in first
    again = ask(rapport, "/contact", "Müller Maschinenbau")["text"]
    assert again == first
    ask(rapport, "/client", "edit Müller Maschinenbau hours:07:00-15:00")
    edited = ask(rapport, "/contact", "Müller Maschinenbau")["text"]
    assert "07:00–15:00" in edited and edited != first


def test_the_next_minute_is_answered_anew(rapport):
    rapport.clock.set(MONDAY)
    set_member(rapport.runtime, "U1", "Europe/London")
    ask(rapport, "/client", "add Müller Maschinenbau country:DE")
    assert "11:00 CET" in ask(rapport, "/contact", "Müller Maschinenbau")["text"]
    rapport.clock.advance(minutes=1)
    assert "11:01 CET" in ask(rapport, "/contact", "Müller Maschinenbau")["text"]


def test_new_working_hours_show_at_once(rapport):
    rapport.clock.set(MONDAY)
    set_member(rapport.runtime, "U1", "Europe/London")
    ask(rapport, "/client", "add Müller Maschinenbau country:DE")
    assert "Inside your working hours (09:00–18:00)" in ask(rapport, "/contact", "Müller Maschinenbau")["text"]
    ask(rapport, "/rapport", "hours 07:00-15:00")
    assert "Inside your working hours (07:00–15:00)" in ask(rapport, "/contact", "Müller Maschinenbau")["text"]
