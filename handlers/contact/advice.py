"""`/contact <client | country> [at <when>]`: how and when to reach a client, in one answer.

The logic: find who is asked about (a client of the workspace, else a country), judge the
moment with ``cultures.hours``, find the next good windows (also those inside the asker's
working hours), the holidays and weekends ahead, and the card's advice — the client's own
facts (language, channel, hours, region, notes) winning over the country's defaults.
Rendering is in ``handlers.contact.blocks``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cultures.address import address as address_of
from cultures.calendar import country_calendar, upcoming
from cultures.cards import card_for
from cultures.countries import Country, UnknownSubdivision, get_country, resolve_subdivision
from cultures.errors import AmbiguousCountry, CultureError, UnknownCountry
from cultures.hours import ClientHours, MemberHours, Window, judge, next_good_windows
from cultures.languages import Language, main_language, resolve_language
from db.models import Client
from db.scoped import team_session
from handlers.clients.directory import client_hours, find_client
from handlers.clients.fields import FieldError, name_key, zone_of
from handlers.common.args import parse
from handlers.common.commands import Command
from handlers.common.errors import UnknownClient, UserError
from handlers.common.people import Member, member
from handlers.common.respond import Reply
from handlers.common.runtime import Runtime
from handlers.common.text import escape_mrkdwn
from handlers.contact import blocks
from handlers.contact.blocks import Advice, Subject
from handlers.contact.moment import proposed_moment
from handlers.contact.verdict import reason_words, verdict_line

logger = logging.getLogger(__name__)

__all__ = ["Advice", "Subject", "advise", "contact", "essentials", "reason_words", "verdict_line"]

USAGE = """`/contact <client>` — their local time, whether now is a good moment, the next good window, \
channel, tone, greeting, holidays
`/contact <country>` — the same for a country without client data: `/contact Japan`, `/contact DE`
`/contact <client> at <when>` — judge a proposed moment: `at tomorrow 15:00` (your time), \
`at 2026-12-24 10:00 their time`, `at 2026-12-24T09:00Z`
A country with several time zones needs `tz:` or `city:` (`/contact US city:Chicago`); \
`region:` picks regional holidays."""

Reading = tuple[list[str], str | None]  # (words naming the subject, the text after `at`)
CONTACT_OPTIONS = frozenset({"tz", "city", "region", "timezone", "state"})
WINDOWS = 3
_CLIENT_COLUMNS = tuple(Client.__table__.columns.keys())
PAST_TOLERANCE = dt.timedelta(minutes=1)  # "at 10:00" typed at 10:00:20 is not the past yet
AHEAD_DAYS = 14


def subject_for_client(client: Client) -> Subject:
    """The subject for a client record (their own language and hours win)."""
    country = get_country(client.country)
    language = _client_language(client)
    return Subject(client.name, country, card_for(country.code), client_hours(client), language, client)


def _client_language(client: Client) -> Language:
    if client.language:
        try:
            return resolve_language(client.language)
        except CultureError:
            logger.warning("client %s has an unreadable language %r", client.id, client.language)
    return main_language(client.country)


def subject_for_country(country: Country, options: dict[str, str] | None = None) -> Subject:
    """The subject for a country (``tz:``/``city:`` settle a zone, ``region:`` regional holidays)."""
    options = options or {}
    try:
        zone = zone_of(country, options.get("tz") or None, options.get("city") or None)
    except FieldError as error:
        raise UserError(
            error.message.replace("`tz:<zone>` or a city", "`tz:` or `city:`")
            + f" For example: `/contact {country.code} city:{_example_city(country)}`."
        ) from None
    subdiv = None
    if options.get("region"):
        try:
            subdiv = resolve_subdivision(country, options["region"]).code
        except UnknownSubdivision as error:
            raise UserError(str(error)) from None
    hours = ClientHours(zone=zone, country=country.code, subdiv=subdiv)
    return Subject(country.english_name, country, card_for(country.code), hours, main_language(country.code))


def _example_city(country: Country) -> str:
    zone = country.zones[1] if len(country.zones) > 1 else (country.zones or ("Europe/Berlin",))[0]
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f'"{city}"' if " " in city else city


def _options(parsed_options: dict[str, str]) -> dict[str, str]:
    aliases = {"timezone": "tz", "state": "region"}
    return {aliases.get(key, key): value for key, value in parsed_options.items()}


def resolve_subject(session: Session, readings: list[Reading], options: dict[str, str]) -> tuple[Subject, str | None]:
    """Who is asked about, and the moment text if any.

    Each reading (the whole text, then the text before each ``at``) is tried as an exact client
    name, then as a country; if none fits, the first ``at`` reading is matched loosely (prefix,
    typo) against the clients, and the answer names close clients and countries.
    """
    if not options:
        keys = {name_key(" ".join(words)) for words, _ in readings}
        exact = {c.name_key: c for c in session.scalars(select(Client).where(Client.name_key.in_(keys)))}
    else:
        exact = {}
    for words, when in readings:
        text = " ".join(words)
        client = exact.get(name_key(text))
        if client is not None:
            return subject_for_client(client), when
        if _could_be_country(text):
            try:
                country = _country_or_none(text)
            except AmbiguousCountry:
                country = None
            if country is not None:
                try:
                    return subject_for_country(country, options), when
                except UserError:
                    if len(readings) == 1 or when is not None:
                        raise
    words, when = readings[1] if len(readings) > 1 else readings[0]
    return _loose_subject(session, " ".join(words), options), when


def _loose_subject(session: Session, text: str, options: dict[str, str]) -> Subject:
    if options:
        raise UserError(f"`tz:`, `city:` and `region:` go with a country; I don't know a country called “{text}”.")
    try:
        return subject_for_client(find_client(session, text))
    except UnknownClient as error:
        found = _country_lookup(text) if _could_be_country(text) else None
        if isinstance(found, AmbiguousCountry):
            raise UserError(f"{found} Write its ISO code or full name.") from None
        countries = list(found.suggestions) if isinstance(found, UnknownCountry) else []
        names = error.suggestions + [name for name in countries if name not in error.suggestions]
        shown = escape_mrkdwn(text)
        if names:
            options_text = " or ".join(f"*{escape_mrkdwn(name)}*" for name in names[:4])
            raise UserError(
                f"I don't know a client or a country called “{shown}”. Did you mean {options_text}?"
            ) from None
        raise UserError(
            f"I don't know a client or a country called “{shown}”. "
            "`/client list` shows your clients; countries go by ISO code or name (`DE`, `Japan`, `Deutschland`)."
        ) from None


@functools.lru_cache(maxsize=4096)
def _country_lookup(text: str) -> Country | CultureError:
    """resolve_country, remembered: a miss computes fuzzy suggestions, and `/contact` asks per reading."""
    from cultures.countries import resolve_country

    try:
        return resolve_country(text)
    except (UnknownCountry, AmbiguousCountry) as error:
        return error


def _country_or_none(text: str) -> Country | None:
    """The country ``text`` names; None when none; raises AmbiguousCountry when several fit."""
    found = _country_lookup(text)
    if isinstance(found, AmbiguousCountry):
        raise found
    return found if isinstance(found, Country) else None


def _split_at(words: list[str]) -> list[Reading]:
    """Ways to read ``words`` as ``<subject> at <when>``: the whole text first, then each ``at``."""
    readings: list[Reading] = [(words, None)]
    for index, word in enumerate(words):
        if index > 0 and word.lower() == "at" and index < len(words) - 1:
            readings.append((words[:index], " ".join(words[index + 1 :])))
    return readings


def contact(command: Command) -> Reply:
    """The `/contact` command."""
    parsed = parse(command.text, CONTACT_OPTIONS)
    if not parsed.words:
        raise UserError("Tell me which client or country, e.g. `/contact Acme GmbH` or `/contact Japan`.")
    options = _options(parsed.options)
    readings = _split_at(parsed.words)
    with team_session(command.runtime.sessions, command.team_id) as session:
        subject, when = resolve_subject(session, readings, options)
    asker = _asker(command)
    now = command.runtime.clock()
    if when is None:
        text, answer = _answers(command.runtime).get(
            (_subject_key(subject), asker, now.replace(second=0, microsecond=0)),
            lambda: blocks.render(advise(subject, now, asker=asker)),
        )
        return Reply(text=text, blocks=answer)
    at, _zone = proposed_moment(when, now, asker.tz, subject.zone)
    text, answer = blocks.render(advise(subject, now, at=at, asker=asker))
    return Reply(text=text, blocks=answer)


class _Answers:
    """Answers rendered this minute, by everything they depend on (an LRU of a few hundred).

    The answer about "now" is a pure function of the client's row, the card, the asker's zone and
    hours, and the minute: every boundary it reports (hours, lunch, holidays, DST changes) falls on
    a whole minute and times are shown to the minute. A team asking about the same clients in the
    same minute gets them without recomputing windows and holidays.
    """

    SIZE = 512

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rendered: OrderedDict[Hashable, tuple[str, list[dict[str, Any]]]] = OrderedDict()

    def get(
        self, key: Hashable, render: Callable[[], tuple[str, list[dict[str, Any]]]]
    ) -> tuple[str, list[dict[str, Any]]]:
        with self._lock:
            found = self._rendered.get(key)
            if found is not None:
                self._rendered.move_to_end(key)
                return found
        rendered = render()
        with self._lock:
            self._rendered[key] = rendered
            while len(self._rendered) > self.SIZE:
                self._rendered.popitem(last=False)
        return rendered


def _answers(runtime: Runtime) -> _Answers:
    found = runtime.extras.get("contact_answers")
    if not isinstance(found, _Answers):
        found = runtime.extras.setdefault("contact_answers", _Answers())
    return found  # type: ignore[return-value]


def _frozen(value: Any) -> Hashable:
    return repr(value) if isinstance(value, dict | list | set) else value


def _subject_key(subject: Subject) -> Hashable:
    """Everything about the subject an answer depends on: the client's whole row (or the country's
    options), and which card file says it."""
    client = subject.client
    row = tuple(_frozen(getattr(client, column)) for column in _CLIENT_COLUMNS) if client is not None else None
    return (
        subject.name,
        subject.country.code,
        subject.hours,
        subject.language,
        row,
        subject.card.file,
        subject.card.key,
    )


def _asker(command: Command) -> Member:
    """The asker's zone and hours; a first profile fetch racing another request is tried once more."""
    try:
        return member(command.client, command.runtime, command.team_id, command.user_id)
    except IntegrityError:
        return member(command.client, command.runtime, command.team_id, command.user_id)


_NOT_IN_COUNTRY_NAMES = re.compile(r"[\d<>@#:*_`~|\\/\[\]{}=+!?\x00-\x1f]")


def _could_be_country(text: str) -> bool:
    """Cheap pre-check: no country name is long or holds digits or markup (saves fuzzy look-ups)."""
    return 0 < len(text) <= 60 and not _NOT_IN_COUNTRY_NAMES.search(text)


def advise(subject: Subject, now: dt.datetime, at: dt.datetime | None = None, asker: Member | None = None) -> Advice:
    """Judge ``at`` (default: now) for ``subject`` and gather what the answer says."""
    moment = at or now
    past = at is not None and at < now - PAST_TOLERANCE
    verdict = judge(moment, subject.hours)
    # Windows ahead count from the moment judged, or from now when that moment has passed.
    ahead_from = now if past else moment
    windows = next_good_windows(ahead_from, subject.hours, count=WINDOWS)
    shared: list[Window] = []
    remarks: list[str] = []
    if asker is not None:
        try:
            mine = MemberHours(zone=asker.tz, start_minute=asker.work_start, end_minute=asker.work_end % 1440 or 1440)
            shared = next_good_windows(ahead_from, subject.hours, member=mine, count=WINDOWS)
        except (CultureError, ValueError):
            logger.warning("cannot use the working hours of %s", asker.user_id)
        if not asker.tz_known:
            remarks.append("I could not read your Slack time zone, so “your time” is UTC.")
    local_today = verdict.local.date()
    calendar = country_calendar(subject.country.code, subject.hours.subdiv)
    ahead = upcoming(subject.country.code, subject.hours.subdiv, start_date=local_today, days=AHEAD_DAYS)
    if not calendar.calendar_known:
        remarks.append(
            f"I have no public-holiday calendar for {subject.country.english_name}; "
            "a Saturday–Sunday weekend is assumed."
        )
    contact_name = subject.client.contact if subject.client is not None else None
    return Advice(
        subject=subject,
        now=now,
        at=moment,
        proposed=at is not None,
        past=past,
        verdict=verdict,
        windows=windows,
        shared=shared,
        ahead=ahead,
        weekend=calendar.weekend_days(local_today),
        # Ramadan hours replace the card's hours only: a client's own hours are theirs all year.
        seasons=[s for s in calendar.seasons(local_today, AHEAD_DAYS) if s.kind == "slow" or not subject.own_hours],
        address=address_of(subject.card, contact_name),
        asker=asker,
        remarks=remarks,
    )


def essentials(client: Client, now: dt.datetime) -> list[dict[str, Any]]:
    """Compact advice for reminders and escalations: local time, verdict, next window, channel, tone, greeting."""
    advice = advise(subject_for_client(client), now)
    return blocks.essential_blocks(advice)
