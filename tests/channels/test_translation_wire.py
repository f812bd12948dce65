"""Two-way translation in a linked Slack Connect channel, through signed events and the fake Slack."""

from __future__ import annotations

from tests.channels.helpers import (
    MARIE,
    SHARED,
    linked,
    message,
    rapport_posts,
    requests_of,
    shared_channel,
    stamp,
    thread_of,
)
from tests.contact.test_wire import ask
from tests.support.libretranslate import fake_translation


def test_a_clients_french_message_gets_its_english_translation_in_its_thread(rapport, libre):
    linked(rapport)
    text = "Bonjour <@U1>, le devis pour <https://dupont.fr/commande|la commande> est-il prêt ? :pray:"
    ts = message(rapport, text)
    [post] = thread_of(rapport, ts)
    assert post["thread_ts"] == ts
    assert "[en]" in post["text"] and "BONJOUR" in post["text"]
    # Slack markup reaches the thread as it was: the mention, the link, the emoji
    assert "<@U1>" in post["text"] and "<https://dupont.fr/commande|" in post["text"] and ":pray:" in post["text"]
    assert "French" in str(post["blocks"])
    [request] = requests_of(rapport)
    assert (request.author_id, request.message_ts, request.status) == (MARIE, ts, "open")


def test_retries_and_edits_do_not_translate_twice(rapport, libre):
    linked(rapport)
    ts = stamp()
    message(rapport, "Pouvez-vous rappeler demain ?", ts=ts, event_id="EvSame")
    message(rapport, "Pouvez-vous rappeler demain ?", ts=ts, event_id="EvSame", retry_num=1)
    message(rapport, "Pouvez-vous rappeler demain ?", ts=ts, event_id="EvOther")  # the same message again
    edited = {"message": {"ts": ts, "text": "Pouvez-vous rappeler lundi ?", "user": MARIE}, "previous_message": {}}
    message(rapport, "", ts=stamp(), subtype="message_changed", **edited)
    assert len(thread_of(rapport, ts)) == 1
    assert len(requests_of(rapport)) == 1
    assert libre.calls == 1


def test_rapports_own_posts_are_never_translated_again(rapport, libre):
    linked(rapport, "translate:both")
    ts = message(rapport, "Merci pour le devis, mais le prix est trop élevé.")
    [post] = thread_of(rapport, ts)
    # Slack sends our own post back as a message event: no translation of the translation
    message(rapport, post["text"], user="U0RAPPORT", ts=post["ts"], thread_ts=ts, bot_id="B0RAPPORT")
    message(rapport, post["text"], user="U0RAPPORT", ts=stamp(), thread_ts=ts)
    assert len(thread_of(rapport, ts)) == 1
    assert libre.calls == 1


def test_translate_both_adds_the_clients_language_under_the_teams_posts(rapport, libre):
    linked(rapport, "translate:both")
    ts = message(rapport, "We will send the quote on Monday.", user="U1")
    [post] = thread_of(rapport, ts)
    assert post["text"] == fake_translation("We will send the quote on Monday.", "fr")
    assert requests_of(rapport) == []  # the team's own messages are not requests


def test_translate_in_leaves_the_teams_posts_alone_and_off_stops_everything(rapport, libre):
    linked(rapport)
    ts = message(rapport, "We will send the quote on Monday.", user="U1")
    assert thread_of(rapport, ts) == []
    ask(rapport, "/client", "edit Dupont SA translate:off")
    ts = message(rapport, "Le devis, s'il vous plaît.")
    assert thread_of(rapport, ts) == []
    assert libre.calls == 0
    assert len(requests_of(rapport)) == 1  # the request is still tracked


def test_the_teams_language_is_what_client_messages_are_translated_into(rapport, libre):
    linked(rapport)
    answer = ask(rapport, "/rapport", "language German")
    assert "German" in answer["text"]
    ts = message(rapport, "Le devis, s'il vous plaît.")
    [post] = thread_of(rapport, ts)
    assert post["text"].startswith("[de] ")


def test_a_client_writing_the_teams_language_gets_no_translation(rapport, libre):
    linked(rapport, "lang:English")
    ts = message(rapport, "Is the quote ready?")
    assert thread_of(rapport, ts) == []
    assert libre.calls == 0


def test_nothing_is_posted_in_a_shared_channel_that_is_not_linked(rapport, libre):
    shared_channel(rapport, "C0UNLINKED", "someone-else")
    ask(rapport, "/client", "add Dupont SA country:FR")
    ts = message(rapport, "Bonjour, le devis ?", channel="C0UNLINKED")
    assert rapport_posts(rapport, "C0UNLINKED") == []
    assert requests_of(rapport) == []
    assert libre.calls == 0
    assert thread_of(rapport, ts, "C0UNLINKED") == []


def test_a_translation_that_fails_posts_nothing_and_keeps_the_request(rapport, libre):
    linked(rapport)
    libre.mode = "fail"
    ts = message(rapport, "Le devis, s'il vous plaît.")
    assert thread_of(rapport, ts) == []
    assert rapport_posts(rapport, SHARED) == []
    assert [request.message_ts for request in requests_of(rapport)] == [ts]
