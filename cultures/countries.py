"""Countries: names, languages and time zones, all from Babel/CLDR and tzdata.

:func:`resolve_country` reads what people type — ``DE``, ``DEU``, ``Germany``,
``Deutschland``, ``日本``, ``السعودية``, ``Germny`` (with a suggestion) — into a
:class:`Country`. :func:`zone_for` settles a client's time zone, asking for ``tz:`` or a city
when the country spans several. :func:`resolve_subdivision` reads the state, province or
region codes and names the ``holidays`` library knows.

Nothing is written by hand here except a few common English nicknames (``USA``, ``UK``,
``Holland``) and the zones of the handful of CLDR places that tzdata folds into a parent.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import logging
import threading
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import babel
import babel.languages
from babel.core import get_global
from babel.dates import get_timezone_location

from cultures.errors import (
    AmbiguousCountry,
    AmbiguousZone,
    UnknownCountry,
    UnknownSubdivision,
    UnknownZone,
)
from cultures.matching import fold, suggest

if TYPE_CHECKING:
    from holidays import HolidayBase

logger = logging.getLogger(__name__)

__all__ = [
    "AmbiguousCountry",
    "AmbiguousZone",
    "Country",
    "Subdivision",
    "UnknownCountry",
    "UnknownSubdivision",
    "UnknownZone",
    "canonical_zone",
    "get_country",
    "iso_country_codes",
    "known_territory_codes",
    "resolve_country",
    "resolve_subdivision",
    "subdivisions",
    "zone_for",
]

# CLDR territory codes that are not places: groupings and pseudo-locales.
_NOT_PLACES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
# CLDR places with their own code outside ISO 3166-1 (exceptionally reserved codes, Kosovo).
# Used only if tzdata's iso3166.tab cannot be read.
_NON_ISO_PLACES = frozenset({"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "XK"})
# tzdata has no zone of their own for these CLDR places; each keeps its parent's clock.
_NON_ISO_ZONES = {
    "AC": ("Atlantic/St_Helena",),
    "TA": ("Atlantic/St_Helena",),
    "DG": ("Indian/Chagos",),
    "EA": ("Africa/Ceuta",),
    "IC": ("Atlantic/Canary",),
    "CQ": ("Europe/Guernsey",),
    "XK": ("Europe/Belgrade",),
}
# Common English names CLDR does not list (CLDR gives one name per territory).
_ENGLISH_NICKNAMES = {
    "US": ("USA", "United States of America", "America", "U.S.", "U.S.A."),
    "GB": ("UK", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland", "U.K."),
    "NL": ("Holland", "The Netherlands"),
    "AE": ("UAE", "Emirates", "U.A.E."),
    "SA": ("KSA",),
    "CI": ("Ivory Coast",),
    "CD": ("DRC", "DR Congo", "Democratic Republic of the Congo"),
    "CG": ("Republic of the Congo",),
    "CZ": ("Czech Republic",),
    "TR": ("Turkey",),
    "MK": ("Macedonia",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "CV": ("Cabo Verde",),
    "VA": ("Vatican", "Holy See"),
    "PS": ("Palestine",),
    "KR": ("Republic of Korea",),
    "KP": ("DPRK",),
    "RU": ("Russian Federation",),
    "VN": ("Viet Nam",),
    "LA": ("Lao PDR",),
    "MO": ("Macau",),
    "TW": ("Republic of China",),
    "CN": ("PRC", "People's Republic of China"),
}
# Withdrawn ISO alpha-3 codes CLDR still maps to a current country (typed input still works).
_WITHDRAWN_ALPHA3 = frozenset({"BUR", "DDR", "FXX", "TMP", "YMD", "ZAR"})
# Besides each country's own languages, names in these widely used languages are understood
# too, so a Chinese-speaking agent may type 德国 and a French one Allemagne.
_EXTRA_NAME_LANGUAGES = (
    "en",
    "fr",
    "de",
    "es",
    "pt",
    "it",
    "nl",
    "ru",
    "zh",
    "zh_Hant",
    "ja",
    "ko",
    "ar",
    "hi",
    "tr",
    "pl",
)
# Time zones that agree on every sample in these years count as one choice (Europe/Busingen
# is Europe/Berlin for a client; America/Detroit is America/New_York).
_ZONE_SAMPLE_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_ZONE_SAMPLE_DAYS = 3 * 366


def _tzdata_table(name: str) -> list[list[str]] | None:
    """Rows of a tzdata table (iso3166.tab, zone.tab), or None when it cannot be found."""
    candidates = []
    try:
        candidates.append(importlib.resources.files("tzdata").joinpath("zoneinfo", name))
    except ModuleNotFoundError:
        pass
    candidates.extend(Path(root) / name for root in zoneinfo.TZPATH)
    for candidate in candidates:
        try:
            text = candidate.read_text(encoding="utf-8")
        except OSError:
            continue
        return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    logger.warning("tzdata table %s not found; falling back to Babel's data", name)
    return None


@functools.cache
def _babel_places() -> frozenset[str]:
    english = babel.Locale("en").territories
    return frozenset(
        code
        for code in english
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_PLACES
    )


@functools.cache
def iso_country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes Babel knows (249 today): every one needs a culture card."""
    rows = _tzdata_table("iso3166.tab")
    places = _babel_places()
    if rows is None:
        return places - _NON_ISO_PLACES
    return frozenset(row[0] for row in rows if row[0] in places)


@functools.cache
def known_territory_codes() -> frozenset[str]:
    """Every place code accepted: ISO 3166-1 plus CLDR places such as XK (Kosovo), IC, AC."""
    return _babel_places()


@functools.cache
def _zone_table() -> dict[str, tuple[str, ...]]:
    rows = _tzdata_table("zone.tab")
    zones: dict[str, list[str]] = {}
    if rows is not None:
        for row in rows:
            zones.setdefault(row[0], []).append(row[2])
    else:
        for code, names in get_global("territory_zones").items():
            zones[code] = sorted(names)
    for code, names in _NON_ISO_ZONES.items():
        zones.setdefault(code, list(names))
    return {code: tuple(names) for code, names in zones.items()}


@functools.cache
def _alpha3() -> dict[str, str]:
    aliases = get_global("territory_aliases")
    return {
        alias: targets[0]
        for alias, targets in aliases.items()
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and targets[0] in _babel_places()
    }


# ---------------------------------------------------------------------------------------------
# Country


@dataclass(frozen=True, slots=True)
class Country:
    """A country (or CLDR place) with what Babel/CLDR and tzdata know about it.

    ``official_languages`` are BCP 47 tags (``zh-Hant``), most spoken first; ``main_language``
    is the first of them. ``likely_locale`` is a Babel locale identifier (``zh_Hant_TW``).
    ``zones`` are canonical IANA names in tzdata's zone.tab order (roughly geographic).
    """

    code: str
    english_name: str
    native_name: str
    official_languages: tuple[str, ...]
    main_language: str
    likely_locale: str
    zones: tuple[str, ...]
    alpha3: str | None = None

    @property
    def name(self) -> str:
        """The English name (``Germany``)."""
        return self.english_name

    @property
    def is_iso(self) -> bool:
        """True for ISO 3166-1 countries, False for CLDR-only places such as XK or IC."""
        return self.code in iso_country_codes()

    def __str__(self) -> str:
        return self.english_name


def _babel_lang(tag: str) -> str:
    return tag.replace("-", "_")


def _bcp47(babel_code: str) -> str:
    return babel_code.replace("_", "-")


def _locale(identifier: str) -> babel.Locale | None:
    try:
        return babel.Locale.parse(identifier)
    except (babel.UnknownLocaleError, ValueError):
        return None


def _official_languages(code: str) -> tuple[str, ...]:
    spoken = {lang: data for lang, data in get_global("territory_languages").get(code, {}).items() if lang != "und"}
    official = list(babel.languages.get_official_languages(code, de_facto=True))
    if not official:
        # Places without an official language (Antarctica…): their most spoken one.
        official = sorted(spoken, key=lambda lang: -(spoken[lang].get("population_percent") or 0))[:1]
    if not official:
        official = ["en"]
    order = {lang: index for index, lang in enumerate(official)}
    official.sort(key=lambda lang: (-(spoken.get(lang, {}).get("population_percent") or 0), order[lang]))
    return tuple(_bcp47(lang) for lang in official)


@functools.cache
def get_country(code: str) -> Country:
    """The :class:`Country` for an alpha-2 code (any case). Raises :class:`UnknownCountry`."""
    code = code.strip().upper()
    if code not in known_territory_codes():
        raise UnknownCountry(code)
    english = babel.Locale("en").territories[code]
    languages = _official_languages(code)
    main = languages[0]
    main_locale = _locale(_babel_lang(main))
    native = main_locale.territories.get(code, english) if main_locale else english
    likely = _locale(f"{_babel_lang(main)}_{code}") or main_locale
    alpha3 = next(
        (alias for alias, target in _alpha3().items() if target == code and alias not in _WITHDRAWN_ALPHA3), None
    )
    return Country(
        code=code,
        english_name=english,
        native_name=native,
        official_languages=languages,
        main_language=main,
        likely_locale=str(likely) if likely else _babel_lang(main),
        zones=_zone_table().get(code, ()),
        alpha3=alpha3,
    )


# ---------------------------------------------------------------------------------------------
# Resolving names


def _variants(name: str) -> set[str]:
    """Looser spellings of a CLDR name: its parts around ``(…)`` and `` - ``, ``Saint`` for ``St.``."""
    found = {name}
    if "(" in name and name.endswith(")"):
        outer, inner = name[:-1].split("(", 1)
        found |= {outer.strip(), inner.strip()}
    if " - " in name:
        found |= {part.strip() for part in name.split(" - ")}
    if " SAR " in name:  # Hong Kong SAR China
        found.add(name.split(" SAR ")[0])
    folded = {fold(variant) for variant in found}
    folded |= {"saint " + f[3:] for f in folded if f.startswith("st ")}
    folded |= {f[4:] for f in folded if f.startswith("the ")}
    return {f for f in folded if f}


class _NameIndex:
    """Folded name -> country codes, in tiers tried in order (exact names before looser ones)."""

    def __init__(self) -> None:
        codes = sorted(known_territory_codes())
        exact: dict[str, set[str]] = {}
        loose: dict[str, set[str]] = {}
        foreign: dict[str, set[str]] = {}
        self.display: dict[str, str] = {}  # folded name -> English name, for suggestions
        english = babel.Locale("en").territories

        def add(table: dict[str, set[str]], name: str, code: str) -> None:
            key = fold(name)
            if key:
                table.setdefault(key, set()).add(code)
                self.display.setdefault(key, english[code])

        for code in codes:
            add(exact, english[code], code)
            for nickname in _ENGLISH_NICKNAMES.get(code, ()):
                add(exact, nickname, code)
            for variant in _variants(english[code]):
                add(loose, variant, code)
            for lang in _official_languages(code):
                locale = _locale(_babel_lang(lang))
                if locale is not None and code in locale.territories:
                    add(exact, locale.territories[code], code)
                    for variant in _variants(locale.territories[code]):
                        add(loose, variant, code)
        for lang in _EXTRA_NAME_LANGUAGES:
            locale = _locale(lang)
            if locale is None:
                continue
            for code in codes:
                if code in locale.territories:
                    add(foreign, locale.territories[code], code)
                    for variant in _variants(locale.territories[code]):
                        add(foreign, variant, code)
        self.tiers = (exact, loose, foreign)
        # Last resort before fragments: ignore spaces ("cote divoire", "newzealand").
        self.compact: dict[str, set[str]] = {}
        for table in self.tiers:
            for name, found in table.items():
                self.compact.setdefault(name.replace(" ", ""), set()).update(found)

    def lookup(self, folded: str) -> set[str]:
        for table in self.tiers:
            found = table.get(folded)
            if found:
                return found
        return self.compact.get(folded.replace(" ", ""), set())

    def containing(self, folded: str) -> set[str]:
        """Countries one of whose names contains ``folded`` as whole words (``Arabia``)."""
        padded = f" {folded} "
        found: set[str] = set()
        for table in self.tiers:
            for name, codes in table.items():
                if padded in f" {name} ":
                    found |= codes
        return found


_INDEX_LOCK = threading.Lock()
_INDEX: _NameIndex | None = None


def _index() -> _NameIndex:
    global _INDEX
    if _INDEX is None:
        with _INDEX_LOCK:
            if _INDEX is None:
                _INDEX = _NameIndex()
    return _INDEX


def resolve_country(text: str | Country) -> Country:
    """Read a country from an ISO code, an English name or a name in its own languages.

    Case-, accent- and punctuation-insensitive: ``de``, ``DEU``, ``germany``,
    ``Deutschland``, ``España``, ``日本``, ``Côte d'Ivoire``. Raises
    :class:`AmbiguousCountry` when the text fits several (``Congo``) and
    :class:`UnknownCountry` with close English names as ``suggestions`` otherwise.
    """
    if isinstance(text, Country):
        return text
    raw = text.strip()
    if not raw:
        raise UnknownCountry(text)
    upper = raw.upper()
    if len(upper) == 2 and upper in known_territory_codes():
        return get_country(upper)
    if len(upper) == 3 and upper in _alpha3():
        return get_country(_alpha3()[upper])
    index = _index()
    folded = fold(raw)
    codes = index.lookup(folded)
    # A fragment of one country's name (Arabia, السعودية) is enough when it fits only that one.
    if not codes and (len(folded) >= 4 or (len(folded) >= 2 and not folded.isascii())):
        codes = index.containing(folded)
        if len(codes) > 5:
            codes = set()
    if len(codes) == 1:
        return get_country(next(iter(codes)))
    if codes:
        named = sorted((get_country(code).english_name, code) for code in codes)
        raise AmbiguousCountry(raw, [name for name, _ in named], [code for _, code in named])
    # Nothing close: still offer the nearest names, so the person sees what kind of answer works.
    raise UnknownCountry(raw, suggest(raw, index.display) or suggest(raw, index.display, cutoff=60.0))


# ---------------------------------------------------------------------------------------------
# Time zones


@functools.cache
def _zone_names() -> dict[str, str]:
    """Lower-case zone name -> canonical IANA name, for every zone tzdata knows (and aliases)."""
    names = {zone.lower(): zone for zone in zoneinfo.available_timezones()}
    for alias, target in get_global("zone_aliases").items():
        names.setdefault(alias.lower(), target)
    # Prefer the canonical spelling when an alias names a link (Asia/Calcutta -> Asia/Kolkata).
    for alias, target in get_global("zone_aliases").items():
        if target.lower() in names:
            names[alias.lower()] = names[target.lower()]
    return names


def canonical_zone(text: str) -> str:
    """The canonical IANA name for ``text`` (any case, old aliases allowed). Raises :class:`UnknownZone`."""
    key = text.strip().replace(" ", "_").lower()
    zone = _zone_names().get(key)
    if zone is None:
        raise UnknownZone(text, suggest(text, sorted(set(_zone_names().values()))))
    return zone


def _offset_signature(zone: str) -> tuple[int, ...]:
    info = zoneinfo.ZoneInfo(zone)
    step = dt.timedelta(hours=12)
    offsets = []
    moment = _ZONE_SAMPLE_START
    for _ in range(2 * _ZONE_SAMPLE_DAYS):
        offset = moment.astimezone(info).utcoffset()
        offsets.append(int(offset.total_seconds()) if offset is not None else 0)
        moment += step
    return tuple(offsets)


@functools.cache
def _zone_groups(code: str) -> tuple[tuple[str, ...], ...]:
    """A country's zones grouped by identical clocks, in zone.tab order."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for zone in get_country(code).zones:
        groups.setdefault(_offset_signature(zone), []).append(zone)
    return tuple(tuple(group) for group in groups.values())


@functools.cache
def _zone_cities(code: str) -> dict[str, str]:
    """Folded city name -> zone, from zone names and CLDR exemplar cities in English and local languages."""
    country = get_country(code)
    cities: dict[str, str] = {}
    languages = ["en", *(_babel_lang(lang) for lang in country.official_languages)]
    for zone in country.zones:
        cities.setdefault(fold(zone.rsplit("/", 1)[-1].replace("_", " ")), zone)
        for lang in languages:
            if _locale(lang) is None:
                continue
            try:
                city = get_timezone_location(zone, locale=lang, return_city=True)
            except (LookupError, ValueError):
                continue
            if city:
                cities.setdefault(fold(city), zone)
    return cities


def zone_for(
    country: Country | str,
    tz: str | None = None,
    city: str | None = None,
) -> str:
    """The IANA time zone of a client in ``country``.

    ``tz`` wins when given (any valid IANA zone, returned canonical; :class:`UnknownZone`
    otherwise). Else a country whose zones all keep the same clock answers at once; else
    ``city`` settles it when it names one of the country's zones ("Chicago",
    "Los Angeles", "Wien"). Otherwise raises :class:`AmbiguousZone` whose ``choices`` hold
    one zone per distinct clock, in tzdata's order. Uninhabited territories with no zone
    get UTC.
    """
    if tz:
        return canonical_zone(tz)
    info = country if isinstance(country, Country) else get_country(country)
    if not info.zones:
        return "UTC"
    if city:
        zone = _zone_cities(info.code).get(fold(city))
        if zone is not None:
            return zone
    groups = _zone_groups(info.code)
    if len(groups) == 1:
        return info.zones[0]
    if info.code in MAINLAND_ZONES:
        return MAINLAND_ZONES[info.code]
    raise AmbiguousZone(info.code, [_representative(group) for group in groups], info.english_name)


# Countries whose other zones are outlying islands or regions where business keeps the capital's
# clock (China runs on Beijing time nationwide; tzdata's Asia/Urumqi is local solar usage).
MAINLAND_ZONES = {
    "CN": "Asia/Shanghai",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "EC": "America/Guayaquil",
    "CL": "America/Santiago",
    "NZ": "Pacific/Auckland",
    "UA": "Europe/Kyiv",
}

# The zone to name for a group of zones that keep the same clock: the best-known business city.
_WELL_KNOWN = frozenset(
    {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Toronto",
        "America/Vancouver",
        "America/Edmonton",
        "America/Winnipeg",
        "America/Halifax",
        "America/St_Johns",
        "America/Regina",
        "America/Sao_Paulo",
        "America/Manaus",
        "America/Mexico_City",
        "America/Tijuana",
        "America/Cancun",
        "Australia/Sydney",
        "Australia/Brisbane",
        "Australia/Adelaide",
        "Australia/Perth",
        "Australia/Darwin",
        "Europe/Moscow",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Asia/Vladivostok",
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
        "Atlantic/Canary",
        "America/Argentina/Buenos_Aires",
    }
)


def _representative(group: tuple[str, ...]) -> str:
    for zone in group:
        if zone in _WELL_KNOWN:
            return zone
    return next((zone for zone in group if not zone.startswith("Antarctica/")), group[0])


# ---------------------------------------------------------------------------------------------
# Subdivisions


@dataclass(frozen=True, slots=True)
class Subdivision:
    """A state, province or region as the ``holidays`` library knows it (``US``, ``CA``, ``California``)."""

    country: str
    code: str
    name: str | None


def _holiday_entity(code: str) -> type[HolidayBase] | None:
    import holidays

    if code not in holidays.list_supported_countries(include_aliases=False):
        return None
    entity: type[HolidayBase] = getattr(holidays, code)
    return entity


@functools.cache
def _subdivision_table(code: str) -> tuple[dict[str, str], dict[str, str]]:
    """(folded code or name -> subdivision code, subdivision code -> display name)."""
    entity = _holiday_entity(code)
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    if entity is None:
        return lookup, names
    for sub in entity.subdivisions:
        lookup[fold(sub)] = sub
        lookup[fold(f"{code}-{sub}")] = sub
    for alias, sub in entity.subdivisions_aliases.items():
        lookup.setdefault(fold(alias), sub)
        # The first alias that reads as a name (not another code) names the subdivision.
        if sub not in names and not (alias.isupper() and len(alias) <= 4):
            names[sub] = alias
    return lookup, names


def subdivisions(country: Country | str) -> list[Subdivision]:
    """Every subdivision of a country that its holiday calendar distinguishes."""
    code = country.code if isinstance(country, Country) else country.strip().upper()
    entity = _holiday_entity(code)
    if entity is None:
        return []
    names = _subdivision_table(code)[1]
    return [Subdivision(code, sub, names.get(sub)) for sub in entity.subdivisions]


def resolve_subdivision(country: Country | str, text: str) -> Subdivision:
    """Read a subdivision from its code (``CA``, ``US-CA``, ``BY``) or name (``California``, ``Bayern``).

    Raises :class:`UnknownSubdivision` with close names as ``suggestions``.
    """
    code = country.code if isinstance(country, Country) else country.strip().upper()
    lookup, names = _subdivision_table(code)
    sub = lookup.get(fold(text))
    if sub is None:
        choices = {key: names.get(value, value) for key, value in lookup.items()}
        raise UnknownSubdivision(code, text, suggest(text, choices) if choices else [])
    return Subdivision(code, sub, names.get(sub))
