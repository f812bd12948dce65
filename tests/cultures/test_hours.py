"""The local-time engine: verdicts, next good windows and overlaps, across DST changes,
half-hour zones and the date line, in a dozen countries. Pure: instants are passed in."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from cultures.cards import card_for
from cultures.errors import HoursFormatError, MissingCard, UnknownSubdivision, UnknownZone
from cultures.hours import (
    ClientHours,
    MemberHours,
    Verdict,
    Window,
    first_good_moment,
    is_good_moment,
    judge,
    local_instant,
    member_is_working,
    next_good_windows,
    overlap,
    system_clock,
)
from cultures.weekly import WeeklyHours

D = dt.date
NINE_TO_FIVE = WeeklyHours.parse("09:00-17:00")
WITH_LUNCH = WeeklyHours.parse("09:00-12:00,14:00-18:00")


def at(zone: str, *args: int) -> pendulum.DateTime:
    """A wall-clock time in a zone."""
    return pendulum.datetime(*args, tz=zone)


def utc(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


def spans(windows: list[Window]) -> list[tuple[pendulum.DateTime, pendulum.DateTime]]:
    return [(window.start, window.end) for window in windows]


# ---------------------------------------------------------------------------------------------
# Acceptance (issue 3), with the countries' own cards


def test_saudi_client_on_a_friday_is_on_the_weekend():
    client = ClientHours("Asia/Riyadh", "SA")
    verdict = judge(at("Asia/Riyadh", 2025, 5, 9, 10, 0), client)  # a Friday, mid-morning
    assert not verdict.good and verdict.reason == "weekend"
    assert verdict.local.day_of_week == pendulum.FRIDAY and verdict.local.hour == 10


def test_french_client_at_half_past_twelve_is_at_lunch():
    client = ClientHours("Europe/Paris", "FR")
    verdict = judge(at("Europe/Paris", 2025, 6, 4, 12, 30), client)
    assert (verdict.good, verdict.reason) == (False, "lunch")
    assert card_for("FR").hours.lunch_breaks(2)  # the card has a lunch break on Wednesdays


def test_japanese_client_on_new_years_day_is_on_holiday():
    client = ClientHours("Asia/Tokyo", "JP")
    verdict = judge(at("Asia/Tokyo", 2026, 1, 1, 10, 0), client)
    assert (verdict.good, verdict.reason, verdict.holiday_name) == (False, "holiday", "New Year's Day")


def test_a_regional_default_card_gives_hours_too():
    client = ClientHours("Africa/Banjul", "GM")  # The Gambia: Western Africa's regional default
    assert card_for("GM").regional_default
    windows = next_good_windows(at("Africa/Banjul", 2025, 6, 4, 6, 0), client)
    assert windows and judge(windows[0].start, client).good


# ---------------------------------------------------------------------------------------------
# Verdicts


def test_reasons_in_order_of_precedence():
    client = ClientHours("Europe/Paris", "FR", hours=WITH_LUNCH)
    wednesday = D(2025, 6, 4)
    cases = {
        (10, 0): (True, None),
        (12, 30): (False, "lunch"),
        (6, 59): (False, "night"),
        (21, 0): (False, "night"),
        (18, 30): (False, "outside business hours"),
        (8, 30): (False, "outside business hours"),
        (18, 0): (False, "outside business hours"),
    }
    for (hour, minute), expected in cases.items():
        verdict = judge(at("Europe/Paris", wednesday.year, wednesday.month, wednesday.day, hour, minute), client)
        assert (verdict.good, verdict.reason) == expected, (hour, minute)
    night_on_a_holiday = judge(at("Europe/Paris", 2025, 7, 14, 3, 0), client)  # Bastille Day
    assert night_on_a_holiday.reason == "holiday" and night_on_a_holiday.holiday_name
    night_on_a_weekend = judge(at("Europe/Paris", 2025, 6, 7, 3, 0), client)
    assert night_on_a_weekend.reason == "weekend"


def test_business_hours_never_reach_into_the_night():
    client = ClientHours("Europe/Paris", "FR", hours=WeeklyHours.parse("05:00-23:00"))
    assert judge(at("Europe/Paris", 2025, 6, 4, 6, 30), client).reason == "night"
    assert judge(at("Europe/Paris", 2025, 6, 4, 7, 0), client).good
    assert judge(at("Europe/Paris", 2025, 6, 4, 20, 59), client).good
    assert judge(at("Europe/Paris", 2025, 6, 4, 21, 0), client).reason == "night"


def test_a_verdict_shows_the_clients_wall_clock():
    client = ClientHours("Asia/Kolkata", "IN", hours=NINE_TO_FIVE)
    verdict = judge(utc(2025, 6, 4, 4, 0), client)
    assert isinstance(verdict, Verdict)
    assert (verdict.local.hour, verdict.local.minute, verdict.local.timezone_name) == (9, 30, "Asia/Kolkata")


def test_instants_must_be_timezone_aware():
    client = ClientHours("Europe/Paris", "FR", hours=WITH_LUNCH)
    with pytest.raises(ValueError, match="timezone-aware"):
        judge(dt.datetime(2025, 6, 4, 12, 30), client)
    assert judge(dt.datetime(2025, 6, 4, 10, 30, tzinfo=dt.UTC), client).reason == "lunch"


# ---------------------------------------------------------------------------------------------
# Windows in a dozen countries


def test_france_next_window_is_after_lunch():
    client = ClientHours("Europe/Paris", "FR", hours=WITH_LUNCH)
    windows = next_good_windows(at("Europe/Paris", 2025, 6, 4, 12, 30), client, count=2)
    assert spans(windows) == [(utc(2025, 6, 4, 12), utc(2025, 6, 4, 16)), (utc(2025, 6, 5, 7), utc(2025, 6, 5, 10))]


def test_saudi_next_window_is_sunday_morning():
    client = ClientHours("Asia/Riyadh", "SA", hours=NINE_TO_FIVE)
    first = next_good_windows(at("Asia/Riyadh", 2025, 5, 9, 10), client, count=1)[0]
    assert (first.start, first.end) == (utc(2025, 5, 11, 6), utc(2025, 5, 11, 14))
    assert first.in_zone("Asia/Riyadh")[0].day_of_week == pendulum.SUNDAY


def test_japan_after_new_year():
    client = ClientHours("Asia/Tokyo", "JP", hours=NINE_TO_FIVE)
    first = next_good_windows(at("Asia/Tokyo", 2026, 1, 1, 10), client, count=1)[0]
    # 2 January is a working day for the holidays library, but offices keep the year-end closure
    # to 3 January (the card's calendar, which counts whatever the client's own hours), and 3-4
    # January 2026 are a weekend: Monday 5 January.
    assert first.start == utc(2026, 1, 5, 0)


@pytest.mark.parametrize(
    ("year", "day", "expected"),
    [
        (2021, 1, (utc(2021, 10, 3, 5), utc(2021, 10, 3, 13))),  # Friday was weekend: Sunday 09:00
        (2023, 6, (utc(2023, 10, 6, 11), utc(2023, 10, 6, 13))),  # Friday is worked: now until 17:00
    ],
)
def test_uae_friday_afternoon_before_and_after_2022(year: int, day: int, expected: tuple):
    client = ClientHours("Asia/Dubai", "AE", hours=NINE_TO_FIVE)
    friday = at("Asia/Dubai", year, 10, day, 15, 0)
    assert (judge(friday, client).reason, judge(friday, client).good) == (
        ("weekend", False) if year == 2021 else (None, True)
    )
    assert spans(next_good_windows(friday, client, count=1)) == [expected]


def test_uae_card_keeps_friday_short():
    client = ClientHours("Asia/Dubai", "AE")  # the card's Friday ends at noon
    assert judge(at("Asia/Dubai", 2023, 10, 6, 15, 0), client).reason == "outside business hours"


def test_china_works_on_a_make_up_sunday():
    client = ClientHours("Asia/Shanghai", "CN", hours=NINE_TO_FIVE)
    first = next_good_windows(at("Asia/Shanghai", 2024, 2, 3, 20), client, count=1)[0]  # Saturday evening
    assert first.start == utc(2024, 2, 4, 1)  # Sunday 09:00 CST, a make-up working day
    verdict = judge(first.start, client)
    assert verdict.good and verdict.makeup_workday


def test_california_state_holiday_only_with_the_state():
    monday = at("America/Los_Angeles", 2025, 3, 31, 8, 0)  # Cesar Chavez Day
    californian = ClientHours("America/Los_Angeles", "US", "CA", NINE_TO_FIVE)
    anywhere = ClientHours("America/Los_Angeles", "US", None, NINE_TO_FIVE)
    assert judge(monday.add(hours=2), californian).reason == "holiday"
    assert first_good_moment(monday, californian) == utc(2025, 4, 1, 16)
    assert first_good_moment(monday, anywhere) == utc(2025, 3, 31, 16)


def test_india_half_hour_zone():
    client = ClientHours("Asia/Kolkata", "IN", hours=WeeklyHours.parse("09:30-13:00,14:00-18:00"))
    windows = next_good_windows(at("Asia/Kolkata", 2025, 6, 4, 6, 0), client, count=2)
    assert spans(windows) == [
        (utc(2025, 6, 4, 4), utc(2025, 6, 4, 7, 30)),
        (utc(2025, 6, 4, 8, 30), utc(2025, 6, 4, 12, 30)),
    ]


def test_nepal_quarter_hour_zone():
    client = ClientHours("Asia/Kathmandu", "NP", hours=WeeklyHours.parse("10:00-17:00"))
    first = next_good_windows(at("Asia/Kathmandu", 2025, 6, 4, 8, 0), client, count=1)[0]
    assert (first.start, first.end) == (utc(2025, 6, 4, 4, 15), utc(2025, 6, 4, 11, 15))


@pytest.mark.parametrize(
    ("day", "start"), [(D(2025, 1, 8), utc(2025, 1, 8, 12, 30)), (D(2025, 6, 4), utc(2025, 6, 4, 11, 30))]
)
def test_newfoundland_half_hour_zone_with_dst(day: dt.date, start: pendulum.DateTime):
    client = ClientHours("America/St_Johns", "CA", "NL", NINE_TO_FIVE)
    first = next_good_windows(at("America/St_Johns", day.year, day.month, day.day, 6), client, count=1)[0]
    assert first.start == start and first.minutes == 8 * 60


def test_brazil_and_iran():
    brazil = ClientHours("America/Sao_Paulo", "BR", hours=WeeklyHours.parse("09:00-18:00"))
    assert next_good_windows(at("America/Sao_Paulo", 2025, 6, 4, 7), brazil, count=1)[0].start == utc(2025, 6, 4, 12)
    iran = ClientHours("Asia/Tehran", "IR", hours=WeeklyHours.parse("08:00-16:00"))
    friday = at("Asia/Tehran", 2025, 6, 20, 10)
    assert judge(friday, iran).reason == "weekend"  # Iran rests on Friday only
    saturday = next_good_windows(friday, iran, count=1)[0].in_zone("Asia/Tehran")[0]
    assert (saturday.day_of_week, saturday.hour) == (pendulum.SATURDAY, 8)


def test_hong_kong_works_saturdays():
    client = ClientHours("Asia/Hong_Kong", "HK", hours=NINE_TO_FIVE)
    saturday = at("Asia/Hong_Kong", 2025, 6, 7, 10)
    assert judge(saturday, client).good
    assert judge(saturday.add(days=1), client).reason == "weekend"


# ---------------------------------------------------------------------------------------------
# DST


@pytest.mark.parametrize(
    ("zone", "country", "friday", "monday", "friday_utc", "monday_utc"),
    [
        ("Europe/Berlin", "DE", D(2025, 3, 28), D(2025, 3, 31), 8, 7),  # CET -> CEST
        ("Europe/Berlin", "DE", D(2025, 10, 24), D(2025, 10, 27), 7, 8),  # CEST -> CET
        ("America/New_York", "US", D(2025, 3, 7), D(2025, 3, 10), 14, 13),  # EST -> EDT
        ("America/New_York", "US", D(2025, 10, 31), D(2025, 11, 3), 13, 14),  # EDT -> EST
    ],
)
def test_windows_follow_the_wall_clock_across_dst(zone, country, friday, monday, friday_utc, monday_utc):
    client = ClientHours(zone, country, hours=NINE_TO_FIVE)
    start = at(zone, friday.year, friday.month, friday.day, 7)
    windows = next_good_windows(start, client, count=2)
    assert [w.start for w in windows] == [
        utc(friday.year, friday.month, friday.day, friday_utc),
        utc(monday.year, monday.month, monday.day, monday_utc),
    ]
    assert all(w.minutes == 8 * 60 for w in windows)
    assert all(w.in_zone(zone)[0].hour == 9 for w in windows)


def test_a_wall_time_in_the_gap_moves_forward():
    gap = local_instant("Europe/Berlin", D(2025, 3, 30), 2 * 60 + 30)
    assert gap.in_timezone("UTC") == utc(2025, 3, 30, 1, 30)  # 03:30 CEST
    repeated = local_instant("Europe/Berlin", D(2025, 10, 26), 2 * 60 + 30)
    assert repeated.in_timezone("UTC") == utc(2025, 10, 26, 1, 30)  # the later 02:30 (CET)
    assert local_instant("Asia/Kathmandu", D(2025, 6, 4), 10 * 60).in_timezone("UTC") == utc(2025, 6, 4, 4, 15)


def test_a_night_shift_across_the_spring_gap_is_an_hour_shorter():
    member = MemberHours("Europe/Berlin", 0, 1440, frozenset(range(7)))
    spring, autumn = D(2025, 3, 30).toordinal(), D(2025, 10, 26).toordinal()
    assert sum(end - start for start, end in member.spans(spring)) == 23 * 3600
    assert sum(end - start for start, end in member.spans(autumn)) == 25 * 3600
    assert sum(end - start for start, end in member.spans(spring + 1)) == 24 * 3600


def test_member_hours_through_the_dst_changes():
    member = MemberHours("Europe/Berlin", 60, 240, frozenset(range(7)))  # 01:00-04:00, every day
    assert member_is_working(utc(2025, 3, 30, 0, 30), member)  # 01:30 CET
    assert member_is_working(utc(2025, 3, 30, 1, 30), member)  # 03:30 CEST
    assert not member_is_working(utc(2025, 3, 30, 2, 0), member)  # 04:00 CEST
    # A client on the other side of the world, ignoring its weekend, meets that shift:
    kiritimati = ClientHours("Pacific/Kiritimati", "KI", hours=WeeklyHours.parse("07:00-21:00"))
    assert spans(overlap(kiritimati, member, D(2025, 3, 30), respect_calendar=False)) == [
        (utc(2025, 3, 30, 0), utc(2025, 3, 30, 2))  # two real hours
    ]
    assert spans(overlap(kiritimati, member, D(2025, 10, 26), respect_calendar=False)) == [
        (utc(2025, 10, 25, 23), utc(2025, 10, 26, 3))  # four real hours: 02:00-03:00 happens twice
    ]


# ---------------------------------------------------------------------------------------------
# Team members and the date line


def test_overlap_of_a_french_client_and_a_new_york_member():
    client = ClientHours("Europe/Paris", "FR", hours=WITH_LUNCH)
    member = MemberHours.from_text("America/New_York", "09:00-18:00")
    assert spans(overlap(client, member, D(2025, 6, 4))) == [(utc(2025, 6, 4, 13), utc(2025, 6, 4, 16))]
    assert overlap(client, member, D(2025, 6, 7)) == []  # Saturday
    windows = next_good_windows(at("Europe/Paris", 2025, 6, 4, 8), client, member, count=2)
    assert spans(windows) == [(utc(2025, 6, 4, 13), utc(2025, 6, 4, 16)), (utc(2025, 6, 5, 13), utc(2025, 6, 5, 16))]


def test_across_the_date_line_only_four_days_a_week_meet():
    client = ClientHours("Pacific/Kiritimati", "KI", hours=NINE_TO_FIVE)  # UTC+14
    member = MemberHours.from_text("Pacific/Pago_Pago", "09:00-17:00")  # UTC-11, Monday to Friday
    windows = next_good_windows(utc(2025, 6, 2, 0), client, member, count=5)
    # Member Monday 09:00 is client Tuesday 10:00; member Friday is client Saturday.
    assert [w.start for w in windows] == [utc(2025, 6, d, 20) for d in (2, 3, 4, 5)] + [utc(2025, 6, 9, 20)]
    assert all(w.minutes == 7 * 60 for w in windows)
    first_client, first_member = windows[0].in_zone("Pacific/Kiritimati")[0], windows[0].in_zone("Pacific/Pago_Pago")[0]
    assert (first_client.day_of_week, first_member.day_of_week) == (pendulum.TUESDAY, pendulum.MONDAY)


def test_auckland_and_pago_pago():
    client = ClientHours("Pacific/Auckland", "NZ", hours=NINE_TO_FIVE)  # NZST, UTC+12 in June
    member = MemberHours.from_text("Pacific/Pago_Pago", "09:00-17:00")
    first = next_good_windows(utc(2025, 6, 2, 0), client, member, count=1)[0]
    assert (first.start, first.end) == (utc(2025, 6, 2, 21), utc(2025, 6, 3, 4))


def test_a_night_shift_member_past_midnight():
    client = ClientHours("Asia/Tokyo", "JP", hours=NINE_TO_FIVE)
    member = MemberHours.from_text("Europe/London", "22:00-06:00", weekdays=range(5))
    # Monday 22:00 BST to Tuesday 06:00 BST = Tuesday 06:00-14:00 JST; Tokyo opens at 09:00.
    windows = next_good_windows(utc(2025, 6, 2, 12), client, member, count=1)
    assert spans(windows) == [(utc(2025, 6, 3, 0), utc(2025, 6, 3, 5))]
    assert member_is_working(utc(2025, 6, 2, 23, 30), member)


def test_no_window_within_the_horizon():
    client = ClientHours("Europe/Paris", "FR", hours=WeeklyHours.parse("22:00-23:00"))
    start = at("Europe/Paris", 2025, 6, 4, 12)
    assert next_good_windows(start, client) == []
    assert first_good_moment(start, client) is None
    assert next_good_windows(start, ClientHours("Europe/Paris", "FR", hours=NINE_TO_FIVE), count=0) == []


def test_horizon_limits_where_windows_may_start():
    client = ClientHours("Europe/Paris", "FR", hours=NINE_TO_FIVE)
    start = at("Europe/Paris", 2025, 6, 13, 18)  # Friday evening
    assert next_good_windows(start, client, horizon_days=1) == []
    assert len(next_good_windows(start, client, horizon_days=3)) == 1


def test_first_good_moment_is_now_when_now_is_good():
    client = ClientHours("Europe/Paris", "FR", hours=WITH_LUNCH)
    now = at("Europe/Paris", 2025, 6, 4, 10, 17, 30)
    assert first_good_moment(now, client) == now
    assert next_good_windows(now, client)[0].start == now
    assert is_good_moment(now, client)


# ---------------------------------------------------------------------------------------------
# Construction and clock


def test_bad_zones_and_hours_are_refused():
    with pytest.raises(UnknownZone):
        ClientHours("Mars/Olympus_Mons", "FR")
    with pytest.raises(UnknownZone):
        MemberHours("Nowhere", 540, 1080)
    with pytest.raises(HoursFormatError):
        MemberHours("Europe/Paris", 540, 540)
    with pytest.raises(HoursFormatError):
        MemberHours.from_text("Europe/Paris", "09:00-12:00,13:00-17:00")
    with pytest.raises(ValueError):
        MemberHours("Europe/Paris", 540, 1080, frozenset({7}))


def test_client_hours_for_country_reads_the_card_or_an_override():
    client = ClientHours.for_country("fr", "Europe/Paris")
    assert client.country == "FR" and client.weekly_hours == card_for("FR").hours
    custom = ClientHours.for_country("FR", "Europe/Paris", hours="08:00-16:00")
    assert custom.weekly_hours.on(0) == ((480, 960),)
    assert client == ClientHours("Europe/Paris", "FR")


def test_the_clock_is_injected():
    def fixed() -> pendulum.DateTime:
        return at("Europe/Paris", 2025, 6, 4, 12, 30)

    client = ClientHours("Europe/Paris", "FR", hours=WITH_LUNCH)
    assert judge(fixed(), client).reason == "lunch"
    now = system_clock()
    assert now.timezone_name == "UTC" and abs((pendulum.now("UTC") - now).total_seconds()) < 5


def test_a_client_is_checked_when_described():
    with pytest.raises(UnknownSubdivision):
        ClientHours("America/Chicago", "US", "Narnia")
    assert ClientHours("America/Los_Angeles", "US", "California", NINE_TO_FIVE).subdiv == "CA"
    with pytest.raises(MissingCard):
        ClientHours("UTC", "ZZ")


def test_zones_are_read_forgivingly_and_kept_canonical():
    assert ClientHours("asia/calcutta", "IN", hours=NINE_TO_FIVE).zone == "Asia/Kolkata"
    assert MemberHours("US/Eastern", 540, 1080).zone == "America/New_York"


def test_pairs_that_never_meet_have_no_window():
    tokyo = ClientHours("Asia/Tokyo", "JP", hours=NINE_TO_FIVE)  # 00:00-08:00 UTC all year
    new_york = MemberHours.from_text("America/New_York", "09:00-17:00")  # 13:00-22:00 UTC at the widest
    assert next_good_windows(utc(2025, 6, 2, 0), tokyo, new_york) == []
    assert first_good_moment(utc(2025, 12, 20, 0), tokyo, new_york, horizon_days=30) is None
    sydney = ClientHours("Australia/Sydney", "AU", hours=NINE_TO_FIVE)
    los_angeles = MemberHours.from_text("America/Los_Angeles", "09:00-15:00")
    assert next_good_windows(utc(2025, 6, 2, 0), sydney, los_angeles) == []  # in June; they meet in January
    assert next_good_windows(utc(2026, 1, 12, 0), sydney, los_angeles, count=1)[0].minutes == 60
    early_bird = MemberHours.from_text("America/Los_Angeles", "14:00-20:00")  # 07:00-13:00 in Sydney
    first = next_good_windows(utc(2025, 6, 2, 0), sydney, early_bird, count=1)[0]
    assert first.in_zone("Australia/Sydney")[0].hour == 9 and first.minutes == 4 * 60
