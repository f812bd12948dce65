"""Reply clocks in the client's business time: ``business_deadline`` and ``business_time``."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cultures.hours import ClientHours, MemberHours, business_deadline, business_time

UTC = dt.UTC
PARIS = ClientHours.for_country("FR", "Europe/Paris")  # 09:00-12:00, 14:00-18:00, Monday to Friday
RIYADH = ClientHours.for_country("SA", "Asia/Riyadh")  # Sunday to Thursday


def test_lunch_and_the_evening_pause_the_clock():
    start = dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # Monday 11:30 in Paris
    assert business_deadline(start, dt.timedelta(hours=1), PARIS) == dt.datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
    end = dt.datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # Tuesday 09:30 in Paris
    assert business_time(start, end, PARIS) == dt.timedelta(hours=5)  # 30 min + 4 h + 30 min


def test_the_weekend_and_a_public_holiday_pause_the_clock():
    friday = dt.datetime(2026, 12, 24, 16, 0, tzinfo=UTC)  # Thursday 24 Dec, 17:00 in Paris; 25 Dec is a holiday
    assert business_deadline(friday, dt.timedelta(hours=2), PARIS) == dt.datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


def test_their_weekend_not_ours():
    thursday = dt.datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday 16:00 in Riyadh, closing at 17:00
    due = business_deadline(thursday, dt.timedelta(hours=2), RIYADH)
    assert due.astimezone(UTC).weekday() == 6  # Sunday, their first working day


def test_the_teams_hours_narrow_the_clock():
    team = MemberHours.from_text("Europe/London", "09:00-10:00")
    start = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 10:30 in Paris, 09:30 in London
    due = business_deadline(start, dt.timedelta(hours=1), PARIS, team)
    assert due == dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 30 min Monday, 30 min Tuesday
    assert business_time(start, due, PARIS, team) == dt.timedelta(hours=1)
    assert business_time(start, due, PARIS) > dt.timedelta(hours=1)


def test_hours_that_never_meet_fall_back_to_plain_time():
    team = MemberHours.from_text("Pacific/Auckland", "01:00-02:00", weekdays=[5])
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert business_deadline(start, dt.timedelta(minutes=30), PARIS, team) == start + dt.timedelta(minutes=30)


@settings(max_examples=60, deadline=None)
@given(
    offset=st.integers(min_value=0, max_value=14 * 24 * 60),
    minutes=st.integers(min_value=1, max_value=3 * 8 * 60),
)
def test_the_deadline_is_exactly_that_much_business_time_later(offset, minutes):
    start = dt.datetime(2026, 11, 1, tzinfo=UTC) + dt.timedelta(minutes=offset)
    due = business_deadline(start, dt.timedelta(minutes=minutes), PARIS)
    assert business_time(start, due, PARIS) == dt.timedelta(minutes=minutes)
    assert business_time(start, due - dt.timedelta(seconds=1), PARIS) < dt.timedelta(minutes=minutes)
