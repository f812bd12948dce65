"""Pure pieces: flags to languages, offline detection, routing, the asker's language, Block Kit."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block

from handlers.translate.blocks import POST_ACTION, post_values, read_post_value, translation_blocks
from handlers.translate.command import read_language
from handlers.translate.detect import Detection, detect
from handlers.translate.flags import country_of_reaction, language_of_flag
from handlers.translate.links import ClientLanguage
from handlers.translate.translation import NeedLanguage, Translation, default_target, own_language


@pytest.mark.parametrize(
    ("reaction", "country"),
    [
        ("flag-jp", "JP"),
        ("jp", "JP"),
        ("flag-de", "DE"),
        ("de", "DE"),
        ("us", "US"),
        ("gb", "GB"),
        ("uk", "GB"),
        ("flag-england", "GB"),
        ("cn", "CN"),
        ("kr", "KR"),
        ("fr", "FR"),
        ("es", "ES"),
        ("it", "IT"),
        ("ru", "RU"),
        ("flag-br", "BR"),
        ("flag-ch", "CH"),
        ("thumbsup", None),
        ("flag-zz", None),
        ("flagged", None),
        ("", None),
    ],
)
def test_flag_names_to_countries(reaction, country):
    assert country_of_reaction(reaction) == country


@pytest.mark.parametrize(
    ("country", "client_language", "language"),
    [
        ("JP", None, "ja"),
        ("DE", None, "de"),
        ("BR", None, "pt"),
        ("CN", None, "zh"),
        ("CH", None, "de"),
        ("CH", "fr", "fr"),
        ("CH", "it", "it"),
        ("IN", None, "hi"),
        ("IN", "en", "en"),
        ("BE", "fr", "fr"),
        ("CA", None, "en"),
        ("CA", "fr", "fr"),
        ("CA", "ja", "en"),  # the client's language is not one of Canada's
        ("JP", "fr", "ja"),  # one official language: the flag wins
    ],
)
def test_flags_to_languages(country, client_language, language):
    assert language_of_flag(country, client_language) == language


def test_detection_names_confident_languages_only():
    assert detect("Vielen Dank für Ihre Bestellung, wir liefern morgen.").code == "de"
    assert detect("Please find the invoice attached to this message").code == "en"
    assert detect("ありがとうございます").code == "ja"
    assert detect("ok").code is None
    assert detect("see you soon").code is None, "short texts need a high score"


def test_routing_without_a_target():
    german = Detection("de", 1.0, {"de": 1.0})
    english = Detection("en", 1.0, {"en": 1.0})
    unsure = Detection(None, 0.3, {"la": 0.3})
    client = ClientLanguage("Sakura KK", "ja")
    assert default_target(german, "en", None) == "en"
    assert default_target(english, "en", client) == "ja"
    assert default_target(unsure, "en", client) == "ja"
    with pytest.raises(NeedLanguage, match="looks like English already"):
        default_target(english, "en", None)
    with pytest.raises(NeedLanguage):
        default_target(english, "en", ClientLanguage("Acme Inc", "en"))
    assert default_target(english, "ja", None) == "ja"


@pytest.mark.parametrize(
    ("locale", "language"),
    [("en-US", "en"), ("ja-JP", "ja"), ("de_DE", "de"), ("zh-TW", "zh-Hant"), ("zh-CN", "zh-Hans"), (None, "en")],
)
def test_own_language_from_slack_locale(locale, language):
    assert own_language(locale) == language


@pytest.mark.parametrize(
    ("rest", "code", "text"),
    [
        ("Japanese hello <@U1>", "ja", "hello <@U1>"),
        ("ja hello", "ja", "hello"),
        ("日本語 こんにちは", "ja", "こんにちは"),
        ("Deutsch Guten Tag", "de", "Guten Tag"),
        ("German the meeting moved", "de", "the meeting moved"),
        ("Brazilian Portuguese hello", "pt-BR", "hello"),
        ("Norwegian Bokmål hello", "nb", "hello"),
        ("French\nline one\nline two", "fr", "line one\nline two"),
    ],
)
def test_reading_the_target_language(rest, code, text):
    language, remaining = read_language(rest)
    assert (language.code, remaining) == (code, text)


def test_answer_blocks_validate_and_carry_the_translation():
    translation = Translation("hi", "[ja] HI <@U1>", "en", "ja", "libre")
    blocks = translation_blocks(translation)
    assert all(isinstance(b, Block) for b in blocks)
    dicts = [b.to_dict() for b in blocks]  # to_dict() validates Slack's limits
    assert dicts[0]["elements"][0]["text"] == "*English* → *Japanese* · via libre"
    button = dicts[-1]["elements"][0]
    assert button["action_id"] == POST_ACTION
    assert read_post_value(button["value"]) == {"s": "en", "t": "ja", "n": 1, "x": "[ja] HI <@U1>"}


def test_long_translations_get_one_post_button_per_part():
    text = " ".join(f"Sentence {n} with some words in it." for n in range(200))
    translation = Translation("x", text, "en", "de", "libre")
    values = post_values(translation)
    assert len(values) > 1 and all(len(v) <= 2000 for v in values)
    assert "".join(json.loads(v)["x"] for v in values) == text
    dicts = [b.to_dict() for b in translation_blocks(translation)]
    action_ids = [e["action_id"] for e in dicts[-1]["elements"]]
    assert len(set(action_ids)) == len(action_ids) == len(values)
    assert all(len(b["text"]["text"]) <= 3000 for b in dicts if b["type"] == "section")
