"""Exceptions raised by the culture knowledge layer.

Every error is a :class:`CultureError`, so the handler boundary can turn any of them into a
friendly message with ``str(error)``; each also carries the data a handler needs to offer
choices (``suggestions``, ``choices``). Lookup failures are also ``LookupError`` and input
format errors ``ValueError``, so callers that only know the standard hierarchy still work.
"""

from __future__ import annotations

from collections.abc import Sequence


def _quoted_list(items: Sequence[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


class CultureError(Exception):
    """Base class of every error in ``cultures``; ``str()`` is a readable sentence."""


class CardError(CultureError, ValueError):
    """A culture card file is missing a field or has an invalid value.

    ``file`` is the card's path and ``field`` the dotted path of the offending field
    (``scales.feedback.level``), or ``None`` when the whole file is wrong.
    """

    def __init__(self, file: str, field: str | None, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")


class MissingCard(CultureError, LookupError):
    """No culture card (own or regional default) covers this country code."""

    def __init__(self, country_code: str) -> None:
        self.country_code = country_code
        super().__init__(f"No culture card covers the country code {country_code!r}.")


class HoursFormatError(CultureError, ValueError):
    """Business or working hours written in a form we cannot read."""

    def __init__(self, text: str, problem: str) -> None:
        self.text = text
        self.problem = problem
        super().__init__(
            f"Could not read the hours “{text}”: {problem}. "
            "Write them like 09:00-17:00, or 09:00-12:00,13:00-17:00 with a lunch break."
        )


class UnknownCountry(CultureError, LookupError):
    """Text that names no country we know; ``suggestions`` holds close English names."""

    def __init__(self, text: str, suggestions: Sequence[str] = ()) -> None:
        self.text = text
        self.suggestions = list(suggestions)
        message = f"I don't know a country called “{text}”."
        if self.suggestions:
            message += f" Did you mean {_quoted_list(self.suggestions)}?"
        super().__init__(message)


class AmbiguousCountry(CultureError, LookupError):
    """Text that fits several countries equally well (``Congo``, ``Korea``)."""

    def __init__(self, text: str, choices: Sequence[str], codes: Sequence[str] = ()) -> None:
        self.text = text
        self.choices = list(choices)
        self.codes = list(codes)  # the ISO codes of ``choices``, in the same order
        super().__init__(f"“{text}” could be {_quoted_list(self.choices)}. Which one?")


class UnknownZone(CultureError, LookupError):
    """A time zone name that is not a valid IANA zone."""

    def __init__(self, text: str, suggestions: Sequence[str] = ()) -> None:
        self.text = text
        self.suggestions = list(suggestions)
        message = f"“{text}” is not a time zone I know (use an IANA name such as Europe/Berlin)."
        if self.suggestions:
            message += f" Did you mean {_quoted_list(self.suggestions)}?"
        super().__init__(message)


class AmbiguousZone(CultureError, LookupError):
    """A country with several time zones, and nothing given that settles which one."""

    def __init__(self, country: str, choices: Sequence[str], country_name: str | None = None) -> None:
        self.country = country
        self.choices = list(choices)
        name = country_name or country
        shown = self.choices[:8]
        more = f" and {len(self.choices) - len(shown)} more" if len(self.choices) > len(shown) else ""
        super().__init__(f"{name} has several time zones; give tz:<zone> or a city. Choices: {', '.join(shown)}{more}.")


class UnknownSubdivision(CultureError, LookupError):
    """A state, province or region name that the country's calendar does not know."""

    def __init__(self, country: str, text: str, suggestions: Sequence[str] = ()) -> None:
        self.country = country
        self.text = text
        self.suggestions = list(suggestions)
        message = f"“{text}” is not a subdivision (state, province, region) of {country} that I know."
        if self.suggestions:
            message += f" Did you mean {_quoted_list(self.suggestions)}?"
        super().__init__(message)


class UnknownLanguage(CultureError, LookupError):
    """Text that names no language we know; ``suggestions`` holds close English names."""

    def __init__(self, text: str, suggestions: Sequence[str] = ()) -> None:
        self.text = text
        self.suggestions = list(suggestions)
        message = f"I don't know a language called “{text}”."
        if self.suggestions:
            message += f" Did you mean {_quoted_list(self.suggestions)}?"
        super().__init__(message)
