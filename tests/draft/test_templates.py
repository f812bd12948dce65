"""The English drafts: tone from the card, details woven in verbatim, the apology practice. Pure."""

from __future__ import annotations

import datetime as dt

from cultures.cards import card_for
from cultures.languages import resolve_language
from handlers.draft.compose import Recipient, compose, next_business_day
from handlers.draft.templates import KINDS, Tone, kind_of

DETAILS = "the late delivery of order *4711* (see <https://shop.example/o/4711|the order>, cc <@U2>)"


def _draft(kind: str, country: str, details: str | None = DETAILS, contact: str | None = "Ms Anna Weber"):
    recipient = Recipient("Acme", country, resolve_language("en"), contact)
    return compose(kind, recipient, card_for(country), details=details, sender="Ada", today=dt.date(2026, 11, 23))


def test_tone_comes_from_the_card_scales():
    japan, germany = Tone.from_card(card_for("JP")), Tone.from_card(card_for("DE"))
    assert japan.soft and japan.relationship and not japan.direct
    assert germany.direct and not germany.soft
    assert "indirect" in japan.describe() and "direct" in germany.describe()


def test_details_are_woven_in_verbatim_for_every_kind():
    for kind in KINDS:
        for country in ("DE", "JP", "US"):
            assert DETAILS in _draft(kind, country).english_text(), (kind, country)


def test_apology_acknowledges_apologises_and_names_a_next_step_with_a_time():
    text = _draft("apology", "DE").english_text()
    acknowledge = text.index("Thank you for letting us know about")
    apologise = text.index("I am sorry")
    next_step = text.index("Here is what happens next")
    assert acknowledge < apologise < next_step
    assert "by Tuesday, 24 November at the latest" in text  # the client's next business day


def test_indirect_cultures_get_softened_wording_and_relationship_phrases():
    japan = _draft("delay", "JP").english_text()
    germany = _draft("delay", "DE").english_text()
    assert "I had hoped would be different" in japan and "thank you, as always" in japan
    assert germany.startswith("Dear Ms Weber,\n\nI need to let you know about a delay: ")
    assert "as early as possible" in japan and "as early as possible" in germany  # both are strict on time


def test_next_business_day_skips_weekends_and_holidays():
    assert next_business_day("DE", None, dt.date(2026, 12, 24)) == dt.date(2026, 12, 28)  # Christmas, weekend
    assert next_business_day("AE", None, dt.date(2026, 11, 27)) == dt.date(2026, 11, 30)


def test_no_details_still_reads_as_a_letter():
    text = _draft("followup", "US", details=None, contact="John Smith").english_text()
    assert text.startswith("Hi John,\n\nI am following up on our recent conversation.")
    assert text.endswith("Best regards,\nAda")


def test_the_local_version_skips_a_courtesy_line_the_card_opening_already_says():
    draft = _draft("followup", "JP")
    assert "thank you, as always" in draft.english_body()
    assert "thank you, as always" not in draft.body_to_translate()


def test_kind_words_and_aliases():
    assert [kind_of(w) for w in ("followup", "Follow-up", "sorry", "thank-you", "late", "hello", "introduction")] == [
        "followup",
        "followup",
        "apology",
        "thanks",
        "delay",
        "greeting",
        "intro",
    ]
    assert kind_of("invoice") is None


def test_card_language_check():
    from handlers.draft.localize import card_speaks

    assert card_speaks(card_for("DE"), resolve_language("de"))
    assert card_speaks(card_for("JP"), resolve_language("ja"))
    assert card_speaks(card_for("BR"), resolve_language("pt-BR"))
    assert not card_speaks(card_for("AE"), resolve_language("ar"))  # business email there is in English
    assert not card_speaks(card_for("SN"), resolve_language("en"))  # a French regional card, an English client


def test_long_details_still_make_valid_blocks():
    from slack_sdk.models.blocks import Block

    from handlers.draft.blocks import draft_blocks
    from handlers.draft.localize import Localized

    draft = _draft("followup", "DE", details="the spare parts list " + "and more parts " * 190)
    local = draft.local_text("[de] " + draft.body_to_translate().upper())
    blocks = draft_blocks(draft, Localized(text=local, provider="libre"))
    assert len(blocks) <= 50
    for block in blocks:
        Block.parse(block.to_dict()).validate_json()
    assert not any(getattr(block, "fields", None) for block in blocks)  # too long to stand side by side
