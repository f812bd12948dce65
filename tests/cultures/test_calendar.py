"""Working days from the holidays library: weekends that differ and changed, holidays per
subdivision, make-up working days, and a plain fallback for places the library lacks."""

from __future__ import annotations

import datetime as dt

import pytest

from cultures.calendar import DayStatus, UpcomingDay, country_calendar, day_status, upcoming
from cultures.countries import UnknownSubdivision

D = dt.date


def test_saudi_weekend_is_friday_and_saturday():
    assert day_status(D(2025, 5, 9), "SA") == DayStatus(False, "weekend", None, False)  # Friday
    assert day_status(D(2025, 5, 10), "SA").reason == "weekend"  # Saturday
    assert day_status(D(2025, 5, 11), "SA").working  # Sunday


def test_uae_weekend_moved_in_2022():
    assert day_status(D(2021, 10, 1), "AE").reason == "weekend"  # Friday, Fri–Sat weekend
    assert day_status(D(2021, 10, 3), "AE").working  # Sunday
    assert day_status(D(2023, 10, 6), "AE").working  # Friday, Sat–Sun weekend
    assert day_status(D(2023, 10, 8), "AE").reason == "weekend"  # Sunday
    calendar = country_calendar("AE")
    assert calendar.weekend_days(D(2021, 5, 5)) == {4, 5}
    assert calendar.weekend_days(D(2023, 5, 5)) == {5, 6}


@pytest.mark.parametrize(
    ("code", "day", "weekend"),
    [
        ("IR", D(2025, 6, 6), {4}),
        ("HK", D(2025, 6, 6), {6}),
        ("IL", D(2025, 6, 6), {4, 5}),
        ("FR", D(2025, 6, 6), {5, 6}),
    ],
)
def test_weekends_differ_by_country(code: str, day: dt.date, weekend: set[int]):
    assert country_calendar(code).weekend_days(day) == weekend


def test_japanese_new_year_is_a_holiday_with_its_name():
    status = day_status(D(2026, 1, 1), "JP")
    assert (status.working, status.reason, status.holiday_name) == (False, "holiday", "New Year's Day")


def test_a_holiday_on_a_weekend_is_still_a_holiday():
    status = day_status(D(2022, 1, 1), "FR")  # a Saturday
    assert status.reason == "holiday" and status.holiday_name


def test_chinese_make_up_working_day_counts_as_working():
    status = day_status(D(2024, 2, 4), "CN")  # a Sunday worked before Spring Festival
    assert status.working and status.makeup_workday and status.reason is None
    assert day_status(D(2024, 2, 11), "CN").reason == "holiday"


def test_state_holidays_need_the_state():
    cesar_chavez = D(2025, 3, 31)
    assert day_status(cesar_chavez, "US").working
    california = day_status(cesar_chavez, "US", "CA")
    assert california.reason == "holiday" and "Chavez" in (california.holiday_name or "")
    assert day_status(cesar_chavez, "US", "California") == california


def test_german_lander_differ():
    epiphany = D(2025, 1, 6)
    assert day_status(epiphany, "DE", "BY").reason == "holiday"
    assert day_status(epiphany, "DE", "BE").working


def test_unknown_subdivision_is_refused():
    with pytest.raises(UnknownSubdivision):
        country_calendar("US", "Narnia")


def test_places_without_a_calendar_fall_back_to_saturday_sunday():
    calendar = country_calendar("AC")  # Ascension Island: a CLDR place the library does not cover
    assert not calendar.calendar_known
    friday, saturday = calendar.day_status(D(2025, 1, 3)), calendar.day_status(D(2025, 1, 4))
    assert friday.working and not friday.calendar_known
    assert saturday.reason == "weekend"
    assert country_calendar("FR").calendar_known


def test_upcoming_lists_holidays_weekends_and_make_up_days():
    days = upcoming("CN", None, D(2024, 9, 10), days=14)
    kinds = {item.date: item.kind for item in days}
    assert kinds[D(2024, 9, 14)] == "makeup_workday"
    assert kinds[D(2024, 9, 15)] == "weekend"
    assert kinds[D(2024, 9, 17)] == "holiday"
    assert all(D(2024, 9, 10) <= item.date < D(2024, 9, 24) for item in days)
    festival = next(item for item in days if item.date == D(2024, 9, 17))
    assert festival == UpcomingDay(D(2024, 9, 17), "holiday", "Mid-Autumn Festival")


def test_upcoming_in_saudi_shows_friday_and_saturday():
    days = upcoming("SA", None, D(2025, 5, 5), days=7)
    assert [(item.date.weekday(), item.kind) for item in days] == [(4, "weekend"), (5, "weekend")]


def test_calendars_are_cached_and_prepared_on_demand():
    assert country_calendar("fr") is country_calendar("FR")
    calendar = country_calendar("DE", years=range(2024, 2027))
    assert calendar.code_of(D(2026, 12, 25).toordinal()) == 2
