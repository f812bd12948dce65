"""The translation tables on SQLite and PostgreSQL: cache per workspace, concurrent writers,
glossary, and channel links that go away with their client."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.app import build_runtime
from bot.settings import Settings
from db.models import ChannelClient, Client
from db.scoped import team_session
from db.session import make_engine
from handlers.translate import cache
from handlers.translate.glossary import add_term, list_terms, remove_term
from handlers.translate.links import channel_client_of, link_channel, unlink_channel


def _runtime(url: str):
    engine = make_engine(url)
    return build_runtime(Settings.from_env({"DATABASE_URL": url}), engine=engine), engine


def _exercise(runtime) -> None:
    digest = cache.text_hash("Hello ⟦0⟧")
    errors: list[BaseException] = []

    def store() -> None:
        try:
            cache.store(runtime, "T1", "libre", "en", "ja", digest, "[ja] HELLO ⟦0⟧")
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with team_session(runtime.sessions, "T1") as session:
        assert cache.lookup(session, ["google", "libre"], "en", "ja", digest) == ("libre", "[ja] HELLO ⟦0⟧")
        assert cache.lookup(session, ["libre"], "auto", "ja", digest) is None
    with team_session(runtime.sessions, "T2") as session:
        assert cache.lookup(session, ["libre"], "en", "ja", digest) is None, "another workspace's cache"

    assert add_term(runtime, "T1", "Acme Cloud", "U1") == ("Acme Cloud", True)
    assert add_term(runtime, "T1", "acme  CLOUD", "U1") == ("Acme Cloud", False)
    assert list_terms(runtime, "T2") == []
    assert remove_term(runtime, "T1", "ACME CLOUD") == "Acme Cloud"

    with team_session(runtime.sessions, "T1") as session:
        session.add(Client(name="Sakura KK", name_key="sakura kk", country="JP", tz="Asia/Tokyo"))
    assert link_channel(runtime, "T1", "C1", "Sakura", "U1").language == "ja"
    assert channel_client_of(runtime, "T1", "C1").name == "Sakura KK"
    assert channel_client_of(runtime, "T2", "C1") is None
    with team_session(runtime.sessions, "T1") as session:
        session.delete(session.scalars(select(Client)).one())
    with team_session(runtime.sessions, "T1") as session:
        assert session.scalars(select(ChannelClient)).all() == [], "links go with their client"
    assert unlink_channel(runtime, "T1", "C1") is None


def test_storage_on_sqlite(engine, db_url):
    runtime, own_engine = _runtime(db_url)
    try:
        _exercise(runtime)
    finally:
        own_engine.dispose()


@pytest.mark.postgres
def test_storage_on_postgresql(pg_url):
    runtime, engine = _runtime(pg_url)
    try:
        _exercise(runtime)
    finally:
        engine.dispose()
