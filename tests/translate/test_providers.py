"""Providers: language codes per engine, splitting under limits, timeouts and fallback order —
against real deep-translator engines pointed at fake LibreTranslate servers on loopback."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.common.runtime import TranslatorConfig
from handlers.translate.providers import (
    TranslationUnavailable,
    call_with_timeout,
    libre_provider,
    provider_chain,
    split_for_limit,
    translate,
)
from tests.support.libretranslate import FakeLibreTranslate, fake_translation


@pytest.fixture
def second_libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as fake:
        yield fake


def test_chain_follows_translator_order_and_skips_unconfigured():
    config = TranslatorConfig(providers=("libre", "google", "deepl", "mymemory"), libretranslate_url="http://l.test")
    assert [p.name for p in provider_chain(config)] == ["libre", "google", "mymemory"]


def test_language_codes_per_engine():
    google, mymemory = provider_chain(TranslatorConfig(providers=("google", "mymemory")))
    libre = libre_provider("http://l.test")
    assert google.code("zh-Hant") == "zh-TW" and google.code("zh") == "zh-CN"
    assert google.code("he") == "iw" and google.code("pt-BR") == "pt" and google.code("ja") == "ja"
    assert libre.code("zh-Hant") == "zh" and libre.code("nl") is None
    assert mymemory.code("de") == "de-DE" and mymemory.code("ja") == "ja-JP" and mymemory.code("en") == "en-US"
    assert google.code("auto") is None and google.code(None) is None


def test_deepl_free_keys_use_the_free_endpoint():
    [deepl] = provider_chain(TranslatorConfig(providers=("deepl",), deepl_api_key="abc:fx"))
    assert "api-free.deepl.com" in deepl.make("de", "en")._base_url
    [deepl] = provider_chain(TranslatorConfig(providers=("deepl",), deepl_api_key="abc"))
    assert "api.deepl.com" in deepl.make("de", "en")._base_url


def test_libre_goes_through_deep_translators_engine(libre):
    provider, text = translate([libre_provider(libre.url)], "Good morning", "en", "de", timeout=2)
    assert (provider, text) == ("libre", fake_translation("Good morning", "de"))
    [request] = libre.requests
    assert (request.q, request.source, request.target, request.format) == ("Good morning", "en", "de", "text")


def test_api_key_is_sent_when_configured():
    with FakeLibreTranslate(api_key="secret") as keyed:
        translate([libre_provider(keyed.url, "secret")], "Hello", "en", "fr", timeout=2)
        with pytest.raises(TranslationUnavailable, match="refused the API key"):
            translate([libre_provider(keyed.url, "wrong")], "Hello again", "en", "fr", timeout=2)


def test_fallback_uses_the_next_provider_when_the_first_fails(libre, second_libre):
    libre.mode = "fail"
    backup = dataclasses.replace(libre_provider(second_libre.url), name="libre-backup")
    provider, text = translate([libre_provider(libre.url), backup], "See you soon", None, "ja", timeout=2)
    assert provider == "libre-backup"
    assert text == fake_translation("See you soon", "ja")
    assert libre.calls == 1 and second_libre.calls == 1
    assert second_libre.requests[0].source == "auto"


def test_fallback_after_a_hang_still_answers_within_the_total_time(libre, second_libre):
    libre.mode = "hang"
    backup = dataclasses.replace(libre_provider(second_libre.url), name="libre-backup")
    started = time.monotonic()
    provider, _text = translate([libre_provider(libre.url), backup], "See you soon", None, "ja", timeout=2)
    assert provider == "libre-backup"
    assert time.monotonic() - started < 2.5


def test_every_provider_tried_is_named_when_all_fail(libre, second_libre):
    libre.mode = "fail"
    second_libre.mode = "hang"
    backup = dataclasses.replace(libre_provider(second_libre.url), name="google")
    started = time.monotonic()
    with pytest.raises(TranslationUnavailable) as caught:
        translate([libre_provider(libre.url), backup], "Hello", "en", "ja", timeout=1.5)
    assert time.monotonic() - started < 2.5
    message = caught.value.message
    assert message.startswith("translation is unavailable right now (provider: libre, google).")
    assert "answered with an error (500)" in message and "did not answer" in message


def test_unreachable_provider_fails_fast():
    with pytest.raises(TranslationUnavailable, match="could not be reached"):
        translate([libre_provider("http://127.0.0.1:9/")], "Hello", "en", "ja", timeout=2)


def test_unsupported_target_is_said_plainly(libre):
    with pytest.raises(TranslationUnavailable) as caught:
        translate([libre_provider(libre.url)], "Hello", "en", "nl", timeout=2, target_name="Dutch")
    assert caught.value.unsupported
    assert caught.value.message == "Dutch is not available with the configured translation provider (provider: libre)."
    assert libre.calls == 0


def test_long_texts_are_sent_in_pieces_under_the_limit(libre):
    spec = dataclasses.replace(libre_provider(libre.url), limit=40)
    text = "First sentence here. Second one is here! Third? And a fourth sentence that is long."
    _provider, out = translate([spec], text, "en", "de", timeout=2)
    assert all(len(r.q) <= 40 for r in libre.requests) and libre.calls >= 3
    assert out == "".join(fake_translation(piece, "de") + gap for piece, gap in split_for_limit(text, 40))
    assert out.count("[de]") == libre.calls


def test_call_with_timeout_abandons_a_stuck_call():
    started = time.monotonic()
    with pytest.raises(Exception, match="did not answer"):
        call_with_timeout("stuck-test", lambda: time.sleep(5), 0.3)
    assert time.monotonic() - started < 1


@given(st.text(alphabet="ab .!?。\n⟦⟧0123", max_size=300), st.integers(min_value=5, max_value=60))
def test_split_keeps_every_character_and_the_limit(text, limit):
    pieces = split_for_limit(text, limit)
    assert "".join(piece + gap for piece, gap in pieces) == text
    assert all(len(piece) <= limit for piece, _gap in pieces)


def test_split_prefers_sentence_ends_and_never_cuts_a_placeholder():
    assert split_for_limit("One two. Three four. Five six.", 20) == [("One two. Three four.", " "), ("Five six.", "")]
    pieces = split_for_limit("x" * 18 + "⟦12⟧" + "y" * 10, 20)
    assert all(p.count("⟦") == p.count("⟧") for p, _ in pieces)
    assert split_for_limit("日本語です。次の文です。", 7) == [("日本語です。", ""), ("次の文です。", "")]
