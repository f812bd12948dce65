"""The Home tab through the wire: app_home_opened in, views.publish out (recorded by the fake Slack)."""

from __future__ import annotations

import datetime as dt
import json

from slack_sdk.models.views import View

from db.models.followups import SCHEDULED, SENT, FollowUp
from db.scoped import team_session
from tests.draft.conftest import add_client, set_member

MONDAY_10_UTC = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # 11:00 Berlin, 19:00 Tokyo


def _open_home(rapport, user: str = "U1", tab: str = "home", event_id: str = "Ev1") -> dict | None:
    rapport.slack.clear()
    result = rapport.send.event(
        {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab, "event_ts": "1.0"}, event_id=event_id
    )
    assert result.status == 200
    if tab != "home":
        return None
    [call] = rapport.slack.wait_for("views.publish")
    assert call.args["user_id"] == user
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def _text(view: dict) -> str:
    parts = []
    for block in view["blocks"]:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [e.get("text", "") for e in block.get("elements") or []]
    return "\n".join(parts)


def _followup(runtime, short_id: int, client: str, what: str, due: dt.datetime, status: str = SCHEDULED, owner="U1"):
    with team_session(runtime.sessions, "T1") as session:
        session.add(
            FollowUp(
                short_id=short_id,
                client_name=client,
                owner_id=owner,
                what=what,
                when_text="x",
                status=status,
                due_at=due,
            )
        )


def test_home_shows_zone_hours_followups_clients_and_commands(rapport):
    runtime = rapport.runtime
    rapport.clock.set(MONDAY_10_UTC)
    set_member(runtime, "U1", "Europe/London", name="Ada")
    add_client(runtime, "Acme GmbH", "DE", "Europe/Berlin", owner_id="U1", contact="Frau Anna Müller")
    add_client(runtime, "Tanaka Trading", "JP", "Asia/Tokyo", owner_id="U1")
    add_client(runtime, "Someone Else's", "FR", "Europe/Paris", owner_id="U2")
    _followup(runtime, 7, "Acme GmbH", "send the *revised* offer", dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    _followup(runtime, 3, "Tanaka Trading", "call about <https://x.example|the order>", MONDAY_10_UTC, status=SENT)
    _followup(runtime, 9, "Acme GmbH", "not mine", MONDAY_10_UTC, owner="U2")

    view = _open_home(rapport)

    View(**view).validate_json()
    assert view["type"] == "home"
    text = _text(view)
    assert "*Europe/London*" in text and "*09:00–18:00*" in text
    assert "`#3` *Tanaka Trading* — call about <https://x.example|the order> · waiting for Done" in text
    assert "`#7` *Acme GmbH* — send the *revised* offer · Tue 24 Nov 09:00" in text
    assert text.index("`#3`") < text.index("`#7`") and "not mine" not in text
    assert ":large_green_circle: *Acme GmbH* (Germany) — Mon 11:00 there: good time to contact" in text
    assert (
        ":red_circle: *Tanaka Trading* (Japan) — Mon 19:00 there: "
        "not a good time: public holiday (Labor Thanksgiving Day)" in text
    )
    assert "next good window Tue 24 Nov 09:00 their time (Tue 24 Nov 00:00 yours)" in text
    assert "Someone Else" not in text
    assert "/draft &lt;client&gt;" in text and "/contact" in text


def test_home_for_someone_new(rapport):
    rapport.slack.add_user("U3", tz="Asia/Kolkata", name="Ravi")
    view = _open_home(rapport, user="U3")
    text = _text(view)
    assert "*Asia/Kolkata*" in text  # read from users.info
    assert "You own no clients yet" in text and "None waiting" in text


def test_usage_placeholders_are_escaped_and_markup_is_kept(rapport):
    runtime = rapport.runtime
    set_member(runtime, "U1", "Europe/London")
    empty = _text(_open_home(rapport))
    assert "None waiting. `/followup &lt;client&gt; &lt;when&gt; &lt;what&gt;` sets one." in empty
    assert "`/client add &lt;name&gt; country:&lt;country&gt; owner:@you` adds one." in empty
    assert "`/contact &lt;client | country&gt; [at &lt;when&gt;]`" in empty  # the command overview
    add_client(runtime, "Acme GmbH", "DE", "Europe/Berlin", owner_id="U1")
    what = "ask <@U2|grace> about <https://x.example|the order> in <#C9|sales> <!here>"
    _followup(runtime, 1, "Acme GmbH", what, dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    view = _open_home(rapport)
    View(**view).validate_json()
    text = _text(view)
    assert f"*Acme GmbH* — {what} ·" in text
    assert "<client>" not in text and "<when>" not in text and "<name>" not in text


def test_coming_occasions_are_listed(rapport):
    runtime = rapport.runtime
    rapport.clock.set(dt.datetime(2026, 12, 15, 10, 0, tzinfo=dt.UTC))
    set_member(runtime, "U1", "Europe/London")
    add_client(runtime, "Acme GmbH", "DE", "Europe/Berlin", owner_id="U1", birthday=dt.date(1980, 12, 20))
    text = _text(_open_home(rapport))
    assert "*Coming up for your clients*" in text
    assert "*Acme GmbH*: contact's birthday — Sunday, 20 December (in 5 days)" in text
    assert "*Acme GmbH*: Christmas (Germany) — Friday, 25 December (in 10 days)" in text


def test_messages_tab_publishes_nothing(rapport):
    _open_home(rapport, tab="messages")
    rapport.send.command("/rapport", "help")  # something observable after the event
    rapport.slack.wait_for("response")
    assert rapport.slack.calls_to("views.publish") == []


def test_a_failing_views_publish_is_logged_not_retried_forever(rapport, caplog):
    set_member(rapport.runtime, "U1", "Europe/London")
    rapport.slack.fail("views.publish", error="not_enabled")
    rapport.send.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}, event_id="Ev9")
    rapport.slack.wait_for("views.publish")
    rapport.send.command("/rapport", "help")
    rapport.slack.wait_for("response")
    assert len(rapport.slack.calls_to("views.publish")) == 1


def test_many_clients_and_long_followups_fit_slacks_limits(rapport):
    runtime = rapport.runtime
    set_member(runtime, "U1", "Europe/London")
    for index in range(25):
        add_client(runtime, f"Client number {index:02d} with a rather long name", "JP", "Asia/Tokyo", owner_id="U1")
    long_what = "check <https://x.example/a|the order> " + "and the paperwork " * 100
    _followup(runtime, 1, "Client number 00 with a rather long name", long_what, MONDAY_10_UTC)
    view = _open_home(rapport)
    View(**view).validate_json()
    text = _text(view)
    assert "Client number 19" in text and "Client number 20" not in text
    assert "…and 5 more: `/client list @you`" in text
    assert "<https://x.example/a|the order>" in text
