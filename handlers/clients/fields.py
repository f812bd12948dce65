"""Reading what people type about a client (`key:value` options, form fields, CSV cells) into columns.

Every value is checked and refused with a specific message naming the key and the accepted
forms; nothing is quietly changed: names, contacts and notes are stored as typed (Slack's
``&amp;``/``&lt;``/``&gt;`` escapes of names undone, markup in notes kept as it came).
Countries, zones, languages and regions are read through ``cultures`` and stored as codes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cultures.cards import card_for
from cultures.company import format_span
from cultures.countries import (
    AmbiguousCountry,
    AmbiguousZone,
    Country,
    UnknownCountry,
    UnknownSubdivision,
    UnknownZone,
    canonical_zone,
    get_country,
    resolve_country,
    resolve_subdivision,
    zone_for,
)
from cultures.errors import CultureError, HoursFormatError
from cultures.languages import UnknownLanguage, resolve_language
from cultures.weekly import WeeklyHours, parse_hours
from db.models import Client, ClientClosure
from handlers.common.args import Parsed, channel_of, parse, user_id_of
from handlers.common.errors import UserError
from handlers.common.text import escape_mrkdwn, unescape_slack

# The CONTRACT's keys, in the order forms, CSV files and answers show them; `region` (the state,
# province or Land whose public holidays apply) is ours, added beside them.
FIELD_KEYS = (
    "country",
    "region",
    "tz",
    "lang",
    "contact",
    "channel",
    "owner",
    "email",
    "phone",
    "hours",
    "birthday",
    "note",
    "escalation",
    "shared",
    "reply",
    "translate",
    "closed",
)
ALIASES = {"language": "lang", "timezone": "tz", "state": "region", "subdivision": "region", "closure": "closed"}
# `city:` settles the zone of a country with several; `name:` renames (edit only).
OPTION_KEYS = frozenset({*FIELD_KEYS, *ALIASES, "city", "name"})
CHANNELS = ("email", "phone", "chat", "video", "whatsapp")
TRANSLATE_MODES = ("in", "both", "off")
REPEATABLE = frozenset({"shared", "closed", "closure"})  # keys that may be given more than once (their values add up)
DEFAULT_REPLY_MINUTES = 4 * 60  # the first-reply target in shared channels, in the client's business time
MAX_REPLY_MINUTES = 10 * 24 * 60
_REPLY = re.compile(r"^(\d{1,4})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?)$", re.IGNORECASE)
MAX_NAME = 200
MAX_CONTACT = 200
MAX_NOTE = 2000

_EMAIL = re.compile(r"^[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{4,30}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)
_SLACK_LINK = re.compile(r"^<(?:mailto|tel):([^|>]*)(?:\|([^>]*))?>$")
_BIRTHDAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RAW_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")

UserLookup = Callable[[str], str]
"""Turns what was typed for `owner:` (``@ada``, ``me``) into a Slack user id, or raises UserError."""


class FieldError(UserError):
    """A value that cannot be used; ``key`` says which (forms show the message beside that field)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass
class Changes:
    """Column values read from what was typed, and remarks worth telling the person."""

    values: dict[str, Any] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)


def canonical_key(key: str) -> str:
    """The CONTRACT's name for an option or CSV column (``language`` -> ``lang``)."""
    key = key.strip().lower()
    return ALIASES.get(key, key)


def name_key(name: str) -> str:
    """How names are compared: case-insensitive, Unicode-normalised, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


_MARKUP = re.compile(r"<[^<>\n]{1,500}>")
_SPACE_MARK = "\ue000"


def parse_options(text: str, keys: frozenset[str] | set[str] | None = None) -> Parsed:
    """``handlers.common.args.parse`` with run-on values (``country:Saudi Arabia``), keeping Slack
    markup with spaces (``<tel:…|+49 89 12>``) as one value."""
    if _SPACE_MARK in text:
        return parse(text, keys, run_on=True, repeatable=REPEATABLE)
    protected = _MARKUP.sub(lambda m: m[0].replace(" ", _SPACE_MARK), text)
    parsed = parse(protected, keys, run_on=True, repeatable=REPEATABLE)
    return Parsed(
        words=[word.replace(_SPACE_MARK, " ") for word in parsed.words],
        options={key: value.replace(_SPACE_MARK, " ") for key, value in parsed.options.items()},
    )


# Slack markup: mentions of people, channels and groups, @here, links (``<https://…|…>``, ``<mailto:…>``).
_SLACK_MARKUP = re.compile(r"<(?:[@#!]|https?:|mailto:|tel:)[^<>\n]*>")
_MARKUP_KINDS = {"@": "a mention of a person", "#": "a channel", "!": "a group mention"}


def read_name(text: str) -> str:
    """A client name as typed (whitespace at the ends trimmed); refuses empty and overlong names,
    and Slack markup (a mention, channel or link is not a company's name)."""
    markup = _SLACK_MARKUP.search(text)
    if markup:
        kind = _MARKUP_KINDS.get(markup[0][1], "a link")
        raise FieldError(
            "name",
            f"`{escape_mrkdwn(markup[0])}` is {kind}, not a client name: type the company's name, "
            "e.g. `/client add Acme GmbH country:FR` (a person from your team goes in `owner:@name`, "
            'the client\'s contact in `contact:"Anna Weber"`, their website in `note:`).',
        )
    name = unescape_slack(text).strip()
    if not name:
        raise FieldError("name", "A client needs a name, e.g. `/client add Acme GmbH country:DE`.")
    if len(name) > MAX_NAME:
        raise FieldError("name", f"That name has {len(name)} characters; a client name may have at most {MAX_NAME}.")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise FieldError("name", "A client name must be on one line.")
    return name


def country_of(text: str) -> Country:
    """A country from an ISO code or a name in English or its own language; friendly errors."""
    try:
        return resolve_country(text)
    except AmbiguousCountry as error:
        codes = ", ".join(f"`country:{code}` for {name}" for code, name in zip(error.codes, error.choices, strict=True))
        raise FieldError("country", f"{error} Write its ISO code ({codes}) or its full name.") from None
    except UnknownCountry as error:
        run_on = (
            " Everything after `country:` up to the next option is read as the country, so put the client's "
            "name before the options."
            if " " in text.strip()
            else ""
        )
        raise FieldError(
            "country",
            f"{error} Write an ISO code or the country's name in English or its own language, "
            f"e.g. `country:DE`, `country:Germany` or `country:Deutschland`.{run_on}",
        ) from None


def _zone_choices(error: AmbiguousZone) -> str:
    return ", ".join(f"`{zone}`" for zone in error.choices)


def ambiguous_zone_message(error: AmbiguousZone) -> str:
    """Several zones: list them all with how to choose (``tz:`` or a city)."""
    country = get_country(error.country)
    example = error.choices[0].rsplit("/", 1)[-1].replace("_", " ")
    return (
        f"{country.english_name} has several time zones, so I need `tz:<zone>` or a city "
        f'(e.g. `tz:{error.choices[0]}` or `city:"{example}"`). Zones: {_zone_choices(error)}.'
    )


def _single_clock(country: Country) -> str | None:
    """The country's zone when all its zones keep one clock; None when it has several."""
    try:
        return zone_for(country)
    except AmbiguousZone:
        return None


def zone_of(country: Country, tz: str | None, city: str | None) -> str:
    """The client's IANA zone from ``tz:`` (a zone or a city), ``city:`` or the country alone."""
    if tz:
        try:
            return canonical_zone(tz)
        except UnknownZone as error:
            single = _single_clock(country)
            if "/" in tz or single:
                hint = f" Did you mean {', '.join(f'`{s}`' for s in error.suggestions)}?" if error.suggestions else ""
                alone = (
                    f" {country.english_name} has one time zone ({single}): you can leave `tz:` out." if single else ""
                )
                raise FieldError(
                    "tz",
                    f"“{tz}” is neither a time zone (IANA name such as `Europe/Berlin`) nor a city I know."
                    f"{hint}{alone}",
                ) from None
            try:  # tz:Chicago — a city of the country settles it too
                return zone_for(country, city=tz)
            except AmbiguousZone as ambiguous:
                hint = f" Did you mean {', '.join(f'`{s}`' for s in error.suggestions)}?" if error.suggestions else ""
                raise FieldError(
                    "tz",
                    f"“{tz}” is neither a time zone (IANA name such as `Europe/Berlin`) nor a city of "
                    f"{country.english_name} that I know.{hint} Zones of {country.english_name}: "
                    f"{_zone_choices(ambiguous)}.",
                ) from None
            except CultureError:
                raise FieldError("tz", f"{error}") from None
    try:
        return zone_for(country, city=city)
    except AmbiguousZone as error:
        if city:
            raise FieldError(
                "city",
                f"“{city}” is not a city of {country.english_name} that settles its time zone. "
                + ambiguous_zone_message(error),
            ) from None
        raise FieldError("tz", ambiguous_zone_message(error)) from None


def _email(text: str) -> str:
    match = _SLACK_LINK.match(text)
    value = match[1] if match else text
    if not _EMAIL.match(value):
        raise FieldError("email", f"“{text}” is not an email address: write it like `email:anna@example.com`.")
    if len(value) > 254:
        raise FieldError("email", "That email address is longer than 254 characters.")
    return value


def _phone(text: str) -> str:
    match = _SLACK_LINK.match(text)
    value = (match[2] or match[1]) if match else text
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 4:
        raise FieldError(
            "phone", f"“{text}” is not a phone number: digits with an optional +, e.g. `phone:+49 89 1234567`."
        )
    return value


def _hours(text: str) -> str:
    try:
        parse_hours(text)
    except HoursFormatError as error:
        raise FieldError("hours", str(error)) from None
    return text


def _birthday(text: str, today: dt.date | None) -> dt.date:
    match = _BIRTHDAY.match(text)
    problem = None
    day = None
    if match:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            problem = "that day does not exist"
    else:
        problem = "write it as YYYY-MM-DD, e.g. `birthday:1980-04-23`"
    if day is not None and (day.year < 1900 or (today is not None and day > today)):
        problem = "that date is not a birthday in the past"
    if problem or day is None:
        raise FieldError("birthday", f"“{text}” is not a birthday: {problem}.")
    return day


def _channel(text: str) -> str:
    value = text.strip().lower()
    if value not in CHANNELS:
        raise FieldError("channel", f"“{text}” is not a channel I know: use one of {', '.join(CHANNELS)}.")
    return value


def _owner(text: str, lookup_user: UserLookup | None) -> str:
    user = user_id_of(text)
    if user:
        return user
    if _RAW_USER_ID.match(text):
        return text
    if lookup_user is None:
        raise FieldError("owner", f"“{text}” is not a Slack user: pick them with @, e.g. `owner:@anna`.")
    return lookup_user(text)


def _language(text: str) -> str:
    try:
        return resolve_language(text).code
    except UnknownLanguage as error:
        raise FieldError(
            "lang", f"{error} Write a code or a name, e.g. `lang:ja`, `lang:Japanese` or `lang:日本語`."
        ) from None


def read_changes(
    options: Mapping[str, str],
    *,
    current: Client | None = None,
    lookup_user: UserLookup | None = None,
    today: dt.date | None = None,
) -> Changes:
    """Turn typed ``options`` (canonical keys) into column values for a new client or ``current``.

    An empty value clears an optional field; ``country`` and ``tz`` cannot be cleared (an empty
    ``tz:`` sets the zone from the country again). Raises :class:`FieldError`.
    """
    changes = Changes()
    values = changes.values
    text = {key: value.strip() for key, value in options.items()}

    if "name" in text:
        values["name"] = read_name(text["name"])
        values["name_key"] = name_key(values["name"])

    if current is None and not text.get("country"):
        raise FieldError(
            "country",
            "A client needs a country: add `country:` with an ISO code or a name, e.g. `country:DE`, "
            "`country:Japan` or `country:Deutschland`.",
        )
    if "country" in text and not text["country"]:
        raise FieldError("country", "`country:` cannot be empty: every client has a country.")
    country = country_of(text["country"]) if text.get("country") else get_country(current.country)  # type: ignore[union-attr]
    moved = current is None or country.code != current.country
    if "country" in text:
        values["country"] = country.code

    tz, city = text.get("tz") or None, text.get("city") or None
    if tz or city or moved or "tz" in text:
        if moved and current is not None and not tz and not city and current.tz in country.zones:
            pass  # the zone already on file belongs to the new country: keep it
        else:
            values["tz"] = zone_of(country, tz, city)
            if tz and values["tz"] not in country.zones and country.zones:
                changes.remarks.append(
                    f"Note: {values['tz']} is not a zone of {country.english_name}; I kept it as you asked."
                )

    if text.get("region"):
        try:
            values["subdivision"] = resolve_subdivision(country, text["region"]).code
        except UnknownSubdivision as error:
            raise FieldError("region", str(error)) from None
    elif "region" in text or (moved and current is not None and current.subdivision):
        if current is not None and current.subdivision and moved and "region" not in text:
            changes.remarks.append(f"Region {current.subdivision} was cleared: it belongs to the old country.")
        values["subdivision"] = None

    readers: dict[str, tuple[str, Callable[[str], Any]]] = {
        "lang": ("language", _language),
        "contact": ("contact", _contact),
        "channel": ("channel", _channel),
        "owner": ("owner_id", lambda value: _owner(value, lookup_user)),
        "email": ("email", _email),
        "phone": ("phone", _phone),
        "hours": ("hours", _hours),
        "birthday": ("birthday", lambda value: _birthday(value, today)),
        "note": ("note", _note),
        "escalation": ("escalation_channel", _escalation),
        "translate": ("translate_mode", _translate_mode),
    }
    for key, (column, reader) in readers.items():
        if key in text:
            values[column] = reader(text[key]) if text[key] else None
    if "reply" in text:
        values["reply_minutes"] = _reply(text["reply"], values, current, country.code) if text["reply"] else None
    if "closed" in text:
        values["closures"] = _closures(text["closed"], current, today, changes.remarks)
    return changes


MAX_CLOSURES = 20
MAX_CLOSURE_DAYS = 366
MAX_CLOSURE_LABEL = 100
_CLOSURE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|–|—)\s*(\d{4}-\d{1,2}-\d{1,2}))?(?:\s+(.+))?$", re.DOTALL)
CLOSED_USAGE = (
    'Write closures as `closed:2026-12-23..2027-01-06` or with a label `closed:"2026-12-23..2027-01-06 plant '
    'shutdown"`; repeat `closed:` for several; `closed:""` removes them all.'
)


def closure_entries(text: str) -> list[str]:
    """The closures in a `closed:` value: one per line (a repeated key), or in a CSV cell separated by
    ``;`` before the next date (a label may hold a ``;``, and Slack's ``&amp;`` holds one too)."""
    return [part.strip() for part in re.split(r"\n|;\s*(?=\d{4}-\d{1,2}-\d{1,2})", text) if part.strip()]


def _closure_date(text: str, whole: str) -> dt.date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        raise FieldError(
            "closed", f"“{escape_mrkdwn(text)}” in “{escape_mrkdwn(whole)}” is not a date. {CLOSED_USAGE}"
        ) from None


def _closures(text: str, current: Client | None, today: dt.date | None, remarks: list[str]) -> list[ClientClosure]:
    """`closed:` values added to the client's closures (the same span again: its new label).

    An empty value (alone, or first among repeated keys) removes the ones on file first. Closures
    already over are dropped with a remark — typed ones, those on file and those in an old export.
    """
    entries = text.split("\n")
    kept: dict[tuple[dt.date, dt.date], ClientClosure] = {}
    if entries[0].strip().lower() not in ("", "off", "none", "-"):
        kept = {(row.first_day, row.last_day): row for row in (current.closures if current is not None else [])}
    else:
        entries = entries[1:]
    for entry in closure_entries("\n".join(entries)):
        match = _CLOSURE.match(entry)
        if not match:
            raise FieldError("closed", f"I can't read “{escape_mrkdwn(entry)}” as dates. {CLOSED_USAGE}")
        first = _closure_date(match.group(1), entry)
        last = _closure_date(match.group(2), entry) if match.group(2) else first
        label = unescape_slack(" ".join((match.group(3) or "").split())) or None
        if last < first:
            raise FieldError("closed", f"“{escape_mrkdwn(entry)}” ends before it starts. {CLOSED_USAGE}")
        if (last - first).days + 1 > MAX_CLOSURE_DAYS:
            raise FieldError("closed", f"“{escape_mrkdwn(entry)}” is longer than a year; give shorter spans.")
        if label is not None and len(label) > MAX_CLOSURE_LABEL:
            raise FieldError(
                "closed", f"The label of “{escape_mrkdwn(entry[:40])}…” is over {MAX_CLOSURE_LABEL} characters."
            )
        if today is not None and last < today:
            remarks.append(f"Closure {escape_mrkdwn(entry)} is already over (today is {today.isoformat()}): not kept.")
            continue
        row = kept.get((first, last))
        if row is None:
            kept[(first, last)] = ClientClosure(first_day=first, last_day=last, label=label)
        else:
            row.label = label
    if today is not None:
        kept = {key: row for key, row in kept.items() if row.last_day >= today}  # past ones leave the list
    if len(kept) > MAX_CLOSURES:
        message = f'A client can have up to {MAX_CLOSURES} closures; remove them all with `closed:""` and add again.'
        raise FieldError("closed", message)
    return sorted(kept.values(), key=lambda row: (row.first_day, row.last_day))


def closures_text(client: Client, separator: str = "; ") -> str:
    """The client's closures as they are typed (``2026-12-23..2027-01-06 plant shutdown``)."""
    return separator.join(
        " ".join(part for part in (format_span(row.first_day, row.last_day), row.label or "") if part)
        for row in client.closures
    )


def _translate_mode(text: str) -> str:
    mode = text.strip().lower()
    if mode not in TRANSLATE_MODES:
        raise FieldError(
            "translate",
            "`translate:` takes `in` (their messages into your language), `both` (also yours into theirs) or `off`.",
        )
    return mode


def business_day_minutes(hours: str | None, country: str) -> int:
    """The length of the client's longest business day, in minutes (their own hours, else the card's)."""
    weekly = WeeklyHours.parse(hours) if hours else card_for(country).hours
    return max((sum(end - start for start, end in weekly.on(day)) for day in range(7)), default=0) or 8 * 60


def _reply(text: str, values: Mapping[str, Any], current: Client | None, country: str) -> int:
    """`reply:30m`, `4h`, `1d` (one business day of *their* hours) → minutes of their business time."""
    match = _REPLY.match(text.strip())
    if not match:
        raise FieldError(
            "reply",
            f"“{text}” is not a reply time: write it like `reply:30m`, `reply:4h` or `reply:1d` "
            "(counted in the client's business hours).",
        )
    amount, unit = int(match[1]), match[2].lower()[0]
    if unit == "d":
        hours = values["hours"] if "hours" in values else (current.hours if current is not None else None)
        minutes = amount * business_day_minutes(hours, country)
    else:
        minutes = amount * (60 if unit == "h" else 1)
    if not 1 <= minutes <= MAX_REPLY_MINUTES:
        raise FieldError("reply", "A reply time goes from `1m` to `10d`.")
    return minutes


def _contact(text: str) -> str:
    value = unescape_slack(text)
    if len(value) > MAX_CONTACT:
        raise FieldError("contact", f"The contact has {len(value)} characters; at most {MAX_CONTACT} fit.")
    return value


def _escalation(text: str) -> str | None:
    """A channel id from ``<#C…|name>`` or a bare id (names are looked up before, by the command)."""
    if text.lower() in ("off", "none", "default", "-"):
        return None
    channel_id, _name = channel_of(text)
    if channel_id is None and re.fullmatch(r"[CG][A-Z0-9]{6,}", text):
        channel_id = text
    if channel_id is None:
        raise FieldError("escalation", "Name the channel like `escalation:#gulf-accounts`, or `escalation:off`.")
    return channel_id


def _note(text: str) -> str:
    if len(text) > MAX_NOTE:
        raise FieldError("note", f"The note has {len(text)} characters; at most {MAX_NOTE} fit.")
    return text


def options_from_parsed(options: Mapping[str, str]) -> dict[str, str]:
    """Options with aliases turned into the CONTRACT's keys; refuses a key given twice."""
    result: dict[str, str] = {}
    for key, value in options.items():
        canonical = canonical_key(key)
        if canonical in result and canonical in REPEATABLE:
            result[canonical] = f"{result[canonical]}\n{value}"
            continue
        if canonical in result:
            raise FieldError(canonical, f"`{canonical}:` is given twice (once as `{key}:`).")
        result[canonical] = value
    return result
