"""Culture cards: one YAML data file per country, plus regional defaults.

``cultures/cards/<cc>.yaml`` holds a country's card, ``cultures/cards/regions/<m49>.yaml`` the
default card of a UN M.49 subregion for every country listed in it that has no card of its
own (the format is in DESIGN-NOTES.md). Cards are validated strictly when loaded: a
missing field, an unknown field or a bad value raises :class:`CardError` naming the file
and the field. Adding a country is adding one file.

Business hours become :class:`WeeklyHours`; which days are weekends or public holidays is
not in the cards but comes from the ``holidays`` library (see ``cultures.calendar``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import string
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, overload

import yaml

from cultures.company import NO_CALENDAR, CompanyCalendar, HalfDay, MonthDaySpan, Season
from cultures.errors import CardError, HoursFormatError, MissingCard
from cultures.weekly import WEEKDAY_KEYS, Interval, WeeklyHours, parse_card_ranges

logger = logging.getLogger(__name__)

__all__ = [
    "CARDS_DIR",
    "SCALES",
    "Address",
    "Card",
    "CardError",
    "Channels",
    "Email",
    "Greeting",
    "MissingCard",
    "Phrase",
    "Scale",
    "Topics",
    "card_files",
    "card_for",
    "load_card_file",
    "load_cards",
    "reload_cards",
]

CARDS_DIR = Path(__file__).with_name("cards")
REGIONS_SUBDIR = "regions"

#: Each scale and the words its level may take, from one pole to the other.
SCALES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "communication": ("direct", "balanced", "indirect"),
        "context": ("low", "medium", "high"),
        "feedback": ("blunt", "balanced", "softened"),
        "disagreement": ("open", "balanced", "avoided"),
        "formality": ("casual", "balanced", "formal"),
        "hierarchy": ("flat", "balanced", "status-conscious"),
        "decisions": ("consensus", "balanced", "top-down"),
        "trust": ("task-first", "balanced", "relationship-first"),
        "time": ("strict", "balanced", "flexible"),
    }
)
NAME_ORDERS = ("given-family", "family-given")
FIRST_NAMES = ("immediately", "soon", "late", "rarely")
CHANNELS = ("email", "phone", "chat", "video", "whatsapp", "in-person")
#: Placeholders of forms of address and email openings (see ``cultures.address``).
NAME_PLACEHOLDERS = frozenset({"family", "given", "full", "title", "given_last"})
#: Variants of a form: ``neutral`` (required), ``m``/``f`` (together), and forms used when the
#: contact has an academic title (``titled`` for any gender, ``m_titled``/``f_titled``).
FORM_VARIANTS = ("neutral", "m", "f", "titled", "m_titled", "f_titled")
GENDERS = ("m", "f")


_COUNTRY_FIELDS = ("country",)
_REGION_FIELDS = ("region", "region_name", "countries")
_COMMON_FIELDS = (
    "summary",
    "scales",
    "address",
    "greetings",
    "email",
    "channels",
    "hours",
    "punctuality",
    "bad_news",
    "topics",
    "gifts",
    "holiday_customs",
    "long_breaks",
    "sources",
)
_OPTIONAL_FIELDS = ("calendar",)


# ---------------------------------------------------------------------------------------------
# Hours


@dataclass(frozen=True, slots=True)
class Scale:
    """Where a culture sits on one scale, and what to do about it."""

    level: str
    advice: str


@dataclass(frozen=True, slots=True)
class Address:
    """How to address people: name order, courtesy words, titles, first names, and the forms.

    ``courtesy`` maps ``m``/``f`` to the local word for Mr/Ms (empty when the culture has
    none in everyday address); ``forms`` holds what to call the person (``Herr {title}{family}``)
    by variant (see ``FORM_VARIANTS``). Gender is never guessed: ``cultures.address`` picks a
    gendered variant only when the contact as typed says it.
    """

    name_order: str
    courtesy: Mapping[str, str]
    titles: bool
    first_names: str
    advice: str
    forms: Mapping[str, str]
    two_surnames: bool = False  # Spanish names: Carmen *Martínez* López is addressed by the first
    #: How a typed title is written in the card's language, by title (``dr``, ``prof``: lower
    #: case, no dots) and gender (``m``, ``f``, ``neutral``): ``dr: {f: "Dott.ssa"}``, ``dr: {neutral: "الدكتور"}``.
    title_words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The order of names typed in Latin script: ``either`` where both are common (a Japanese
    #: contact may be "Tanaka Hiroshi" or "Hiroshi Tanaka"), so the whole name is used.
    latin_order: str = ""


@dataclass(frozen=True, slots=True)
class Greeting:
    """A greeting in the local language and script, its meaning and when to use it."""

    text: str
    meaning: str
    use: str
    #: The greeting's language (BCP 47, e.g. ``"fr"``, ``"ar"``); ``None`` on cards that leave it
    #: to the country's main language. Tests check it against CLDR's languages of the territory.
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Phrase:
    """A line in the local language and what it means in English; may hold name placeholders."""

    text: str
    meaning: str


@dataclass(frozen=True, slots=True)
class Email:
    """Opening and closing lines of a business email.

    ``openings`` holds the opening by variant (see ``FORM_VARIANTS``) plus ``team``: the opening
    when no contact person is known.
    """

    openings: Mapping[str, Phrase]
    closing: Phrase

    @property
    def team_opening(self) -> Phrase:
        """The opening to a company or team, when no person is named."""
        return self.openings["team"]


@dataclass(frozen=True, slots=True)
class Channels:
    """Preferred channels (best first), expected reply time and advice."""

    preferred: tuple[str, ...]
    response_time: str
    advice: str


@dataclass(frozen=True, slots=True)
class Topics:
    """Conversation topics to favour and to avoid."""

    favour: tuple[str, ...]
    avoid: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    """A culture card: a country's own, or the regional default of a UN M.49 subregion.

    For a country card ``country`` is its ISO code and ``regional_default`` is False. A
    region card as loaded has ``country=None``, ``region``/``region_name`` and the
    ``countries`` it covers; :func:`card_for` hands it out with ``country`` set to the code
    asked for and ``regional_default=True``, so answers can say it is a regional default.
    """

    country: str | None
    regional_default: bool
    region: str | None
    region_name: str | None
    countries: tuple[str, ...]
    summary: str
    scales: Mapping[str, Scale] = field(hash=False)
    address: Address
    greetings: tuple[Greeting, ...]
    email: Email
    channels: Channels
    hours: WeeklyHours
    punctuality: str
    bad_news: str
    topics: Topics
    gifts: str
    holiday_customs: str
    long_breaks: tuple[str, ...]
    sources: tuple[str, ...]
    #: Closures, half days, slow seasons and Ramadan hours beyond public holidays (optional).
    calendar: CompanyCalendar = NO_CALENDAR
    file: str = field(default="", compare=False, repr=False)

    @property
    def key(self) -> str:
        """The code this card is filed under: the country code, or the M.49 region code."""
        if self.regional_default:
            return self.region or ""
        return self.country or ""


# ---------------------------------------------------------------------------------------------
# Loading and validation


class _CardLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.2-style booleans: only true/false, so Norway's ``NO`` stays a string."""


_CardLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CardLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Fields:
    """Reads one mapping of a card, raising CardError with the dotted field path."""

    def __init__(self, file: str, data: Any, path: str = "") -> None:
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            raise self.error(f"must be a mapping (key: value), got {_kind(data)}")
        self.data = data

    def error(self, problem: str, key: str | None = None) -> CardError:
        return CardError(self.file, self._at(key) or None, problem)

    def _at(self, key: str | None) -> str:
        if key is None:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def only(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                raise self.error(f"unknown field (allowed here: {', '.join(sorted(allowed))})", str(key))

    def get(self, key: str) -> Any:
        if key not in self.data:
            raise self.error("is missing", key)
        return self.data[key]

    @overload
    def text(self, key: str, nullable: Literal[False] = False) -> str: ...
    @overload
    def text(self, key: str, nullable: bool) -> str | None: ...
    def text(self, key: str, nullable: bool = False) -> str | None:
        value = self.get(key)
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"must be a non-empty text, got {_kind(value)}", key)
        return value.strip()

    def word(self, key: str, choices: Sequence[str]) -> str:
        value = self.get(key)
        if value not in choices:
            raise self.error(f"must be one of {', '.join(choices)}, got {value!r}", key)
        return str(value)

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.error(f"must be true or false, got {value!r}", key)
        return value

    def texts(self, key: str, min_items: int = 0, source: Any = None) -> tuple[str, ...]:
        value = self.get(key) if source is None else source
        if not isinstance(value, list):
            raise self.error(f"must be a list, got {_kind(value)}", key)
        if len(value) < min_items:
            raise self.error(f"needs at least {min_items} item(s)", key)
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"must be a non-empty text, got {_kind(item)}", f"{key}[{index}]")
        return tuple(item.strip() for item in value)

    def sub(self, key: str) -> _Fields:
        return _Fields(self.file, self.get(key), self._at(key))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (a boolean; quote it if you meant text)"
    if isinstance(value, int | float):
        return f"{value!r} (a number; quote it if you meant text)"
    if isinstance(value, str):
        return "an empty text" if not value.strip() else repr(value)
    return type(value).__name__


def _read_scales(card: _Fields) -> Mapping[str, Scale]:
    scales = card.sub("scales")
    scales.only(SCALES)
    result = {}
    for name, levels in SCALES.items():
        scale = scales.sub(name)
        scale.only(("level", "advice"))
        result[name] = Scale(level=scale.word("level", levels), advice=scale.text("advice"))
    return MappingProxyType(result)


def _placeholders(fields: _Fields, key: str, value: str) -> set[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise fields.error(f"has unbalanced braces ({exc})", key) from None
    unknown = names - NAME_PLACEHOLDERS
    if unknown:
        raise fields.error(
            f"unknown placeholder(s) {', '.join('{' + n + '}' for n in sorted(unknown))}; "
            f"use {', '.join('{' + n + '}' for n in sorted(NAME_PLACEHOLDERS))}",
            key,
        )
    return names


def _read_variants(fields: _Fields, read: Any, titles: bool, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Variants of a form: neutral required, m and f together, titled ones only with ``titles``.

    With ``titles: true`` the form used for a titled contact of each gender must show {title}
    when it names the family, so a typed Dr. or Prof. is never dropped silently.
    """
    fields.only((*FORM_VARIANTS, *extra))
    variants = {key: read(key) for key in (*FORM_VARIANTS, *extra) if key in fields.data}
    if "neutral" not in variants:
        raise fields.error("is missing (the form when the contact's gender is not known)", "neutral")
    if ("m" in variants) != ("f" in variants):
        raise fields.error("needs both m and f, or neither", "m" if "m" not in variants else "f")
    for key in ("m_titled", "f_titled"):
        if key in variants and key[0] not in variants:
            raise fields.error(f"needs {key[0]} beside it", key)
    if not titles:
        for key in ("titled", "m_titled", "f_titled"):
            if key in variants:
                raise fields.error("titled forms need `titles: true` in address", key)
        return variants
    for gender in (None, "m", "f"):
        if gender is not None and gender not in variants:
            continue
        chosen = next(
            key
            for key in (f"{gender}_titled" if gender else "", "titled", gender or "neutral", "neutral")
            if key in variants
        )
        text = variants[chosen] if isinstance(variants[chosen], str) else variants[chosen].text
        # A form by family or full name carries the title (Herr Dr. Weber); first-name forms need not.
        if "{title}" not in text and ("{family}" in text or "{full}" in text):
            raise fields.error("is used for a contact with a title but has no {title}", chosen)
    return variants


def _read_address(card: _Fields) -> Address:
    address = card.sub("address")
    address.only(
        (
            "name_order",
            "courtesy",
            "titles",
            "first_names",
            "advice",
            "forms",
            "two_surnames",
            "title_words",
            "latin_order",
        )
    )
    courtesy_value = address.get("courtesy")
    courtesy: dict[str, str] = {}
    if courtesy_value is not None:
        words = address.sub("courtesy")
        words.only(GENDERS)
        courtesy = {gender: str(words.text(gender)) for gender in GENDERS}
    titles = address.boolean("titles")
    forms = address.sub("forms")

    def form(key: str) -> str:
        value = str(forms.text(key))
        _placeholders(forms, key, value)
        return value

    variants = _read_variants(forms, form, titles)
    if ("m" in variants) != bool(courtesy):
        raise address.error("gives the courtesy words exactly when forms has m and f", "courtesy")
    return Address(
        name_order=address.word("name_order", NAME_ORDERS),
        courtesy=MappingProxyType(courtesy),
        titles=titles,
        first_names=address.word("first_names", FIRST_NAMES),
        advice=str(address.text("advice")),
        forms=MappingProxyType(variants),
        two_surnames=address.boolean("two_surnames") if "two_surnames" in address.data else False,
        title_words=_read_title_words(address) if "title_words" in address.data else {},
        latin_order=address.word("latin_order", ("either", *NAME_ORDERS)) if "latin_order" in address.data else "",
    )


def _read_title_words(address: _Fields) -> Mapping[str, Mapping[str, str]]:
    words = address.sub("title_words")
    result: dict[str, Mapping[str, str]] = {}
    for title in words.data:
        if not isinstance(title, str) or not re.fullmatch(r"[a-z]+", title):
            raise words.error("keys are typed titles in lower case without dots, e.g. dr, prof, ing", str(title))
        forms = words.sub(title)
        forms.only(("m", "f", "neutral"))
        if not forms.data:
            raise forms.error("needs m, f or neutral")
        result[title] = MappingProxyType({key: str(forms.text(key)) for key in forms.data})
    return MappingProxyType(result)


def _read_greetings(card: _Fields) -> tuple[Greeting, ...]:
    items = card.get("greetings")
    if not isinstance(items, list) or not items:
        raise card.error("must be a list with at least one greeting", "greetings")
    greetings = []
    for index, item in enumerate(items):
        greeting = _Fields(card.file, item, f"greetings[{index}]")
        greeting.only(("text", "meaning", "use", "lang"))
        lang = greeting.text("lang", nullable=True) if "lang" in greeting.data else None
        if lang is not None and not re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", lang):
            raise greeting.error(f'must be a BCP 47 language code such as "fr" or "ar", got {lang!r}', "lang")
        greetings.append(Greeting(greeting.text("text"), greeting.text("meaning"), greeting.text("use"), lang))
    return tuple(greetings)


def _read_phrase(fields: _Fields, key: str) -> Phrase:
    phrase = fields.sub(key)
    phrase.only(("text", "meaning"))
    text, meaning = str(phrase.text("text")), str(phrase.text("meaning"))
    _placeholders(phrase, "text", text)
    _placeholders(phrase, "meaning", meaning)
    return Phrase(text, meaning)


def _read_email(card: _Fields, titles: bool) -> Email:
    email = card.sub("email")
    email.only(("opening", "closing"))
    openings = email.sub("opening")
    variants = _read_variants(openings, lambda key: _read_phrase(openings, key), titles, extra=("team",))
    if "team" not in variants:
        raise openings.error("is missing (the opening when no contact person is known)", "team")
    if _placeholders(openings, "team", variants["team"].text):
        raise openings.error("names nobody, so it takes no placeholders", "team")
    if ("m" in variants) and not card.data.get("address", {}).get("courtesy"):
        raise openings.error("gendered openings need the courtesy words in address", "m")
    return Email(openings=MappingProxyType(variants), closing=_read_phrase(email, "closing"))


def _read_channels(card: _Fields) -> Channels:
    channels = card.sub("channels")
    channels.only(("preferred", "response_time", "advice"))
    preferred = channels.texts("preferred", min_items=1)
    for index, name in enumerate(preferred):
        if name not in CHANNELS:
            raise channels.error(f"must be one of {', '.join(CHANNELS)}, got {name!r}", f"preferred[{index}]")
    if len(set(preferred)) != len(preferred):
        raise channels.error("lists a channel twice", "preferred")
    return Channels(preferred, channels.text("response_time"), channels.text("advice"))


def _read_hours(card: _Fields) -> WeeklyHours:
    return _read_week(card.sub("hours"))


def _read_week(fields: _Fields) -> WeeklyHours:
    """A ``default`` plus optional per-weekday lists of ``"HH:MM-HH:MM"`` ranges."""
    fields.only(("default", *WEEKDAY_KEYS))

    def ranges(key: str) -> tuple[Interval, ...]:
        value = fields.get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fields.error(f'must be a list of "HH:MM-HH:MM" texts, got {_kind(value)}', key)
        try:
            return parse_card_ranges(value)
        except HoursFormatError as exc:
            raise fields.error(exc.problem, key) from None

    default = ranges("default")
    if not default:
        raise fields.error("needs at least one range (a weekday's usual business hours)", "default")
    return WeeklyHours(tuple(ranges(key) if key in fields.data else default for key in WEEKDAY_KEYS))


def _minute_of(fields: _Fields, key: str) -> int:
    match = re.fullmatch(r"(\d{2}):(\d{2})", fields.text(key))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise fields.error(f'must be a time "HH:MM", got {fields.get(key)!r}', key)
    return int(match.group(1)) * 60 + int(match.group(2))


def _holiday_categories(country: str | None) -> tuple[str, ...]:
    import holidays

    entity = getattr(holidays, country or "", None)
    return tuple(getattr(entity, "supported_categories", ()) or ())


def _read_calendar(card: _Fields, country: str | None) -> CompanyCalendar:
    calendar = card.sub("calendar")
    calendar.only(
        (
            "closed_categories",
            "half_day_categories",
            "half_day_ends",
            "closed",
            "half_days",
            "slow",
            "ramadan",
            "ramadan_note",
            "sources",
        )
    )
    supported = _holiday_categories(country)
    categories: dict[str, tuple[str, ...]] = {}
    for key in ("closed_categories", "half_day_categories"):
        chosen = calendar.texts(key) if key in calendar.data else ()
        for index, name in enumerate(chosen):
            if name == "public" or name not in supported:
                raise calendar.error(
                    f"{name!r} is not a category the holidays library has for {country} besides public "
                    f"(it has: {', '.join(c for c in supported if c != 'public') or 'none'})",
                    f"{key}[{index}]",
                )
        categories[key] = chosen
    half_day_ends = _minute_of(calendar, "half_day_ends") if "half_day_ends" in calendar.data else 13 * 60

    def spans(key: str, extra: tuple[str, ...] = ()) -> list[tuple[_Fields, MonthDaySpan, str]]:
        items = calendar.data.get(key, [])
        if not isinstance(items, list):
            raise calendar.error(f"must be a list, got {_kind(items)}", key)
        found = []
        for index, item in enumerate(items):
            entry = _Fields(card.file, item, f"calendar.{key}[{index}]")
            entry.only(("dates", "name", *extra))
            try:
                span = MonthDaySpan.parse(entry.text("dates"))
            except ValueError as exc:
                raise entry.error(str(exc), "dates") from None
            found.append((entry, span, entry.text("name")))
        return found

    closed = tuple(Season(span, name) for _entry, span, name in spans("closed"))
    slow = tuple(Season(span, name, entry.text("advice")) for entry, span, name in spans("slow", ("advice",)))
    half_days = []
    for entry, span, name in spans("half_days", ("ends",)):
        ends = _minute_of(entry, "ends") if "ends" in entry.data else half_day_ends
        half_days.append(HalfDay(span, name, ends))
    ramadan = _read_week(calendar.sub("ramadan")) if "ramadan" in calendar.data else None
    ramadan_note = calendar.text("ramadan_note") if "ramadan_note" in calendar.data else None
    if ramadan is not None and ramadan_note is None:
        raise calendar.error("is missing (the law or announcement the Ramadan hours come from)", "ramadan_note")
    result = CompanyCalendar(
        closed_categories=categories["closed_categories"],
        half_day_categories=categories["half_day_categories"],
        half_day_ends=half_day_ends,
        closed=closed,
        half_days=tuple(half_days),
        slow=slow,
        ramadan=ramadan,
        ramadan_note=ramadan_note,
        sources=calendar.texts("sources", min_items=1) if "sources" in calendar.data else (),
    )
    if (closed or slow or half_days or ramadan) and not result.sources:
        raise calendar.error("is missing: name where the closures, half days, seasons or hours come from", "sources")
    return result


def _read_topics(card: _Fields) -> Topics:
    topics = card.sub("topics")
    topics.only(("favour", "avoid"))
    return Topics(favour=topics.texts("favour"), avoid=topics.texts("avoid"))


def _territory_codes() -> frozenset[str]:
    # Imported here: countries pulls in Babel's territory tables, which only loading needs.
    from cultures.countries import known_territory_codes

    return known_territory_codes()


def load_card_file(path: str | Path) -> Card:
    """Load and validate one card file (country or region, told apart by its folder)."""
    path = Path(path)
    file = str(path)
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_CardLoader)
    except yaml.YAMLError as exc:
        raise CardError(file, None, f"is not valid YAML ({exc})") from None
    except OSError as exc:
        raise CardError(file, None, f"cannot be read ({exc.strerror})") from None
    card = _Fields(file, data)
    is_region = path.parent.name == REGIONS_SUBDIR
    card.only((*(_REGION_FIELDS if is_region else _COUNTRY_FIELDS), *_COMMON_FIELDS, *_OPTIONAL_FIELDS))
    territories = _territory_codes()

    if is_region:
        region = card.get("region")
        if not isinstance(region, str) or not re.fullmatch(r"\d{3}", region):
            raise card.error(f'must be a quoted three-digit UN M.49 code such as "011", got {_kind(region)}', "region")
        if region != path.stem:
            raise card.error(f"is {region!r} but the file is named {path.name}", "region")
        region_name = card.text("region_name")
        countries = card.texts("countries", min_items=1)
        for index, code in enumerate(countries):
            if code not in territories:
                raise card.error(f"{code!r} is not an ISO 3166 country code (upper case)", f"countries[{index}]")
        if len(set(countries)) != len(countries):
            duplicate = next(code for code in countries if countries.count(code) > 1)
            raise card.error(f"lists {duplicate} twice", "countries")
        country = None
    else:
        country = card.get("country")
        if not isinstance(country, str) or country not in territories:
            raise card.error(f"must be an upper-case ISO 3166 country code, got {_kind(country)}", "country")
        if country.lower() != path.stem:
            raise card.error(f"is {country!r} but the file is named {path.name}", "country")
        region = region_name = None
        countries = ()

    return Card(
        country=country,
        regional_default=is_region,
        region=region,
        region_name=region_name,
        countries=countries,
        summary=card.text("summary"),
        scales=_read_scales(card),
        address=(address := _read_address(card)),
        greetings=_read_greetings(card),
        email=_read_email(card, address.titles),
        channels=_read_channels(card),
        hours=_read_hours(card),
        punctuality=card.text("punctuality"),
        bad_news=card.text("bad_news"),
        topics=_read_topics(card),
        gifts=card.text("gifts"),
        holiday_customs=card.text("holiday_customs"),
        long_breaks=card.texts("long_breaks"),
        sources=card.texts("sources", min_items=1),
        calendar=_read_calendar(card, country) if "calendar" in card.data else NO_CALENDAR,
        file=file,
    )


def card_files(path: str | Path | None = None) -> list[Path]:
    """Every card file under ``path`` (default: the shipped cards), countries then regions."""
    root = Path(path) if path is not None else CARDS_DIR
    return sorted(root.glob("*.yaml")) + sorted((root / REGIONS_SUBDIR).glob("*.yaml"))


def load_cards(path: str | Path | None = None) -> dict[str, Card]:
    """Load and validate every card under ``path`` (default: ``cultures/cards``).

    Returns a dict keyed by country code (``"DE"``) for country cards and by M.49 code
    (``"011"``) for regional defaults. Raises :class:`CardError` naming the file and the
    field on the first invalid card, or when two region cards list the same country.
    """
    cards: dict[str, Card] = {}
    listed_in: dict[str, str] = {}
    for file in card_files(path):
        card = load_card_file(file)
        cards[card.key] = card
        for code in card.countries:
            if code in listed_in:
                raise CardError(card.file, "countries", f"{code} is already listed in region {listed_in[code]}")
            listed_in[code] = card.key
    logger.debug("Loaded %d culture cards from %s", len(cards), path or CARDS_DIR)
    return cards


class _DefaultCards:
    """The shipped cards, loaded once on first use, with a per-country index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_country: dict[str, Card] | None = None

    def index(self) -> dict[str, Card]:
        by_country = self._by_country
        if by_country is None:
            with self._lock:
                if self._by_country is None:
                    self._by_country = self._build(load_cards())
                by_country = self._by_country
        return by_country

    @staticmethod
    def _build(cards: dict[str, Card]) -> dict[str, Card]:
        by_country: dict[str, Card] = {}
        for card in cards.values():
            for code in card.countries:
                by_country[code] = dataclasses.replace(card, country=code)
        for card in cards.values():  # a country's own card wins over its region's default
            if not card.regional_default and card.country:
                by_country[card.country] = card
        return by_country

    def reset(self) -> None:
        with self._lock:
            self._by_country = None


_DEFAULT = _DefaultCards()


def card_for(country_code: str) -> Card:
    """The card for a country: its own, else its region's default (``regional_default=True``).

    ``country_code`` is an ISO alpha-2 code in any case. Cards load once, on first use.
    Raises :class:`MissingCard` when no card covers the code.
    """
    code = country_code.strip().upper()
    try:
        return _DEFAULT.index()[code]
    except KeyError:
        raise MissingCard(code) from None


def reload_cards() -> None:
    """Forget the loaded cards; the next :func:`card_for` reads the files again."""
    _DEFAULT.reset()
