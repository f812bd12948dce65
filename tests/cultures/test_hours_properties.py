"""Properties of the local-time engine over random schedules, zones and instants (hypothesis),
with extra weight on the days clocks change and the zones that make arithmetic awkward.

The interval algorithm is checked against the plain definition: scanning minute by minute
with the wall clock must find exactly the same first good moment.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from cultures.hours import ClientHours, MemberHours, first_good_moment, is_good_moment, judge, next_good_windows
from cultures.weekly import WeeklyHours

ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "America/Havana",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Asia/Beirut",
    "Asia/Tokyo",
    "Africa/Casablanca",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
COUNTRIES = ["FR", "DE", "US", "SA", "AE", "CN", "JP", "IN", "NP", "IR", "HK", "KI", "NZ", "BR", "AC"]
# Days around which clocks change somewhere in ZONES (2024-2026), and a few ordinary ones.
CLOCK_CHANGES = [
    dt.date(2024, 3, 10),
    dt.date(2024, 3, 31),
    dt.date(2024, 4, 7),
    dt.date(2024, 9, 8),
    dt.date(2024, 9, 29),
    dt.date(2024, 10, 6),
    dt.date(2024, 10, 27),
    dt.date(2024, 11, 3),
    dt.date(2025, 2, 23),
    dt.date(2025, 3, 9),
    dt.date(2025, 3, 30),
    dt.date(2025, 4, 6),
    dt.date(2025, 9, 7),
    dt.date(2025, 9, 28),
    dt.date(2025, 10, 5),
    dt.date(2025, 10, 26),
    dt.date(2025, 11, 2),
    dt.date(2026, 1, 1),
    dt.date(2026, 6, 15),
]
EPOCH = pendulum.datetime(1970, 1, 1, tz="UTC")


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted(draw(st.sets(st.integers(0, 96), min_size=0, max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return tuple((cuts[i] * 15, cuts[i + 1] * 15) for i in range(0, len(cuts), 2))


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    usual = draw(day_intervals())
    days = [usual] * 7
    for weekday in draw(st.sets(st.integers(0, 6), max_size=2)):
        days[weekday] = draw(day_intervals())
    return WeeklyHours(tuple(days))


clients = st.builds(
    ClientHours,
    zone=st.sampled_from(ZONES),
    country=st.sampled_from(COUNTRIES),
    hours=weekly_hours(),
)


@st.composite
def members(draw: st.DrawFn) -> MemberHours | None:
    if draw(st.booleans()):
        return None
    start = draw(st.integers(0, 95)) * 15
    end = draw(st.integers(1, 96).filter(lambda quarter: quarter * 15 != start)) * 15
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
    return MemberHours(draw(st.sampled_from(ZONES)), start, end, frozenset(weekdays))


@st.composite
def instants(draw: st.DrawFn, whole_minutes: bool = False) -> pendulum.DateTime:
    day = draw(st.sampled_from(CLOCK_CHANGES))
    seconds = draw(st.integers(-3 * 86400, 3 * 86400))
    if whole_minutes:
        seconds -= seconds % 60
    else:
        seconds += draw(st.sampled_from([0, 0.5, 0.999]))
    return pendulum.datetime(day.year, day.month, day.day, tz="UTC").add(seconds=seconds)


@settings(max_examples=300, deadline=None)
@given(client=clients, member=members(), start=instants())
def test_windows_are_good_inside_and_not_outside(client, member, start):
    windows = next_good_windows(start, client, member, count=4, horizon_days=10)
    previous_end = None
    for window in windows:
        assert window.start < window.end
        assert window.start >= start
        assert window.start < start.add(days=10)
        if previous_end is not None:
            assert window.start > previous_end  # sorted, apart, touching ones merged
        previous_end = window.end
        assert is_good_moment(window.start, client, member)
        assert is_good_moment(window.end.subtract(microseconds=1), client, member)
        assert not is_good_moment(window.end, client, member)
        if window.start > start:
            assert not is_good_moment(window.start.subtract(seconds=1), client, member)
        if member is None:
            assert judge(window.start, client).good
            assert judge(window.end.subtract(microseconds=1), client).good


@settings(max_examples=300, deadline=None)
@given(client=clients, member=members(), start=instants())
def test_from_a_good_instant_the_first_window_starts_there(client, member, start):
    windows = next_good_windows(start, client, member, count=1)
    if is_good_moment(start, client, member):
        assert windows and windows[0].start == start
        assert first_good_moment(start, client, member) == start
    elif windows:
        assert windows[0].start > start
        assert first_good_moment(start, client, member) == windows[0].start


@settings(max_examples=300, deadline=None)
@given(client=clients, start=instants())
def test_judge_agrees_with_is_good_moment_and_explains(client, start):
    verdict = judge(start, client)
    assert verdict.good == is_good_moment(start, client)
    assert (verdict.reason is None) == verdict.good
    assert verdict.local.timestamp() == start.timestamp()  # (== is False across zones in a DST fold)
    minute = verdict.local.hour * 60 + verdict.local.minute
    if verdict.reason == "night":
        assert minute < 7 * 60 or minute >= 21 * 60
    if verdict.reason == "lunch":
        assert 7 * 60 <= minute < 21 * 60


@settings(max_examples=60, deadline=None)
@given(client=clients, member=members(), start=instants(whole_minutes=True))
def test_same_first_moment_as_a_minute_by_minute_scan(client, member, start):
    days = 4
    found = first_good_moment(start, client, member, horizon_days=days)
    scanned = None
    for minute in range(days * 24 * 60):
        moment = start.add(minutes=minute)
        if is_good_moment(moment, client, member):
            scanned = moment
            break
    assert found == scanned
