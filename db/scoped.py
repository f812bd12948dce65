"""Workspace scoping: every session belongs to one workspace, and its queries cannot leave it.

``team_session(factory, team_id)`` opens a transaction whose ORM queries are filtered to
that ``team_id`` automatically (``with_loader_criteria``) and whose new rows get it.
A session that needs every workspace (the dispatcher) says so with ``all_teams_session``.
A session that says neither refuses ORM queries on team-owned tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from sqlalchemy import Table, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from db.base import TeamOwned

_TEAM = "rapport_team_id"
_ALL = "rapport_all_teams"


class UnscopedQuery(RuntimeError):
    """An ORM query on team-owned rows from a session that names no workspace."""


@contextmanager
def team_session(factory: sessionmaker[Session], team_id: str) -> Iterator[Session]:
    """A transaction limited to one workspace; commits on success, rolls back on error."""
    if not team_id:
        raise ValueError("team_session needs a team_id")
    with factory.begin() as session:
        session.info[_TEAM] = team_id
        yield session


@contextmanager
def all_teams_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction over every workspace, for the dispatcher and maintenance only."""
    with factory.begin() as session:
        session.info[_ALL] = True
        yield session


def session_team(session: Session) -> str | None:
    """The workspace a session is limited to, if any."""
    return session.info.get(_TEAM)


@event.listens_for(Session, "do_orm_execute")
def _limit_to_team(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    team_id = state.session.info.get(_TEAM)
    if team_id is not None and not state.is_orm_statement:
        # A Core statement (``table.update()``, ``select(table.c.id)``) gets no ORM criteria.
        if _team_tables() & _tables_of(state.statement):
            raise UnscopedQuery("Core statement on team-owned tables inside team_session(): use the ORM models")
        return
    if team_id is not None:
        state.statement = state.statement.options(
            with_loader_criteria(TeamOwned, lambda cls: cls.team_id == team_id, include_aliases=True)
        )
        return
    if state.session.info.get(_ALL):
        return
    touches_team_rows = any(
        isinstance(mapper.class_, type) and issubclass(mapper.class_, TeamOwned) for mapper in state.all_mappers
    )
    if touches_team_rows:
        raise UnscopedQuery("query on team-owned rows outside team_session()/all_teams_session()")


def _team_tables() -> set[str]:
    from db.base import Base

    # Declarative classes map a Table; the stubs type local_table as any FromClause.
    return {cast(Table, m.local_table).name for m in Base.registry.mappers if issubclass(m.class_, TeamOwned)}


def _tables_of(statement: object) -> set[str]:
    names: set[str] = set()
    table = getattr(statement, "table", None)
    if table is not None and hasattr(table, "name"):
        names.add(table.name)
    get_froms = getattr(statement, "get_final_froms", None)
    if get_froms is not None:
        for source in get_froms():
            names.add(getattr(source, "name", ""))
    return names


@event.listens_for(Session, "before_flush")
def _stamp_team(session: Session, _context: object, _instances: object) -> None:
    team_id = session.info.get(_TEAM)
    for obj in session.new:
        if isinstance(obj, TeamOwned):
            if obj.team_id is None and team_id is not None:
                obj.team_id = team_id
            elif team_id is not None and obj.team_id != team_id:
                raise UnscopedQuery(f"row for workspace {obj.team_id} added in a session of {team_id}")
            elif obj.team_id is None:
                raise UnscopedQuery("new row without team_id")
