"""`/client` end to end: signed requests in, answers and files recorded by the fake Slack."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from db.models import Client
from db.scoped import team_session
from tests.contact.test_wire import ask


def stored(rapport) -> list[Client]:
    with team_session(rapport.runtime.sessions, "T1") as session:
        return list(session.scalars(select(Client).order_by(Client.name_key)))


def test_add_keeps_what_was_typed_and_shows_the_card(rapport):
    answer = ask(
        rapport,
        "/client",
        'add Müller  Maschinenbau country:Deutschland contact:"Dr. Anna Müller" lang:Deutsch channel:Phone '
        "owner:<@U2|grace> email:<mailto:anna@mueller.de|anna@mueller.de> phone:<tel:+49891234567|+49 89 1234567> "
        "hours:08:00-12:00,13:00-16:00 "
        'birthday:1970-05-04 region:Bayern note:"Prefers *calls* &amp; see <https://mueller.de|site> — ask <@U1>"',
    )
    assert "Usage" not in answer["text"], answer["text"]
    [client] = stored(rapport)
    assert client.name == "Müller Maschinenbau"
    assert (client.country, client.tz, client.language, client.subdivision) == ("DE", "Europe/Berlin", "de", "BY")
    assert (client.channel, client.owner_id, client.email) == ("phone", "U2", "anna@mueller.de")
    assert client.phone == "+49 89 1234567"
    assert client.hours == "08:00-12:00,13:00-16:00" and client.birthday == dt.date(1970, 5, 4)
    assert client.note == "Prefers *calls* &amp; see <https://mueller.de|site> — ask <@U1>"
    assert "<@U2>" in answer["text"] and "Europe/Berlin" in answer["text"]


def test_every_input_error_is_specific_and_shows_usage(rapport):
    cases = {
        "add Acme": "needs a country",
        "add Acme country:DE tz:Mars/Olympus": "neither a time zone",
        "add Acme country:DE lang:Xyzzyish": "language",
        "add Acme country:DE channel:pigeon": "email, phone, chat, video, whatsapp",
        "add Acme country:DE hours:9-to-5ish": "hours",
        "add Acme country:DE birthday:1980-02-30": "does not exist",
        "add Acme country:DE email:not-an-address": "not an email address",
        "add Acme country:DE phone:call-me": "not a phone number",
        "add Acme country:DE colour:blue": "I don't know the option",
        "add Acme country:RU": "Europe/Moscow",
        "add Acme country:BR": "America/Noronha",
        "add Acme country:AU": "Australia/Perth",
        "add Acme country:CA": "America/Toronto",
        'add Acme country:DE contact:"Anna': "quote is not closed",
        "frobnicate": "I don't know `/client frobnicate`",
        "add Acme country:DE owner:@nobody": "can't find @nobody",
    }
    for text, expected in cases.items():
        answer = ask(rapport, "/client", text)
        assert expected in answer["text"], (text, answer["text"])
        assert "/client add" in answer["text"], text
    assert stored(rapport) == []


def test_duplicate_names_are_refused_case_insensitively(rapport):
    ask(rapport, "/client", "add Acme GmbH country:DE")
    answer = ask(rapport, "/client", "add ACME gmbh country:AT")
    assert "already a client called *Acme GmbH*" in answer["text"]
    assert len(stored(rapport)) == 1


def test_owner_by_plain_name_and_me(rapport):
    ask(rapport, "/client", "add Acme GmbH country:DE owner:@Grace")
    ask(rapport, "/client", "add Beta AG country:DE owner:me")
    assert [c.owner_id for c in stored(rapport)] == ["U2", "U1"]
    mine = ask(rapport, "/client", "list mine")
    assert "Beta AG" in mine["text"] and "Acme GmbH" not in mine["text"]
    graces = ask(rapport, "/client", "list <@U2|grace>")
    assert "Acme GmbH" in graces["text"] and "Beta AG" not in graces["text"]


def test_edit_show_list_remove(rapport):
    ask(rapport, "/client", "add Acme GmbH country:DE")
    ask(rapport, "/client", "add Sakura KK country:JP")
    edited = ask(rapport, "/client", 'edit acme channel:video note:"Call after 10" country:AT')
    assert "Updated" in edited["text"] and "Austria" in edited["text"]
    [acme, _sakura] = stored(rapport)
    assert (acme.country, acme.tz, acme.channel, acme.note) == ("AT", "Europe/Vienna", "video", "Call after 10")
    cleared = ask(rapport, "/client", 'edit Acme GmbH note:""')
    assert "Updated" in cleared["text"] and stored(rapport)[0].note is None
    renamed = ask(rapport, "/client", 'edit Acme GmbH name:"Acme Austria GmbH"')
    assert "Acme Austria GmbH" in renamed["text"]
    shown = ask(rapport, "/client", "show acme austria")
    assert "Europe/Vienna" in shown["text"]
    japan = ask(rapport, "/client", "list Japan")
    assert "Sakura KK" in japan["text"] and "Acme" not in japan["text"]
    everyone = ask(rapport, "/client", "list")
    assert "(2)" in everyone["text"]
    fuzzy = ask(rapport, "/client", "remove acme")
    assert "Did you mean" in fuzzy["text"] and len(stored(rapport)) == 2
    removed = ask(rapport, "/client", "remove acme austria gmbh")
    assert (
        "Removed *Acme Austria GmbH*" in removed["text"]
        and "/client add Acme Austria GmbH country:AT" in removed["text"]
    )
    assert [c.name for c in stored(rapport)] == ["Sakura KK"]


def test_unknown_client_suggests_close_names(rapport):
    ask(rapport, "/client", "add Acme GmbH country:DE")
    answer = ask(rapport, "/client", "show Zcme Gmbx")
    assert "Did you mean *Acme GmbH*?" in answer["text"]


def test_import_is_all_or_nothing_with_a_report(rapport):
    bad = "import name,country,tz,contact\nAlpha,DE,,Anna\nBeta,Atlantis,,\nGamma,US,,\nAlpha,FR,,"
    answer = ask(rapport, "/client", bad)
    text = answer["text"]
    assert "Nothing was imported" in text
    assert "Line 3 (Beta)" in text and "Atlantis" in text
    assert "Line 4 (Gamma)" in text and "several time zones" in text
    assert "Line 5 (Alpha)" in text and "same name as line 2" in text
    assert stored(rapport) == []
    good = "import name;country;tz;language\nAlpha;DE;;\nBeta;JP;;en\nGamma;US;America/Denver;"
    answer = ask(rapport, "/client", good)
    assert "Imported 3 client(s)" in answer["text"]
    assert [(c.name, c.tz, c.language) for c in stored(rapport)] == [
        ("Alpha", "Europe/Berlin", None),
        ("Beta", "Asia/Tokyo", "en"),
        ("Gamma", "America/Denver", None),
    ]
    again = ask(rapport, "/client", "import name,country\nalpha,DE")
    assert "already exists" in again["text"]
    unknown = ask(rapport, "/client", "import name,country,shoe size\nX,DE,42")
    assert "Unknown column" in unknown["text"] and "shoe size" in unknown["text"]


def test_export_sends_a_csv_that_imports_back(rapport):
    ask(rapport, "/client", 'add Acme GmbH country:DE owner:<@U2> note:"a, b; c"')
    ask(rapport, "/client", "add Sakura KK country:JP lang:ja birthday:1980-01-02")
    answer = ask(rapport, "/client", "export")
    assert "2 client(s)" in answer["text"]
    [complete] = rapport.slack.wait_for("files.completeUploadExternal")
    [upload] = rapport.slack.calls_to("upload")
    content = upload.args["_raw"].decode()
    assert content.startswith("name,country,region,tz,lang,contact,channel,owner,email,phone,hours,birthday,note")
    assert "Acme GmbH,DE,,Europe/Berlin" in content and "<@U2>" in content
    assert json.loads(complete.args["files"])[0]["title"] == "Rapport clients"
    ask(rapport, "/client", "remove Acme GmbH")
    ask(rapport, "/client", "remove Sakura KK")
    back = ask(rapport, "/client", "import " + content)
    assert "Imported 2 client(s)" in back["text"], back["text"]
    assert [(c.name, c.owner_id, c.birthday) for c in stored(rapport)] == [
        ("Acme GmbH", "U2", None),
        ("Sakura KK", None, dt.date(1980, 1, 2)),
    ]


def test_add_without_arguments_opens_the_form_and_the_form_adds(rapport):
    rapport.send.command("/client", "add")
    [opened] = rapport.slack.wait_for("views.open")
    view = json.loads(opened.args["view"]) if isinstance(opened.args["view"], str) else opened.args["view"]
    assert view["callback_id"] == "rapport_clients_add"
    blocks = {block["block_id"] for block in view["blocks"]}
    assert {"name", "country", "tz", "contact", "owner", "birthday", "note"} <= blocks

    def values(**fields):
        state = {}
        for key, value in fields.items():
            if key == "owner":
                state[key] = {"value": {"type": "users_select", "selected_user": value}}
            elif key == "channel":
                state[key] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
            elif key == "birthday":
                state[key] = {"value": {"type": "datepicker", "selected_date": value}}
            else:
                state[key] = {"value": {"type": "plain_text_input", "value": value}}
        return state

    refused = rapport.send.view_submission("rapport_clients_add", values(name="Acme Inc", country="US"))
    assert refused.status == 200
    errors = json.loads(refused.body)
    assert errors["response_action"] == "errors" and "America/Chicago" in errors["errors"]["tz"]
    accepted = rapport.send.view_submission(
        "rapport_clients_add",
        values(name="Acme Inc", country="US", tz="Chicago", owner="U2", channel="email", birthday="1975-06-01"),
    )
    assert accepted.status == 200 and accepted.body in ("", "{}")
    [posted] = rapport.slack.wait_for("chat.postMessage")
    assert "Added *Acme Inc*" in posted.args["text"]
    [client] = stored(rapport)
    assert (client.tz, client.owner_id, client.channel, client.birthday) == (
        "America/Chicago",
        "U2",
        "email",
        dt.date(1975, 6, 1),
    )
