"""Heads-ups on the dispatcher's ticks: the right moment, the right person, exactly once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from slack_sdk.models.blocks import Block

from db.models.care import FAILED, SENDING, SENT, CareNote
from db.scoped import team_session
from handlers import periodic_tasks
from handlers.care.delivery import care_tick, send_heads_ups
from tests.care.conftest import add_client, notes, set_member, set_workspace

TUESDAY_BEFORE_CHRISTMAS = dt.datetime(2026, 12, 22, 10, 0, tzinfo=dt.UTC)  # 10:00 London, 11:00 Berlin


def _acme(runtime, **values: object) -> int:
    values.setdefault("owner_id", "U1")
    values.setdefault("contact", "Frau Dr. Anna Müller")
    return add_client(runtime, "Acme GmbH", "DE", "Europe/Berlin", **values)


def _posts(slack) -> list:
    return slack.calls_to("chat.postMessage")


def _text(call) -> str:
    parts = [call.args.get("text") or ""]
    for block in call.args.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields") or []]
        parts += [e.get("text", "") for e in block.get("elements") or []]
    return "\n".join(parts)


def test_care_runs_on_the_dispatcher():
    assert care_tick in periodic_tasks()


def test_heads_up_three_days_before_christmas_with_a_german_greeting_exactly_once(runtime, web, slack, clock, libre):
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London", name="Ada Lovelace")
    clock.set(TUESDAY_BEFORE_CHRISTMAS)

    assert care_tick(runtime, web) == 1

    [post] = _posts(slack)
    assert post.args["channel"] == "U1"
    assert post.args["text"] == "Heads-up: Christmas in Germany is Friday, 25 December (in 3 days), for Acme GmbH."
    text = _text(post)
    assert "You get this as the owner of *Acme GmbH*" in text
    assert "Frohe Weihnachten" in text  # the card's custom
    assert "Dear Dr. Müller,\n\nI would like to wish you, your family and your team a merry Christmas." in text
    assert "Sehr geehrte Frau Dr. Müller,\n\n[de] I WOULD LIKE TO WISH" in text
    assert "Mit freundlichen Grüßen\nAda Lovelace" in text
    for block in post.args["blocks"]:
        Block.parse(block).validate_json()
    [note] = notes(runtime)
    assert (note.occasion, note.year, note.status, note.recipient) == ("holiday:christmas", 2026, SENT, "U1")

    for minutes in (10, 60 * 24, 60 * 48):  # later ticks: Christmas Eve, Christmas Day itself
        clock.set(TUESDAY_BEFORE_CHRISTMAS + dt.timedelta(minutes=minutes))
        care_tick(runtime, web)
    assert len(_posts(slack)) == 1


def test_nothing_before_the_lead_time_and_the_lead_time_is_a_setting(runtime, web, slack, clock, libre):
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    clock.set(dt.datetime(2026, 12, 21, 10, 0, tzinfo=dt.UTC))  # four days ahead
    assert send_heads_ups(runtime, web, clock()) == (0, False)
    assert notes(runtime) == []

    with team_session(runtime.sessions, "T1") as session:
        from db.models import Workspace

        session.add(Workspace(team_id="T1", settings={"care_days": 5}))
    assert send_heads_ups(runtime, web, clock()) == (1, False)


def test_the_owner_gets_it_in_working_hours_unless_the_day_is_close(runtime, web, slack, clock, libre):
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    clock.set(dt.datetime(2026, 12, 22, 3, 0, tzinfo=dt.UTC))  # 03:00 in London
    care_tick(runtime, web)
    assert _posts(slack) == [] and notes(runtime) == []

    clock.set(dt.datetime(2026, 12, 22, 9, 30, tzinfo=dt.UTC))
    care_tick(runtime, web)
    assert len(_posts(slack)) == 1


def test_the_day_before_it_goes_even_at_night(runtime, web, slack, clock, libre):
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    clock.set(dt.datetime(2026, 12, 24, 2, 0, tzinfo=dt.UTC))
    assert send_heads_ups(runtime, web, clock())[0] == 1
    assert "is tomorrow, Friday, 25 December" in _posts(slack)[0].args["text"]


def test_without_an_owner_it_goes_to_the_escalation_channel(runtime, web, slack, clock, libre):
    _acme(runtime, owner_id=None)
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    assert send_heads_ups(runtime, web, clock())[0] == 0  # nobody to tell: nothing recorded either
    assert notes(runtime) == []

    set_workspace(runtime, escalation_channel="C9")
    slack.add_channel("C9", "client-escalations")
    assert send_heads_ups(runtime, web, clock())[0] == 1
    [post] = _posts(slack)
    assert post.args["channel"] == "C9"
    assert "Nobody owns *Acme GmbH* yet" in _text(post)


def test_birthday_heads_up(runtime, web, slack, clock, libre):
    _acme(runtime, birthday=dt.date(1975, 11, 25))
    set_member(runtime, "U1", "Europe/London")
    clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    assert care_tick(runtime, web) == 1
    [post] = _posts(slack)
    assert (
        post.args["text"]
        == "Heads-up: birthday of Frau Dr. Anna Müller (Acme GmbH) — Wednesday, 25 November (in 2 days)."
    )
    text = _text(post)
    assert "Happy birthday!" in text and "[de] HAPPY BIRTHDAY!" in text
    assert [(n.occasion, n.year) for n in notes(runtime)] == [("birthday", 2026)]


def test_turned_off_or_uninstalled_workspaces_get_nothing(runtime, web, slack, clock, libre):
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    set_workspace(runtime, care_enabled=False)
    add_client(runtime, "Other Team Client", "DE", "Europe/Berlin", team="T2", owner_id="U7")
    set_workspace(runtime, team="T2", uninstalled={"reason": "app_uninstalled"})
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    assert send_heads_ups(runtime, web, clock()) == (0, False)
    assert _posts(slack) == []


def test_translation_unavailable_still_sends_english_and_the_cards_phrases(runtime, web, slack, clock, libre):
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    libre.mode = "fail"
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    assert care_tick(runtime, web) == 1
    text = _text(_posts(slack)[0])
    assert "Translation unavailable right now (provider: libre)" in text
    assert "Sehr geehrte Frau Dr. Müller," in text and "Mit freundlichen Grüßen" in text


def test_a_refusal_is_retried_later_and_a_permanent_one_is_not(runtime, web, slack, clock, libre):
    _acme(runtime)
    add_client(runtime, "Beta AG", "AT", "Europe/Vienna", owner_id="U1", contact="Herr Mag. Karl Huber")
    set_member(runtime, "U1", "Europe/London")
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    slack.fail("chat.postMessage", error="fatal_error")  # the first one (Acme): try again later
    assert send_heads_ups(runtime, web, clock())[0] == 1  # Beta AG went out
    acme = next(n for n in notes(runtime) if n.client_name == "Acme GmbH")
    assert (acme.status, acme.attempts, acme.last_error) == (SENDING, 1, "fatal_error")

    clock.advance(minutes=5)
    assert send_heads_ups(runtime, web, clock())[0] == 0  # still waiting for the retry time
    clock.advance(minutes=11)
    assert send_heads_ups(runtime, web, clock())[0] == 1
    acme = next(n for n in notes(runtime) if n.client_name == "Acme GmbH")
    assert (acme.status, acme.attempts) == (SENT, 2)

    add_client(runtime, "Gamma GmbH", "DE", "Europe/Berlin", owner_id="U1")
    slack.fail("chat.postMessage", error="user_not_found")
    assert send_heads_ups(runtime, web, clock())[0] == 0
    gamma = next(n for n in notes(runtime) if n.client_name == "Gamma GmbH")
    assert (gamma.status, gamma.last_error) == (FAILED, "user_not_found")
    clock.advance(hours=3)
    send_heads_ups(runtime, web, clock())
    assert len(_posts(slack)) == 4  # Acme ×2, Beta, Gamma ×1: no retry of a permanent refusal


def test_a_claim_left_by_a_crashed_worker_is_taken_over_after_its_lease(runtime, web, slack, clock, libre):
    client_id = _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    with team_session(runtime.sessions, "T1") as session:
        session.add(
            CareNote(
                client_id=client_id,
                client_name="Acme GmbH",
                occasion="holiday:christmas",
                year=2026,
                occasion_date=dt.date(2026, 12, 25),
                occasion_name="Christmas",
                recipient="U1",
                status=SENDING,
                attempts=1,
                lease_until=clock() + dt.timedelta(minutes=4),
            )
        )
    assert send_heads_ups(runtime, web, clock())[0] == 0  # another worker is on it
    clock.advance(minutes=5)
    assert send_heads_ups(runtime, web, clock())[0] == 1
    [note] = notes(runtime)
    assert (note.status, note.attempts) == (SENT, 2)


def test_scans_are_spaced_out_between_ticks(runtime, web, slack, clock, libre):
    set_member(runtime, "U1", "Europe/London")
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    assert care_tick(runtime, web) == 0
    _acme(runtime)
    clock.advance(seconds=30)
    assert care_tick(runtime, web) == 0  # the next scan is a minute after the last
    clock.advance(seconds=30)
    assert care_tick(runtime, web) == 1


def _race(runtimes, web, now) -> list[int]:
    barrier = threading.Barrier(len(runtimes))
    sent: list[int] = []

    def worker(runtime) -> None:
        barrier.wait()
        sent.append(send_heads_ups(runtime, web, now)[0])

    threads = [threading.Thread(target=worker, args=(r,)) for r in runtimes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sent


def test_several_workers_send_each_heads_up_once_on_sqlite(runtime, web, slack, clock, libre):
    _acme(runtime)
    add_client(runtime, "Beta AG", "AT", "Europe/Vienna", owner_id="U1")
    set_member(runtime, "U1", "Europe/London")
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    sent = _race([runtime] * 4, web, clock())
    assert sum(sent) == 2
    assert sorted(p.args["text"] for p in _posts(slack)) == [
        "Heads-up: Christmas in Austria is Friday, 25 December (in 3 days), for Beta AG.",
        "Heads-up: Christmas in Germany is Friday, 25 December (in 3 days), for Acme GmbH.",
    ]


@pytest.mark.postgres
def test_several_worker_processes_send_each_heads_up_once_on_postgres(pg_url, settings, web, slack, clock, libre):
    from bot.app import build_runtime
    from db.session import make_engine

    engines = [make_engine(pg_url) for _ in range(4)]
    try:
        runtimes = [
            dataclasses.replace(build_runtime(settings, clock=clock, engine=engine), extras={}) for engine in engines
        ]
        for index in range(6):
            add_client(runtimes[0], f"Client {index}", "DE", "Europe/Berlin", owner_id="U1")
        set_member(runtimes[0], "U1", "Europe/London")
        clock.set(TUESDAY_BEFORE_CHRISTMAS)
        sent = _race(runtimes, web, clock())
        assert sum(sent) == 6
        assert len(_posts(slack)) == 6
        assert {n.status for n in notes(runtimes[0])} == {SENT}
    finally:
        for engine in engines:
            engine.dispose()


def test_a_public_channel_the_bot_left_is_joined_again(runtime, web, slack, clock, libre):
    _acme(runtime, owner_id=None)
    set_workspace(runtime, escalation_channel="C9")
    slack.add_channel("C9", "client-escalations", is_member=False)
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    assert send_heads_ups(runtime, web, clock())[0] == 1
    assert [c.args["channel"] for c in slack.calls_to("conversations.join")] == ["C9"]
    assert len(_posts(slack)) == 2  # refused with not_in_channel, then posted
    assert notes(runtime)[0].status == SENT


def test_rapport_stats_counts_heads_ups(rapport, web, libre):
    runtime, clock, slack = rapport.runtime, rapport.clock, rapport.slack
    _acme(runtime)
    set_member(runtime, "U1", "Europe/London")
    clock.set(TUESDAY_BEFORE_CHRISTMAS)
    send_heads_ups(runtime, web, clock())
    rapport.send.command("/rapport", "stats")
    [answer] = slack.wait_for("response")
    assert "Relationship-care heads-ups sent: *1*" in answer.args["text"]
