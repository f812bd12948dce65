"""Errors a person can act on. The command boundary turns them into short answers."""

from __future__ import annotations


class UserError(Exception):
    """Something the person typed or asked that we cannot do; ``message`` says why and how.

    ``show_usage`` appends the command's usage to the answer.
    """

    def __init__(self, message: str, *, show_usage: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.show_usage = show_usage


class UnknownClient(UserError):
    """No client of this workspace matches the name; ``suggestions`` are close names.

    Unknown input, so the answer always ends with the command's usage (CONTRACT), with or
    without a suggestion.
    """

    def __init__(self, name: str, suggestions: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions or []
        if self.suggestions:
            options = " or ".join(f"*{s}*" for s in self.suggestions[:3])
            message = f"I don't know a client called “{name}”. Did you mean {options}?"
        else:
            message = f"I don't know a client called “{name}”. `/client list` shows them; `/client add` adds one."
        super().__init__(message)


class NeedsSlack(Exception):
    """An answer computed for the acknowledgement needs a Slack Web API call: not before the ack.

    Raised by the offline client (``handlers.common.commands.OfflineClient``) on any call; the
    command boundary then acknowledges at once and answers through the response_url as usual.
    """
