"""Forms of address as a new user meets them: `/contact`, `/draft` and a past moment, through the wire."""

from __future__ import annotations

import datetime as dt

from tests.contact.test_wire import ask

UTC = dt.UTC
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _contact(rapport, add: str, name: str) -> str:
    rapport.clock.set(MONDAY)
    added = ask(rapport, "/client", f"add {add}")
    assert "Usage" not in added["text"], added["text"]
    return ask(rapport, "/contact", name)["text"]


def test_no_gender_is_guessed_for_a_contact_typed_without_one(rapport):
    text = _contact(rapport, 'Weber AG country:DE contact:"Klaus Weber"', "Weber AG")
    assert "Address Klaus Weber as *Klaus Weber*" in text
    assert "Email opening: _Guten Tag Klaus Weber,_ (Good day Klaus Weber,)" in text
    assert "Frau Weber" not in text.split("gives the gendered form")[0]
    assert "adding Herr or Frau to the contact" in text  # says how to get the gendered form


def test_a_typed_title_and_courtesy_word_give_the_gendered_titled_form(rapport):
    text = _contact(rapport, 'Weber AG country:DE contact:"Herr Dr. Klaus Weber"', "Weber AG")
    assert "Address Herr Dr. Klaus Weber as *Herr Dr. Weber*" in text
    assert "_Sehr geehrter Herr Dr. Weber,_ (Dear Mr Dr. Weber,)" in text
    assert "gendered form" not in text


def test_spanish_french_and_saudi_titles_are_honoured(rapport):
    rapport.clock.set(MONDAY)
    ask(rapport, "/client", 'add López SA country:ES contact:"Sra. María López"')
    ask(rapport, "/client", 'add Dubois et Fils country:FR contact:"Mme Claire Dubois"')
    ask(rapport, "/client", 'add Al Noor Trading country:SA contact:"Mr Ahmed Al-Saud"')
    assert "Estimada Sra. López:" in ask(rapport, "/contact", "López SA")["text"]
    french = ask(rapport, "/contact", "Dubois et Fils")["text"]
    assert "Madame Dubois," in french and "Monsieur" not in french.split("Email opening")[1].split("\n")[0]
    saudi = ask(rapport, "/contact", "Al Noor Trading")["text"]
    assert "*Mr Ahmed" in saudi and "السيد Ahmed Al-Saud المحترم،" in saudi


def test_family_name_first_names_keep_their_order_and_spacing(rapport):
    text = _contact(rapport, 'Hana Corp country:KR contact:"Kim Min-jun"', "Hana Corp")
    assert "Kim Min-jun 님, 안녕하십니까." in text
    assert "KimMin-jun" not in text


def test_a_country_alone_shows_the_neutral_form_and_both_gendered_ones(rapport):
    rapport.clock.set(MONDAY)
    text = ask(rapport, "/contact", "DE")["text"]
    assert "Sehr geehrte Damen und Herren," in text
    assert "_Guten Tag [full name],_" in text
    assert "_Sehr geehrter Herr [family name],_" in text and "_Sehr geehrte Frau [family name],_" in text
    brazil = ask(rapport, "/contact", "Brazil city:Recife")["text"]
    assert "Prezado(a) [given name]," in brazil


def test_a_past_moment_says_so_first(rapport):
    rapport.clock.set(MONDAY)
    ask(rapport, "/client", "add Weber AG country:DE")
    text = ask(rapport, "/contact", "Weber AG at 2026-11-20 10:00 their time")["text"]
    first, second = text.splitlines()[:2]
    assert first == "Not a good time to contact Weber AG: that moment is in the past"
    assert "3 days ago" in second and "it would have been a good time for them" in second
    assert "Next good window" in text or "Good until" in text
