"""Escalations raised by people, through the real wire: signed requests in, the fake Slack records what went out."""

from __future__ import annotations

import datetime as dt
import json

from db.models.escalations import ACKNOWLEDGED, OPEN, PENDING, RESOLVED
from handlers.escalate import blocks
from handlers.escalate.auto import escalation_tick
from tests.escalate.helpers import (
    add_client,
    all_text,
    ask,
    escalations,
    posts_in,
    set_channel,
    wait_posts,
)

UTC = dt.UTC
MONDAY_11_BERLIN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _setup(rapport, channel: str | None = "C9") -> int:
    rapport.clock.set(MONDAY_11_BERLIN)
    rapport.slack.add_channel("C9", "escalations")
    client_id = add_client(rapport.runtime, "Acme GmbH", "DE", "Europe/Berlin", owner_id="U2", channel="phone")
    if channel:
        set_channel(rapport.runtime, channel)
    return client_id


def _decoded(value):
    return json.loads(value) if isinstance(value, str) else value


def _buttons(message_blocks) -> list[str]:
    return [
        element["action_id"]
        for block in message_blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_manual_escalation_posts_one_message_with_client_context_and_both_buttons(rapport):
    _setup(rapport)
    link = "https://example.slack.com/archives/C777/p1795428000000100"
    answer = ask(rapport, f"Acme GmbH invoice disputed, wants a call today {link} severity:urgent")
    assert "Escalated *Acme GmbH* (urgent) in <#C9>" in answer["text"]
    [post] = posts_in(rapport.slack, "C9")
    text = all_text(post["blocks"])
    assert "Urgent escalation: Acme GmbH" in text
    assert "<@U2>" in text  # owner
    assert "invoice disputed, wants a call today" in text  # summary
    assert "<@U1>" in text  # raised by
    assert "Good time to contact Acme GmbH" in text  # the client's moment, from /contact
    assert "11:00" in text and "Europe/Berlin" in text  # their local time
    assert "Channel:" in text and "Tone:" in text
    assert f"<{link}|Originating message>" in text
    assert _buttons(post["blocks"]) == [blocks.ACKNOWLEDGE, blocks.RESOLVE]
    [row] = escalations(rapport.runtime)
    assert (row.status, row.severity, row.created_by, row.owner_id, row.channel) == (OPEN, "urgent", "U1", "U2", "C9")
    assert row.message_ts == post["ts"]
    assert len(rapport.slack.calls_to("chat.postMessage")) == 1


def test_acknowledge_then_resolve_update_that_same_message(rapport):
    _setup(rapport)
    ask(rapport, "Acme GmbH shipment stuck in customs")
    [row] = escalations(rapport.runtime)
    ts = row.message_ts

    rapport.clock.advance(minutes=7)
    rapport.send.action(blocks.ACKNOWLEDGE, str(row.id), user="U2", channel="C9", message_ts=ts)
    [update] = rapport.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == ("C9", ts)
    updated = _decoded(update.args["blocks"])
    assert "Acknowledged by <@U2>" in all_text(updated)
    assert _buttons(updated) == [blocks.RESOLVE]
    [row] = escalations(rapport.runtime)
    assert row.status == ACKNOWLEDGED and row.acknowledged_by == "U2"
    assert row.acknowledged_at == MONDAY_11_BERLIN + dt.timedelta(minutes=7)

    # A second click changes nothing and tells the clicker why.
    rapport.send.action(blocks.ACKNOWLEDGE, str(row.id), user="U1", channel="C9", message_ts=ts)
    answers = rapport.slack.wait_for("response", count=2)
    assert "already acknowledged by <@U2>" in answers[-1].args["text"]
    assert len(rapport.slack.calls_to("chat.update")) == 1

    # Resolve asks for a note in a form, then updates the message and closes the thread.
    rapport.send.action(blocks.RESOLVE, str(row.id), user="U2", channel="C9", message_ts=ts)
    [opened] = rapport.slack.wait_for("views.open")
    form = _decoded(opened.args["view"])
    assert form["callback_id"] == blocks.RESOLUTION_FORM
    empty = rapport.send.view_submission(
        blocks.RESOLUTION_FORM,
        {blocks.NOTE_BLOCK: {blocks.NOTE_INPUT: {"type": "plain_text_input", "value": "  "}}},
        user="U2",
        private_metadata=form["private_metadata"],
    )
    assert empty.json()["response_action"] == "errors" and blocks.NOTE_BLOCK in empty.json()["errors"]
    rapport.clock.advance(hours=1)
    result = rapport.send.view_submission(
        blocks.RESOLUTION_FORM,
        {blocks.NOTE_BLOCK: {blocks.NOTE_INPUT: {"type": "plain_text_input", "value": "Called them; papers <sent>"}}},
        user="U2",
        private_metadata=form["private_metadata"],
    )
    assert result.status == 200
    updates = rapport.slack.wait_for("chat.update", count=2)
    assert (updates[1].args["channel"], updates[1].args["ts"]) == ("C9", ts)
    resolved_blocks = _decoded(updates[1].args["blocks"])
    assert "Resolved by <@U2>" in all_text(resolved_blocks)
    assert _buttons(resolved_blocks) == []
    thread = [p for p in wait_posts(rapport.slack, "C9", 2) if p.get("thread_ts") == ts]
    assert len(thread) == 1 and "Called them; papers &lt;sent&gt;" in thread[0]["text"]
    [row] = escalations(rapport.runtime)
    assert row.status == RESOLVED and row.resolved_by == "U2" and row.resolution == "Called them; papers &lt;sent&gt;"
    assert row.resolved_at == MONDAY_11_BERLIN + dt.timedelta(minutes=7, hours=1)
    assert len([p for p in posts_in(rapport.slack, "C9") if not p.get("thread_ts")]) == 1


def test_without_a_channel_the_escalation_is_kept_and_posted_after_escalate_channel(rapport):
    _setup(rapport, channel=None)
    answer = ask(rapport, "acme gmbh delivery three weeks late")
    assert "kept your escalation `#1`" in answer["text"]
    assert "/escalate channel #" in answer["text"]
    assert posts_in(rapport.slack, "C9") == []
    [row] = escalations(rapport.runtime)
    assert row.status == PENDING and row.last_error == "no_channel"

    # The dispatcher cannot help while no channel is set.
    escalation_tick(rapport.runtime, rapport.client)
    assert posts_in(rapport.slack, "C9") == []

    answer = ask(rapport, "channel <#C9|escalations>", user="U2")
    assert "Escalations now go to <#C9>" in answer["text"]
    assert "`#1`" in answer["text"]
    [post] = posts_in(rapport.slack, "C9")
    assert "delivery three weeks late" in all_text(post["blocks"])
    [row] = escalations(rapport.runtime)
    assert row.status == OPEN and row.channel == "C9"
    # The person who raised it (not the one fixing the channel) hears that it went out.
    dms = posts_in(rapport.slack, "U1")
    assert len(dms) == 1 and "now posted in <#C9>" in dms[0]["text"]
    # Nothing is posted twice afterwards.
    escalation_tick(rapport.runtime, rapport.client)
    assert len(posts_in(rapport.slack, "C9")) == 1


def test_channel_by_plain_name_is_found_and_joined(rapport):
    _setup(rapport, channel=None)
    rapport.slack.add_channel("C42", "client-fires", is_member=False)
    answer = ask(rapport, "channel #client-fires")
    assert "Escalations now go to <#C42>" in answer["text"]
    assert [c.args["channel"] for c in rapport.slack.calls_to("conversations.join")] == ["C42"]
    shown = ask(rapport, "channel")
    assert "<#C42>" in shown["text"]


def test_private_channel_without_the_bot_says_how_to_invite_it(rapport):
    _setup(rapport, channel=None)
    rapport.slack.add_channel("G7", "vip-escalations", is_member=False)
    rapport.slack.channels["G7"]["is_private"] = True
    answer = ask(rapport, "channel <#G7|vip-escalations>")
    assert "/invite @Rapport" in answer["text"]
    unknown = ask(rapport, "channel #secret-room")
    assert "/invite @Rapport" in unknown["text"] and "#secret-room" in unknown["text"]
    assert "No escalation channel is set" in ask(rapport, "channel")["text"]


def test_archived_channel_is_refused_and_a_kept_escalation_goes_out_once_fixed(rapport):
    _setup(rapport)
    rapport.slack.add_channel("C8", "old-escalations", archived=True)
    refused = ask(rapport, "channel <#C8|old-escalations>")
    assert "archived" in refused["text"]

    rapport.slack.channels["C9"]["is_archived"] = True  # archived after it was chosen
    answer = ask(rapport, "Acme GmbH no answer for a week")
    assert "kept your escalation" in answer["text"] and "archived" in answer["text"]
    [row] = escalations(rapport.runtime)
    assert row.status == PENDING and row.last_error == "is_archived"

    rapport.slack.add_channel("C10", "escalations-2026")
    answer = ask(rapport, "channel <#C10|escalations-2026>")
    assert "`#1`" in answer["text"]
    [post] = posts_in(rapport.slack, "C10")
    assert "no answer for a week" in all_text(post["blocks"])


def test_not_in_a_private_channel_keeps_it_and_the_dispatcher_posts_it_once_invited(rapport):
    _setup(rapport, channel="G5")
    rapport.slack.add_channel("G5", "private-escalations", is_member=False)
    rapport.slack.channels["G5"]["is_private"] = True
    answer = ask(rapport, "Acme GmbH angry phone call")
    assert "/invite @Rapport" in answer["text"] and "kept your escalation" in answer["text"]
    [row] = escalations(rapport.runtime)
    assert row.status == PENDING and row.last_error == "not_in_channel"

    rapport.slack.channels["G5"]["is_member"] = True  # someone typed /invite @Rapport
    escalation_tick(rapport.runtime, rapport.client)  # still backing off
    assert [p for p in posts_in(rapport.slack, "G5")] == []
    rapport.clock.advance(minutes=2)
    escalation_tick(rapport.runtime, rapport.client)
    assert len(posts_in(rapport.slack, "G5")) == 1
    rapport.clock.advance(hours=3)
    escalation_tick(rapport.runtime, rapport.client)
    assert len(posts_in(rapport.slack, "G5")) == 1
    assert "now posted" in posts_in(rapport.slack, "U1")[0]["text"]


def test_bad_input_gets_a_specific_message_and_the_usage(rapport):
    _setup(rapport)
    typo = ask(rapport, "Acne GmbX the invoice")
    assert "Did you mean *Acme GmbH*" in typo["text"]
    nobody = ask(rapport, "Zyxwv broken")
    assert "I don't know a client called" in nobody["text"] and "*Usage*" in nobody["text"]
    severity = ask(rapport, "Acme GmbH late severity:critical")
    assert "`low`, `normal` or `urgent`" in severity["text"] and "*Usage*" in severity["text"]
    empty = ask(rapport, "Acme GmbH —")
    assert "Say what happened" in empty["text"] and "*Usage*" in empty["text"]
    huge = ask(rapport, "Acme GmbH " + "word " * 500)
    assert "keep it under 2,000" in huge["text"]
    helped = ask(rapport, "help")
    assert "/escalate channel #channel" in helped["text"]
    assert escalations(rapport.runtime) == []
    assert posts_in(rapport.slack, "C9") == []


def test_client_name_with_spaces_colon_and_quotes(rapport):
    _setup(rapport)
    add_client(rapport.runtime, "Acme", "DE", "Europe/Berlin")
    ask(rapport, "Acme GmbH: invoice disputed")
    ask(rapport, 'acme "quoted" thing')
    ask(rapport, '"Acme GmbH" third one')
    first, second, third = escalations(rapport.runtime)
    assert (first.client_name, first.summary) == ("Acme GmbH", "invoice disputed")
    assert (second.client_name, second.summary) == ("Acme", '"quoted" thing')
    assert (third.client_name, third.summary) == ("Acme GmbH", "third one")


def test_client_without_summary_opens_the_form_and_its_submission_posts(rapport):
    client_id = _setup(rapport)
    rapport.send.command("/escalate", "acme gmbh severity:urgent", user="U1", channel="C1")
    [opened] = rapport.slack.wait_for("views.open")
    form = _decoded(opened.args["view"])
    assert form["callback_id"] == blocks.FORM
    assert "Acme GmbH" in json.dumps(form)
    severity_block = next(b for b in form["blocks"] if b.get("block_id") == blocks.SEVERITY_BLOCK)
    assert severity_block["element"]["initial_option"]["value"] == "urgent"
    assert json.loads(form["private_metadata"])["c"] == client_id

    result = rapport.send.view_submission(
        blocks.FORM,
        {
            blocks.SEVERITY_BLOCK: {blocks.SEVERITY_INPUT: {"selected_option": {"value": "urgent"}}},
            blocks.SUMMARY_BLOCK: {blocks.SUMMARY_INPUT: {"value": "Client threatens to cancel <today>"}},
        },
        private_metadata=form["private_metadata"],
    )
    assert result.status == 200 and "errors" not in result.body
    [post] = wait_posts(rapport.slack, "C9")
    assert "Client threatens to cancel &lt;today&gt;" in all_text(post["blocks"])
    [row] = escalations(rapport.runtime)
    assert (row.severity, row.source) == ("urgent", "form")
    answers = rapport.slack.wait_for("response")
    assert "Escalated *Acme GmbH* (urgent)" in answers[-1].args["text"]


def test_escalate_alone_opens_a_client_picker_and_checks_the_submission(rapport):
    client_id = _setup(rapport)
    add_client(rapport.runtime, "Sakura Trading", "JP", "Asia/Tokyo")
    rapport.send.command("/escalate", "", user="U1", channel="C1")
    [opened] = rapport.slack.wait_for("views.open")
    form = _decoded(opened.args["view"])
    picker = next(b for b in form["blocks"] if b.get("block_id") == blocks.CLIENT_BLOCK)
    assert [o["text"]["text"] for o in picker["element"]["options"]] == ["Acme GmbH", "Sakura Trading"]

    missing = rapport.send.view_submission(
        blocks.FORM,
        {
            blocks.CLIENT_BLOCK: {blocks.CLIENT_INPUT: {"selected_option": None}},
            blocks.SEVERITY_BLOCK: {blocks.SEVERITY_INPUT: {"selected_option": {"value": "low"}}},
            blocks.SUMMARY_BLOCK: {blocks.SUMMARY_INPUT: {"value": ""}},
        },
        private_metadata=form["private_metadata"],
    )
    errors = missing.json()["errors"]
    assert set(errors) == {blocks.CLIENT_BLOCK, blocks.SUMMARY_BLOCK}
    rapport.send.view_submission(
        blocks.FORM,
        {
            blocks.CLIENT_BLOCK: {blocks.CLIENT_INPUT: {"selected_option": {"value": str(client_id)}}},
            blocks.SEVERITY_BLOCK: {blocks.SEVERITY_INPUT: {"selected_option": {"value": "low"}}},
            blocks.SUMMARY_BLOCK: {blocks.SUMMARY_INPUT: {"value": "Asked twice for the manual"}},
        },
        private_metadata=form["private_metadata"],
    )
    [post] = wait_posts(rapport.slack, "C9")
    assert "Low escalation: Acme GmbH" in all_text(post["blocks"])


def test_list_shows_open_escalations_with_their_age(rapport):
    _setup(rapport)
    ask(rapport, "Acme GmbH first problem")
    rapport.clock.advance(hours=3)
    set_channel(rapport.runtime, None)
    ask(rapport, "Acme GmbH second problem severity:urgent")
    rapport.clock.advance(minutes=30)
    listed = ask(rapport, "list")["text"]
    assert "Open escalations (2)" in listed
    assert "`#1`" in listed and "3 h old" in listed and "first problem" in listed
    assert "`#2`" in listed and "30 min old" in listed and "not posted yet" in listed


def test_resolve_by_number_and_settings(rapport):
    _setup(rapport)
    ask(rapport, "Acme GmbH first problem")
    answer = ask(rapport, "resolve 1 sorted by phone")
    assert "resolved" in answer["text"]
    assert escalations(rapport.runtime)[0].resolution == "sorted by phone"
    again = ask(rapport, "resolve #1 again")
    assert "already resolved" in again["text"]
    shown = ask(rapport, "settings")["text"]
    assert "24 business hours" in shown and "2 h" in shown
    changed = ask(rapport, "settings after:16 reping:90m")["text"]
    assert "16 business hours" in changed and "1 h 30 min" in changed
    off = ask(rapport, "settings after:off")["text"]
    assert "do *not* escalate" in off and "1 h 30 min" in off
    bad = ask(rapport, "settings reping:1m")["text"]
    assert "5 minutes" in bad


def test_the_reminders_escalate_button_opens_the_form_and_the_follow_up_does_not_escalate_again(rapport):
    from handlers.escalate.commands import open_modal_for_followup
    from tests.escalate.helpers import add_sent_followup, followup

    client_id = _setup(rapport)
    fired = MONDAY_11_BERLIN - dt.timedelta(days=3)
    followup_id = add_sent_followup(
        rapport.runtime, client_id, fired, owner="U2", what="send the <b>quote</b> &amp; terms"
    )
    reminder_ts = "1700000000.000100"  # the reminder DM the followups helper posted
    open_modal_for_followup(
        rapport.runtime,
        rapport.client,
        team_id="T1",
        user_id="U2",
        trigger_id="1.2.3",
        followup_id=followup_id,
        channel_id="D2",
        message_ts=reminder_ts,
    )
    [opened] = rapport.slack.wait_for("views.open")
    form = _decoded(opened.args["view"])
    summary = next(b for b in form["blocks"] if b.get("block_id") == blocks.SUMMARY_BLOCK)
    assert summary["element"]["initial_value"] == "Follow-up #1 not done yet: send the <b>quote</b> & terms"
    assert "Acme GmbH" in json.dumps(form)
    assert all(b.get("block_id") != blocks.CLIENT_BLOCK for b in form["blocks"])  # the client is fixed

    rapport.send.view_submission(
        blocks.FORM,
        {
            blocks.SEVERITY_BLOCK: {blocks.SEVERITY_INPUT: {"selected_option": {"value": "normal"}}},
            blocks.SUMMARY_BLOCK: {blocks.SUMMARY_INPUT: {"value": summary["element"]["initial_value"]}},
        },
        user="U2",
        private_metadata=form["private_metadata"],
    )
    [post] = wait_posts(rapport.slack, "C9")
    assert "send the &lt;b&gt;quote&lt;/b&gt; &amp; terms" in all_text(post["blocks"])
    [row] = escalations(rapport.runtime)
    assert (row.source, row.owner_id, row.created_by, row.followup_id) == ("reminder", "U2", "U2", followup_id)
    assert followup(rapport.runtime, followup_id).escalated_at == MONDAY_11_BERLIN
    [marked] = rapport.slack.wait_for("chat.update")
    assert (marked.args["channel"], marked.args["ts"]) == ("D2", reminder_ts)
    assert "Escalated* to <#C9>" in json.dumps(_decoded(marked.args["blocks"]))

    rapport.clock.advance(days=10)
    assert escalation_tick(rapport.runtime, rapport.client).escalated == 0
    assert len(escalations(rapport.runtime)) == 1


def test_checked_channel_id_for_the_client_directory(rapport):
    from handlers.common.channels import ChannelError, checked_channel_id

    _setup(rapport)
    rapport.slack.add_channel("C60", "gulf", is_member=False)
    assert checked_channel_id(rapport.client, "<#C60|gulf>") == "C60"
    assert checked_channel_id(rapport.client, "#escalations") == "C9"
    rapport.slack.add_channel("C61", "old", archived=True)
    try:
        checked_channel_id(rapport.client, "#old")
    except ChannelError as error:
        assert "archived" in error.message
    else:
        raise AssertionError("an archived channel was accepted")
