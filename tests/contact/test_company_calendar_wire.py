"""The calendar companies keep, through the real wire: /contact, /followup and /client closures."""

from __future__ import annotations

import datetime as dt

import pytest

from db.scoped import all_teams_session
from tests.contact.test_wire import ask
from tests.followups.conftest import add_client, set_member

UTC = dt.UTC


def all_teams(rapport):
    return all_teams_session(rapport.runtime.sessions)


def followup(rapport, text: str, user: str = "U1") -> str:
    return ask(rapport, "/followup", text, user=user)["text"]


def test_japan_year_end_is_not_a_good_moment_and_names_it(rapport):
    rapport.clock.set(dt.datetime(2026, 12, 20, 1, 0, tzinfo=UTC))
    answer = ask(rapport, "/contact", "Japan at 2026-12-30 10:00 their time")["text"]
    assert (
        answer.splitlines()[0] == "Not a good time to contact Japan: closed (year-end and New Year holidays (年末年始))"
    )
    assert answer.splitlines()[-1].startswith("Culture card: Japan") or "Culture card: Japan" in answer


def test_japan_coming_days_show_the_closure_as_one_line(rapport):
    rapport.clock.set(dt.datetime(2026, 12, 21, 1, 0, tzinfo=UTC))  # Monday 10:00 in Tokyo
    answer = ask(rapport, "/contact", "Japan")["text"]
    assert "Tue 29 Dec – Sun 03 Jan: year-end and New Year holidays (年末年始) (closed)" in answer or (
        "Tue 29 Dec – Thu 31 Dec: year-end and New Year holidays (年末年始) (closed)" in answer
    )


def test_a_tokyo_follow_up_due_at_year_end_moves_to_4_january(rapport):
    add_client(rapport.runtime, "Tanaka Trading", "JP", "Asia/Tokyo")
    set_member(rapport.runtime, "U1", "Asia/Tokyo")
    rapport.clock.set(dt.datetime(2026, 12, 21, 1, 0, tzinfo=UTC))
    answer = followup(rapport, "Tanaka Trading 2026-12-30 10:00 send the new year card")
    assert "Mon 04 Jan 09:00 in Tokyo" in answer or "Mon 4 Jan 09:00 in Tokyo" in answer, answer
    assert "they are closed (year-end and New Year holidays (年末年始))" in answer


def test_saudi_ramadan_hours(rapport):
    rapport.clock.set(dt.datetime(2027, 2, 1, 6, 0, tzinfo=UTC))
    during = ask(rapport, "/contact", '"Saudi Arabia" at 2027-02-15 16:00 their time')["text"]
    assert during.splitlines()[0] == "Not a good time to contact Saudi Arabia: outside Ramadan hours"
    assert "Ramadan hours" in during
    after = ask(rapport, "/contact", '"Saudi Arabia" at 2027-04-15 16:00 their time')["text"]
    assert after.splitlines()[0] == "Good time to contact Saudi Arabia"
    ramadan = ask(rapport, "/contact", "Saudi Arabia")["text"]
    assert "Ramadan — shorter hours" in ramadan and "Article 98" in ramadan


def test_a_client_closure_is_stored_shown_exported_and_respected(rapport):
    set_member(rapport.runtime, "U1", "Europe/Berlin")
    rapport.clock.set(dt.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Acme GmbH country:DE")
    edited = ask(
        rapport,
        "/client",
        'edit Acme GmbH closed:"2026-12-23..2027-01-06 plant shutdown" closed:2027-08-02..2027-08-13',
    )
    assert "2026-12-23..2027-01-06 plant shutdown" in edited["text"] and "2027-08-02..2027-08-13" in edited["text"]
    shown = ask(rapport, "/client", "show Acme GmbH")["text"]
    assert "2026-12-23..2027-01-06 plant shutdown" in shown
    # /contact on a closed day says so, and the coming days list it.
    rapport.clock.set(dt.datetime(2026, 12, 28, 9, 0, tzinfo=UTC))
    contact = ask(rapport, "/contact", "Acme GmbH")["text"]
    assert contact.splitlines()[0].startswith("Not a good time to contact Acme GmbH: closed (plant shutdown")
    assert "plant shutdown (their closure)" in contact
    # A follow-up due inside it moves past it.
    answer = followup(rapport, "Acme GmbH 2026-12-30 10:00 ask about the order")
    assert "Thu 07 Jan" in answer or "Thu 7 Jan" in answer, answer
    assert "they are closed (plant shutdown" in answer
    # Export carries it, and the file imports back with it.
    rapport.slack.clear()
    ask(rapport, "/client", "export")
    rapport.slack.wait_for("files.completeUploadExternal")
    [upload] = rapport.slack.calls_to("upload")
    content = upload.args["_raw"].decode()
    assert content.splitlines()[0].endswith(",shared,reply,translate,closed")
    assert "2026-12-23..2027-01-06 plant shutdown; 2027-08-02..2027-08-13" in content
    ask(rapport, "/client", "remove Acme GmbH")
    back = ask(rapport, "/client", "import " + content)["text"]
    assert "Imported 1 client(s)" in back, back
    assert "2027-08-02..2027-08-13" in ask(rapport, "/client", "show Acme GmbH")["text"]
    # closed:"" removes every closure.
    cleared = ask(rapport, "/client", 'edit Acme GmbH closed:""')["text"]
    assert "plant shutdown" not in cleared and "2027-08-02" not in cleared


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("closed:2026-02-30", "is not a date"),
        ("closed:2027-01-06..2026-12-23", "ends before it starts"),
        ("closed:next-week", "can't read"),
        ("closed:2027-01-01..2028-06-01", "longer than a year"),
    ],
)
def test_bad_closures_are_refused_with_the_usage(rapport, typed: str, words: str):
    rapport.clock.set(dt.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Acme GmbH country:DE")
    answer = ask(rapport, "/client", f"edit Acme GmbH {typed}")["text"]
    assert words in answer, answer
    assert "Updated" not in answer


def test_contact_for_every_country_with_a_card_shows_its_own_card(rapport):
    from pathlib import Path

    from cultures.cards import CARDS_DIR
    from cultures.countries import get_country

    rapport.clock.set(dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    for path in sorted(Path(CARDS_DIR).glob("*.yaml")):
        country = get_country(path.stem.upper())
        zone = f" tz:{country.zones[0]}" if len(country.zones) > 1 else ""
        text = ask(rapport, "/contact", f'"{country.english_name}"{zone}')["text"]
        lines = text.splitlines()
        assert lines[0].startswith(("Good time to contact", "Not a good time to contact")), (country.code, lines[0])
        assert f"Culture card: {country.english_name}." in text, (country.code, text[-300:])
        assert "Regional default card" not in text


def test_twenty_long_closures_stay_within_block_kit_limits(rapport):
    rapport.clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Acme GmbH country:DE")
    label = "x" * 95
    spans = " ".join(f'closed:"2027-{month:02d}-{day:02d} {label}"' for month in range(1, 11) for day in (4, 18))
    edited = ask(rapport, "/client", f"edit Acme GmbH {spans}")  # ask() validates every block
    assert "Updated" in edited["text"]
    shown = ask(rapport, "/client", "show Acme GmbH")["text"] + str(ask(rapport, "/client", "show Acme GmbH")["blocks"])
    assert "more (all in `/client export`)" in shown
    rapport.clock.set(dt.datetime(2027, 1, 1, 9, 0, tzinfo=UTC))
    contact = ask(rapport, "/contact", "Acme GmbH")
    for block in contact["blocks"]:
        assert len(block.get("text", {}).get("text", "")) <= 3000
    too_many = ask(rapport, "/client", 'edit Acme GmbH closed:"2027-11-02 one more"')["text"]
    assert "up to 20 closures" in too_many


def test_closures_already_over_are_not_kept_and_say_so(rapport):
    rapport.clock.set(dt.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Acme GmbH country:DE")
    answer = ask(rapport, "/client", "edit Acme GmbH closed:2025-01-01..2025-01-02 closure:2027-01-04")["text"]
    assert "is already over" in answer and "not kept" in answer and "2027-01-04" in answer


def test_labels_keep_what_was_typed_and_reach_slack_escaped(rapport):
    rapport.clock.set(dt.datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    ask(rapport, "/client", "add Acme GmbH country:DE")
    # Slack sends & < > escaped; the label is stored as typed and shown escaped again.
    answer = ask(rapport, "/client", 'edit Acme GmbH closed:"2026-12-15..2026-12-24 R&amp;D <!here> shutdown; phase 2"')
    assert "R&amp;D &lt;!here&gt; shutdown; phase 2" in answer["text"], answer["text"]
    contact = ask(rapport, "/contact", "Acme GmbH")["text"]
    assert "<!here>" not in contact and "R&amp;D &lt;!here&gt; shutdown; phase 2" in contact
    with all_teams(rapport) as session:
        from db.models import ClientClosure

        [row] = session.query(ClientClosure).all()
        assert row.label == "R&D <!here> shutdown; phase 2"
    followup = ask(rapport, "/followup", "Acme GmbH 2026-12-16 10:00 call")["text"]
    assert "<!here>" not in followup and "R&amp;D" in followup


def test_a_closure_longer_than_the_search_still_finds_the_day_after(rapport):
    rapport.clock.set(dt.datetime(2027, 7, 1, 9, 0, tzinfo=UTC))
    add_client(rapport.runtime, "Dubois", "FR", "Europe/Paris")
    set_member(rapport.runtime, "U1", "Europe/Paris")
    ask(rapport, "/client", "edit Dubois closed:2027-07-05..2027-10-29")
    answer = followup(rapport, "Dubois 2027-07-12 10:00 call")
    assert "Tue 02 Nov" in answer or "Tue 2 Nov" in answer, answer  # 1 November is All Saints' Day
    contact = ask(rapport, "/contact", "Dubois at 2027-07-20 10:00 their time")["text"]
    assert ("No good window" not in contact and "02 Nov" in contact) or "2 Nov" in contact
