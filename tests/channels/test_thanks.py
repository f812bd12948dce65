"""Only thanks or a greeting, in any language: not a request. Anything more is one."""

from __future__ import annotations

import pytest

from handlers.channels.thanks import is_only_thanks


@pytest.mark.parametrize(
    "text",
    [
        "thanks a lot",
        "Thank you so much!",
        "merci beaucoup !",
        "Merci à tous :pray:",
        "danke",
        "Vielen Dank!",
        "muchas gracias",
        "obrigado!",
        "grazie mille",
        "ありがとうございます",
        "ありがとうございます！",
        "谢谢",
        "감사합니다",
        "спасибо большое",
        "شكرا جزيلا",
        "dziękuję",
        "hi",
        "Hello team",
        "Bonjour",
        "Good morning everyone",
        "Guten Morgen",
        "👍",
        ":pray: :tada:",
        "🙏🙏",
        "<@U123> thanks!",
        "",
    ],
)
def test_only_thanks_or_greetings_are_not_requests(text):
    assert is_only_thanks(text)


@pytest.mark.parametrize(
    "text",
    [
        "thanks, can you resend the invoice?",
        "Merci, mais le devis est faux.",
        "Hi, the export fails",
        "danke, wann kommt die Lieferung?",
        "ありがとうございます。請求書を再送していただけますか",
        "Hello? Anyone there? We are down!",
        "Bonjour, où en est la commande ?",
        "thanks " * 30,
    ],
)
def test_anything_beyond_thanks_is_a_request(text):
    assert not is_only_thanks(text)


def test_a_link_is_content_even_with_thanks():
    assert not is_only_thanks("thanks <https://dupont.fr/bon.pdf|bon de commande>")
    assert not is_only_thanks("<https://dupont.fr/bon.pdf>")
