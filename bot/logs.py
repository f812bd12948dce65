"""Logging, configured once by the entry point: stdout, LOG_LEVEL, JSON lines when LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import sys


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", json_lines: bool = False, stream: object = None) -> None:
    """Send logs to stdout (or ``stream``) at ``level``."""
    handler = logging.StreamHandler(stream or sys.stdout)  # type: ignore[arg-type]
    handler.setFormatter(
        _JsonFormatter() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("slack_bolt").addFilter(_ignore_token_notes)
    logging.getLogger("apscheduler.scheduler").addFilter(_ignore_busy_ticks)


def _ignore_token_notes(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our explicit client wins; that is intended."""
    return "will be unused" not in record.getMessage() and "will be ignored" not in record.getMessage()


def _ignore_busy_ticks(record: logging.LogRecord) -> bool:
    """A tick still delivering a backlog makes APScheduler skip the next one; that is intended."""
    return "maximum number of running instances reached" not in record.getMessage()
