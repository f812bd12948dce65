"""Reading <when>, recurrences and moving to a good moment: pure functions, no Slack, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from cultures.hours import ClientHours
from handlers.followups.schedule import Series, member_hours, place, snooze_target
from handlers.followups.when import NotAWhen, Rule, WhenError, parse_duration, read_when

NOW = dt.datetime(2026, 11, 27, 14, 55, tzinfo=dt.UTC)  # Friday; 17:55 in Riyadh, 15:55 in Berlin
BERLIN = ClientHours.for_country("DE", "Europe/Berlin")
RIYADH = ClientHours.for_country("SA", "Asia/Riyadh")
TOKYO = ClientHours.for_country("JP", "Asia/Tokyo")
LONDON_OWNER = member_hours("Europe/London", 9 * 60, 18 * 60)
BERLIN_OWNER = member_hours("Europe/Berlin", 9 * 60, 18 * 60)
NEW_YORK_OWNER = member_hours("America/New_York", 9 * 60, 18 * 60)


def when(text: str, zone: str = "Europe/Berlin", owner_zone: str = "Europe/London"):
    return read_when(text, NOW, zone, owner_zone)


@pytest.mark.parametrize(
    ("text", "local", "timed"),
    [
        ("in 10 minutes", dt.datetime(2026, 11, 27, 16, 5), True),
        ("in 2 hours", dt.datetime(2026, 11, 27, 17, 55), True),
        ("in half an hour", dt.datetime(2026, 11, 27, 16, 25), True),
        ("in 3 days", dt.datetime(2026, 11, 30), False),
        ("tomorrow", dt.datetime(2026, 11, 28), False),
        ("tomorrow 10:00", dt.datetime(2026, 11, 28, 10), True),
        ("next tuesday", dt.datetime(2026, 12, 1), False),
        ("next tuesday 3pm", dt.datetime(2026, 12, 1, 15), True),
        ("2026-12-01", dt.datetime(2026, 12, 1), False),
        ("2026-12-01 10:00", dt.datetime(2026, 12, 1, 10), True),
        ("2026-12-01T10:00Z", dt.datetime(2026, 12, 1, 11), True),  # read as UTC, shown on their clock
        ("end of month", dt.datetime(2026, 11, 30), False),
        ("end of next month", dt.datetime(2026, 12, 31), False),
        ("1 december 2026 10:00", dt.datetime(2026, 12, 1, 10), True),
    ],
)
def test_when_is_read_on_the_clients_clock(text, local, timed):
    wish = when(text)
    assert (wish.local, wish.timed, wish.zone) == (local, timed, "Europe/Berlin")


def test_my_time_reads_the_owners_clock():
    wish = when("2026-12-01 10:00 my time")
    assert wish.zone == "Europe/London" and wish.local == dt.datetime(2026, 12, 1, 10)


@pytest.mark.parametrize("text", ["send the offer", "may", "tomorrow 2", "2", "the offer", "march on", "every blah"])
def test_words_that_are_not_times_are_left_for_what(text):
    with pytest.raises(NotAWhen):
        when(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("2026-13-01", "no month 13"),
        ("2025-01-01", "in the past"),
        ("yesterday", "in the past"),
        ("2026-11-27 09:00", "in the past"),
        ("in 6 years", "five years"),
        ("every 0 days", "at least every 1"),
        ("every 3 working days", "every working day"),
    ],
)
def test_impossible_or_past_times_are_refused_with_a_reason(text, message):
    with pytest.raises(WhenError) as error:
        when(text)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("text", "rule", "first"),
    [
        ("every 2 weeks", Rule("week", 2), dt.datetime(2026, 12, 11)),
        ("every month", Rule("month", 1), dt.datetime(2026, 12, 27)),
        ("every working day", Rule("workday", 1), dt.datetime(2026, 11, 28)),
        ("every monday 10:00", Rule("week", 1, 0), dt.datetime(2026, 11, 30, 10)),
        ("every day at 17:00", Rule("day", 1), dt.datetime(2026, 11, 27, 17)),  # still ahead today
        ("every quarter", Rule("month", 3), dt.datetime(2027, 2, 27)),
        ("every month from 2026-12-31 09:30", Rule("month", 1), dt.datetime(2026, 12, 31, 9, 30)),
    ],
)
def test_recurrences(text, rule, first):
    wish = when(text)
    assert wish.rule == rule and wish.local == first
    assert Rule.from_key(rule.key) == rule


def test_monthly_series_clamps_to_month_end_without_drifting():
    series = Series(Rule("month", 1), dt.datetime(2027, 1, 31, 10), "Europe/Berlin", True, "DE")
    days = [series.wish(k).local.date() for k in range(4)]
    assert days == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)]


def test_weekly_series_keeps_local_time_across_dst():
    series = Series(Rule("week", 1), dt.datetime(2026, 10, 19, 10), "Europe/Berlin", True, "DE")
    before = place(series.wish(0), BERLIN, BERLIN_OWNER, NOW.replace(month=10, day=1))
    after = place(series.wish(1), BERLIN, BERLIN_OWNER, NOW.replace(month=10, day=1))
    assert before.fire_at == dt.datetime(2026, 10, 19, 8, 0, tzinfo=dt.UTC)  # CEST, UTC+2
    assert after.fire_at == dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)  # CET, UTC+1: still 10:00 local
    assert before.reason is None and after.reason is None


def test_working_day_series_skips_weekends_and_holidays():
    series = Series(Rule("workday", 1), dt.datetime(2026, 12, 23, 10), "Europe/Berlin", True, "DE")
    days = [w.local.date() for w in (series.wish(k) for k in range(7)) if w is not None]
    assert days == [dt.date(2026, 12, 23), dt.date(2026, 12, 24), dt.date(2026, 12, 28), dt.date(2026, 12, 29)]


def test_weekend_moves_to_the_next_day_good_for_both_and_says_why():
    placement = place(when("2026-11-28 10:00", "Asia/Riyadh"), RIYADH, LONDON_OWNER, NOW)
    assert placement.fire_at.date() == dt.date(2026, 11, 30)
    assert placement.reason.startswith("weekend in Saudi Arabia")
    assert "your day off (Saturday in London)" in placement.reason


def test_lunch_and_holidays_are_named():
    lunch = place(when("2026-12-01 12:30"), BERLIN, BERLIN_OWNER, NOW)
    assert lunch.reason == "lunch break in Berlin"
    assert lunch.fire_at == dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    christmas = place(when("2026-12-25 10:00"), BERLIN, BERLIN_OWNER, NOW)
    assert "public holiday in Germany (Christmas Day)" in christmas.reason
    assert christmas.fire_at.date() == dt.date(2026, 12, 28)


def test_good_moment_is_not_moved():
    placement = place(when("2026-12-01 10:00"), BERLIN, BERLIN_OWNER, NOW)
    assert placement.reason is None and placement.fire_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_no_time_given_means_the_first_good_moment_that_day():
    placement = place(when("2026-12-01"), BERLIN, BERLIN_OWNER, NOW)
    assert placement.fire_at == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)  # 09:00 Berlin, owner's start
    assert "no time given" in placement.reason


def test_hours_that_never_overlap_pick_the_clients_window_start_closest_to_the_owners_day():
    placement = place(when("2026-12-01 10:00", "Asia/Tokyo"), TOKYO, NEW_YORK_OWNER, NOW)
    assert placement.no_overlap
    assert "never overlap" in placement.reason
    local = placement.fire_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert local.date() == dt.date(2026, 12, 1)
    starts = {
        w.start
        for w in __import__("cultures.hours").hours.next_good_windows(placement.requested_at, TOKYO, None, count=3)
    }
    assert placement.fire_at in {s.astimezone(dt.UTC) for s in starts}


def test_snooze_targets():
    monday_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # 10:00 Berlin
    hour = snooze_target("1h", monday_10, BERLIN, BERLIN_OWNER)
    assert hour.fire_at == monday_10 + dt.timedelta(hours=1) and hour.reason is None
    window = snooze_target("window", monday_10, BERLIN, BERLIN_OWNER)
    assert window.fire_at == dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)  # after lunch, 13:00 Berlin
    evening = snooze_target("1h", dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC), BERLIN, BERLIN_OWNER)
    assert evening.fire_at == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC) and evening.reason


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("1h", dt.timedelta(hours=1)),
        ("30m", dt.timedelta(minutes=30)),
        ("2 days", dt.timedelta(days=2)),
        ("1 week", dt.timedelta(weeks=1)),
        ("an hour", dt.timedelta(hours=1)),
        ("1h 30m", dt.timedelta(minutes=90)),
    ],
)
def test_durations(text, delta):
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["soon", "1 fortnight", "0h", "200 days", "h1"])
def test_bad_durations(text):
    with pytest.raises(WhenError):
        parse_duration(text)
