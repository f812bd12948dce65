"""Reminders of an uninstalled workspace wait; the first command after reinstalling lets them out."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select

from db.models import Workspace
from db.models.followups import SENT
from db.scoped import team_session
from handlers.workspace.lifecycle import workspace
from tests.followups.conftest import add_client, one, set_member

MONDAY_10_BERLIN = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _uninstalled(rapport) -> bool:
    with team_session(rapport.runtime.sessions, "T1") as session:
        row = session.scalars(select(Workspace)).one_or_none()  # none until the event is handled
        return row is not None and "uninstalled" in (row.settings or {})


def _command(rapport, command: str, text: str) -> None:
    rapport.slack.clear()
    rapport.send.command(command, text)
    rapport.slack.wait_for("response")


def _until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert predicate()


def test_reminders_held_while_uninstalled_go_out_at_the_next_tick_after_a_command(rapport, tick):
    runtime, clock, slack = rapport.runtime, rapport.clock, rapport.slack
    add_client(runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    set_member(runtime, "U1", "Europe/Berlin")
    clock.set(MONDAY_10_BERLIN)
    _command(rapport, "/followup", "Müller Maschinenbau in 10 minutes send the offer")

    rapport.send.event({"type": "app_uninstalled"}, event_id="EvU1")
    _until(lambda: _uninstalled(rapport))
    clock.advance(minutes=11)
    slack.clear()
    assert tick().retried == 1  # held back, not sent
    assert slack.calls_to("chat.postMessage") == []

    _command(rapport, "/rapport", "help")  # reinstalled: someone uses it again
    _until(lambda: not _uninstalled(rapport))
    clock.advance(seconds=30)  # the next tick, not hours later
    assert tick().sent == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert one(runtime).status == SENT


def test_an_uninstall_seen_by_another_process_is_cleared_by_a_command_here(rapport):
    workspace(rapport.runtime, "T1")
    _command(rapport, "/rapport", "help")  # this process has seen the workspace in use
    with team_session(rapport.runtime.sessions, "T1") as session:  # as another web process records it
        row = session.scalars(select(Workspace)).one()
        row.settings = {**(row.settings or {}), "uninstalled": {"reason": "app_uninstalled", "at": "x"}}
    assert _uninstalled(rapport)
    _command(rapport, "/rapport", "help")
    _until(lambda: not _uninstalled(rapport))


def test_a_reminder_held_by_a_pass_that_began_before_the_resume_is_released(rapport, tick, web):
    from handlers.followups import claims, posting

    runtime, clock = rapport.runtime, rapport.clock
    add_client(runtime, "Müller Maschinenbau", "DE", "Europe/Berlin")
    set_member(runtime, "U1", "Europe/Berlin")
    clock.set(MONDAY_10_BERLIN)
    _command(rapport, "/followup", "Müller Maschinenbau in 10 minutes send the offer")
    clock.advance(minutes=11)
    now = clock()
    [row] = claims.claim(runtime, "deliver", now, 10)
    # The pass read the mark when it began; the workspace has been resumed since (none in the database).
    stale = posting.Context(now, {}, {"T1": {"uninstalled": {"reason": "app_uninstalled"}}})
    outcome = posting.post(runtime, web, claims.Job(row, "deliver"), stale, claims.worker_id())
    assert outcome.name == "retry"
    assert one(runtime).claimed_until is None  # not held for hours
    clock.advance(seconds=30)
    assert tick().sent == 1
