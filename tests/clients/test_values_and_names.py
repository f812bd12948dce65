"""`/client add|edit`: what is typed after an option is read as that option, never moved into the name."""

from __future__ import annotations

from tests.clients.test_wire import stored
from tests.contact.test_wire import ask


def test_a_country_of_several_words_unquoted_is_the_country(rapport):
    answer = ask(rapport, "/client", "add Al Noor Trading country:Saudi Arabia contact:Ahmed Al-Saud")
    assert "Usage" not in answer["text"], answer["text"]
    [client] = stored(rapport)
    assert (client.name, client.country, client.contact) == ("Al Noor Trading", "SA", "Ahmed Al-Saud")


def test_a_city_of_several_words_and_a_later_option(rapport):
    ask(rapport, "/client", "add Acme Inc country:United States city:New York channel:phone")
    [client] = stored(rapport)
    assert (client.name, client.country, client.tz, client.channel) == (
        "Acme Inc",
        "US",
        "America/New_York",
        "phone",
    )


def test_edit_reads_a_country_of_several_words(rapport):
    ask(rapport, "/client", "add Hana Corp country:JP")
    ask(rapport, "/client", "edit Hana Corp country:South Korea")
    [client] = stored(rapport)
    assert (client.name, client.country, client.tz) == ("Hana Corp", "KR", "Asia/Seoul")


def test_words_after_a_country_that_is_then_unknown_are_refused_not_moved_into_the_name(rapport):
    answer = ask(rapport, "/client", "add Al Noor Trading country:SA Riyadh Branch")
    text = answer["text"]
    assert "SA Riyadh Branch" in text and "name before the options" in text
    assert "*Usage*" in text
    assert stored(rapport) == []


def test_a_word_after_a_quoted_value_is_refused(rapport):
    answer = ask(rapport, "/client", 'add Al Noor Trading contact:"Ahmed Al-Saud" Arabia country:SA')
    assert "“Arabia” comes after a quoted value" in answer["text"]
    assert stored(rapport) == []


def test_an_ambiguous_country_shows_the_codes_of_the_countries_it_could_be(rapport):
    answer = ask(rapport, "/client", "add Hana Corp country:Korea")
    text = answer["text"]
    assert "`country:KR` for South Korea" in text and "`country:KP` for North Korea" in text
    assert "country:CD" not in text
    congo = ask(rapport, "/client", "add Hana Corp country:Congo")["text"]
    assert "`country:CD`" in congo and "`country:CG`" in congo


def test_slack_markup_is_not_a_client_name(rapport):
    for markup, kind in (
        ("<@U123|grace>", "a mention of a person"),
        ("<#C123|sales>", "a channel"),
        ("<!subteam^S1|team>", "a group mention"),
        ("<https://acme.example|Acme>", "a link"),
    ):
        answer = ask(rapport, "/client", f"add {markup} country:FR")
        assert kind in answer["text"] and "not a client name" in answer["text"], answer["text"]
        assert "*Usage*" in answer["text"]
    answer = ask(rapport, "/client", "add Acme <@U123> country:FR")
    assert "not a client name" in answer["text"]
    ask(rapport, "/client", "add Acme country:FR")
    renamed = ask(rapport, "/client", "edit Acme name:<@U123>")
    assert "not a client name" in renamed["text"]
    assert [c.name for c in stored(rapport)] == ["Acme"]
