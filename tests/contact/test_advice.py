"""The /contact logic without Slack: forms of address, proposed moments, verdicts, compact blocks."""

from __future__ import annotations

import datetime as dt

import pytest
from slack_sdk.models.blocks import Block

from cultures.address import address
from cultures.cards import card_for
from cultures.hours import ClientHours, judge
from db.models import Client
from handlers.contact.advice import essentials, verdict_line
from handlers.contact.moment import UnreadableMoment, proposed_moment

UTC = dt.UTC
JP_OPENING = "様 いつもお世話になっております。"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday


@pytest.mark.parametrize(
    ("country", "contact", "form", "opening"),
    [
        ("DE", "Dr. Anna Müller", "Dr. Anna Müller", "Guten Tag Dr. Anna Müller,"),
        ("DE", "Frau Prof. Dr. Eva von Braun", "Frau Prof. Dr. von Braun", "Sehr geehrte Frau Prof. Dr. von Braun,"),
        ("JP", "Tanaka, Hiroshi", "Tanaka-san (Tanaka様, -sama, in writing)", f"Tanaka{JP_OPENING}"),
        ("JP", "田中 宏", "田中さん (田中様, -sama, in writing)", f"田中{JP_OPENING}"),
        ("US", "Jennifer Smith", "Jennifer (in a first, cold email: Jennifer Smith)", "Hi Jennifer,"),
    ],
)
def test_forms_of_address_follow_the_card(country, contact, form, opening):
    forms = address(card_for(country), contact)
    assert (forms.form, forms.opening.text) == (form, opening)


def test_proposed_moments():
    london, tokyo = "Europe/London", "Asia/Tokyo"
    at, zone = proposed_moment("tomorrow 15:00", NOW, london, tokyo)
    assert (at, zone) == (dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC), london)
    at, zone = proposed_moment("2026-12-24 10:00 their time", NOW, london, tokyo)
    assert (at, zone) == (dt.datetime(2026, 12, 24, 1, 0, tzinfo=UTC), tokyo)
    assert proposed_moment("2026-12-24T10:00Z", NOW, london, tokyo)[0] == dt.datetime(2026, 12, 24, 10, tzinfo=UTC)
    assert proposed_moment("2026-12-24T10:00+05:30", NOW, london, tokyo)[0] == dt.datetime(
        2026, 12, 24, 4, 30, tzinfo=UTC
    )
    # 02:30 does not exist in Berlin on 29 March 2026: it moves forward by the gap (03:30 CEST).
    at, _ = proposed_moment("2026-03-29 02:30 their time", NOW, london, "Europe/Berlin")
    assert at == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    for nonsense in ("", "their time", "the twelfth of never", "2026-13-45"):
        with pytest.raises(UnreadableMoment):
            proposed_moment(nonsense, NOW, london, tokyo)


def test_verdict_lines_name_the_reason():
    paris = ClientHours(zone="Europe/Paris", country="FR")
    assert (
        verdict_line("Dubois", judge(dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC), paris))
        == "Good time to contact Dubois"
    )
    cases = {
        dt.datetime(2026, 11, 23, 11, 30, tzinfo=UTC): "lunch break",
        dt.datetime(2026, 11, 23, 2, 0, tzinfo=UTC): "night",
        dt.datetime(2026, 11, 28, 10, 0, tzinfo=UTC): "weekend",
        dt.datetime(2026, 11, 23, 17, 30, tzinfo=UTC): "outside business hours",
        dt.datetime(2026, 12, 25, 10, 0, tzinfo=UTC): "public holiday (Christmas Day)",
    }
    for instant, reason in cases.items():
        assert verdict_line("Dubois", judge(instant, paris)) == f"Not a good time to contact Dubois: {reason}"


def test_essentials_are_compact_valid_blocks():
    client = Client(
        name="Tanaka Shoji",
        name_key="tanaka shoji",
        country="JP",
        tz="Asia/Tokyo",
        contact="Tanaka Hiroshi",
        team_id="T1",
    )
    blocks = essentials(client, dt.datetime(2027, 1, 1, 1, 0, tzinfo=UTC))
    assert 1 <= len(blocks) <= 4
    for block in blocks:
        Block.parse(block).validate_json()
    text = str(blocks)
    assert (
        "Not a good time to contact Tanaka Shoji: public holiday (New Year&#39;s Day)" in text
        or "public holiday (New Year's Day)" in text
    )
    assert "Tanaka Hiroshi-san" in text and "Asia/Tokyo" in text
