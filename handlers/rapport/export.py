"""`/rapport export`: every row this workspace keeps, as one JSON file sent to the asker."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from db.base import Base, TeamOwned
from db.scoped import team_session
from handlers.common.commands import Command
from handlers.common.files import send_file
from handlers.common.respond import Reply
from handlers.common.runtime import Runtime


def workspace_data(runtime: Runtime, team_id: str) -> dict[str, list[dict[str, Any]]]:
    """All rows of every team-owned table for ``team_id``, as plain JSON-ready dicts."""
    data: dict[str, list[dict[str, Any]]] = {}
    with team_session(runtime.sessions, team_id) as session:
        for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__tablename__):
            model = mapper.class_
            table: str = model.__tablename__  # every mapped class has one (the sort above reads it)
            if not issubclass(model, TeamOwned):
                continue
            rows = session.scalars(select(model).order_by(*mapper.primary_key)).all()
            data[table] = [
                {column.key: _plain(getattr(row, column.key)) for column in mapper.column_attrs} for row in rows
            ]
    return data


def export_workspace(command: Command) -> Reply:
    """Send the workspace's data to the asker as a JSON file."""
    data = workspace_data(command.runtime, command.team_id)
    stamp = command.runtime.clock().strftime("%Y-%m-%d")
    content = json.dumps(
        {"team_id": command.team_id, "exported_at": stamp, "tables": data}, indent=2, ensure_ascii=False
    )
    send_file(
        command.client,
        command.user_id,
        f"rapport-export-{stamp}.json",
        content,
        "Rapport export",
        "Everything Rapport keeps for this workspace.",
    )
    counts = ", ".join(f"{name}: {len(rows)}" for name, rows in data.items())
    return Reply(text=f"I sent you the export as a file in our direct messages ({counts}).")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
