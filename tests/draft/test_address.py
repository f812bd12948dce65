"""Forms of address from the card and the contact as typed: pure, no Slack."""

from __future__ import annotations

import pytest

from cultures.cards import card_for
from handlers.draft.address import english_salutation, local_salutation, read_contact


def _both(country: str, contact: str | None) -> tuple[str, str, list[str]]:
    card = card_for(country)
    name = read_contact(contact, card.address.name_order) if contact else None
    english, local = english_salutation(name, card, "Acme"), local_salutation(name, card)
    return english.text, local.text, [r for r in (english.remark, local.remark) if r]


@pytest.mark.parametrize(
    ("country", "contact", "english", "local"),
    [
        ("DE", "Frau Dr. Anna Müller", "Dear Dr. Müller,", "Sehr geehrte Frau Dr. Müller,"),
        ("DE", "Herr Dr. Klaus Weber", "Dear Dr. Weber,", "Sehr geehrter Herr Dr. Weber,"),
        ("DE", "Frau Anna Müller", "Dear Ms Müller,", "Sehr geehrte Frau Müller,"),
        ("JP", "Tanaka Hiroshi", "Dear Tanaka-sama,", "Tanaka様 いつもお世話になっております。"),
        ("JP", "Tanaka-san", "Dear Tanaka-sama,", "Tanaka様 いつもお世話になっております。"),
        ("US", "Mr. John Smith", "Hi John,", "Hi John,"),
        ("GB", "Mrs Jane Smith", "Dear Mrs Smith,", "Dear Jane,"),
        ("ES", "Sra. María García", "Dear Ms García,", "Estimada Señora García:"),
        ("MX", "Sr. Carlos Pérez", "Dear Mr Pérez,", "Estimado Señor Pérez:"),
        ("FR", "Mme Claire Dubois", "Dear Ms Dubois,", "Bonjour Madame Dubois,"),
        ("CZ", "Paní Jana Nováková", "Dear Ms Nováková,", "Vážená paní Nováková,"),
        ("BE", "Mevrouw An Peeters", "Dear Ms Peeters,", "Geachte mevrouw Peeters,"),
        ("CN", "Mr Wang Wei", "Dear Mr Wang,", "尊敬的Wang先生："),
        ("KR", "Kim Minsu", "Dear Kim Minsu,", "Kim Minsu 님, 안녕하십니까."),
    ],
)
def test_salutations_follow_the_card_and_the_contact(country, contact, english, local):
    got_english, got_local, _remarks = _both(country, contact)
    assert (got_english, got_local) == (english, local)


def test_unknown_gender_gets_the_neutral_form_and_a_hint_never_a_guess():
    english, local, remarks = _both("DE", "Dr. Anna Müller")
    assert english == "Dear Dr. Müller,"
    assert local == "Guten Tag Dr. Anna Müller,"
    assert any("Mr/Ms" in remark for remark in remarks)


def test_family_name_first_with_a_comma():
    name = read_contact("Müller, Anna", "given-family")
    assert (name.family, name.given) == ("Müller", "Anna")


def test_name_particles_belong_to_the_family_name():
    name = read_contact("Ms Anna von der Leyen", "given-family")
    assert (name.given, name.family, name.gender) == ("Anna", "von der Leyen", "f")


def test_no_contact_greets_the_team():
    english, local, _ = _both("DE", None)
    assert english == "Dear Acme team,"
    assert local == "Guten Tag,"
