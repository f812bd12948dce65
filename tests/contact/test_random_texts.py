"""10,000 random command texts to /client and /contact: an answer or a UserError, never a crash.

The command functions are called directly (as the Bolt listener does) against a real SQLite
database and the fake Slack, with texts built from the commands' own words, values that are
nearly right, Slack markup and arbitrary Unicode.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack import build_client
from handlers.clients.commands import client_command
from handlers.common.commands import Command
from handlers.common.errors import UserError
from handlers.common.respond import Reply
from handlers.contact.advice import contact

WORDS = [
    "add",
    "edit",
    "show",
    "list",
    "remove",
    "import",
    "export",
    "at",
    "mine",
    "Acme",
    "GmbH",
    "Müller",
    "Japan",
    "DE",
    "US",
    "tomorrow",
    "15:00",
    "their",
    "time",
    "2026-12-24",
    "10:00",
    "2026-12-24T09:00Z",
    "<@U1|ada>",
    "<@U2>",
    "@Grace",
    "#general",
    "<#C1|general>",
    "<https://x.io|site>",
    "<mailto:a@b.co|a@b.co>",
    "&amp;",
    "name,country",
    "\n",
    "Acme,DE",
    "Atlantis",
    "日本",
    "Deutschland",
    '"',
    "'",
    "“",
    "help",
    "?",
    ":",
    "-",
    "",
]
VALUES = [
    "DE",
    "US",
    "Japan",
    "Atlantis",
    "Europe/Berlin",
    "Chicago",
    "Mars/Olympus",
    "ja",
    "日本語",
    "Klingon",
    "email",
    "pigeon",
    "<@U1|ada>",
    "@nobody",
    "me",
    "a@b.co",
    "nope",
    "+49 89 1",
    "09:00-17:00",
    "9-5",
    "25:00-26:00",
    "1980-02-29",
    "1981-02-29",
    "2999-01-01",
    "Bayern",
    "Narnia",
    "",
    '"Dr. Anna Müller"',
    '""',
    "x" * 300,
]
KEYS = [
    "country",
    "tz",
    "lang",
    "language",
    "contact",
    "channel",
    "owner",
    "email",
    "phone",
    "hours",
    "birthday",
    "note",
    "region",
    "city",
    "name",
    "timezone",
    "colour",
]

SUBCOMMANDS = ["add", "edit", "show", "list", "remove", "import", "export", "help", "frobnicate", ""]
LETTERS = list("aAäÄeéßzZ日本語ا<>@#:;,.\"'“”&|/\\*_`~- \n\t0123456789")
# Whole tokens plus short junk from a small alphabet: hypothesis' own work stays near a millisecond
# per example, so that 10,000 examples fit in about half a minute.
POOL = [*WORDS, *SUBCOMMANDS, *(f"{key}:{value}" for key in KEYS for value in VALUES)]
junk = st.text(alphabet=st.sampled_from(LETTERS), max_size=16)
commands = st.tuples(st.booleans(), st.lists(st.sampled_from(POOL) | junk | st.text(max_size=5), max_size=7))


@pytest.fixture
def make_command(runtime, slack):
    client = build_client(runtime_settings(slack))

    def make(name: str, text: str) -> Command:
        return Command(
            name=name,
            text=text.strip(),
            team_id="T1",
            user_id="U1",
            channel_id="C1",
            client=client,
            runtime=runtime,
            trigger_id="1.2.3",
        )

    return make


def runtime_settings(slack):
    from bot.settings import Settings

    return Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack.url})


@pytest.mark.slow
def test_random_texts_never_crash(make_command, clock):
    clock.set(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
    for seed in ("add Acme GmbH country:DE", "add Tanaka Shoji country:JP", "add Acme Inc country:US tz:Chicago"):
        assert isinstance(client_command(make_command("/client", seed)), Reply)
    started = time.monotonic()
    counts = {"/client": 0, "/contact": 0}

    @settings(
        max_examples=int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "5000")),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(command=commands)
    def check(command: tuple[bool, list[str]]) -> None:
        is_client, tokens = command
        name = "/client" if is_client else "/contact"
        if is_client and tokens and tokens[0] not in SUBCOMMANDS:
            # Most /client texts start with a subcommand, to reach the checks behind it.
            tokens = [SUBCOMMANDS[len(tokens) % len(SUBCOMMANDS)], *tokens]
        text = " ".join(tokens).strip()
        counts[name] += 1
        function = client_command if name == "/client" else contact
        try:
            reply = function(make_command(name, text))
        except UserError as error:
            assert error.message.strip()
            return
        assert reply is None or (isinstance(reply, Reply) and reply.text.strip())

    check()
    check()  # a second pass with fresh examples: 10,000 texts in all
    assert sum(counts.values()) >= 9000
    assert time.monotonic() - started < 90
