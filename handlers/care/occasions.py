"""Which occasions are coming up for a client: greeting-worthy public holidays and birthdays (pure).

A public holiday (from the ``holidays`` library, via ``cultures.calendar``) is worth a greeting when

- it is one of the major festivals in :data:`MAJOR` (Christmas, New Year, Lunar New Year, the two
  Eids, Diwali, Nowruz…) — whatever the card says; or
- the card's ``holiday_customs`` mentions it (``Chuseok``, ``Thanksgiving``, ``Mid-Autumn Festival``…),

unless the sentence of the card that mentions it calls it solemn, contested or "not for cheerful
greetings" (ANZAC Day, Ashura). Several days of one festival (Christmas Eve, Christmas Day,
Second Day of Christmas) are one occasion, keyed ``holiday:christmas`` and the year, so a client
gets one heads-up per occasion per year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cultures.calendar import country_calendar
from cultures.cards import Card
from cultures.errors import CultureError
from cultures.matching import fold

DEFAULT_LEAD_DAYS = 3
MAX_LEAD_DAYS = 30


@dataclass(frozen=True)
class Major:
    """A festival that is greeting-worthy wherever it is a public holiday."""

    key: str
    name: str
    wish: str
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()


MAJOR: tuple[Major, ...] = (
    Major(
        "lunar-new-year",
        "Lunar New Year",
        "a happy and prosperous Lunar New Year",
        ("lunar new year", "chinese new year", "korean new year", "seollal", "tet", "tsagaan sar"),
    ),
    Major(
        "orthodox-christmas",
        "Orthodox Christmas",
        "a merry Christmas",
        ("orthodox christmas", "coptic christmas", "ethiopian christmas", "julian christmas"),
    ),
    Major("christmas", "Christmas", "a merry Christmas", ("christmas",), ("orthodox", "coptic", "ethiopian")),
    Major(
        "new-year",
        "New Year",
        "a happy, healthy and successful New Year",
        ("new year",),
        (
            "lunar",
            "chinese",
            "korean",
            "vietnamese",
            "islamic",
            "hijri",
            "jewish",
            "persian",
            "bengali",
            "sinhala",
            "tamil",
            "thai",
            "ethiopian",
            "amazigh",
            "orthodox",
            "nepali",
            "khmer",
            "lao",
            "tibetan",
        ),
    ),
    Major(
        "eid-al-fitr",
        "Eid al-Fitr",
        "a blessed Eid al-Fitr (Eid Mubarak)",
        (
            "eid al fitr",
            "eid ul fitr",
            "eid el fitr",
            "hari raya puasa",
            "hari raya aidilfitri",
            "idul fitri",
            "korite",
        ),
    ),
    Major(
        "eid-al-adha",
        "Eid al-Adha",
        "a blessed Eid al-Adha (Eid Mubarak)",
        ("eid al adha", "eid ul adha", "eid el adha", "eid el kabir", "hari raya haji", "idul adha", "tabaski"),
    ),
    Major("diwali", "Diwali", "a happy and bright Diwali", ("diwali", "deepavali", "divali")),
    Major("nowruz", "Nowruz", "a happy Nowruz and a good new year", ("nowruz", "nauryz", "navruz", "novruz")),
)

# Words in the card's sentence about a holiday that say: no cheerful greeting.
_SOMBRE = re.compile(
    r"\b(?:solemn|mourning|remembrance|contested|not for|don't|do not|avoid|skip|never)\b", re.IGNORECASE
)
_CLAUSES = re.compile(r"[.;]\s+|,\s+and\s+|,\s+but\s+|\bbut\b")
_NOT_HOLIDAYS = re.compile(r"^(?:day off|substitute holiday|bridge public holiday|public holiday)\b", re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:alternative holiday for|the day preceding|day after|the day after|"
    r"(?:the )?(?:first|second|third|fourth|fifth|\d+)(?: day)? of|catholic)\s+"
)
_TRAILING = re.compile(r"\s+(?:holiday|holidays|eve|second day|day|festival|feast)$")
_SPLIT_WEEKDAY = re.compile(r"^(easter|pentecost|whit)\s+(?:monday|sunday)$")
_GENERIC = frozenset(
    {"national", "labor", "labour", "public", "bank", "memorial", "victory", "constitution", "republic"}
)


@dataclass(frozen=True)
class CareOccasion:
    """One occasion worth a heads-up: ``key`` + ``year`` identify it for a client."""

    key: str  # "holiday:christmas", "birthday"
    year: int
    date: dt.date
    name: str  # "Christmas", "Chuseok", "birthday"
    wish: str  # English: "a merry Christmas"
    custom: str | None = None  # the card's sentence about it
    birthday: bool = False

    def days_from(self, today: dt.date) -> int:
        return (self.date - today).days


def _clean(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def display_name(name: str) -> str:
    """A holiday's name for people: ``The day preceding Chuseok`` → ``Chuseok``, no ``(observed)``."""
    shown = _clean(name)
    previous = None
    while previous != shown:
        previous = shown
        shown = re.sub(_LEADING.pattern, "", shown, flags=re.IGNORECASE).strip()
        shown = re.sub(r"\s+(?:holiday|eve)$", "", shown, flags=re.IGNORECASE).strip()
    return shown or _clean(name)


def _core(name: str) -> tuple[str, str]:
    """(phrase with ``day``, core phrase): ``Independence Day`` → (``independence day``, ``independence``)."""
    folded = re.sub(r"\bs\b", " ", fold(_clean(name)))  # "new year s day" → "new year day"
    folded = " ".join(folded.split())
    previous = None
    while previous != folded:
        previous = folded
        folded = _LEADING.sub("", folded).strip()
    with_day = folded
    previous = None
    while previous != folded:
        previous = folded
        folded = _TRAILING.sub("", folded).strip()
    folded = _SPLIT_WEEKDAY.sub(r"\1", folded)
    return with_day, folded


def _has_phrase(text: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in f" {text} "


def _clauses(card: Card) -> list[tuple[str, str]]:
    """The card's holiday customs in clauses: (folded, as written)."""
    parts = [part.strip() for part in _CLAUSES.split(card.holiday_customs) if part and part.strip()]
    return [(fold(part), part) for part in parts]


def _major_of(name: str) -> Major | None:
    folded = fold(name)
    for major in MAJOR:
        if any(_has_phrase(folded, pattern) for pattern in major.patterns) and not any(
            _has_phrase(folded, word) for word in major.unless
        ):
            return major
    return None


def _mention(clauses: list[tuple[str, str]], phrases: list[str]) -> tuple[str, bool] | None:
    """The card's clause naming one of ``phrases`` and whether it is cheerful; None if not named."""
    for folded, written in clauses:
        if any(_has_phrase(folded, phrase) for phrase in phrases):
            return written, not _SOMBRE.search(written)
    return None


def holiday_occasion(name: str, date: dt.date, card: Card) -> CareOccasion | None:
    """The occasion a public holiday is part of, when it is greeting-worthy for this card; else None."""
    if _NOT_HOLIDAYS.match(name.strip()):
        return None
    clauses = _clauses(card)
    year = (date + dt.timedelta(days=1)).year if re.search(r"\beve\b", name, re.IGNORECASE) else date.year
    major = _major_of(name)
    if major is not None:
        mention = _mention(clauses, [fold(p) for p in (major.name, *major.patterns)])
        if mention is not None and not mention[1]:
            return None
        custom = mention[0] if mention else None
        return CareOccasion(f"holiday:{major.key}", year, date, major.name, major.wish, custom)
    with_day, core = _core(name)
    if len(core) < 3:
        return None
    phrases = [with_day] if core in _GENERIC else [with_day, core]
    mention = _mention(clauses, phrases)
    if mention is None or not mention[1]:
        return None
    display = display_name(name)
    return CareOccasion(f"holiday:{core.replace(' ', '-')}"[:64], year, date, display, f"a happy {display}", mention[0])


def upcoming_holidays(
    card: Card, country: str, subdivision: str | None, today: dt.date, days: int
) -> list[CareOccasion]:
    """Greeting-worthy holidays from ``today`` to ``today + days`` (the client's dates), one per occasion."""
    try:
        calendar = country_calendar(country, subdivision)
    except CultureError:
        calendar = country_calendar(country)
    found: dict[tuple[str, int], CareOccasion] = {}
    for day in calendar.upcoming(today, days + 1):
        if day.kind != "holiday" or not day.name:
            continue
        for name in day.name.split("; "):
            occasion = holiday_occasion(name, day.date, card)
            if occasion is not None:
                found.setdefault((occasion.key, occasion.year), occasion)
    return sorted(found.values(), key=lambda o: o.date)


def next_birthday(birthday: dt.date, today: dt.date) -> dt.date:
    """This year's birthday (28 February for 29 February outside leap years), or next year's if past."""
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = dt.date(year, 2, 28)
        if day >= today:
            return day
    return today  # unreachable: next year's date is always ahead


def birthday_occasion(birthday: dt.date | None, today: dt.date, days: int) -> CareOccasion | None:
    """The contact's birthday if it falls within ``days`` from ``today``."""
    if birthday is None:
        return None
    day = next_birthday(birthday, today)
    if (day - today).days > days:
        return None
    return CareOccasion("birthday", day.year, day, "birthday", "a happy birthday", birthday=True)


def occasions(
    card: Card,
    country: str,
    subdivision: str | None,
    birthday: dt.date | None,
    today: dt.date,
    days: int = DEFAULT_LEAD_DAYS,
) -> list[CareOccasion]:
    """Every occasion within ``days`` from the client's ``today``: holidays and the birthday."""
    found = upcoming_holidays(card, country, subdivision, today, days)
    born = birthday_occasion(birthday, today, days)
    if born is not None:
        found.append(born)
    return sorted(found, key=lambda o: o.date)


def lead_days(settings: dict[str, object] | None) -> int:
    """How many days ahead to warn, from the workspace's settings (``care_days``, default 3)."""
    value = (settings or {}).get("care_days", DEFAULT_LEAD_DAYS)
    if not isinstance(value, int | float | str):  # the JSON values int() reads; the rest are not a count
        return DEFAULT_LEAD_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LEAD_DAYS
    return max(0, min(MAX_LEAD_DAYS, days))


def care_enabled(settings: dict[str, object] | None) -> bool:
    """Relationship care is on unless the workspace turned it off (``care_enabled: false``)."""
    return (settings or {}).get("care_enabled", True) is not False
