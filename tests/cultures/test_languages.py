"""Languages read from codes and names in any language."""

from __future__ import annotations

import pytest

from cultures.countries import iso_country_codes
from cultures.languages import Language, UnknownLanguage, main_language, resolve_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ja", "ja"),
        ("JA", "ja"),
        ("jpn", "ja"),
        ("Japanese", "ja"),
        ("japanese", "ja"),
        ("japonais", "ja"),
        ("日本語", "ja"),
        ("Deutsch", "de"),
        ("German", "de"),
        ("español", "es"),
        ("العربية", "ar"),
        ("pt-BR", "pt-BR"),
        ("pt_BR", "pt-BR"),
        ("zh-Hant", "zh-Hant"),
        ("iw", "he"),
    ],
)
def test_resolve_language_reads_codes_and_names(text: str, code: str):
    assert resolve_language(text).code == code


def test_a_language_has_english_and_native_names():
    japanese = resolve_language("ja")
    assert japanese == Language("ja", "Japanese", "日本語")
    assert str(japanese) == "Japanese"
    assert resolve_language("pt-BR").base == "pt"
    assert resolve_language(japanese) is japanese


@pytest.mark.parametrize(("text", "suggestion"), [("Japanes", "Japanese"), ("Germn", "German")])
def test_a_typo_gets_suggestions(text: str, suggestion: str):
    with pytest.raises(UnknownLanguage) as caught:
        resolve_language(text)
    assert suggestion in caught.value.suggestions


@pytest.mark.parametrize("text", ["xx", "", "Elvish gibberish"])
def test_unknown_languages_are_refused(text: str):
    with pytest.raises(UnknownLanguage):
        resolve_language(text)


@pytest.mark.parametrize(
    ("country", "code"), [("JP", "ja"), ("de", "de"), ("SA", "ar"), ("US", "en"), ("TW", "zh-Hant"), ("BR", "pt")]
)
def test_main_language_of_a_country(country: str, code: str):
    assert main_language(country).code == code


def test_every_country_has_a_resolvable_main_language():
    for code in iso_country_codes():
        assert main_language(code).english_name
