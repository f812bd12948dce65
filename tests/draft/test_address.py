"""Salutations of drafts from the card and the contact as typed: pure, no Slack."""

from __future__ import annotations

import pytest

from cultures.address import address, english_opening, read_contact
from cultures.cards import card_for


def _both(country: str, contact: str | None) -> tuple[str, str, str | None]:
    card = card_for(country)
    forms = address(card, contact)
    return english_opening(card, contact, "Acme"), forms.opening.text, forms.remark


@pytest.mark.parametrize(
    ("country", "contact", "english", "local"),
    [
        ("DE", "Frau Dr. Anna Müller", "Dear Dr. Müller,", "Sehr geehrte Frau Dr. Müller,"),
        ("DE", "Herr Dr. Klaus Weber", "Dear Dr. Weber,", "Sehr geehrter Herr Dr. Weber,"),
        ("DE", "Frau Anna Müller", "Dear Ms Müller,", "Sehr geehrte Frau Müller,"),
        ("JP", "Tanaka, Hiroshi", "Dear Tanaka-sama,", "Tanaka様 いつもお世話になっております。"),
        ("JP", "Tanaka Hiroshi", "Dear Tanaka Hiroshi-sama,", "Tanaka Hiroshi様 いつもお世話になっております。"),
        ("JP", "Tanaka-san", "Dear Tanaka-sama,", "Tanaka様 いつもお世話になっております。"),
        ("US", "Mr. John Smith", "Hi John,", "Hi John,"),
        ("GB", "Mrs Jane Smith", "Dear Mrs Smith,", "Dear Mrs Smith,"),
        ("ES", "Sra. María García", "Dear Ms García,", "Estimada Sra. García:"),
        ("MX", "Sr. Carlos Pérez", "Dear Mr Pérez,", "Estimado Sr. Pérez:"),
        ("FR", "Mme Claire Dubois", "Dear Ms Dubois,", "Bonjour Madame Dubois,"),
        ("CN", "Mr Wang, Wei", "Dear Mr Wang,", "尊敬的Wang先生："),
        ("CN", "王伟先生", "Dear Mr 王,", "尊敬的王先生："),
        ("KR", "Kim Minsu", "Dear Kim Minsu,", "Kim Minsu 님, 안녕하십니까."),
    ],
)
def test_salutations_follow_the_card_and_the_contact(country, contact, english, local):
    got_english, got_local, _remark = _both(country, contact)
    assert (got_english, got_local) == (english, local)


def test_unknown_gender_gets_the_neutral_form_and_a_hint_never_a_guess():
    english, local, remark = _both("DE", "Dr. Anna Müller")
    assert english == "Dear Dr. Müller,"
    assert local == "Guten Tag Dr. Anna Müller,"
    assert remark is not None and "Herr or Frau" in remark


def test_family_name_first_with_a_comma():
    name = read_contact("Müller, Anna", card_for("DE"))
    assert (name.family, name.given) == ("Müller", "Anna")


def test_name_particles_belong_to_the_family_name():
    name = read_contact("Ms Anna von der Leyen", card_for("DE"))
    assert (name.given, name.family, name.gender) == ("Anna", "von der Leyen", "f")


def test_no_contact_greets_the_team():
    english, local, _ = _both("DE", None)
    assert english == "Dear Acme team,"
    assert local == "Sehr geehrte Damen und Herren,"
