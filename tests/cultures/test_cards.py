"""Culture cards: every shipped file validates, every country has exactly one card, and a bad
card fails with the file and the field named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cultures.cards import (
    SCALES,
    Card,
    CardError,
    HoursFormatError,
    MissingCard,
    card_files,
    card_for,
    load_card_file,
    load_cards,
)
from cultures.countries import iso_country_codes, known_territory_codes
from cultures.weekly import WeeklyHours, format_intervals, parse_hours, parse_shift

SHIPPED = card_files()


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.parent.name}/{p.name}" for p in SHIPPED])
def test_every_shipped_card_validates(path: Path):
    card = load_card_file(path)
    assert isinstance(card, Card)
    assert set(card.scales) == set(SCALES)
    assert card.greetings and card.sources
    assert any(card.hours.on(day) for day in range(7))
    if card.regional_default:
        assert card.region == path.stem and card.countries
    else:
        assert card.country is not None and card.country.lower() == path.stem


def test_every_iso_country_has_exactly_one_card():
    cards = load_cards()
    own = {card.country for card in cards.values() if not card.regional_default}
    listings: dict[str, list[str]] = {}
    for card in cards.values():
        for code in card.countries:
            listings.setdefault(code, []).append(card.key)
    problems = []
    for code in sorted(iso_country_codes()):
        homes = ([f"own card {code.lower()}.yaml"] if code in own else []) + [
            f"region {region}" for region in listings.get(code, [])
        ]
        if len(homes) != 1:
            problems.append(f"{code}: {', '.join(homes) or 'no card'}")
    for code in sorted(set(listings) - iso_country_codes()):  # CLDR-only places (XK, IC) may be listed once
        if len(listings[code]) + (code in own) != 1:
            problems.append(f"{code}: listed {len(listings[code])} times")
    assert not problems, "Countries without exactly one card:\n" + "\n".join(problems)


def test_card_for_gives_own_card_or_a_marked_regional_default():
    cards = load_cards()
    own = next((card for card in cards.values() if not card.regional_default), None)
    region = next((card for card in cards.values() if card.regional_default), None)
    if own is None or region is None:
        pytest.skip("needs at least one country card and one region card")
    assert card_for(own.country.lower()) is card_for(own.country)
    assert card_for(own.country).regional_default is False
    listed = region.countries[0]
    default = card_for(listed)
    assert default.regional_default is True
    assert default.country == listed
    assert default.region == region.region and default.region_name == region.region_name
    assert default.summary == region.summary


def test_card_for_an_uncovered_code_raises_missing_card():
    with pytest.raises(MissingCard) as caught:
        card_for("ZZ")
    assert caught.value.country_code == "ZZ"


# ---------------------------------------------------------------------------------------------
# Validation of bad cards (a valid card built here, then broken one field at a time)

VALID: dict[str, Any] = {
    "country": "DE",
    "summary": "Plan carefully and put it in writing.",
    "scales": {name: {"level": levels[0], "advice": "Some advice."} for name, levels in SCALES.items()},
    "address": {
        "name_order": "given-family",
        "courtesy": {"m": "Herr", "f": "Frau"},
        "titles": True,
        "first_names": "late",
        "advice": "Use titles.",
        "forms": {"neutral": "{title}{full}", "m": "Herr {title}{family}", "f": "Frau {title}{family}"},
    },
    "greetings": [{"text": "Guten Tag", "meaning": "Good day", "use": "any time"}],
    "email": {
        "opening": {
            "team": {"text": "Sehr geehrte Damen und Herren,", "meaning": "Dear Sir or Madam,"},
            "neutral": {"text": "Guten Tag {title}{full},", "meaning": "Good day {title}{full},"},
            "m": {"text": "Sehr geehrter Herr {title}{family},", "meaning": "Dear Mr {title}{family},"},
            "f": {"text": "Sehr geehrte Frau {title}{family},", "meaning": "Dear Ms {title}{family},"},
        },
        "closing": {"text": "Mit freundlichen Grüßen", "meaning": "With kind regards"},
    },
    "channels": {"preferred": ["email", "phone"], "response_time": "Within a day.", "advice": "Email first."},
    "hours": {"default": ["09:00-12:00", "13:00-17:00"], "fri": ["09:00-15:00"]},
    "punctuality": "Be on time.",
    "bad_news": "Say it plainly.",
    "topics": {"favour": ["football"], "avoid": ["salaries"]},
    "gifts": "Small ones.",
    "holiday_customs": "Christmas cards.",
    "long_breaks": [],
    "sources": ["Erin Meyer, The Culture Map (2014)"],
}


def write_card(folder: Path, data: dict[str, Any], name: str = "de.yaml", region: bool = False) -> Path:
    target = folder / "regions" if region else folder
    target.mkdir(parents=True, exist_ok=True)
    path = target / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def broken(path: list[str | int], value: Any = "<delete>") -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value == "<delete>":
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def test_a_valid_card_loads_with_its_weekly_hours(tmp_path: Path):
    card = load_card_file(write_card(tmp_path, VALID))
    assert card.country == "DE" and not card.regional_default
    assert card.hours.on(0) == ((540, 720), (780, 1020))
    assert card.hours.on(4) == ((540, 900),)
    assert card.hours.lunch_breaks(0) == ((720, 780),)
    assert card.hours.describe(range(5)) == "Mon–Thu 09:00–12:00, 13:00–17:00; Fri 09:00–15:00"
    assert card.email.openings["f"].text == "Sehr geehrte Frau {title}{family},"
    assert card.address.courtesy == {"m": "Herr", "f": "Frau"}
    assert card.scales["communication"].level == "direct"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (broken(["summary"]), "summary", "missing"),
        (broken(["summary"], ""), "summary", "non-empty"),
        (broken(["scales", "feedback", "level"], "harsh"), "scales.feedback.level", "blunt"),
        (broken(["scales", "time"]), "scales.time", "missing"),
        (broken(["scales", "mood"], {"level": "x", "advice": "y"}), "scales.mood", "unknown field"),
        (broken(["address", "titles"], "yes"), "address.titles", "true or false"),
        (broken(["address", "name_order"], "family-first"), "address.name_order", "given-family"),
        (broken(["greetings"], []), "greetings", "at least one"),
        (broken(["greetings", 0, "meaning"]), "greetings[0].meaning", "missing"),
        (broken(["email", "opening", "neutral", "text"], "Dear {name},"), "email.opening.neutral.text", "{name}"),
        (broken(["email", "opening", "team"]), "email.opening.team", "missing"),
        (broken(["email", "opening", "team", "text"], "Dear {family},"), "email.opening.team", "no placeholders"),
        (broken(["email", "opening", "neutral"]), "email.opening.neutral", "missing"),
        (broken(["email", "opening", "f"]), "email.opening.f", "both m and f"),
        (broken(["email", "opening", "m", "text"], "Sehr geehrter Herr {family},"), "email.opening.m", "{title}"),
        (broken(["address", "forms", "neutral"]), "address.forms.neutral", "missing"),
        (broken(["address", "forms", "titled"], "{family}"), "address.forms.titled", "{title}"),
        (broken(["address", "courtesy"], None), "address.courtesy", "courtesy words"),
        (broken(["address", "honorifics"], ["Herr"]), "address.honorifics", "unknown field"),
        (broken(["address", "title_words"], {"Dr.": {"m": "Dott."}}), "address.title_words.Dr.", "lower case"),
        (broken(["address", "title_words"], {"dr": {"x": "Dott."}}), "address.title_words.dr.x", "unknown field"),
        (broken(["address", "latin_order"], "any"), "address.latin_order", "either"),
        (broken(["channels", "preferred"], ["fax"]), "channels.preferred[0]", "email"),
        (broken(["hours", "default"], ["9-17"]), "hours.default", "HH:MM-HH:MM"),
        (broken(["hours", "default"], ["09:00-13:00", "12:00-17:00"]), "hours.default", "overlap"),
        (broken(["hours", "default"], ["17:00-09:00"]), "hours.default", "ends before"),
        (broken(["hours", "default"], []), "hours.default", "at least one"),
        (broken(["hours", "friday"], ["09:00-12:00"]), "hours.friday", "unknown field"),
        (broken(["sources"], []), "sources", "at least 1"),
        (broken(["long_breaks"], "none"), "long_breaks", "list"),
        (broken(["country"], "FR"), "country", "file is named"),
        (broken(["country"], "XX"), "country", "ISO"),
        (broken(["colour"], "red"), "colour", "unknown field"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_card_names_file_and_field(tmp_path: Path, data: dict[str, Any], field: str, words: str):
    path = write_card(tmp_path, data)
    with pytest.raises(CardError) as caught:
        load_card_file(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_yaml_that_does_not_parse_is_a_card_error(tmp_path: Path):
    path = tmp_path / "de.yaml"
    path.write_text("country: DE\nsummary: [unclosed\n", encoding="utf-8")
    with pytest.raises(CardError, match="not valid YAML"):
        load_card_file(path)


def test_norway_stays_a_country_code_not_a_boolean(tmp_path: Path):
    path = tmp_path / "no.yaml"
    text = yaml.safe_dump({**VALID, "country": "NORWAY"}, allow_unicode=True).replace("country: NORWAY", "country: NO")
    path.write_text(text, encoding="utf-8")
    assert load_card_file(path).country == "NO"


def region_data(code: str = "011", countries: list[str] | None = None) -> dict[str, Any]:
    data = {key: value for key, value in VALID.items() if key != "country"}
    return {"region": code, "region_name": "Western Africa", "countries": countries or ["BJ", "BF"], **data}


def test_region_cards_cover_their_countries(tmp_path: Path):
    write_card(tmp_path, VALID)
    write_card(tmp_path, region_data(), "011.yaml", region=True)
    cards = load_cards(tmp_path)
    assert set(cards) == {"DE", "011"}
    assert cards["011"].regional_default and cards["011"].countries == ("BJ", "BF")
    assert cards["011"].country is None


def test_a_region_code_must_be_quoted_and_match_the_file(tmp_path: Path):
    path = write_card(tmp_path, {**region_data(), "region": 11}, "011.yaml", region=True)
    with pytest.raises(CardError, match="quoted") as caught:
        load_card_file(path)
    assert caught.value.field == "region"
    path = write_card(tmp_path, region_data("014"), "011.yaml", region=True)
    with pytest.raises(CardError, match="file is named"):
        load_card_file(path)


def test_a_region_lists_only_known_codes_once(tmp_path: Path):
    path = write_card(tmp_path, region_data(countries=["BJ", "bf"]), "011.yaml", region=True)
    with pytest.raises(CardError) as caught:
        load_card_file(path)
    assert caught.value.field == "countries[1]"
    path = write_card(tmp_path, region_data(countries=["BJ", "BJ"]), "011.yaml", region=True)
    with pytest.raises(CardError, match="twice"):
        load_card_file(path)


def test_two_regions_cannot_claim_one_country(tmp_path: Path):
    write_card(tmp_path, region_data("011", ["BJ", "BF"]), "011.yaml", region=True)
    write_card(tmp_path, region_data("014", ["BJ"]), "014.yaml", region=True)
    with pytest.raises(CardError, match="already listed"):
        load_cards(tmp_path)


def test_region_cards_may_not_use_country_field(tmp_path: Path):
    path = write_card(tmp_path, {**region_data(), "country": "BJ"}, "011.yaml", region=True)
    with pytest.raises(CardError, match="unknown field"):
        load_card_file(path)


def test_known_territories_include_every_iso_code_and_cldr_places():
    assert len(iso_country_codes()) == 249
    assert iso_country_codes() < known_territory_codes()
    assert {"XK", "IC", "AC"} <= known_territory_codes() - iso_country_codes()
    assert not {"EU", "UN", "ZZ", "XA"} & known_territory_codes()


# ---------------------------------------------------------------------------------------------
# Hours written by people


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-17:00", ((540, 1020),)),
        ("09:00-12:00,13:00-17:00", ((540, 720), (780, 1020))),
        ("13:00-17:00, 09:00-12:00", ((540, 720), (780, 1020))),
        ("9-17", ((540, 1020),)),
        ("8:30–17:00", ((510, 1020),)),
        ("9am-5pm", ((540, 1020),)),
        ("12pm-1pm", ((720, 780),)),
        ("0900-1730", ((540, 1050),)),
        ("9h30 to 18h", ((570, 1080),)),
        ("09:00-12:00;12:00-17:00", ((540, 1020),)),
        ("00:00-24:00", ((0, 1440),)),
    ],
)
def test_parse_hours_reads_what_people_type(text: str, expected: tuple):
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no hours"),
        ("nine to five", "not a time"),
        ("09:00", "not a range"),
        ("25:00-26:00", "not a time"),
        ("09:60-10:00", "not a time"),
        ("17:00-09:00", "ends before it starts"),
        ("09:00-13:00,12:00-17:00", "overlap"),
        ("13pm-2pm", "not a time"),
    ],
)
def test_parse_hours_explains_what_is_wrong(text: str, words: str):
    with pytest.raises(HoursFormatError) as caught:
        parse_hours(text)
    assert isinstance(caught.value, ValueError)
    assert words in str(caught.value)
    assert "09:00-17:00" in str(caught.value)  # and shows how to write it


def test_weekly_hours_helpers():
    hours = WeeklyHours.parse("09:00-12:00,13:00-17:00")
    assert all(hours.on(day) == ((540, 720), (780, 1020)) for day in range(7))
    assert hours.describe() == "09:00–12:00, 13:00–17:00"
    assert format_intervals(()) == "closed"
    with pytest.raises(ValueError):
        WeeklyHours(((),) * 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-18:00", (540, 1080)),
        ("22:00-06:00", (1320, 360)),
        ("8am-4:30pm", (480, 990)),
        ("00:00-24:00", (0, 1440)),
    ],
)
def test_parse_shift_reads_one_range_even_overnight(text: str, expected: tuple[int, int]):
    assert parse_shift(text) == expected


@pytest.mark.parametrize("text", ["", "09:00-09:00", "09:00-12:00,13:00-17:00", "soon"])
def test_parse_shift_refuses_anything_else(text: str):
    with pytest.raises(HoursFormatError):
        parse_shift(text)


# ---------------------------------------------------------------------------------------------
# Greeting languages, checked against CLDR (Babel)

#: Unicode character-name prefixes of the scripts CLDR gives languages (``ja`` -> ``Jpan``).
_SCRIPT_NAMES = {
    "Latn": ("LATIN",),
    "Arab": ("ARABIC",),
    "Cyrl": ("CYRILLIC",),
    "Grek": ("GREEK",),
    "Hebr": ("HEBREW",),
    "Thai": ("THAI",),
    "Deva": ("DEVANAGARI",),
    "Beng": ("BENGALI",),
    "Hang": ("HANGUL",),
    "Kore": ("HANGUL", "CJK"),
    "Jpan": ("CJK", "HIRAGANA", "KATAKANA"),
    "Hans": ("CJK",),
    "Hant": ("CJK",),
    "Geor": ("GEORGIAN",),
    "Armn": ("ARMENIAN",),
    "Ethi": ("ETHIOPIC",),
    "Mymr": ("MYANMAR",),
    "Khmr": ("KHMER",),
    "Laoo": ("LAO",),
    "Sinh": ("SINHALA",),
    "Taml": ("TAMIL",),
    "Thaa": ("THAANA",),
    "Tibt": ("TIBETAN",),
    "Mong": ("MONGOLIAN",),
    "Guru": ("GURMUKHI",),
    "Gujr": ("GUJARATI",),
    "Telu": ("TELUGU",),
    "Knda": ("KANNADA",),
    "Mlym": ("MALAYALAM",),
    "Orya": ("ORIYA",),
    "Tfng": ("TIFINAGH",),
}


def _script_of(lang: str) -> str:
    from babel.core import get_global

    likely = get_global("likely_subtags")
    tag = likely.get(lang.replace("-", "_").split("_")[0], "")
    parts = tag.split("_")
    return next((part for part in parts[1:] if len(part) == 4), "Latn")


def _text_scripts(text: str) -> set[str]:
    import unicodedata

    found = set()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.add(name.split(" ")[0])
    return found


@pytest.mark.parametrize(
    "card", [c for c in map(load_card_file, SHIPPED) if not c.regional_default], ids=lambda c: c.key
)
def test_greetings_are_in_the_countrys_own_languages_and_scripts(card: Card):
    """Each greeting's language is one CLDR records for the country (official, de facto or
    widely spoken, as English in business hubs), and its letters are in that language's
    script (Latin letters stand for a romanised greeting)."""
    from babel.core import get_global

    from cultures.countries import get_country

    spoken = {lang.split("_")[0] for lang in get_global("territory_languages").get(card.country, {})}
    main = get_country(card.country or "").main_language
    for greeting in card.greetings:
        assert greeting.lang, (card.key, greeting.text, "every country card's greeting names its language")
        lang = greeting.lang or main
        assert lang.split("-")[0] in spoken, (card.key, greeting.text, lang, sorted(spoken))
        allowed = {*_SCRIPT_NAMES.get(_script_of(lang), ()), "LATIN"}
        scripts = _text_scripts(greeting.text)
        assert scripts <= allowed, (card.key, greeting.text, lang, scripts)


# ---------------------------------------------------------------------------------------------
# Which countries have their own card

#: The groups every one of whose members has a card written for it (issue 16), as of 2026.
OWN_CARD_GROUPS = {
    "G20": "AR AU BR CA CN DE FR GB ID IN IT JP KR MX RU SA TR US ZA",
    "EU": "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK",
    "EEA": "IS LI NO",
    "OECD": "AT AU BE CA CH CL CO CR CZ DE DK EE ES FI FR GB GR HU IE IL IS IT JP KR LT LU LV MX NL NO NZ PL PT "
    "SE SI SK TR US",
    "GCC": "AE BH KW OM QA SA",
    "ASEAN": "BN ID KH LA MM MY PH SG TH TL VN",
    "Mercosur": "AR BO BR PY UY VE",
    "Caucasus": "AM AZ GE",
    "Western Balkans": "AL BA ME MK RS XK",
    "trading hubs": "BH CY HK IS LI LU MT MU PA SG",
    # Every other country of more than 5 million people (UN World Population Prospects 2024).
    "over 5 million": "AF AO BD BF BI BJ BY CD CF CG CI CM CU DO DZ EC EG ET GH GN GT HN HT IQ IR JO KE KG KP KZ LB "
    "LK LR LY MA MG ML MR MW MZ NE NG NI NP PE PG PK PS RW SD SL SN SO SS SV SY TD TG TJ TM TN TW TZ UA UG UZ VN "
    "YE ZM ZW",
}


@pytest.mark.parametrize("group", sorted(OWN_CARD_GROUPS))
def test_every_country_of_the_groups_has_its_own_card(group: str):
    missing = [code for code in OWN_CARD_GROUPS[group].split() if card_for(code).regional_default]
    assert not missing, (group, missing)


def test_at_least_140_countries_have_their_own_card():
    own = [path for path in SHIPPED if path.parent.name != "regions"]
    assert len(own) >= 140
