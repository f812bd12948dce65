"""Which holidays and birthdays deserve a heads-up: pure, from the cards and the holidays library."""

from __future__ import annotations

import datetime as dt

from cultures.cards import card_for
from handlers.care.occasions import (
    birthday_occasion,
    care_enabled,
    holiday_occasion,
    lead_days,
    next_birthday,
    occasions,
    upcoming_holidays,
)


def _keys(country: str, start: dt.date, days: int) -> list[tuple[str, int, dt.date]]:
    return [(o.key, o.year, o.date) for o in upcoming_holidays(card_for(country), country, None, start, days)]


def test_christmas_in_germany_is_one_occasion_over_its_days():
    assert _keys("DE", dt.date(2026, 12, 22), 3) == [("holiday:christmas", 2026, dt.date(2026, 12, 25))]
    # Christmas Day and the Second Day of Christmas both in the window: still one occasion.
    assert _keys("DE", dt.date(2026, 12, 24), 3) == [("holiday:christmas", 2026, dt.date(2026, 12, 25))]
    assert _keys("DE", dt.date(2026, 12, 29), 3) == [("holiday:new-year", 2027, dt.date(2027, 1, 1))]


def test_card_mentioned_holidays_count_and_sombre_ones_do_not():
    assert _keys("US", dt.date(2026, 11, 23), 3) == [("holiday:thanksgiving", 2026, dt.date(2026, 11, 26))]
    assert _keys("KR", dt.date(2026, 9, 22), 3)[0][0] == "holiday:chuseok"
    assert _keys("NZ", dt.date(2026, 4, 22), 5) == []  # ANZAC Day: "a solemn day of remembrance"
    assert _keys("AU", dt.date(2026, 1, 23), 5) == []  # Australia Day: "contested"
    assert _keys("DE", dt.date(2026, 9, 30), 5) == []  # German Unity Day: not greeting-worthy
    assert _keys("FI", dt.date(2026, 12, 3), 5) == []  # Independence Day: "a solemn national day"


def test_major_festivals_count_even_when_the_card_is_silent():
    assert _keys("SG", dt.date(2026, 11, 5), 3) == [("holiday:diwali", 2026, dt.date(2026, 11, 8))]
    assert _keys("CN", dt.date(2026, 2, 13), 3)[0][0] == "holiday:lunar-new-year"
    assert _keys("JP", dt.date(2026, 12, 29), 3) == [("holiday:new-year", 2027, dt.date(2027, 1, 1))]


def test_an_eve_belongs_to_the_year_of_the_day_after():
    occasion = holiday_occasion("New Year's Eve", dt.date(2026, 12, 31), card_for("TH"))
    assert occasion is not None and (occasion.key, occasion.year) == ("holiday:new-year", 2027)


def test_not_holidays_are_ignored():
    assert holiday_occasion("Day off (substituted from 01/04/2026)", dt.date(2026, 1, 2), card_for("CN")) is None


def test_birthdays_within_the_lead_time():
    today = dt.date(2026, 11, 23)
    assert birthday_occasion(dt.date(1980, 11, 25), today, 3).date == dt.date(2026, 11, 25)
    assert birthday_occasion(dt.date(1980, 11, 30), today, 3) is None
    assert birthday_occasion(None, today, 3) is None
    assert next_birthday(dt.date(1984, 2, 29), dt.date(2027, 2, 1)) == dt.date(2027, 2, 28)
    assert next_birthday(dt.date(1980, 1, 5), today) == dt.date(2027, 1, 5)
    found = occasions(card_for("DE"), "DE", None, dt.date(1970, 12, 24), dt.date(2026, 12, 22), 3)
    assert [o.key for o in found] == ["birthday", "holiday:christmas"]


def test_workspace_settings():
    assert lead_days(None) == 3
    assert lead_days({"care_days": "7"}) == 7
    assert lead_days({"care_days": 99}) == 30
    assert lead_days({"care_days": "soon"}) == 3
    assert care_enabled({}) and not care_enabled({"care_enabled": False})
