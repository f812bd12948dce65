"""Isolation proof: every button and form Rapport showed workspace A, clicked or submitted by someone of
workspace B (the same ids, a forged team), changes nothing of A's; commands, exports and the Home
tab of B see only B's rows, though both have a client of the same name."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from db.base import Base, TeamOwned
from db.scoped import all_teams_session
from handlers.followups.delivery import dispatch_due
from tests.followups.conftest import set_member
from tests.support.slack_requests import SlackSender

A, B = "T1", "T2"
VOLATILE = {"updated_at", "seen_at", "profile_fetched_at", "last_seen_at", "claimed_until", "claimed_by"}


def snapshot(runtime, team: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``team`` in every workspace-owned table (columns that only track our own
    bookkeeping left out)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with all_teams_session(runtime.sessions) as session:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            if not issubclass(model, TeamOwned) or model.__tablename__ == "seen_event":
                continue
            columns = [c for c in model.__table__.columns if c.name not in VOLATILE]
            found = session.execute(select(*columns).where(model.__table__.c.team_id == team)).all()
            rows[model.__tablename__] = sorted((tuple(map(repr, row)) for row in found), key=repr)
    return rows


def _elements(blocks: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return found
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id"):
                found.append(element)
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("action_id"):
            found.append(accessory)
    return found


def buttons_shown(slack) -> list[dict[str, Any]]:
    """Every interactive element in what Rapport posted, answered, published or opened."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for call in list(slack.calls):
        args = call.args
        views = [args.get("view")] if call.method in ("views.publish", "views.open", "views.update") else []
        for view in views:
            view = json.loads(view) if isinstance(view, str) else view
            for element in _elements((view or {}).get("blocks")):
                found[(element["action_id"], str(element.get("value")))] = element
        for element in _elements(args.get("blocks")):
            found[(element["action_id"], str(element.get("value")))] = element
    return list(found.values())


def views_opened(slack) -> list[dict[str, Any]]:
    opened = []
    for call in slack.calls_to("views.open") + slack.calls_to("views.push"):
        view = call.args.get("view")
        opened.append(json.loads(view) if isinstance(view, str) else view)
    return opened


def test_forged_buttons_forms_and_commands_from_another_workspace_change_nothing(rapport):
    runtime, slack = rapport.runtime, rapport.slack
    rapport.clock.set(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))  # Monday
    slack.add_user("UB", tz="Europe/London", name="Bea", team_id=B)
    slack.add_channel("CESC", "escalations")
    set_member(runtime, "U1", "Europe/London")
    set_member(runtime, "UB", "Europe/London", team=B)
    a = rapport.send
    b = SlackSender(f"{rapport.url}/slack/events", a.secret, team_id=B, response_url_base=slack.base)

    def settle() -> None:
        assert runtime.extras["listener_pool"].drain(10.0)

    # Workspace A uses everything that shows buttons and forms.
    for command, text in [
        ("/client", 'add Acme country:GB note:"A secret of A"'),
        ("/client", "edit Acme owner:<@U1> escalation:<#CESC>"),
        ("/followup", "Acme in 1 hour send the quote"),
        ("/followup", "Acme tomorrow call"),
        ("/escalate", "Acme the client is upset"),
        ("/followup", "list"),
        ("/client", "show Acme"),
        ("/client", "list"),
        ("/contact", "Acme"),
        ("/draft", "Acme followup"),
        ("/client", "add"),
        ("/escalate", ""),
    ]:
        assert a.command(command, text, user="U1").status == 200
        settle()
    home = {"type": "app_home_opened", "tab": "home", "event_ts": "1.0"}
    a.event({**home, "user": "U1", "channel": "D1"}, event_id="EvH")
    settle()
    # Rapport added to a channel shared with another organisation: the pick list DM to the inviter.
    slack.add_channel("CSHARED", "ext-acme", shared_with="TCLIENT")
    joined = {"type": "member_joined_channel", "user": "U0RAPPORT", "channel": "CSHARED", "inviter": "U1"}
    a.event({**joined, "channel_type": "C", "team": A}, event_id="EvJ")
    settle()
    # A opens the resolution form of its escalation (B will submit it).
    [resolve] = [e for e in buttons_shown(slack) if e["action_id"] == "rapport_escalate_resolve"]
    a.action("rapport_escalate_resolve", str(resolve.get("value") or ""), user="U1", channel="CESC")
    settle()
    rapport.clock.set(dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC))
    dispatch_due(runtime, rapport.client)  # the reminder, with its Done / Snooze buttons
    settle()

    # Workspace B has a client of the same name.
    assert b.command("/client", 'add Acme country:GB note:"B only"', user="UB").status == 200
    settle()

    before_a = snapshot(runtime, A)
    assert before_a["followup"] and before_a["escalation"] and before_a["client"]

    elements = buttons_shown(slack)
    shown = {e["action_id"] for e in elements}
    assert {
        "rapport_escalate_acknowledge",
        "rapport_escalate_resolve",
        "rapport_followup_done",
        "rapport_followup_snooze_hour",
        "rapport_followup_escalate",
        "rapport_link_shared_channel",
    } <= shown, shown
    opened = {view.get("callback_id") for view in views_opened(slack)}
    assert len(opened) >= 3, opened  # the client form, the escalation form, the resolution form
    for element in elements:
        if element.get("type") in ("button", None):
            b.action(element["action_id"], str(element.get("value") or ""), user="UB", channel="D1")
        elif element.get("type") in ("overflow", "static_select"):
            for option in element.get("options") or []:
                b.interactive(
                    {
                        "type": "block_actions",
                        "user": {"id": "UB", "team_id": B},
                        "channel": {"id": "D1"},
                        "container": {"type": "message", "message_ts": "1.000001", "channel_id": "D1"},
                        "trigger_id": "1.2.3",
                        "actions": [
                            {
                                "action_id": element["action_id"],
                                "block_id": "b1",
                                "type": element["type"],
                                "selected_option": option,
                            }
                        ],
                    }
                )
        settle()
    for view in views_opened(slack):
        b.view_submission(view.get("callback_id", ""), {}, user="UB", private_metadata=view.get("private_metadata", ""))
        settle()

    # Commands from B naming A's client reach B's own.
    for command, text in [
        ("/client", "edit Acme note:changed-by-B"),
        ("/followup", "list"),
        ("/followup", "done 1"),
        ("/followup", "cancel 2"),
        ("/escalate", "list"),
        ("/client", "remove Acme"),
    ]:
        b.command(command, text, user="UB")
        settle()

    assert snapshot(runtime, A) == before_a
    after_b = snapshot(runtime, B)
    # B's own rows may change (its own commands), but never point at A's.
    a_ids = {row[0] for table in ("followup", "escalation", "client") for row in before_a[table]}
    for table in ("followup", "escalation"):
        assert not after_b.get(table), (table, after_b.get(table))
    # Nothing A wrote was shown to B.
    answers_to_b = [
        json.dumps(call.args)
        for call in slack.calls
        if call.args.get("user") == "UB" or call.args.get("channel") in ("UB", "DB")
    ]
    assert not any("A secret of A" in text for text in answers_to_b)
    assert a_ids  # the proof ran on real rows
    # The very same click from A's own member does change A's row: the forged payloads were real ones.
    [done] = [e for e in elements if e["action_id"] == "rapport_followup_done"]
    a.action("rapport_followup_done", str(done.get("value") or ""), user="U1", channel="D1")
    settle()
    assert snapshot(runtime, A)["followup"] != before_a["followup"]


def test_exports_and_home_of_one_workspace_hold_only_its_rows(rapport):
    runtime, slack = rapport.runtime, rapport.slack
    slack.add_user("UB", tz="Europe/London", name="Bea", team_id=B)
    a = rapport.send
    b = SlackSender(f"{rapport.url}/slack/events", a.secret, team_id=B, response_url_base=slack.base)
    a.command("/client", 'add Acme country:GB note:"only A"', user="U1")
    a.command("/client", "add Zeta country:DE", user="U1")
    b.command("/client", 'add Acme country:FR note:"only B"', user="UB")
    assert runtime.extras["listener_pool"].drain(10.0)
    slack.clear()
    b.command("/client", "export", user="UB")
    slack.wait_for("files.completeUploadExternal")
    [upload] = slack.calls_to("upload")
    content = upload.args["_raw"].decode()
    assert "only B" in content and "only A" not in content and "Zeta" not in content
    slack.clear()
    home = {"type": "app_home_opened", "tab": "home", "event_ts": "1.0"}
    b.event({**home, "user": "UB", "channel": "DB"}, event_id="Ev2")
    [published] = slack.wait_for("views.publish")
    view = json.dumps(published.args.get("view"))
    assert "Zeta" not in view and "only A" not in view
