"""Unknown ``key:value`` options are refused whatever their value; times, dates and URLs are words.

Through the real wire (`/client add`, `/contact`, `/escalate settings`), and the parser itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db.models import Client
from db.scoped import team_session
from handlers.common.args import parse
from handlers.common.errors import UserError
from tests.contact.test_wire import ask


def _names(rapport) -> list[str]:
    with team_session(rapport.runtime.sessions, "T1") as session:
        return list(session.scalars(select(Client.name).order_by(Client.name_key)))


@pytest.mark.parametrize("option", ["bogus:1", "colour:blue", "bogus:1a", "ext:4711", "Bogus:2026-12-01"])
def test_client_add_refuses_an_unknown_option_even_when_its_value_is_a_number(rapport, option):
    answer = ask(rapport, "/client", f"add Foo country:DE {option}")["text"]
    key = option.split(":")[0]
    assert f"I don't know the option `{key}:`" in answer, answer
    assert "*Usage*" in answer
    assert _names(rapport) == []


def test_names_with_digits_times_and_urls_still_work(rapport):
    answer = ask(rapport, "/client", "add Studio 54:1 10:00 country:DE")["text"]
    assert "Studio 54:1 10:00" in answer and _names(rapport) == ["Studio 54:1 10:00"]
    answer = ask(rapport, "/client", "add Foo https://foo.example country:DE")["text"]
    assert "Foo https://foo.example" in answer
    answer = ask(rapport, "/client", 'add "Route:66 Diner" country:US tz:America/Chicago')["text"]
    assert "Route:66 Diner" in answer
    assert _names(rapport) == ["Foo https://foo.example", "Route:66 Diner", "Studio 54:1 10:00"]


def test_contact_at_a_time_and_a_date_time_is_not_an_option(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    ask(rapport, "/client", "add Acme GmbH country:DE")
    answer = ask(rapport, "/contact", "Acme GmbH at 2026-12-01 10:00 their time")["text"]
    assert "option" not in answer and "Usage" not in answer, answer
    answer = ask(rapport, "/contact", "Acme GmbH at 2026-12-01T09:00Z")["text"]
    assert "option" not in answer and "Usage" not in answer, answer
    refused = ask(rapport, "/contact", "Acme GmbH zone:1")["text"]
    assert "I don't know the option `zone:`" in refused and "*Usage*" in refused


def test_parser_words_and_refusals():
    keys = frozenset({"country", "tz"})
    parsed = parse("Foo 10:00 2026-12-01T10:00 https://x.y http://a.b country:DE", keys)
    assert parsed.words == ["Foo", "10:00", "2026-12-01T10:00", "https://x.y", "http://a.b"]
    assert parsed.options == {"country": "DE"}
    for text in ("Foo bogus:1", "Foo bogus:blue", "Foo Bogus:", "Foo bogus:'1'", 'Foo bogus:"1 2"'):
        with pytest.raises(UserError, match=r"I don't know the option `[Bb]ogus:`"):
            parse(text, keys)
    assert parse("Foo bogus:1").options == {"bogus": "1"}  # without known keys nothing is refused
