"""Flag reactions and the Translate shortcut end to end: Events API and interactivity payloads through
the real app, message text from the fake Slack, translations from the fake LibreTranslate."""

from __future__ import annotations

import time

from handlers.translate.listeners import SHORTCUT
from tests.support.libretranslate import fake_translation
from tests.translate.conftest import add_client

GERMAN = "Vielen Dank für Ihre Bestellung. Wir liefern morgen früh."
ENGLISH = "Thanks for your order, we will ship it tomorrow morning."


def reaction(reaction: str = "flag-jp", *, channel: str = "C1", ts: str = "1700000000.000100", user: str = "U1"):
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": "U0AUTHOR",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1700000001.000200",
    }


def settle(seconds: float = 0.6) -> None:
    """Give the app time to do anything more it was (wrongly) going to do."""
    time.sleep(seconds)


def test_flag_reaction_posts_one_thread_reply_despite_retries_and_repeats(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", ENGLISH)
    rapport.send.event(reaction("flag-jp"), event_id="Ev1")
    rapport.send.event(reaction("flag-jp"), event_id="Ev1", retry_num=1)  # Slack's retry of the same delivery
    [posted] = rapport.slack.wait_for("chat.postMessage")
    rapport.send.event(reaction("flag-jp", user="U2"), event_id="Ev2")  # the same flag, added again
    rapport.send.event(reaction("jp"), event_id="Ev3")  # another name for the same flag
    settle()

    assert len(rapport.slack.calls_to("chat.postMessage")) == 1
    assert posted.args["channel"] == "C1"
    assert posted.args["thread_ts"] == "1700000000.000100"
    assert posted.args["text"] == fake_translation(ENGLISH, "ja")
    assert libre.calls == 1
    assert rapport.slack.calls_to("chat.postEphemeral") == []


def test_another_flag_on_the_same_message_posts_another_language(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", ENGLISH)
    rapport.send.event(reaction("flag-jp"), event_id="Ev1")
    rapport.slack.wait_for("chat.postMessage")
    rapport.send.event(reaction("de"), event_id="Ev2")
    posts = rapport.slack.wait_for("chat.postMessage", 2)
    assert posts[1].args["text"] == fake_translation(ENGLISH, "de")


def test_reaction_in_a_thread_replies_in_that_thread(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000300", ENGLISH, thread_ts="1700000000.000100")
    rapport.send.event(reaction("flag-fr", ts="1700000000.000300"), event_id="Ev1")
    [posted] = rapport.slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == "1700000000.000100"


def test_non_flag_reactions_are_ignored(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", ENGLISH)
    rapport.send.event(reaction("thumbsup"), event_id="Ev1")
    rapport.send.event(reaction("flag-zz"), event_id="Ev2")
    settle()
    assert rapport.slack.calls_to("chat.postMessage") == []
    assert rapport.slack.calls_to("conversations.history") == []
    assert libre.calls == 0


def test_ambiguous_flag_follows_the_channels_client(rapport, libre):
    add_client(rapport.runtime, "Chocolat SA", "CH", "Europe/Zurich", language="fr")
    rapport.send.command("/translate", "link Chocolat SA", channel="C1")
    rapport.slack.wait_for("response")
    rapport.slack.add_message("C1", "1700000000.000100", ENGLISH)
    rapport.send.event(reaction("flag-ch"), event_id="Ev1")
    rapport.slack.wait_for("chat.postMessage")
    assert libre.requests[-1].target == "fr"

    rapport.slack.add_message("C2", "1700000000.000100", ENGLISH)
    rapport.send.event(reaction("flag-ch", channel="C2"), event_id="Ev2")
    rapport.slack.wait_for("chat.postMessage", 2)
    assert libre.requests[-1].target == "de", "no client: the most spoken official language"


def test_provider_failure_tells_the_reactor_and_a_later_flag_retries(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", ENGLISH)
    libre.mode = "fail"
    rapport.send.event(reaction("flag-jp"), event_id="Ev1")
    [told] = rapport.slack.wait_for("chat.postEphemeral")
    assert told.args["user"] == "U1"
    assert "translation is unavailable right now (provider: libre)" in told.args["text"]
    assert rapport.slack.calls_to("chat.postMessage") == []

    libre.mode = "ok"
    rapport.send.event(reaction("flag-jp"), event_id="Ev2")
    [posted] = rapport.slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == "1700000000.000100"


def test_hanging_provider_on_a_reaction_answers_in_time(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", ENGLISH)
    libre.mode = "hang"
    started = time.monotonic()
    rapport.send.event(reaction("flag-jp"), event_id="Ev1")
    [told] = rapport.slack.wait_for("chat.postEphemeral")
    assert time.monotonic() - started < 10
    assert "provider: libre" in told.args["text"]


def test_unreadable_message_is_explained(rapport, libre):
    rapport.send.event(reaction("flag-jp", ts="1700000009.000100"), event_id="Ev1")
    [told] = rapport.slack.wait_for("chat.postEphemeral")
    assert "could not read that message" in told.args["text"]


def test_message_already_in_that_language_is_not_posted(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", GERMAN)
    rapport.send.event(reaction("flag-de"), event_id="Ev1")
    [told] = rapport.slack.wait_for("chat.postEphemeral")
    assert "already in German" in told.args["text"]
    assert rapport.slack.calls_to("chat.postMessage") == []
    assert libre.calls == 0


def test_broadcasts_are_not_repeated_in_the_thread(rapport, libre):
    rapport.slack.add_message("C1", "1700000000.000100", "<!here> the server restarts tonight at ten o'clock")
    rapport.send.event(reaction("flag-es"), event_id="Ev1")
    [posted] = rapport.slack.wait_for("chat.postMessage")
    assert "<!here>" not in posted.args["text"] and "@here" in posted.args["text"]
    assert "here" not in libre.requests[-1].q


def shortcut_payload(rapport, text: str, *, channel: str = "C1", user: str = "U1") -> dict:
    return {
        "type": "message_action",
        "callback_id": SHORTCUT,
        "trigger_id": "1.2.3",
        "response_url": rapport.send.next_response_url(),
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": "1700000000.000100", "user": "U0AUTHOR", "text": text},
        "message_ts": "1700000000.000100",
        "action_ts": str(time.time()),
    }


def test_shortcut_translates_into_the_askers_language_privately(rapport, libre):
    rapport.send.interactive(shortcut_payload(rapport, GERMAN))
    [answer] = rapport.slack.wait_for("response")
    assert answer.args["response_type"] == "ephemeral"
    assert fake_translation(GERMAN, "en") in answer.args["text"]
    assert libre.requests[-1].source == "de" and libre.requests[-1].target == "en"
    assert rapport.slack.calls_to("chat.postMessage") == []


def test_shortcut_follows_the_askers_slack_locale(rapport, libre):
    rapport.slack.add_user("U3", tz="Asia/Tokyo", locale="ja-JP", name="Hana")
    rapport.send.interactive(shortcut_payload(rapport, ENGLISH, user="U3"))
    [answer] = rapport.slack.wait_for("response")
    assert libre.requests[-1].target == "ja"
    assert fake_translation(ENGLISH, "ja") in answer.args["text"]


def test_shortcut_on_a_message_in_my_language_says_so(rapport, libre):
    rapport.send.interactive(shortcut_payload(rapport, ENGLISH))
    [answer] = rapport.slack.wait_for("response")
    assert "already in English" in answer.args["text"]
    assert libre.calls == 0
