"""The Block Kit builders produce what Slack accepts (checked with slack_sdk's models)."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import Block

from handlers.followups import blocks


def _valid(dicts):
    parsed = [Block.parse(d) for d in dicts]
    for block, original in zip(parsed, dicts, strict=True):
        assert block.to_dict() == original  # validates lengths and shape; same dict back
    return parsed


def test_reminder_blocks_are_valid_block_kit():
    view = blocks.ReminderView(
        followup_id=7,
        short_id=3,
        client_name="Müller & Söhne <GmbH>",
        what="send <https://x.example|the offer> to <@U2|grace> :tada: " + "x" * 4000,
        recurrence="every 2 weeks",
        late=dt.timedelta(hours=3),
        nag=True,
        fired_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC),
    )
    dicts = blocks.reminder_blocks(view, [blocks._context("essentials").to_dict()])
    parsed = _valid(dicts)
    assert len(parsed[0].text.text) == 3000 and "Müller &amp; Söhne &lt;GmbH&gt;" in parsed[0].text.text
    assert [e["value"] for e in dicts[-1]["elements"]] == ["7"] * 5
    assert dicts[-1] == blocks.actions(7).to_dict()
    assert blocks._section_dict("a") == blocks._section("a").to_dict()
    assert blocks._context_dict("a") == blocks._context("a").to_dict()


def test_list_and_scheduled_blocks_are_valid():
    view = blocks.ScheduledView(
        short_id=1,
        client_name="Acme",
        what="call",
        fire_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC),
        requested_at=dt.datetime(2026, 11, 28, 9, tzinfo=dt.UTC),
        their_zone="Asia/Riyadh",
        your_zone="Europe/London",
        reason="weekend in Saudi Arabia",
    )
    _valid([b.to_dict() for b in blocks.scheduled_blocks(view)])
    items = [
        blocks.ListItem(
            n,
            "Acme",
            "call " * 100,
            "scheduled",
            dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            None,
            "Asia/Tokyo",
            "U1",
            None,
            None,
            None,
        )
        for n in range(60)
    ]
    listed = blocks.list_blocks("Yours", items, 5, "Europe/London", show_owner=True)
    assert len(listed) <= 50
    _valid([b.to_dict() for b in listed])
