"""`/draft` through the wire: signed slash commands, answers on the response_url, a fake translator."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import Block

from tests.draft.conftest import add_client, set_member
from tests.support.libretranslate import fake_translation


def _ask(rapport, text: str, user: str = "U1") -> dict:
    rapport.slack.clear()
    result = rapport.send.command("/draft", text, user=user)
    assert result.status == 200
    [answer] = rapport.slack.wait_for("response")
    return answer.args


def _fields(answer: dict) -> list[str]:
    for block in answer.get("blocks") or []:
        if block["type"] == "section" and block.get("fields"):
            return [field["text"] for field in block["fields"]]
    return []


def _all_text(answer: dict) -> str:
    parts = [answer.get("text") or ""]
    for block in answer.get("blocks") or []:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        parts += [f["text"] for f in block.get("fields") or []]
        parts += [e.get("text", "") for e in block.get("elements") or [] if isinstance(e, dict)]
    return "\n".join(parts)


def _setup(rapport) -> None:
    runtime = rapport.runtime
    add_client(runtime, "Acme GmbH", "DE", "Europe/Berlin", contact="Frau Dr. Anna Müller", owner_id="U1")
    add_client(runtime, "Tanaka Trading", "JP", "Asia/Tokyo", contact="Tanaka Hiroshi")
    add_client(runtime, "Lone Star Parts", "US", "America/Chicago", contact="Mr. John Smith")
    set_member(runtime, "U1", "Europe/London", name="Ada Lovelace")


def test_apology_side_by_side_in_english_and_german_with_markup_intact(rapport, libre):
    _setup(rapport)
    details = "the late delivery of order *4711* for <@U2> (<https://shop.example/o/4711|tracking>)"

    answer = _ask(rapport, f"Acme GmbH apology {details}")

    english, german = _fields(answer)
    assert english.startswith("*English*\nDear Dr. Müller,\n\nThank you for letting us know about " + details)
    assert "I am sorry" in english and "Here is what happens next" in english
    assert english.endswith("Kind regards,\nAda Lovelace")
    assert german.startswith("*Deutsch (German)*\nSehr geehrte Frau Dr. Müller,\n\n[de] ")
    assert "<@U2>" in german and "<https://shop.example/o/4711|" in german  # markup survives translation
    assert german.endswith("Mit freundlichen Grüßen\nAda Lovelace")
    sent = libre.texts
    assert len(sent) == 1 and "Dear" not in sent[0]  # only the body is translated; the card gives the salutation
    for block in answer["blocks"]:
        Block.parse(block).validate_json()
    text = _all_text(answer)
    assert "Why this wording" in text and "Bad news" in text
    assert "Fill in the [bracketed] parts" in text
    assert answer["response_type"] == "ephemeral"


def test_indirect_culture_gets_softened_wording_in_japanese(rapport, libre):
    _setup(rapport)
    answer = _ask(rapport, '"Tanaka Trading" delay the shipment moves to 12 December')
    english, japanese = _fields(answer)
    assert english.startswith("*English*\nDear Tanaka Hiroshi-sama,")
    assert "I had hoped would be different: the shipment moves to 12 December." in english
    assert japanese.startswith("*日本語 (Japanese)*\nTanaka Hiroshi様 いつもお世話になっております。\n\n[ja] ")
    assert japanese.rstrip().endswith("よろしくお願いいたします。\nAda Lovelace")
    assert fake_translation("I am writing to share", "ja").split(" ", 1)[1] in japanese


def test_translation_unavailable_shows_english_and_the_cards_phrases(rapport, libre):
    _setup(rapport)
    libre.mode = "fail"
    answer = _ask(rapport, "Acme followup the quote we sent on Monday")
    text = _all_text(answer)
    assert "Dear Dr. Müller,\n\nI am following up on the quote we sent on Monday." in text
    assert "Translation unavailable right now (provider: libre)" in text
    assert "Sehr geehrte Frau Dr. Müller," in text and "Mit freundlichen Grüßen" in text
    assert _fields(answer) == []


def test_an_english_speaking_client_gets_one_version(rapport, libre):
    _setup(rapport)
    answer = _ask(rapport, "lone star parts thanks the quick reply")
    text = _all_text(answer)
    assert "*English* — their language\nHi John,\n\nThank you for the quick reply." in text
    assert libre.calls == 0


def test_client_name_with_a_kind_word_in_it(rapport, libre):
    _setup(rapport)
    add_client(rapport.runtime, "Thanks Corp", "US", "America/New_York", contact="Ms Jane Doe")
    answer = _ask(rapport, "Thanks Corp thanks the order")
    assert "Thank you for the order." in _all_text(answer)
    assert "Thanks Corp" in answer["blocks"][0]["text"]["text"]


def test_the_apology_promises_the_clients_next_business_day(rapport, libre):
    _setup(rapport)
    rapport.clock.set(dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.UTC))  # Thursday before Christmas
    answer = _ask(rapport, "Acme apology")
    assert "by Monday, 28 December at the latest" in _all_text(answer)


# --- bad input ---------------------------------------------------------------------------------


def test_unknown_client_suggests_a_close_name_and_shows_usage(rapport):
    _setup(rapport)
    answer = _ask(rapport, "Tanaka Tradng Co apology the delay")
    assert "I don't know a client called “Tanaka Tradng Co”. Did you mean *Tanaka Trading*?" in answer["text"]
    assert "*Usage*" in answer["text"] and "/draft &lt;client&gt; &lt;kind&gt; [details]" in answer["text"]


def test_unknown_kind_lists_the_kinds(rapport):
    _setup(rapport)
    answer = _ask(rapport, "Acme GmbH invoice for November")
    assert "I don't know the kind of draft “invoice”" in answer["text"]
    for kind in ("followup", "apology", "thanks", "delay", "greeting", "intro"):
        assert f"`{kind}`" in answer["text"]
    assert "*Usage*" in answer["text"]


def test_missing_kind(rapport):
    _setup(rapport)
    answer = _ask(rapport, "Acme GmbH")
    assert "What kind of draft for *Acme GmbH*?" in answer["text"] and "*Usage*" in answer["text"]


def test_missing_client(rapport):
    _setup(rapport)
    answer = _ask(rapport, "apology the delay")
    assert "Tell me which client the draft is for" in answer["text"] and "*Usage*" in answer["text"]
    answer = _ask(rapport, "")
    assert "Tell me which client the draft is for" in answer["text"] and "*Usage*" in answer["text"]


def test_help_shows_usage(rapport):
    answer = _ask(rapport, "help")
    assert answer["text"].startswith("`/draft &lt;client&gt; &lt;kind&gt; [details]`")


def test_a_card_whose_email_phrases_are_in_another_language_gets_a_translated_salutation(rapport, libre):
    _setup(rapport)
    add_client(rapport.runtime, "Gulf Trading", "AE", "Asia/Dubai", contact="Mr Ahmed Al Mansoori")
    answer = _ask(rapport, "Gulf Trading greeting")
    english, arabic = _fields(answer)
    assert english.startswith("*English*\nDear Mr Ahmed,")  # Gulf usage: Mr with the given name
    assert "(Arabic)*\n[ar] DEAR MR AHMED," in arabic


def test_details_that_repeat_the_templates_words_are_not_doubled(rapport, libre):
    _setup(rapport)
    for details in (
        "for the order <https://shop.example/o/1|#1>",
        "thanks for the order <https://shop.example/o/1|#1>",
    ):
        english = _fields(_ask(rapport, f"Acme GmbH thanks {details}"))[0]
        assert "Thank you for the order <https://shop.example/o/1|#1>." in english
        assert "for for" not in english and "Thank you for thanks" not in english
    followup = _fields(_ask(rapport, "Acme GmbH followup following up on the quote"))[0]
    assert "on the quote" in followup and "following up on following up" not in followup.lower()
