"""Countries, time zones and subdivisions read from what people type."""

from __future__ import annotations

import zoneinfo

import pytest

from cultures.countries import (
    AmbiguousCountry,
    AmbiguousZone,
    Country,
    UnknownCountry,
    UnknownSubdivision,
    UnknownZone,
    canonical_zone,
    get_country,
    iso_country_codes,
    resolve_country,
    resolve_subdivision,
    subdivisions,
    zone_for,
)
from cultures.errors import CultureError


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("jpn", "JP"),
        ("Germany", "DE"),
        ("  germany ", "DE"),
        ("Deutschland", "DE"),
        ("DEUTSCHLAND", "DE"),
        ("日本", "JP"),
        ("Japan", "JP"),
        ("España", "ES"),
        ("espana", "ES"),
        ("Saudi Arabia", "SA"),
        ("المملكة العربية السعودية", "SA"),
        ("السعودية", "SA"),
        ("Côte d’Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("St Lucia", "LC"),
        ("Saint Lucia", "LC"),
        ("Bosnia and Herzegovina", "BA"),
        ("Hong Kong", "HK"),
        ("Burma", "MM"),
        ("the Netherlands", "NL"),
        ("Nederland", "NL"),
        ("Suisse", "CH"),
        ("Svizzera", "CH"),
        ("भारत", "IN"),
        ("中国", "CN"),
        ("Россия", "RU"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Brasil", "BR"),
        ("Kosovo", "XK"),
        ("德国", "DE"),  # Chinese for Germany: names in widely used languages work too
        ("Allemagne", "DE"),
    ],
)
def test_resolve_country_reads_codes_and_names(text: str, code: str):
    assert resolve_country(text).code == code


def test_a_country_carries_names_languages_locale_and_zones():
    germany = resolve_country("Germany")
    assert isinstance(germany, Country)
    assert (germany.english_name, germany.native_name, germany.alpha3) == ("Germany", "Deutschland", "DEU")
    assert germany.main_language == "de" and germany.likely_locale == "de_DE"
    assert "Europe/Berlin" in germany.zones
    japan = get_country("JP")
    assert (japan.native_name, japan.official_languages, japan.likely_locale) == ("日本", ("ja",), "ja_JP")
    saudi = get_country("SA")
    assert saudi.native_name == "المملكة العربية السعودية" and saudi.main_language == "ar"
    india = get_country("IN")
    assert india.official_languages[:2] == ("hi", "en")  # most spoken first
    switzerland = get_country("CH")
    assert switzerland.official_languages[0] == "de" and {"fr", "it"} <= set(switzerland.official_languages)
    taiwan = get_country("TW")
    assert taiwan.main_language == "zh-Hant" and taiwan.likely_locale == "zh_Hant_TW"
    assert resolve_country(germany) is germany


def test_every_country_has_a_name_a_language_and_valid_zones():
    for code in iso_country_codes():
        country = get_country(code)
        assert country.english_name and country.native_name and country.main_language
        assert country.main_language == country.official_languages[0]
        for zone in country.zones:
            zoneinfo.ZoneInfo(zone)


def test_a_typo_gets_suggestions():
    with pytest.raises(UnknownCountry) as caught:
        resolve_country("Germny")
    assert caught.value.suggestions[0] == "Germany"
    assert "Did you mean “Germany”" in str(caught.value)
    assert isinstance(caught.value, CultureError) and isinstance(caught.value, LookupError)


def test_an_unknown_country_is_unknown():
    with pytest.raises(UnknownCountry) as caught:
        resolve_country("Atlantis")
    assert caught.value.text == "Atlantis"
    assert isinstance(caught.value.suggestions, list)
    with pytest.raises(UnknownCountry):
        resolve_country("   ")
    with pytest.raises(UnknownCountry):
        get_country("QQ")


@pytest.mark.parametrize(
    ("text", "names"),
    [("Congo", {"Congo - Brazzaville", "Congo - Kinshasa"}), ("Korea", {"North Korea", "South Korea"})],
)
def test_an_ambiguous_name_lists_the_choices(text: str, names: set[str]):
    with pytest.raises(AmbiguousCountry) as caught:
        resolve_country(text)
    assert set(caught.value.choices) == names


# ---------------------------------------------------------------------------------------------
# Time zones


def test_a_single_zone_country_needs_nothing_more():
    assert zone_for("FR") == "Europe/Paris"
    assert zone_for(get_country("JP")) == "Asia/Tokyo"
    assert zone_for("IN") == "Asia/Kolkata"
    assert zone_for("NP") == "Asia/Kathmandu"


def test_zones_that_keep_the_same_clock_count_as_one():
    assert zone_for("DE") == "Europe/Berlin"  # Europe/Busingen keeps Berlin's clock


def test_a_multi_zone_country_asks_for_tz_or_city():
    with pytest.raises(AmbiguousZone) as caught:
        zone_for("US")
    choices = caught.value.choices
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu"} <= set(choices)
    assert "America/Detroit" not in choices  # same clock as New York
    assert "tz:" in str(caught.value)
    assert zone_for("US", city="Chicago") == "America/Chicago"
    assert zone_for("US", city="los angeles") == "America/Los_Angeles"
    assert zone_for("US", city="New York") == "America/New_York"
    assert zone_for("CA", city="St. John's") == "America/St_Johns"
    assert zone_for("BR", city="São Paulo") == "America/Sao_Paulo"
    assert zone_for("RU", city="Москва") == "Europe/Moscow"
    assert zone_for("KI", city="Kiritimati") == "Pacific/Kiritimati"
    with pytest.raises(AmbiguousZone):
        zone_for("US", city="Springfield")


def test_tz_wins_and_must_be_valid():
    assert zone_for("US", tz="America/Chicago") == "America/Chicago"
    assert zone_for("US", tz="america/chicago") == "America/Chicago"
    assert zone_for("IN", tz="Asia/Calcutta") == "Asia/Kolkata"
    assert canonical_zone("US/Eastern") == "America/New_York"
    with pytest.raises(UnknownZone) as caught:
        zone_for("US", tz="America/Chicagoo")
    assert "America/Chicago" in caught.value.suggestions


# ---------------------------------------------------------------------------------------------
# Subdivisions


@pytest.mark.parametrize(
    ("country", "text", "code"),
    [
        ("US", "CA", "CA"),
        ("US", "ca", "CA"),
        ("US", "US-CA", "CA"),
        ("US", "California", "CA"),
        ("DE", "Bayern", "BY"),
        ("DE", "BY", "BY"),
        ("IN", "Maharashtra", "MH"),
        ("CA", "Newfoundland and Labrador", "NL"),
        ("ES", "Andalucía", "AN"),
        ("ES", "andalucia", "AN"),
    ],
)
def test_resolve_subdivision_reads_codes_and_names(country: str, text: str, code: str):
    assert resolve_subdivision(country, text).code == code


def test_an_unknown_subdivision_gets_suggestions():
    with pytest.raises(UnknownSubdivision) as caught:
        resolve_subdivision("US", "Californa")
    assert "California" in caught.value.suggestions
    with pytest.raises(UnknownSubdivision):
        resolve_subdivision("JP", "Tokyo")


def test_subdivisions_are_listed_with_names():
    states = {sub.code: sub.name for sub in subdivisions("US")}
    assert states["CA"] == "California" and states["NY"] == "New York"
    assert subdivisions("JP") == []
