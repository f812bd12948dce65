"""The console drives the same app through the Slack stand-in: answers, reminders and clicks as text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from bot.app import create_app
from bot.console import CHANNEL_ID, USER_ID, Console
from bot.dispatcher import tick
from bot.slack import build_client


def _console(settings, runtime, slack):
    local = dataclasses.replace(settings, slack_signing_secret=None)
    slack.add_user(USER_ID, tz="Europe/London", name="you")
    slack.add_channel(CHANNEL_ID, "console")
    out = io.StringIO()
    return Console(create_app(local, runtime, build_client(local)), slack, out=out), out


def test_commands_answer_as_text(settings, runtime, slack):
    console, out = _console(settings, runtime, slack)
    assert console.handle('/client add Müller Maschinenbau country:DE contact:"Dr. Anna Müller"')
    assert console.handle("/contact müller maschinenbau")
    text = out.getvalue()
    assert "Added" in text and "contact Müller Maschinenbau" in text and "Europe/Berlin" in text
    assert console.handle("hello")
    assert "Commands start with a slash" in out.getvalue()
    assert console.handle("quit") is False


def test_reminders_print_when_they_fire_and_buttons_can_be_clicked(settings, runtime, slack, clock):
    clock.set(dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC))  # Tuesday, 11:00 in Berlin
    console, out = _console(settings, runtime, slack)
    console.handle("/client add Müller Maschinenbau country:DE")
    console.handle("/followup Müller Maschinenbau in 2 hours send the quote")
    clock.advance(hours=3)
    tick(runtime, build_client(dataclasses.replace(settings, slack_signing_secret=None)))
    text = out.getvalue()
    assert "direct message" in text and "send the quote" in text
    done = next(i for i, b in enumerate(console.buttons, 1) if b.label == "Done")
    console.click(done)
    assert "message updated" in out.getvalue()
