"""`/escalate` against the CONTRACT's input rules, through the real wire.

Slack markup typed in a summary stays markup wherever the summary is shown again, and
unknown input (an unknown client, a subcommand with the wrong argument, an escalation
number that does not exist) gets a specific message and the usage.
"""

from __future__ import annotations

import datetime as dt

from db.scoped import team_session
from handlers.escalate import blocks
from handlers.escalate.blocks import ListedEscalation
from tests.escalate.helpers import add_client, ask, escalations, posts_in, set_channel

MONDAY_11_BERLIN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
# As Slack sends it with should_escape: mentions, channel, link, special mention, mail link, emoji, an entity.
MARKUP = "<@U123> <#C123|general> <https://x.y|link> <!channel> <mailto:a@b.co|a@b.co> :fire: R&amp;D &lt;draft&gt;"


def _setup(rapport) -> None:
    rapport.clock.set(MONDAY_11_BERLIN)
    rapport.slack.add_channel("C9", "escalations")
    add_client(rapport.runtime, "Acme GmbH", "DE", "Europe/Berlin", owner_id="U2")
    set_channel(rapport.runtime, "C9")


def _usage_shown(text: str) -> bool:
    return "*Usage*" in text and "/escalate resolve" in text


def test_list_shows_the_summary_with_its_slack_markup_intact(rapport):
    _setup(rapport)
    ask(rapport, f"Acme GmbH disputed {MARKUP}")
    [row] = escalations(rapport.runtime)
    assert row.summary == f"disputed {MARKUP}"
    [post] = posts_in(rapport.slack, "C9")
    assert MARKUP in str(post["blocks"])  # the channel post was right already

    listed = ask(rapport, "list")["text"]
    assert f"disputed {MARKUP}" in listed
    assert "&lt;@U123&gt;" not in listed and "&amp;lt;" not in listed and "&amp;amp;" not in listed
    assert "<@U123>" in listed and "<#C123|general>" in listed and "<https://x.y|link>" in listed
    assert "<!channel>" in listed and "<mailto:a@b.co|a@b.co>" in listed


def test_list_cuts_a_long_summary_before_markup_not_inside_it(rapport):
    _setup(rapport)
    summary = "x" * 95 + " see <https://example.com/a/long/path|the thread> and <@U123> R&amp;D"
    ask(rapport, f"Acme GmbH {summary}")
    listed = ask(rapport, "list")["text"]
    assert "x" * 95 + " see…" in listed
    assert "<https://example.com" not in listed  # not half a link

    now = MONDAY_11_BERLIN
    entity = ListedEscalation(1, "Acme", "normal", "open", "y" * 117 + "&amp;z", now, "C9", None, None)
    assert "y" * 117 + "…" in blocks.escalation_list([entity], now, 0)  # not "&am…"


def test_form_summary_is_still_shown_literally_in_the_list(rapport):
    _setup(rapport)
    # A form's summary is stored escaped by us; the list must not turn it into markup.
    ask(rapport, "Acme GmbH first")
    [row] = escalations(rapport.runtime)
    with team_session(rapport.runtime.sessions, "T1") as session:
        session.get(type(row), row.id).summary = "Client threatens to cancel &lt;today&gt; &amp; more"
    listed = ask(rapport, "list")["text"]
    assert "Client threatens to cancel &lt;today&gt; &amp; more" in listed


def test_unknown_client_with_a_suggestion_still_shows_the_usage(rapport):
    _setup(rapport)
    answer = ask(rapport, "acmee invoice late")["text"]
    assert "I don't know a client called “acmee" in answer and "Did you mean *Acme GmbH*?" in answer
    assert _usage_shown(answer)
    assert escalations(rapport.runtime) == []


def test_resolving_a_number_that_does_not_exist_shows_the_usage(rapport):
    _setup(rapport)
    answer = ask(rapport, "resolve 99 x")["text"]
    assert "There is no escalation `#99`" in answer and _usage_shown(answer)
    huge = ask(rapport, "resolve 99999999999999999999999 x")["text"]
    assert "There is no escalation" in huge and _usage_shown(huge)


def test_subcommands_with_a_wrong_argument_say_what_they_take(rapport):
    _setup(rapport)
    for text in ("resolve abc x", "resolve", "resolve #", "resolve 1.5 sorted", "RESOLVE abc"):
        answer = ask(rapport, text)["text"]
        assert "`/escalate resolve` takes an escalation number" in answer, (text, answer)
        assert "I don't know a client" not in answer and _usage_shown(answer), (text, answer)
    settings = ask(rapport, "settings foo")["text"]
    assert "`/escalate settings` takes `after:" in settings and _usage_shown(settings)
    assert "I don't know a client" not in settings
    unknown_key = ask(rapport, "settings foo:1")["text"]
    assert "I don't know the option `foo:`" in unknown_key and _usage_shown(unknown_key)
    listed = ask(rapport, "list everything")["text"]
    assert "`/escalate list` takes nothing" in listed and _usage_shown(listed)
    channel = ask(rapport, "channel escalations please")["text"]
    assert "`/escalate channel` takes one channel" in channel and _usage_shown(channel)
    assert escalations(rapport.runtime) == []
    assert posts_in(rapport.slack, "C9") == []


def test_a_client_named_like_a_subcommand_can_still_be_escalated(rapport):
    _setup(rapport)
    add_client(rapport.runtime, "Resolve Ltd", "GB", "Europe/London")
    add_client(rapport.runtime, "Settings", "GB", "Europe/London")
    answer = ask(rapport, "Resolve Ltd invoice disputed")["text"]
    assert "Escalated *Resolve Ltd*" in answer
    assert "Escalated *Settings*" in ask(rapport, "settings broken again")["text"]
    assert "Escalated *Resolve Ltd*" in ask(rapport, '"Resolve Ltd" 2 more issues')["text"]
    assert [(e.client_name, e.summary) for e in escalations(rapport.runtime)] == [
        ("Resolve Ltd", "invoice disputed"),
        ("Settings", "broken again"),
        ("Resolve Ltd", "2 more issues"),
    ]
    # The subcommands keep working when what follows fits them.
    assert "is resolved" in ask(rapport, "resolve 1 sorted by phone")["text"]
    assert "Escalation settings" in ask(rapport, "settings")["text"]


def test_list_shows_why_an_escalation_waits_with_the_channel_mention_intact(rapport):
    from tests.escalate.test_manual import _setup
    from tests.escalate.test_manual import ask as ask_escalate

    _setup(rapport)
    rapport.slack.channels["C9"]["is_archived"] = True  # archived after it was chosen
    ask_escalate(rapport, "Acme GmbH the container is stuck")
    listed = ask_escalate(rapport, "list")["text"]
    assert "*not posted yet* (<#C9> is archived" in listed
    assert "&lt;#C9&gt;" not in listed
