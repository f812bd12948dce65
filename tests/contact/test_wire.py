"""Acceptance through the real wire: signed slash commands in, answers recorded by the fake Slack."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import Block

UTC = dt.UTC


def ask(rapport, command: str, text: str, user: str = "U1") -> dict:
    """Send a signed slash command; return what reached the response_url."""
    before = len(rapport.slack.calls_to("response"))
    result = rapport.send.command(command, text, user=user)
    assert result.status == 200
    answer = rapport.slack.wait_for("response", count=before + 1)[before].args
    for block in answer.get("blocks") or []:
        Block.parse(block).validate_json()
    return answer


def test_acceptance_german_client(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # Monday, 11:00 in Berlin
    added = ask(rapport, "/client", 'add Müller Maschinenbau country:Deutschland contact:"Dr. Anna Müller"')
    assert "Added" in added["text"] and "Müller Maschinenbau" in added["text"]
    answer = ask(rapport, "/contact", "müller maschinenbau")
    text = answer["text"]
    print(text)
    assert text.splitlines()[0] == "Good time to contact Müller Maschinenbau"
    assert "Europe/Berlin" in text and "11:00" in text
    assert "German" in text
    # No Herr or Frau typed: the neutral form with the title, never a guessed gender.
    assert "Address Dr. Anna Müller as *Dr. Anna Müller*" in text and "Guten Tag Dr. Anna Müller," in text


def test_saudi_client_on_a_friday_is_weekend(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # Friday 10:00 in Riyadh
    ask(rapport, "/client", "add Al Noor Trading country:SA")
    answer = ask(rapport, "/contact", "al noor trading")
    assert answer["text"].splitlines()[0] == "Not a good time to contact Al Noor Trading: weekend"
    assert "Sun 29 Nov" in answer["text"]  # the next window: Sunday is a working day there


def test_french_client_at_half_past_twelve_is_lunch(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 23, 11, 30, tzinfo=UTC))  # Monday 12:30 in Paris
    ask(rapport, "/client", "add Dubois et Fils country:France")
    answer = ask(rapport, "/contact", "Dubois et Fils")
    assert answer["text"].splitlines()[0] == "Not a good time to contact Dubois et Fils: lunch break"
    assert "14:00–18:00" in answer["text"]


def test_japanese_client_on_new_years_day_is_a_holiday(rapport):
    rapport.clock.set(dt.datetime(2027, 1, 1, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    ask(rapport, "/client", 'add Tanaka Shoji country:日本 contact:"Tanaka Hiroshi"')
    answer = ask(rapport, "/contact", "tanaka shoji")
    first = answer["text"].splitlines()[0]
    assert first == "Not a good time to contact Tanaka Shoji: public holiday (New Year's Day)"
    assert "Tanaka Hiroshi-san" in answer["text"]  # which word is the family name? The whole name, then


def test_us_client_without_a_zone_is_refused_with_the_choices(rapport):
    answer = ask(rapport, "/client", "add Acme Inc country:US")
    assert "several time zones" in answer["text"]
    for zone in ("America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu"):
        assert zone in answer["text"]
    assert "*Usage*" in answer["text"]
    ok = ask(rapport, "/client", "add Acme Inc country:US tz:Chicago")
    assert "America/Chicago" in ok["text"]


def test_atlantis_is_refused_with_a_suggestion(rapport):
    answer = ask(rapport, "/client", "add Poseidon Ltd country:Atlantis")
    assert "Atlantis" in answer["text"] and "country:DE" in answer["text"]
    typo = ask(rapport, "/client", "add Poseidon Ltd country:Germny")
    assert "Did you mean" in typo["text"] and "Germany" in typo["text"]


def test_contact_a_country_without_a_client(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # Tuesday 10:00 in Tokyo (23 Nov is a holiday there)
    answer = ask(rapport, "/contact", "Japan")
    assert answer["text"].splitlines()[0] == "Good time to contact Japan"
    assert "Asia/Tokyo" in answer["text"] and "Japanese" in answer["text"]
    germany = ask(rapport, "/contact", "DE")
    assert germany["text"].splitlines()[0] == "Not a good time to contact Germany: night"


def test_contact_at_a_proposed_moment(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Dubois et Fils country:FR")
    # U1 is in Europe/London: 15:00 London is 16:00 Paris.
    answer = ask(rapport, "/contact", "Dubois et Fils at tomorrow 15:00")
    assert answer["text"].splitlines()[0] == "Good time to contact Dubois et Fils"
    assert "Tue 24 Nov, 16:00 CET" in answer["text"]
    christmas = ask(rapport, "/contact", "dubois et fils at 2026-12-25 10:00 their time")
    assert (
        christmas["text"].splitlines()[0] == "Not a good time to contact Dubois et Fils: public holiday (Christmas Day)"
    )
    iso = ask(rapport, "/contact", "Dubois et Fils at 2026-11-24T11:30Z")
    assert iso["text"].splitlines()[0] == "Not a good time to contact Dubois et Fils: lunch break"
    bad = ask(rapport, "/contact", "Dubois et Fils at the twelfth of never")
    assert "can't read" in bad["text"] and "*Usage*" in bad["text"]


def test_unknown_client_gets_did_you_mean(rapport):
    ask(rapport, "/client", "add Acme GmbH country:DE")
    answer = ask(rapport, "/contact", "Acne GmbX")
    assert "Did you mean" in answer["text"] and "Acme GmbH" in answer["text"]


def test_regional_default_cards_are_marked(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Banjul Groundnut country:Gambia")
    answer = ask(rapport, "/contact", "banjul groundnut")
    assert "Regional default card for Western Africa" in answer["text"]
    assert "Regional default card for Western Africa" in str(answer["blocks"])


def test_us_country_needs_a_zone_and_accepts_a_city(rapport):
    refused = ask(rapport, "/contact", "United States")
    assert "several time zones" in refused["text"] and "city:" in refused["text"]
    answer = ask(rapport, "/contact", "US city:Chicago at 2026-11-24 10:00 their time")
    assert answer["text"].splitlines()[0] == "Good time to contact United States"
    assert "America/Chicago" in answer["text"]


def test_client_facts_win_over_the_card(rapport):
    rapport.clock.set(dt.datetime(2026, 11, 23, 11, 30, tzinfo=UTC))  # 12:30 in Paris: lunch by the card
    ask(
        rapport,
        "/client",
        'add Dubois et Fils country:FR hours:08:00-16:00 lang:en channel:whatsapp note:"No calls on Mondays"',
    )
    answer = ask(rapport, "/contact", "dubois")
    text = answer["text"]
    assert text.splitlines()[0] == "Good time to contact Dubois et Fils"
    assert "08:00–16:00 (their own)" in text
    assert "English" in text and "their preference" in text and "whatsapp" in text
    assert "No calls on Mondays" in text


def test_no_placeholder_reaches_the_answer_without_a_contact(rapport):
    for country in ("DE", "Japan", "France"):
        answer = ask(rapport, "/contact", country)
        text = answer["text"] + str(answer.get("blocks"))
        assert "{family}" not in text and "{honorific}" not in text and "{given}" not in text
        assert "[family name]" in text
