"""The calendar companies keep: closures, half days, slow seasons and Ramadan hours (pure)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import holidays
import pytest
from hijridate import Hijri

from cultures.calendar import CLOSED, HALF_DAY, country_calendar
from cultures.cards import Card, CardError, card_files, load_card_file
from cultures.company import Closure, MonthDaySpan, half_day_cutoff, ramadan_days, says_early_close
from cultures.hours import ClientHours, business_time, first_good_moment, judge, next_good_windows

UTC = dt.UTC
CARDS = [load_card_file(path) for path in card_files()]
WITH_CALENDARS = [card for card in CARDS if not card.calendar.empty]


def _at(zone: str, *fields: int) -> dt.datetime:
    import pendulum

    return pendulum.datetime(*fields, tz=zone).in_timezone(pendulum.UTC)


# ---------------------------------------------------------------------------------------------
# Pieces


def test_month_day_spans_cross_new_year():
    span = MonthDaySpan.parse("12-29..01-03")
    assert span.dates_in(2027) == [dt.date(2027, 1, d) for d in (1, 2, 3)] + [
        dt.date(2027, 12, d) for d in (29, 30, 31)
    ]
    assert str(span) == "29 Dec–3 Jan"
    assert MonthDaySpan.parse("02-29").dates_in(2027) == []  # no 29 February that year
    for bad in ("12/29", "13-01", "02-30", "12-29..01-03..02-01"):
        with pytest.raises(ValueError):
            MonthDaySpan.parse(bad)


def test_half_days_end_when_their_name_says():
    hours = ((540, 720), (780, 1020))
    assert half_day_cutoff("Midsummer Eve (from 2pm)", hours, 780) == 14 * 60
    assert half_day_cutoff("Christmas Eve (from 1pm)", hours, 720) == 13 * 60
    assert half_day_cutoff("Pre-holiday day (workday shortened by 3 hours)", hours, 780) == 14 * 60
    assert half_day_cutoff("Christmas Eve", hours, 12 * 60) == 12 * 60  # the card's half_day_ends


def test_ramadan_days_come_from_the_umm_al_qura_calendar():
    first = Hijri(1448, 9, 1).to_gregorian()
    last = Hijri(1448, 10, 1).to_gregorian() - dt.timedelta(days=1)
    days = ramadan_days(2027)
    assert min(days) == first.toordinal() and max(days) == last.toordinal()
    assert dt.date(2027, 2, 15).toordinal() in days and dt.date(2027, 4, 15).toordinal() not in days
    assert len(ramadan_days(2026)) in (29, 30)
    assert ramadan_days(2200) == frozenset()  # beyond the library's range: no Ramadan hours, no crash


# ---------------------------------------------------------------------------------------------
# The shipped cards


@pytest.mark.parametrize("card", WITH_CALENDARS, ids=lambda card: card.key)
def test_every_closed_day_from_the_library_agrees_with_it(card: Card):
    """A category the card takes marks exactly the library's days of it (when they are working days)."""
    company = card.calendar
    calendar = country_calendar(card.country or "")
    for year in (2026, 2027, 2028):
        for categories, code in ((company.closed_categories, CLOSED), (company.half_day_categories, HALF_DAY)):
            if not categories:
                continue
            days = holidays.country_holidays(card.country, years=year, categories=categories)
            public = holidays.country_holidays(card.country, years=year)
            for day in days:
                if day in public or public.is_weekend(day):
                    continue
                closed_too = code == HALF_DAY and day in holidays.country_holidays(
                    card.country, years=year, categories=company.closed_categories or ("public",)
                )
                expected = HALF_DAY if says_early_close(days[day]) else code
                found = calendar.code_of(day.toordinal())
                assert found == expected or closed_too, (card.key, day, days[day], found)
        for season in company.closed:
            for day in season.span.dates_in(year):
                status = calendar.day_status(day)
                assert not status.working, (card.key, day)


@pytest.mark.parametrize("card", WITH_CALENDARS, ids=lambda card: card.key)
def test_calendars_name_their_sources(card: Card):
    company = card.calendar
    if company.closed or company.half_days or company.slow or company.ramadan:
        assert company.sources
    if company.ramadan is not None:
        assert company.ramadan_note
        # Shorter than the usual day, never longer.
        for weekday in range(7):
            usual = sum(end - start for start, end in card.hours.on(weekday))
            assert sum(end - start for start, end in company.ramadan.on(weekday)) <= usual, (card.key, weekday)


def test_sweden_closes_on_midsummer_eve_from_the_librarys_de_facto_days():
    stockholm = ClientHours.for_country("SE", "Europe/Stockholm")
    verdict = judge(_at("Europe/Stockholm", 2026, 6, 19, 10), stockholm)
    assert (verdict.good, verdict.reason, verdict.holiday_name) == (False, "closed", "Midsummer Eve")
    assert country_calendar("SE").day_status(dt.date(2026, 12, 24)).reason == "closed"
    upcoming = country_calendar("SE").upcoming(dt.date(2026, 6, 15), 7)
    assert [(d.date.day, d.kind) for d in upcoming if d.kind == "closed"] == [(19, "closed")]
    # The next good moment after Midsummer Eve (a Friday) is Monday 22 June.
    moment = first_good_moment(_at("Europe/Stockholm", 2026, 6, 19, 10), stockholm)
    assert moment is not None and moment.in_timezone("Europe/Stockholm").date() == dt.date(2026, 6, 22)


def test_half_days_end_early_and_say_so():
    reykjavik = ClientHours.for_country("IS", "Atlantic/Reykjavik")
    morning = judge(_at("Atlantic/Reykjavik", 2026, 12, 24, 11), reykjavik)
    afternoon = judge(_at("Atlantic/Reykjavik", 2026, 12, 24, 14), reykjavik)
    assert morning.good and morning.hours_note == "half day (Christmas Eve (from 1pm))"
    assert (afternoon.good, afternoon.reason) == (False, "outside business hours")
    assert reykjavik.day_hours(dt.date(2026, 12, 24)) == ((510, 720), (750, 780))
    assert reykjavik.day_hours(dt.date(2026, 12, 22)) == ((510, 720), (750, 990))
    tallinn = ClientHours.for_country("EE", "Europe/Tallinn")  # "shortened by 3 hours": 17:30 -> 14:30
    assert tallinn.day_hours(dt.date(2026, 12, 23))[-1][1] == 14 * 60 + 30


def test_slow_seasons_are_advice_and_move_nothing():
    paris = ClientHours.for_country("FR", "Europe/Paris")
    assert judge(_at("Europe/Paris", 2026, 8, 11, 10), paris).good
    seasons = country_calendar("FR").seasons(dt.date(2026, 7, 25), 14)
    assert [(s.kind, s.first, s.last) for s in seasons] == [("slow", dt.date(2026, 8, 1), dt.date(2026, 8, 31))]
    assert country_calendar("FR").seasons(dt.date(2026, 10, 1), 14) == []


def test_ramadan_hours_shorten_the_day_and_say_so():
    jakarta = ClientHours.for_country("ID", "Asia/Jakarta")
    in_ramadan = judge(_at("Asia/Jakarta", 2027, 2, 15, 16), jakarta)  # Monday 16:00
    assert (in_ramadan.good, in_ramadan.reason, in_ramadan.hours_note) == (
        False,
        "outside business hours",
        "Ramadan hours",
    )
    assert judge(_at("Asia/Jakarta", 2027, 2, 15, 10), jakarta).good
    after = judge(_at("Asia/Jakarta", 2027, 4, 15, 16), jakarta)  # Thursday, normal hours
    assert after.good and after.hours_note is None
    # Business time counts Ramadan's shorter days: 08:00-15:00 is seven hours.
    day = business_time(_at("Asia/Jakarta", 2027, 2, 15, 0), _at("Asia/Jakarta", 2027, 2, 16, 0), jakarta)
    assert day == dt.timedelta(hours=7)
    seasons = country_calendar("ID").seasons(dt.date(2027, 2, 1), 14)
    assert [s.kind for s in seasons] == ["ramadan"] and seasons[0].first == Hijri(1448, 9, 1).to_gregorian()


def test_a_clients_own_hours_are_kept_in_ramadan():
    own = ClientHours.for_country("ID", "Asia/Jakarta", hours="09:00-17:00")
    assert judge(_at("Asia/Jakarta", 2027, 2, 15, 16), own).good


def test_a_client_closure_closes_those_days_and_names_itself():
    closure = Closure(dt.date(2026, 12, 23), dt.date(2027, 1, 6), "plant shutdown")
    vienna = ClientHours.for_country("DE", "Europe/Berlin", closures=(closure,))
    verdict = judge(_at("Europe/Berlin", 2026, 12, 28, 10), vienna)
    assert (verdict.good, verdict.reason) == (False, "closed")
    assert verdict.holiday_name is not None and "plant shutdown" in verdict.holiday_name
    moment = first_good_moment(_at("Europe/Berlin", 2026, 12, 22, 19), vienna)
    assert moment is not None and moment.in_timezone("Europe/Berlin").date() == dt.date(2027, 1, 7)
    windows = next_good_windows(_at("Europe/Berlin", 2026, 12, 23, 8), vienna, count=1)
    assert windows[0].start.in_timezone("Europe/Berlin").date() == dt.date(2027, 1, 7)
    # Other clients of the same country are not affected.
    assert judge(_at("Europe/Berlin", 2026, 12, 28, 10), ClientHours.for_country("DE", "Europe/Berlin")).good


# ---------------------------------------------------------------------------------------------
# Validation of the calendar section


def _card(tmp_path: Path, calendar: dict[str, Any], country: str = "SE") -> Card:
    from tests.cultures.test_cards import VALID, write_card

    data = {**VALID, "country": country, "calendar": calendar}
    return load_card_file(write_card(tmp_path, data, name=f"{country.lower()}.yaml"))


@pytest.mark.parametrize(
    ("calendar", "field", "words"),
    [
        ({"closed_categories": ["school"]}, "calendar.closed_categories[0]", "not a category"),
        ({"closed_categories": ["public"]}, "calendar.closed_categories[0]", "not a category"),
        ({"closed": [{"dates": "12-24", "name": "Christmas Eve"}]}, "calendar.sources", "is missing"),
        ({"closed": [{"dates": "24.12.", "name": "x"}], "sources": ["s"]}, "calendar.closed[0].dates", "MM-DD"),
        ({"slow": [{"dates": "08-01..08-31", "name": "August"}], "sources": ["s"]}, "calendar.slow[0].advice", ""),
        ({"ramadan": {"default": ["10:00-15:00"]}, "sources": ["s"]}, "calendar.ramadan_note", "is missing"),
        ({"half_day_ends": "1pm"}, "calendar.half_day_ends", "HH:MM"),
        ({"colour": "blue"}, "calendar.colour", "unknown field"),
    ],
)
def test_a_bad_calendar_names_the_field(tmp_path: Path, calendar: dict[str, Any], field: str, words: str):
    with pytest.raises(CardError) as error:
        _card(tmp_path, calendar)
    assert error.value.field == field and words in str(error.value)


def test_a_good_calendar_loads(tmp_path: Path):
    card = _card(
        tmp_path,
        {
            "closed_categories": ["de_facto"],
            "half_days": [{"dates": "12-23", "name": "Little Christmas Eve", "ends": "12:00"}],
            "slow": [{"dates": "07-01..07-31", "name": "July", "advice": "slower"}],
            "sources": ["a named source"],
        },
    )
    assert card.calendar.closed_categories == ("de_facto",)
    assert card.calendar.half_days[0].ends == 12 * 60
    assert card.calendar.slow[0].span == MonthDaySpan((7, 1), (7, 31))


def test_every_working_day_skips_the_clients_own_closure():
    from handlers.followups.schedule import Series
    from handlers.followups.when import Rule

    closure = Closure(dt.date(2027, 3, 1), dt.date(2027, 3, 5))
    series = Series(Rule("workday"), dt.datetime(2027, 2, 26, 11, 0), "Europe/Paris", True, "FR", None, (closure,))
    days = [wish.local.date() for k in range(15) if (wish := series.wish(k)) is not None]
    assert dt.date(2027, 3, 3) not in days and dt.date(2027, 3, 8) in days
    assert days.count(dt.date(2027, 3, 8)) == 1


def test_a_drafts_next_business_day_skips_closures():
    from handlers.draft.compose import next_business_day

    assert next_business_day("JP", None, dt.date(2026, 12, 28)) == dt.date(2027, 1, 4)  # year-end closure
    closure = Closure(dt.date(2026, 12, 8), dt.date(2026, 12, 10))
    assert next_business_day("DE", None, dt.date(2026, 12, 7), (closure,)) == dt.date(2026, 12, 11)
