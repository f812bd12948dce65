"""`/client import` from a CSV file shared with Rapport in a direct message (event ``file_shared``).

Slack cannot attach a file to a slash command, so a file dropped into the DM with Rapport is
the file path of import: Rapport reads it with ``files.info``, downloads it with the bot token
(with a timeout), and imports it all-or-nothing like pasted CSV, answering in the same DM.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.clients import csvfile
from handlers.clients.commands import import_rows
from handlers.common.commands import Command
from handlers.common.errors import UserError
from handlers.common.events import first_time
from handlers.common.respond import Reply, Responder
from handlers.common.runtime import Runtime

logger = logging.getLogger(__name__)

MAX_BYTES = 1_000_000
DOWNLOAD_TIMEOUT = 10


def is_csv(info: dict[str, Any]) -> bool:
    """A file Slack calls CSV, or named ``*.csv``."""
    name = str(info.get("name") or "").lower()
    return info.get("filetype") == "csv" or info.get("mimetype") == "text/csv" or name.endswith(".csv")


def import_shared_file(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str, channel_id: str, file_id: str
) -> Reply | None:
    """Import a CSV shared in a DM with Rapport; None when the file is not for us (not a CSV, not a DM)."""
    if not channel_id.startswith("D") or not file_id:
        return None
    try:
        info = client.files_info(file=file_id)["file"] or {}
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.warning("files.info %s failed: %s", file_id, error)
        return None
    if not is_csv(info):
        return None
    if not first_time(runtime, team_id, f"client-import:{file_id}"):
        return None
    command = Command(
        name="/client",
        text="import",
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        client=client,
        runtime=runtime,
    )
    try:
        if int(info.get("size") or 0) > MAX_BYTES:
            raise UserError(f"That file is {int(info['size']):,} bytes; an import takes at most {MAX_BYTES:,}.")
        text = _download(str(info.get("url_private_download") or info.get("url_private") or ""), client.token or "")
        report = import_rows(command, csvfile.read_csv(text))
    except UserError as error:
        return Reply(text=f"I could not import *{info.get('name') or 'that file'}*: {error.message}")
    return Reply(text=f"Import of *{info.get('name') or 'your file'}*:\n{report.text()}")


def _download(url: str, token: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise UserError("Slack gave no download address for the file; share it again.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError) as error:
        raise UserError(f"downloading it from Slack failed ({error}); share it again in a moment.") from None
    if len(data) > MAX_BYTES:
        raise UserError(f"the file is over {MAX_BYTES:,} bytes.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def answer(client: WebClient, user_id: str, channel_id: str, reply: Reply) -> None:
    """Post the import report in the DM where the file was shared."""
    Responder(client, user_id, channel_id).send(Reply(text=reply.text, public=True))
