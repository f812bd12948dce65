"""Requests in a linked Slack Connect channel and their reply clock in the client's business hours.

Events arrive signed over HTTP; the clock is the test's; the periodic task (``request_tick``) is run
by hand, as the dispatcher would on each tick.
"""

from __future__ import annotations

import datetime as dt
import json

from handlers.channels.clock import request_tick
from tests.channels.helpers import (
    ESCALATIONS,
    MARIE,
    PIERRE,
    SHARED,
    linked,
    message,
    rapport_posts,
    react,
    requests_of,
    settle,
)
from tests.contact.test_wire import ask
from tests.escalate.helpers import all_text, escalations, posts_in

UTC = dt.UTC
MONDAY_11_IN_PARIS = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def tick(rapport, **advance: float):
    if advance:
        rapport.clock.advance(**advance)
    return request_tick(rapport.runtime, rapport.client)


def test_an_unanswered_request_is_escalated_once_and_not_before_its_minute(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    ts = message(rapport, "Bonjour, où en est le devis <@U1> ?")
    assert tick(rapport, seconds=30).escalated == 0
    warned = tick(rapport, seconds=16)  # 46 s: past 75% of the minute
    assert (warned.warned, warned.escalated) == (1, 0)
    [warning] = posts_in(rapport.slack, "U2")  # the client's owner
    assert "<@U0MARIE>" in warning["text"] and f"<#{SHARED}>" in warning["text"]
    assert "/archives/C0SHARED/p" in warning["text"]  # the message's permalink
    assert tick(rapport, seconds=13).escalated == 0  # 59 s
    assert posts_in(rapport.slack, ESCALATIONS) == []
    assert tick(rapport, seconds=2).escalated == 1  # 61 s
    assert tick(rapport, minutes=5).escalated == 0
    assert tick(rapport, hours=30).escalated == 0
    [post] = posts_in(rapport.slack, ESCALATIONS)
    text = all_text(post["blocks"])
    assert "Dupont SA" in text and "1 min" in text and "<@U0MARIE>" in text
    assert "Bonjour, où en est le devis <@U1> ?" in text  # what they wrote, markup intact
    assert "[en] BONJOUR" in text  # and its translation
    assert "/archives/C0SHARED/p" in text
    assert "Acknowledge" in text and "Resolve" in text
    assert [e.source for e in escalations(rapport.runtime)] == ["request"]
    [request] = requests_of(rapport)
    assert request.escalation_id == escalations(rapport.runtime)[0].id and request.status == "open"
    assert ts == request.message_ts


def test_answered_in_thread_closed_with_a_check_mark_or_only_thanks_are_not_escalated(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    first = message(rapport, "Le devis est-il prêt ?")
    message(rapport, "Oui, je vous l'envoie.", user="U1", thread_ts=first)
    second = message(rapport, "Et la facture ?", user=PIERRE)
    react(rapport, "white_check_mark", second, user=MARIE)  # the client's own check mark closes nothing
    react(rapport, "white_check_mark", second, user="U2")
    message(rapport, "Merci beaucoup !")
    message(rapport, ":pray: :tada:", user=PIERRE)
    assert tick(rapport, minutes=10).escalated == 0
    assert posts_in(rapport.slack, ESCALATIONS) == []
    answered = {r.message_ts: (r.status, r.answered_by, r.answered_how) for r in requests_of(rapport)}
    assert answered == {first: ("answered", "U1", "thread"), second: ("answered", "U2", "reaction")}


def test_rapports_own_thread_post_and_the_clients_reply_do_not_answer(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    ts = message(rapport, "Le devis est-il prêt ?")
    message(rapport, "[en] translated", user="U0RAPPORT", thread_ts=ts, bot_id="B0RAPPORT")
    message(rapport, "Allô ?", thread_ts=ts)
    assert [r.status for r in requests_of(rapport)] == ["open"]
    assert tick(rapport, minutes=2).escalated == 1


def test_the_same_persons_messages_within_two_minutes_are_one_request(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport)
    first = message(rapport, "Bonjour, le devis n'est pas arrivé.")
    rapport.clock.advance(seconds=30)
    message(rapport, "Nous en avons besoin demain.")
    message(rapport, "Nous l'attendons aussi.", user=PIERRE)
    rapport.clock.advance(minutes=3)
    later = message(rapport, "Pouvez-vous vérifier ?")
    rows = requests_of(rapport)
    assert [(r.author_id, r.messages) for r in rows] == [(MARIE, 2), (PIERRE, 1), (MARIE, 1)]
    assert rows[0].message_ts == first and rows[2].message_ts == later


def test_eyes_takes_a_request_and_client_show_lists_it_with_the_clock_left(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:4h")
    ts = message(rapport, "Le devis ?")
    react(rapport, "eyes", ts, user="U1")
    assert requests_of(rapport)[0].assignee_id == "U1"
    rapport.clock.advance(minutes=40)
    shown = ask(rapport, "/client", "show Dupont SA")
    text = shown["text"] + all_text(shown.get("blocks"))
    assert f"<#{SHARED}>" in text and "<@U0MARIE>" in text
    assert "3 h 20 min left of 4 h" in text and ":eyes: <@U1>" in text


def test_a_request_just_before_the_weekend_waits_for_their_business_hours(rapport, libre):
    rapport.clock.set(dt.datetime(2026, 11, 27, 16, 50, tzinfo=UTC))  # Friday 17:50 in Paris, closing at 18:00
    linked(rapport, "reply:30m")
    message(rapport, "Urgent : le devis avant lundi ?")
    escalated_at = []
    while rapport.clock() < dt.datetime(2026, 11, 30, 8, 30, tzinfo=UTC):
        if tick(rapport).escalated:
            escalated_at.append(rapport.clock())
        rapport.clock.advance(minutes=5)
    # 10 minutes on Friday, then 20 from Monday 09:00 in Paris (08:00 UTC): due at 08:20 UTC
    assert escalated_at == [dt.datetime(2026, 11, 30, 8, 20, tzinfo=UTC)]
    [post] = posts_in(rapport.slack, ESCALATIONS)
    assert "30 min" in all_text(post["blocks"])


def test_the_teams_hours_pause_the_clock_too(rapport, libre):
    rapport.clock.set(dt.datetime(2026, 11, 23, 9, 59, 30, tzinfo=UTC))  # Monday, 10:59:30 in Paris
    linked(rapport, "reply:1m")
    answer = ask(rapport, "/rapport", "hours team 09:00-10:00 Europe/London")
    assert "09:00–10:00" in answer["text"] and "Europe/London" in answer["text"]
    message(rapport, "Le devis ?")
    assert tick(rapport, hours=3).escalated == 0  # 30 s counted, then the team is gone for the day
    rapport.clock.set(dt.datetime(2026, 11, 24, 9, 0, 20, tzinfo=UTC))
    assert tick(rapport).escalated == 0
    rapport.clock.set(dt.datetime(2026, 11, 24, 9, 0, 31, tzinfo=UTC))
    assert tick(rapport).escalated == 1
    answer = ask(rapport, "/rapport", "hours team off")
    assert "no shared hours" in answer["text"]


def test_stats_count_first_responses_in_business_hours_and_breaches(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:30m")
    first = message(rapport, "Le devis ?")
    rapport.clock.advance(minutes=10)
    message(rapport, "Le voici.", user="U1", thread_ts=first)
    second = message(rapport, "Et la facture ?", user=PIERRE)
    tick(rapport, minutes=31)
    react(rapport, "white_check_mark", second, user="U1")
    message(rapport, "Une dernière question.")
    answer = ask(rapport, "/rapport", "stats")
    assert "Open client requests: *1*" in answer["text"]
    assert "3 requests" in answer["text"] and "p50 10 min" in answer["text"] and "p90 31 min" in answer["text"]
    assert "1 past the reply target" in answer["text"] and "Dupont SA" in answer["text"]


def test_the_owners_home_tab_lists_open_requests_with_the_clock_left(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:2h")
    message(rapport, "Le devis ?")
    rapport.clock.advance(minutes=30)
    rapport.slack.clear()
    event = {"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home", "event_ts": "1.0"}
    assert rapport.send.event(event, event_id="EvHome").status == 200
    [call] = rapport.slack.wait_for("views.publish")
    view = call.args["view"]
    text = view if isinstance(view, str) else json.dumps(view)
    assert "Waiting for an answer in client channels" in text
    assert "Dupont SA" in text and "1 h 30 min left of 2 h" in text
    blocks = (json.loads(view) if isinstance(view, str) else view)["blocks"]
    assert len(blocks) <= 100


def test_a_reply_under_a_message_that_joined_the_request_answers_it(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    message(rapport, "Le devis est faux.")
    second = message(rapport, "Et la TVA manque.")
    message(rapport, "Je corrige.", user="U1", thread_ts=second)
    [request] = requests_of(rapport)
    assert (request.messages, request.status) == (2, "answered")
    assert tick(rapport, minutes=5).escalated == 0


def test_one_persons_burst_of_messages_at_once_is_one_request(rapport, libre):
    import threading

    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport)
    events = [
        {
            "type": "message",
            "channel": SHARED,
            "user": MARIE,
            "text": f"ligne {n}",
            "ts": f"1764000999.{n:06d}",
            "user_team": "T2DUPONT",
            "source_team": "T2DUPONT",
        }
        for n in range(6)
    ]
    senders = [
        threading.Thread(target=rapport.send.event, args=(e,), kwargs={"event_id": f"EvB{i}"})
        for i, e in enumerate(events)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    settle(rapport)
    [request] = requests_of(rapport)
    assert request.messages == 6


def test_unlinking_the_channel_stops_the_clock_of_its_requests(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    message(rapport, "Le devis ?")
    ask(rapport, "/client", 'edit Dupont SA shared:""')
    assert tick(rapport, minutes=5).escalated == 0
    assert [r.status for r in requests_of(rapport)] == ["closed"]
    shown = ask(rapport, "/client", "show Dupont SA")
    assert "Open requests" not in shown["text"]


def test_broadcasts_in_the_clients_text_do_not_ping_the_escalation_channel(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    message(rapport, "<!channel> <!here> le devis, vite !")
    assert tick(rapport, minutes=2).escalated == 1
    [post] = posts_in(rapport.slack, ESCALATIONS)
    text = all_text(post["blocks"]) + post["text"]
    assert "<!channel>" not in text and "<!here>" not in text and "@channel" in text


def test_someone_slack_cannot_place_takes_and_closes_nothing(rapport, libre):
    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    ts = message(rapport, "Le devis ?")
    rapport.slack.fail("users.info", error="ratelimited", times=5)
    react(rapport, "white_check_mark", ts, user="U0STRANGER")
    message(rapport, "???", user="U0STRANGER", user_team=None, source_team=None, team=None)
    assert [(r.status, r.messages) for r in requests_of(rapport)] == [("open", 1)]
    assert rapport_posts(rapport) == [] or all(p.get("thread_ts") == ts for p in rapport_posts(rapport))


def test_a_workspace_that_uninstalled_rapport_is_not_escalated_until_it_is_back(rapport, libre):
    from handlers.workspace.lifecycle import mark_uninstalled

    rapport.clock.set(MONDAY_11_IN_PARIS)
    linked(rapport, "reply:1m")
    message(rapport, "Le devis ?")
    mark_uninstalled(rapport.runtime, "T1", "app_uninstalled")
    assert tick(rapport, minutes=5).escalated == 0
    ask(rapport, "/rapport", "help")  # any command from the workspace: it is back
    settle(rapport)
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not tick(rapport).escalated:
        time.sleep(0.1)
    assert len(posts_in(rapport.slack, ESCALATIONS)) == 1
