"""The pure parts: Block Kit builders (validated by slack_sdk) and reading the workspace settings."""

from __future__ import annotations

import datetime as dt

import pytest
from slack_sdk.models.blocks import Block

from db.models.escalations import ACKNOWLEDGED, OPEN, RESOLVED
from handlers.common.channels import problem_message, stored_form
from handlers.common.errors import UserError
from handlers.escalate import blocks
from handlers.escalate.blocks import EscalationView, ListedEscalation, OpenFollowUp
from handlers.escalate.settings import EscalationSettings, parse_auto_after, parse_reping

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def _view(**changes) -> EscalationView:
    base = {
        "id": 7,
        "client_name": "Müller & Söhne <GmbH>",
        "severity": "urgent",
        "summary": "Invoice disputed",
        "status": OPEN,
        "source": "command",
        "created_at": NOW,
        "created_by": "U1",
        "owner_id": "U2",
    }
    return EscalationView(**{**base, **changes})


def _dicts(items) -> list[dict]:
    out = []
    for item in items:
        block = item.to_dict() if isinstance(item, Block) else item
        Block.parse(block).validate_json()
        out.append(block)
    return out


def _action_ids(message) -> list[str]:
    return [e["action_id"] for b in message if b["type"] == "actions" for e in b["elements"]]


def test_open_message_has_both_buttons_and_escapes_the_client_name():
    message = _dicts(blocks.escalation_message(_view()))
    assert _action_ids(message) == [blocks.ACKNOWLEDGE, blocks.RESOLVE]
    assert "Müller &amp; Söhne &lt;GmbH&gt;" in str(message)
    assert "Müller & Söhne <GmbH>" in message[0]["text"]["text"]  # the header is plain text


def test_acknowledged_keeps_resolve_and_resolved_has_no_buttons():
    acked = _dicts(blocks.escalation_message(_view(status=ACKNOWLEDGED, acknowledged_by="U3", acknowledged_at=NOW)))
    assert _action_ids(acked) == [blocks.RESOLVE] and "Acknowledged by <@U3>" in str(acked)
    resolved = _dicts(
        blocks.escalation_message(_view(status=RESOLVED, resolved_by="U3", resolved_at=NOW, resolution="credit note"))
    )
    assert _action_ids(resolved) == [] and "Resolved by <@U3>" in str(resolved) and "credit note" in str(resolved)


def test_long_texts_and_many_follow_ups_stay_within_slacks_limits():
    followups = [OpenFollowUp(f"#{i}", "x" * 400, NOW, "U9", awaiting_done=i % 2 == 0) for i in range(9)]
    view = _view(client_name="C" * 300, summary="s" * 2000, followups=followups, followups_total=12)
    message = _dicts(blocks.escalation_message(view))
    assert "and 7 more" in str(message)
    assert len(blocks.fallback_text(view)) <= 3000


def test_forms_validate():
    picker = blocks.escalation_form("{}", choices=[(1, "Acme"), (2, "Sakura")]).to_dict()
    assert picker["blocks"][0]["element"]["type"] == "static_select"
    typed = blocks.escalation_form("{}", choices=[(i, f"Client {i}") for i in range(101)]).to_dict()
    assert typed["blocks"][0]["element"]["type"] == "plain_text_input"
    fixed = blocks.escalation_form("{}", client=(1, "Acme"), severity="low", summary="x" * 3000).to_dict()
    assert fixed["blocks"][1]["element"]["initial_option"]["value"] == "low"
    assert len(fixed["blocks"][2]["element"]["initial_value"]) == blocks.MAX_SUMMARY
    blocks.resolution_form(7, "Acme", "{}").validate_json()


def test_list_says_age_and_state():
    rows = [
        ListedEscalation(1, "Acme", "normal", "pending", "late", NOW - dt.timedelta(days=2, hours=3), None, None, "x"),
        ListedEscalation(
            2, "Sakura", "urgent", ACKNOWLEDGED, "angry", NOW - dt.timedelta(minutes=5), "C9", "https://l", None, "U3"
        ),
    ]
    text = blocks.escalation_list(rows, NOW, resolved_recently=4)
    assert "2 d 3 h old" in text and "not posted yet" in text
    assert "5 min old" in text and "acknowledged by <@U3>" in text and "<https://l|view>" in text
    assert "4 resolved in the last 30 days" in text
    assert blocks.escalation_list([], NOW, 0) == "No open escalations."


def test_settings_defaults_and_damaged_values():
    assert EscalationSettings.from_workspace({}) == EscalationSettings(24.0, dt.timedelta(hours=2))
    assert EscalationSettings.from_workspace({"escalation": {"auto_after_hours": "nonsense"}}) == EscalationSettings()
    stored = EscalationSettings(16.0, None).as_json()
    assert EscalationSettings.from_workspace({"escalation": stored}) == EscalationSettings(16.0, None)


@pytest.mark.parametrize(
    ("text", "hours"), [("24", 24.0), ("16h", 16.0), ("7.5", 7.5), ("7,5h", 7.5), ("off", None), ("never", None)]
)
def test_auto_after_reads_hours(text, hours):
    assert parse_auto_after(text) == hours


@pytest.mark.parametrize("text", ["1d", "-3", "abc", "9999"])
def test_auto_after_refuses_nonsense(text):
    with pytest.raises(UserError):
        parse_auto_after(text)


@pytest.mark.parametrize(
    ("text", "delta"),
    [("2h", dt.timedelta(hours=2)), ("90m", dt.timedelta(minutes=90)), ("1.5", dt.timedelta(hours=1.5)), ("off", None)],
)
def test_reping_reads_durations(text, delta):
    assert parse_reping(text) == delta


@pytest.mark.parametrize("text", ["1m", "30d", "soon"])
def test_reping_refuses_nonsense(text):
    with pytest.raises(UserError):
        parse_reping(text)


def test_channel_forms_and_problems():
    assert stored_form("<#C123|esc>") == "C123"
    assert stored_form("#esc") == "esc"
    assert stored_form("  ") is None
    assert "/invite @Rapport" in problem_message("not_in_channel", "C1")
    assert "archived" in problem_message("is_archived", "C1")
    assert "/escalate channel" in problem_message("no_channel", None)
