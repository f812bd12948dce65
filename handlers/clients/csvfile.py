"""Clients as CSV: columns named like the `/client add` keys, for import and export.

An import is all or nothing: every row is read and checked first; if any row is refused,
nothing is stored and the report names each refused row and why.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from db.models import Client
from handlers.clients.fields import FIELD_KEYS, canonical_key, closures_text
from handlers.common.errors import UserError
from handlers.common.text import escape_mrkdwn

COLUMNS = ("name", *FIELD_KEYS)
MAX_ROWS = 5000


@dataclass
class Row:
    """One data row: its line number in the file (header is 1) and its non-empty cells by key."""

    line: int
    options: dict[str, str]

    @property
    def name(self) -> str:
        return self.options.get("name", "").strip()


@dataclass
class ImportReport:
    """What an import did: the names added, or the rows refused (then nothing was added)."""

    added: list[str] = field(default_factory=list)
    refused: list[tuple[Row, str]] = field(default_factory=list)
    total: int = 0

    def text(self) -> str:
        """The report for the person, one line per refused row."""
        if not self.refused:
            names = ", ".join(f"*{escape_mrkdwn(name)}*" for name in self.added[:50])
            more = f" and {len(self.added) - 50} more" if len(self.added) > 50 else ""
            return f":white_check_mark: Imported {len(self.added)} client(s): {names}{more}."
        lines = [
            f":x: Nothing was imported: {len(self.refused)} of {self.total} row(s) have a problem. "
            "Fix them and import the whole file again."
        ]
        for row, reason in self.refused[:60]:
            who = f" ({escape_mrkdwn(row.name)})" if row.name else ""
            lines.append(f"• Line {row.line}{who}: {reason}")
        if len(self.refused) > 60:
            lines.append(f"… and {len(self.refused) - 60} more.")
        return "\n".join(lines)


def read_csv(text: str) -> list[Row]:
    """Rows of a CSV text whose first line names the columns; refuses unknown or missing columns."""
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise UserError(
            "Paste the CSV after `/client import`: a header line first, e.g.\n"
            "```name,country,tz,contact,email\nAcme GmbH,DE,,Anna Weber,anna@acme.de```"
        )
    sample = text.split("\n", 1)[0]
    delimiter = (
        ";" if sample.count(";") > sample.count(",") else ("\t" if "\t" in sample and "," not in sample else ",")
    )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        records = list(reader)
    except csv.Error as error:
        raise UserError(f"That is not readable CSV ({error}).") from None
    keys = [canonical_key(column) for column in header]
    unknown = [column for column, key in zip(header, keys, strict=True) if key not in COLUMNS]
    if unknown:
        raise UserError(
            f"Unknown column(s): {', '.join(f'`{c}`' for c in unknown)}. Columns: {', '.join(COLUMNS)} "
            "(the first line of the CSV names them)."
        )
    for required in ("name", "country"):
        if required not in keys:
            raise UserError(f"The CSV needs a `{required}` column. Columns: {', '.join(COLUMNS)}.")
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise UserError(f"Column(s) {', '.join(sorted(duplicates))} appear twice in the header.")
    rows: list[Row] = []
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(keys):
            raise UserError(f"Line {number} has {len(cells)} cells but the header names {len(keys)} columns.")
        options = {key: cell for key, cell in zip(keys, cells, strict=False) if cell.strip()}
        rows.append(Row(number, options))
    if not rows:
        raise UserError("The CSV has a header but no clients below it.")
    if len(rows) > MAX_ROWS:
        raise UserError(f"That is {len(rows)} rows; one import takes at most {MAX_ROWS}.")
    return rows


def export_csv(
    clients: list[Client],
    owner_name: Callable[[str], str] | None = None,
    shared: Mapping[int, list[str]] | None = None,
) -> str:
    """The clients as CSV with the import's columns (owners as ``<@U…>`` so the file imports back;
    ``shared`` gives each client's linked channel ids)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for client in clients:
        writer.writerow(
            [
                client.name,
                client.country,
                client.subdivision or "",
                client.tz,
                client.language or "",
                client.contact or "",
                client.channel or "",
                f"<@{client.owner_id}>" if client.owner_id else "",
                client.email or "",
                client.phone or "",
                client.hours or "",
                client.birthday.isoformat() if client.birthday else "",
                client.note or "",
                f"<#{client.escalation_channel}>" if client.escalation_channel else "",
                " ".join(f"<#{channel}>" for channel in (shared or {}).get(client.id, [])),
                _reply_text(client.reply_minutes),
                client.translate_mode or "",
                closures_text(client),
            ]
        )
    return out.getvalue()


def _reply_text(minutes: int | None) -> str:
    """A reply target as the `reply:` key reads it back (``90m``, ``4h``)."""
    if not minutes:
        return ""
    # Never `d`: a `1d` typed in means one of *their* business days, not 24 hours.
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
