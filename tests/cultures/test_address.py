"""Forms of address: names read into parts, and every card's forms for people typed every way (pure)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cultures.address import address, blank_address, english_opening, read_contact
from cultures.cards import Card, card_files, card_for, load_card_file

CARDS = [load_card_file(path) for path in card_files()]
COUNTRY_CARDS = [card for card in CARDS if not card.regional_default]
TABLE: dict[str, list[dict[str, str]]] = {}
for _file in [
    Path(__file__).with_name("address_table.yaml"),
    *sorted(Path(__file__).with_name("address_tables").glob("*.yaml")),
]:
    for _key, _rows in yaml.safe_load(_file.read_text(encoding="utf-8")).items():
        assert _key not in TABLE, f"{_key} is in two address tables"
        TABLE[_key] = _rows


def _id(card: Card) -> str:
    return card.key


# ---------------------------------------------------------------------------------------------
# Reading a contact


@pytest.mark.parametrize(
    ("typed", "country", "given", "family", "title", "gender"),
    [
        ("Klaus Weber", "DE", "Klaus", "Weber", None, None),
        ("Herr Dr. Klaus Weber", "DE", "Klaus", "Weber", "Dr.", "m"),
        ("Frau Prof. Dr. Eva von Braun", "DE", "Eva", "von Braun", "Prof. Dr.", "f"),
        ("Müller, Anna", "DE", "Anna", "Müller", None, None),
        ("Sra. María López", "ES", "María", "López", None, "f"),
        ("Dra. María López", "MX", "María", "López", "Dra.", "f"),
        ("Mme Claire Dubois", "FR", "Claire", "Dubois", None, "f"),
        ("Mr Ahmed Al-Saud", "SA", "Ahmed", "Al-Saud", None, "m"),
        ("Kim, Min-jun", "KR", "Min-jun", "Kim", None, None),
        ("Kim Min-jun", "KR", "Kim Min-jun", "Kim Min-jun", None, None),  # Latin names go either way round
        ("김민준", "KR", "민준", "김", None, None),
        ("Tanaka-san", "JP", "Tanaka", "Tanaka", None, None),
        ("王伟先生", "CN", "伟", "王", None, "m"),
        ("Ahmet Yılmaz Bey", "TR", "Ahmet", "Yılmaz", None, "m"),
        ("Nguyễn Văn An", "VN", "Văn An", "Nguyễn", None, None),
    ],
)
def test_a_contact_is_read_in_the_cards_name_order_and_gender_only_from_what_was_typed(
    typed, country, given, family, title, gender
):
    name = read_contact(typed, card_for(country))
    assert (name.given, name.family, name.title, name.gender) == (given, family, title, gender)


def test_full_names_keep_their_order_and_script_spacing():
    korea = card_for("KR")
    assert read_contact("Kim Min-jun", korea).full == "Kim Min-jun"
    assert read_contact("김민준", korea).full == "김민준"
    assert read_contact("김 민준", korea).full == "김민준"
    assert read_contact("Müller, Anna", card_for("DE")).full == "Anna Müller"
    assert read_contact("Nguyễn Văn An", card_for("VN")).given_last == "An"


# ---------------------------------------------------------------------------------------------
# The issue's cases, one by one


def test_no_gender_is_guessed_and_the_neutral_form_says_how_to_get_the_gendered_one():
    weber = address(card_for("DE"), "Klaus Weber")
    assert (weber.form, weber.opening.text, weber.opening.meaning) == (
        "Klaus Weber",
        "Guten Tag Klaus Weber,",
        "Good day Klaus Weber,",
    )
    assert weber.remark and "Herr or Frau" in weber.remark
    assert weber.gendered == ("Sehr geehrter Herr Weber,", "Sehr geehrte Frau Weber,")
    assert address(card_for("BR"), "Ana Souza").opening.text == "Prezado(a) Ana,"


def test_typed_titles_and_courtesy_words_are_honoured():
    assert address(card_for("ES"), "Sra. María López").opening.text == "Estimada Sra. López:"
    assert "Madame Dubois," in address(card_for("FR"), "Mme Claire Dubois").opening.text
    assert address(card_for("DE"), "Herr Dr. Klaus Weber").opening.text == "Sehr geehrter Herr Dr. Weber,"
    saudi = address(card_for("SA"), "Mr Ahmed Al-Saud")
    assert saudi.form.startswith("Mr Ahmed") and saudi.opening.text.startswith("السيد")
    assert address(card_for("SA"), "Dr. Ahmed Al-Saud").form.startswith("الدكتور/الدكتورة Ahmed")
    assert address(card_for("IT"), "Signora Dr. Sam Lee").opening.text == "Gentile Dott.ssa Lee,"


def test_korean_names_are_not_glued_together():
    assert address(card_for("KR"), "Kim Min-jun").opening.text == "Kim Min-jun 님, 안녕하십니까."


def test_the_uae_card_does_not_contradict_itself():
    for typed in ("Fatima Hassan", "Ms Fatima Hassan", "Mr Omar Hassan", "Dr. Fatima Hassan"):
        forms = address(card_for("AE"), typed)
        head = forms.form.split(" (")[0]  # "Ms Fatima (in writing: Ms Fatima Hassan)"
        named = {word for word in ("Fatima", "Omar", "Hassan") if word in head}
        assert named and all(word in forms.opening.text for word in named), forms
        assert "Mr/Ms" not in forms.form + forms.opening.text


def test_english_openings_for_drafts():
    assert english_opening(card_for("DE"), "Frau Dr. Anna Müller", "Acme") == "Dear Dr. Müller,"
    assert english_opening(card_for("DE"), "Klaus Weber", "Acme") == "Dear Klaus Weber,"
    assert english_opening(card_for("JP"), "Tanaka, Hiroshi", "Acme") == "Dear Tanaka-sama,"
    assert english_opening(card_for("JP"), "Tanaka Hiroshi", "Acme") == "Dear Tanaka Hiroshi-sama,"
    assert english_opening(card_for("US"), "Mr. John Smith", "Acme") == "Hi John,"
    assert english_opening(card_for("GB"), "Mrs Jane Smith", "Acme") == "Dear Mrs Smith,"
    assert english_opening(card_for("VN"), "Nguyễn Văn An", "Acme").startswith("Dear An")
    assert english_opening(card_for("DE"), None, "Acme") == "Dear Acme team,"


# ---------------------------------------------------------------------------------------------
# Every card, every way of typing a person


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[^\s,.:;!،()]+", text))


def _said(word: str, tokens: set[str]) -> bool:
    """The word or an inflection of it (Czech "pan" -> "pane") is among the tokens."""
    return any(token.startswith(word.lower()) for token in tokens)


@pytest.mark.parametrize("card", CARDS, ids=_id)
def test_neutral_forms_name_no_gender(card: Card):
    words = card.address.courtesy
    neutral = [card.address.forms["neutral"], card.email.openings["neutral"].text]
    for text in neutral:
        tokens = _tokens(text.replace("/", " / ").lower())
        if words and _said(words["m"], tokens) != _said(words["f"], tokens):
            pytest.fail(f"{card.key}: neutral form {text!r} uses one gender's word only")
    gloss = card.email.openings["neutral"].meaning
    assert not re.search(r"(?<![/\w])(?:Mr|Mrs|Ms|Miss|Sir|Madam)\b(?!\s*/)", gloss), (card.key, gloss)


@pytest.mark.parametrize("card", [c for c in CARDS if c.address.courtesy], ids=_id)
def test_gendered_forms_and_glosses_agree_with_their_gender(card: Card):
    for gender, other in (("m", r"\b(?:Ms|Mrs|Miss|Madam|Lady)\b"), ("f", r"\b(?:Mr|Sir)\b")):
        opening = card.email.openings.get(gender)
        if opening is not None:
            assert not re.search(other, opening.meaning), (card.key, gender, opening.meaning)
        opposite = card.address.courtesy["f" if gender == "m" else "m"]
        for text in (card.address.forms[gender], opening.text if opening else ""):
            assert opposite not in _tokens(text), (card.key, gender, text)


@pytest.mark.parametrize("card", CARDS, ids=_id)
def test_titles_are_kept_where_the_card_uses_them(card: Card):
    for typed in ("Dr. Alex Morgan", "Ms Prof. Sam Lee", "Mr Dr. Alex Morgan"):
        forms = address(card, typed)
        shown = forms.form + " " + forms.opening.text
        title = read_contact(typed, card).title or ""
        # The title as typed, or as the card's language writes it (Dott.ssa, الدكتور, doktorko).
        written = {title, *card.address.title_words.get(title.lower().strip("."), {}).values()}
        if card.address.titles and re.search(r"Morgan|Lee", forms.form):
            assert any(word in forms.form for word in written), (card.key, typed, forms.form)
        if not card.address.titles:
            assert title not in shown, (card.key, typed, shown)


@pytest.mark.parametrize("card", CARDS, ids=_id)
def test_every_form_fills_without_leftovers_and_blanks_read_well(card: Card):
    for typed in (None, "Alex Morgan", "Mr Alex Morgan", "Ms Sam Lee", "Kim Min-jun", "김민준", "Morgan, Alex"):
        forms = address(card, typed)
        for text in (forms.form, forms.opening.text, forms.opening.meaning, forms.closing.text):
            assert "{" not in text and "}" not in text and "  " not in text, (card.key, typed, text)
        assert "KimMin-jun" not in forms.opening.text + forms.form
    for form, opening in blank_address(card).values():
        assert "[" in form and "{" not in form + opening.text + opening.meaning


def test_the_table_covers_every_country_card_with_five_people():
    assert sorted(TABLE) == sorted(card.key for card in COUNTRY_CARDS)
    for key, rows in TABLE.items():
        assert len(rows) >= 5, key
        typed = [row["contact"] for row in rows]
        assert any(card_for(key).address.courtesy.get("m", "Mr") in t or "Mr" in t for t in typed), key
        assert any("Dr." in t or "Prof." in t for t in typed), key


@pytest.mark.parametrize(
    ("key", "row"), [(key, row) for key, rows in sorted(TABLE.items()) for row in rows], ids=lambda v: str(v)[:40]
)
def test_address_table(key: str, row: dict[str, str]):
    forms = address(card_for(key), row["contact"])
    assert {
        "contact": row["contact"],
        "address them as": forms.form,
        "opening": forms.opening.text,
        "meaning": forms.opening.meaning,
        "closing": forms.closing.text,
    } == row


# ---------------------------------------------------------------------------------------------
# Behaviours of the reader and the filler, on cards written for the test


def _card(tmp_path: Path, **address: object) -> Card:
    from tests.cultures.test_cards import VALID, write_card

    data = {**VALID, "address": {**VALID["address"], **address}}
    return load_card_file(write_card(tmp_path, data))


def test_typed_titles_are_written_in_the_cards_language(tmp_path: Path):
    card = _card(tmp_path, title_words={"dr": {"m": "Dott.", "f": "Dott.ssa"}, "prof": {"neutral": "prof."}})
    woman = address(card, "Frau Dr. Sam Lee")
    assert woman.form == "Frau Dott.ssa Lee"
    assert woman.opening.text == "Sehr geehrte Frau Dott.ssa Lee,"
    assert woman.opening.meaning == "Dear Ms Dr. Lee,"  # the English gloss keeps the title as typed
    assert address(card, "Herr Doctor Alex Morgan").form == "Herr Dott. Morgan"  # "Doctor" is Dr.
    assert address(card, "Prof. Alex Morgan").form == "prof. Alex Morgan"


def test_doctor_says_nothing_about_gender_and_fr_is_frau_only_in_german(tmp_path: Path):
    assert read_contact("Doctor Sam Lee", card_for("DE")).gender is None
    assert read_contact("Fr. John Murphy", card_for("GB")).gender is None
    assert read_contact("Fr. Anna Weber", card_for("DE")).gender == "f"


def test_the_gendered_preview_uses_each_genders_title():
    forms = address(card_for("MX"), "Dr. Ana García López")
    assert forms.gendered == ("Estimado Dr. García:", "Estimada Dra. García:")


def test_the_hint_puts_a_courtesy_word_where_it_is_typed():
    assert 'contact:"Kovács Péter úr"' in (address(card_for("HU"), "Kovács Péter").remark or "")
    assert 'contact:"Mr Alex Morgan"' in (address(card_for("GB"), "Alex Morgan").remark or "")


def test_latin_names_on_cards_written_either_way_round_use_the_whole_name(tmp_path: Path):
    card = _card(tmp_path, name_order="family-given", latin_order="either")
    name = read_contact("Hiroshi Tanaka", card)
    assert (name.family, name.given, name.full) == ("Hiroshi Tanaka", "Hiroshi Tanaka", "Hiroshi Tanaka")
    forms = address(card, "Mr Hiroshi Tanaka")
    assert forms.opening.text == "Sehr geehrter Herr Hiroshi Tanaka,"
    assert "Family, Given" in (forms.remark or "")
    assert read_contact("Tanaka, Hiroshi", card).family == "Tanaka"
    assert read_contact("田中 宏", card).family == "田中"


def test_a_typed_english_courtesy_word_is_kept():
    assert address(card_for("GB"), "Mrs Jane Smith").opening.text == "Dear Mrs Smith,"
    assert address(card_for("SG"), "Mdm Tan Mei Ling").opening.text.startswith("Dear Mdm Tan")
