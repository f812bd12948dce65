"""`/translate` end to end: signed slash commands through the real app, a fake LibreTranslate
behind deep-translator's own LibreTranslator, answers read from the fake Slack."""

from __future__ import annotations

import json
import time

from handlers.translate.blocks import POST_ACTION
from tests.support.libretranslate import fake_translation
from tests.translate.conftest import TIMEOUT, add_client


def answer(rapport, count: int = 1) -> dict:
    """The ``count``-th answer posted to a response_url (text and blocks)."""
    return rapport.slack.wait_for("response", count)[count - 1].args


def block_text(args: dict) -> str:
    """Every text inside an answer's blocks, joined (what the person sees)."""
    out = []
    for block in args.get("blocks") or []:
        if block.get("text"):
            out.append(block["text"]["text"])
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), str):
                out.append(element["text"])
    return "\n".join(out)


def test_mentions_and_links_never_reach_the_provider_and_come_back_intact(rapport, libre):
    rapport.send.command("/translate", "to Japanese hello <@U123> see <https://x.test|the doc>")
    args = answer(rapport)

    [sent] = libre.requests
    assert sent.target == "ja"
    assert "<@U123>" not in sent.q and "U123" not in sent.q
    assert "x.test" not in sent.q and "the doc" not in sent.q
    assert "hello" in sent.q and "see" in sent.q
    shown = block_text(args)
    assert "[ja] HELLO <@U123> SEE <https://x.test|the doc>" in shown
    assert "Japanese" in shown
    assert args["response_type"] == "ephemeral"
    assert "[ja] HELLO <@U123> SEE <https://x.test|the doc>" in args["text"]


def test_answer_has_a_post_button_that_posts_to_the_channel_once(rapport, libre):
    rapport.send.command("/translate", "to German Thanks for your order <@U2>", channel="C1")
    args = answer(rapport)
    [actions] = [b for b in args["blocks"] if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == POST_ACTION

    rapport.send.action(POST_ACTION, button["value"], channel="C1")
    [posted] = rapport.slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C1"
    assert posted.args["text"] == fake_translation("Thanks for your order ", "de").rstrip() + " <@U2>"
    replaced = answer(rapport, 2)
    assert replaced["replace_original"] is True
    assert "Posted to <#C1>" in replaced["text"]


def test_repeated_request_is_served_from_the_cache(rapport, libre):
    rapport.send.command("/translate", "to French Your parcel leaves our warehouse today.")
    first = answer(rapport)
    assert libre.calls == 1
    rapport.send.command("/translate", "to French Your parcel leaves our warehouse today.")
    second = answer(rapport, 2)
    assert libre.calls == 1, "the second request must not reach the provider"
    assert "(cached)" in block_text(second)
    assert first["text"] == second["text"]


def test_a_hanging_provider_gets_a_clear_answer_in_time(rapport, libre):
    libre.mode = "hang"
    started = time.monotonic()
    rapport.send.command("/translate", "to Spanish We will call you tomorrow morning.")
    args = answer(rapport)
    elapsed = time.monotonic() - started
    assert "translation is unavailable right now (provider: libre)" in args["text"]
    assert elapsed < 10 and elapsed < TIMEOUT + 2.5, elapsed
    assert "Traceback" not in args["text"]


def test_a_failing_provider_is_named(rapport, libre):
    libre.mode = "fail"
    rapport.send.command("/translate", "to Italian The invoice is attached.")
    text = answer(rapport)["text"]
    assert "translation is unavailable right now (provider: libre)" in text
    assert "500" in text


def test_long_text_is_split_at_sentences_and_rejoined(rapport, libre):
    sentences = [f"This is sentence number {n} of the long message." for n in range(60)]
    text = " ".join(sentences)
    assert 2000 < len(text) < 3000
    rapport.send.command("/translate", f"to German {text}")
    args = answer(rapport)
    assert libre.calls == 2
    assert all(len(r.q) <= 2000 for r in libre.requests)
    assert all(r.q.rstrip().endswith(".") for r in libre.requests), "cut at a sentence end"
    shown = block_text(args)
    assert "SENTENCE NUMBER 0 OF" in shown and "SENTENCE NUMBER 59 OF" in shown


def test_glossary_terms_are_never_translated(rapport, libre):
    rapport.send.command("/translate", "glossary add Acme Cloud")
    assert "Added `Acme Cloud`" in answer(rapport)["text"]
    rapport.send.command("/translate", "to German acme cloud ships today")
    args = answer(rapport, 2)
    assert "cloud" not in libre.requests[-1].q.lower()
    assert "acme cloud SHIPS TODAY" in block_text(args)

    rapport.send.command("/translate", "glossary list")
    assert "`Acme Cloud`" in answer(rapport, 3)["text"]
    rapport.send.command("/translate", "glossary remove ACME CLOUD")
    assert "Removed `Acme Cloud`" in answer(rapport, 4)["text"]
    rapport.send.command("/translate", "glossary remove Acme Cloud")
    assert "is not in the glossary" in answer(rapport, 5)["text"]


def test_client_prefix_translates_into_the_clients_language(rapport, libre):
    add_client(rapport.runtime, "Acme GmbH", "DE", "Europe/Berlin")
    add_client(rapport.runtime, "Sakura KK", "JP", "Asia/Tokyo")
    rapport.send.command("/translate", "Acme GmbH: Thanks for your order")
    assert "German" in block_text(answer(rapport))
    assert libre.requests[-1].target == "de"
    assert libre.requests[-1].q == "Thanks for your order"
    rapport.send.command("/translate", "sakura kk: Thanks for your order")
    answer(rapport, 2)
    assert libre.requests[-1].target == "ja"


def test_unknown_client_with_a_close_name_is_questioned(rapport, libre):
    add_client(rapport.runtime, "Acme GmbH", "DE", "Europe/Berlin")
    rapport.send.command("/translate", "link Acne Holding")
    text = answer(rapport)["text"]
    assert "I don't know a client called" in text
    assert libre.calls == 0


def test_link_makes_english_text_go_into_the_clients_language(rapport, libre):
    add_client(rapport.runtime, "Sakura KK", "JP", "Asia/Tokyo")
    rapport.send.command("/translate", "Please find the invoice attached to this message", channel="C7")
    assert "Which language should I translate it into?" in answer(rapport)["text"]
    assert libre.calls == 0

    rapport.send.command("/translate", "link Sakura KK", channel="C7")
    assert "Linked <#C7> to *Sakura KK*" in answer(rapport, 2)["text"]
    rapport.send.command("/translate", "Please find the invoice attached to this message", channel="C7")
    answer(rapport, 3)
    assert libre.requests[-1].target == "ja"

    rapport.send.command("/translate", "unlink", channel="C7")
    assert "no longer linked" in answer(rapport, 4)["text"]


def test_foreign_text_goes_into_the_askers_language(rapport, libre):
    rapport.send.command("/translate", "Vielen Dank für Ihre Bestellung, wir liefern morgen.")
    args = answer(rapport)
    assert libre.requests[-1].target == "en"
    assert libre.requests[-1].source == "de"
    assert "*German* → *English*" in block_text(args)


def test_bad_input_gets_a_specific_message_and_the_usage(rapport, libre):
    rapport.send.command("/translate", "")
    assert "nothing to translate" in answer(rapport)["text"] and "*Usage*" in answer(rapport)["text"]

    rapport.send.command("/translate", "to Japanse hello")  # a typo langcodes still reads
    answer(rapport, 2)
    rapport.send.command("/translate", "to Xyzzyish hello")
    text = answer(rapport, 3)["text"]
    assert "I don't know a language called “Xyzzyish”" in text and "*Usage*" in text

    rapport.send.command("/translate", "to German " + "word " * 700)
    text = answer(rapport, 4)["text"]
    assert "at most 3,000" in text and "*Usage*" in text

    rapport.send.command("/translate", "to German")
    assert "nothing to translate" in answer(rapport, 5)["text"].lower()

    rapport.send.command("/translate", "to Dutch Thanks a lot")  # deep-translator's libre has no Dutch
    assert "Dutch is not available" in answer(rapport, 6)["text"]

    rapport.send.command("/translate", "help")
    assert "glossary add" in answer(rapport, 7)["text"]


def test_text_already_in_the_target_language_is_not_sent(rapport, libre):
    rapport.send.command("/translate", "to German Vielen Dank für Ihre Bestellung, wir liefern morgen.")
    assert "already in German" in answer(rapport)["text"]
    assert libre.calls == 0


def test_the_post_button_value_is_valid_json_with_the_translation(rapport, libre):
    rapport.send.command("/translate", "to Korean See you at the meeting :wave:")
    args = answer(rapport)
    [actions] = [b for b in args["blocks"] if b["type"] == "actions"]
    value = json.loads(actions["elements"][0]["value"])
    assert value["t"] == "ko" and value["x"].endswith(":wave:")
