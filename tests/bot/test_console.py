"""The console drives the same app through the Slack stand-in: answers, reminders and clicks as text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import threading

from bot.app import create_app
from bot.console import CHANNEL_ID, USER_ID, Console, ConsoleLog, furnish
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


def _furnished_console(settings, runtime, slack):
    local = dataclasses.replace(settings, slack_signing_secret=None)
    furnish(slack, "Europe/London")
    out = io.StringIO()
    return Console(create_app(local, runtime, build_client(local)), slack, out=out), out


def test_a_pasted_csv_belongs_to_client_import_until_a_blank_line(settings, runtime, slack):
    console, out = _furnished_console(settings, runtime, slack)
    typed = io.StringIO(
        "/client import name,country,tz,contact\n"
        "Alpha GmbH,DE,,Anna Weber\n"
        "Beta KK,JP,,Tanaka Hiroshi\n"
        "\n"
        "/client list\n"
    )
    console.loop(typed)
    text = out.getvalue()
    assert "   ...> Beta KK,JP,,Tanaka Hiroshi" in text  # the continuation lines were read as such
    assert "Imported 2" in text or "imported 2" in text.lower()
    listing = text.rsplit("/client list", 1)[1]
    assert "Alpha GmbH" in listing and "Beta KK" in listing
    assert "Commands start with a slash" not in text  # no CSV line was taken for a command


def test_the_console_workspace_has_channels_for_escalations(settings, runtime, slack):
    console, out = _furnished_console(settings, runtime, slack)
    console.handle("/escalate channel #client-escalations")
    text = out.getvalue()
    assert "#client-escalations" in text
    assert "can't" not in text.lower() and "cannot" not in text.lower()
    console.handle("/client add Alpha GmbH country:DE")
    console.handle("/escalate Alpha GmbH invoice disputed")
    assert "posted in #client-escalations" in out.getvalue()


def test_log_lines_never_cut_into_an_answer(settings, runtime, slack):
    console, _ = _furnished_console(settings, runtime, slack)
    handler = ConsoleLog(console)
    entered = threading.Event()
    release = threading.Event()

    class SlowOut(io.StringIO):
        def write(self, text: str) -> int:
            if text.startswith("\n── only you"):
                entered.set()
                release.wait(2)
            return super().write(text)

    console.out = slow = SlowOut()
    printer = threading.Thread(target=console.handle, args=("/rapport help",))
    printer.start()
    assert entered.wait(5)
    logger = logging.getLogger("tests.console")
    record = logger.makeRecord("tests.console", logging.WARNING, __file__, 1, "disk is slow", (), None)
    logging_thread = threading.Thread(target=handler.emit, args=(record,))
    logging_thread.start()
    logging_thread.join(0.2)
    assert logging_thread.is_alive()  # the log line waits while the answer is being written
    release.set()
    printer.join(10)
    logging_thread.join(5)
    text = slow.getvalue()
    answer_end = text.index("(log) WARNING tests.console: disk is slow")
    assert "only you can see this" in text[:answer_end]
