"""The directory's logic without Slack: reading values, finding clients, their hours."""

from __future__ import annotations

import datetime as dt

import pytest

from cultures.weekly import WeeklyHours
from db.models import Client
from db.scoped import team_session
from handlers.clients.directory import DuplicateClient, add_client, client_hours, find_client, update_client
from handlers.clients.fields import FieldError, name_key, parse_options, read_changes
from handlers.common.errors import UnknownClient


def add(session, text: str, **options: str) -> Client:
    return add_client(session, read_changes({"name": text, **options}).values)


@pytest.fixture
def session(runtime):
    with team_session(runtime.sessions, "T1") as session:
        yield session


def test_find_client_exact_prefix_accents_and_typos(session):
    acme = add(session, "Acme GmbH", country="DE")
    acme_us = add(session, "Acme Inc", country="US", tz="America/Denver")
    mueller = add(session, "Müller Maschinenbau", country="DE")
    assert find_client(session, "ACME gmbh") is acme
    assert find_client(session, "acme i") is acme_us
    assert find_client(session, "muller maschinenbau") is mueller
    assert find_client(session, "Maschinenbau") is mueller
    assert find_client(session, "Muller Maschinenbuu") is mueller  # one typo
    with pytest.raises(UnknownClient) as ambiguous:
        find_client(session, "acme")
    assert set(ambiguous.value.suggestions) == {"Acme GmbH", "Acme Inc"}
    with pytest.raises(UnknownClient):
        find_client(session, "acme i", exact=True)
    with pytest.raises(UnknownClient) as nothing:
        find_client(session, "Globex")
    assert nothing.value.suggestions == []


def test_names_are_kept_as_typed_and_compared_without_case(session):
    client = add(session, "  eBay &amp; Sons ", country="GB")
    assert client.name == "eBay & Sons" and client.name_key == name_key("EBAY & SONS")
    with pytest.raises(DuplicateClient):
        add(session, "EBAY & sons", country="GB")


def test_moving_country_settles_zone_and_clears_region(session):
    client = add(session, "Acme", country="US", tz="America/Chicago", region="Illinois")
    assert client.subdivision == "IL"
    changes = read_changes({"country": "Germany"}, current=client)
    assert changes.values["tz"] == "Europe/Berlin" and changes.values["subdivision"] is None
    assert any("Region IL was cleared" in remark for remark in changes.remarks)
    update_client(session, client, changes.values)
    assert read_changes({"tz": ""}, current=client).values["tz"] == "Europe/Berlin"
    with pytest.raises(FieldError) as error:
        read_changes({"country": ""}, current=client)
    assert error.value.key == "country"


def test_zone_from_a_city_and_refusals(session):
    assert read_changes({"name": "A", "country": "US", "city": "Los Angeles"}).values["tz"] == "America/Los_Angeles"
    assert read_changes({"name": "A", "country": "CA", "tz": "toronto"}).values["tz"] == "America/Toronto"
    assert read_changes({"name": "A", "country": "IN", "tz": "Asia/Calcutta"}).values["tz"] == "Asia/Kolkata"
    with pytest.raises(FieldError, match="one time zone"):
        read_changes({"name": "A", "country": "DE", "tz": "Chicago"})
    with pytest.raises(FieldError, match="several time zones"):
        read_changes({"name": "A", "country": "US", "city": "Springfield Gardens"})


def test_client_hours_use_their_own_hours_over_the_card(session):
    client = add(session, "Acme", country="FR", hours="08:00-16:00")
    hours = client_hours(client)
    assert (hours.zone, hours.country, hours.subdiv) == ("Europe/Paris", "FR", None)
    assert hours.weekly_hours == WeeklyHours.parse("08:00-16:00")
    card = client_hours(add(session, "Beta", country="FR"))
    assert card.weekly_hours.on(0) == ((540, 720), (840, 1080))


def test_birthday_must_be_in_the_past():
    with pytest.raises(FieldError, match="not a birthday in the past"):
        read_changes({"name": "A", "country": "DE", "birthday": "2999-01-01"}, today=dt.date(2026, 11, 23))


def test_markup_with_spaces_stays_one_value():
    parsed = parse_options('Acme phone:<tel:+4989|+49 89 12> note:"see <https://x.io|our site>"', {"phone", "note"})
    assert parsed.words == ["Acme"]
    assert parsed.options == {"phone": "<tel:+4989|+49 89 12>", "note": "see <https://x.io|our site>"}
