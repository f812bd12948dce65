"""What a capability adds to `/rapport stats`: a label and a count (or a short mrkdwn summary, which
may run over several lines) over the workspace's session."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

#: (label, function(session in the workspace) -> count), e.g. ("Open follow-ups", count_open).
StatSource = tuple[str, Callable[[Session], int | str]]
