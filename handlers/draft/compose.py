"""Composing a draft: pure functions of the recipient, their culture card and the request.

:func:`compose` builds the English draft (salutation, body, closing) and the pieces of the
local version that come straight from the card (the opening and closing in the client's
language). Translating the body is the caller's job (:mod:`handlers.draft.localize`); nothing
here touches the network, the database or the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from cultures.address import Addressing, ContactName, address, english_opening
from cultures.calendar import country_calendar
from cultures.cards import Card
from cultures.company import Closure
from cultures.errors import CultureError
from cultures.languages import Language
from handlers.draft.templates import KIND_WORDS, Occasion, Paragraph, Tone, body, english_closing

# A card opening whose meaning goes on after the salutation carries a courtesy line already
# (Japanese "…様 いつもお世話になっております。" = "thank you as always for your support").
_COURTESY_MEANING = re.compile(r",\s*(?:thank|greetings|hello)", re.IGNORECASE)


@dataclass(frozen=True)
class Recipient:
    """Who the draft is for: a client's facts (a client row or a test's stand-in)."""

    name: str
    country: str
    language: Language
    contact: str | None = None
    subdivision: str | None = None
    closures: tuple[Closure, ...] = ()  # the client's own closed days: no deadline falls in them


@dataclass(frozen=True)
class Draft:
    """A composed draft: the English text and the card's local opening and closing."""

    kind: str
    recipient: Recipient
    card: Card
    tone: Tone
    addressing: Addressing
    english_opening: str
    paragraphs: list[Paragraph]
    english_closing: str
    sender: str | None
    card_in_their_language: bool
    tips: list[tuple[str, str]] = field(default_factory=list)
    occasion: Occasion | None = None

    @property
    def contact(self) -> ContactName | None:
        """The contact person as read from the client's ``contact``, if any."""
        return self.addressing.contact

    @property
    def local_opening(self) -> str:
        """The card's opening for the contact, in their language."""
        return self.addressing.opening.text

    @property
    def local_closing(self) -> str:
        return self.addressing.closing.text

    @property
    def english_only(self) -> bool:
        """The client's language is English: one version is enough."""
        return self.recipient.language.base == "en"

    @property
    def title(self) -> str:
        """``Apology to Acme GmbH`` / ``Greeting for Acme GmbH: Christmas``."""
        if self.occasion is not None:
            return f"Greeting for {self.recipient.name}: {self.occasion.name}"
        return f"{KIND_WORDS[self.kind].capitalize()} to {self.recipient.name}"

    def english_body(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    def english_text(self) -> str:
        """The whole English draft, ready to copy."""
        return _letter(self.english_opening, self.english_body(), self.english_closing, self.sender)

    def body_to_translate(self) -> str:
        """The English body for the local version: without the courtesy line the local opening already says."""
        skip = self.card_in_their_language and bool(_COURTESY_MEANING.search(self.addressing.opening.meaning))
        return "\n\n".join(p.text for p in self.paragraphs if not (skip and p.courtesy))

    def local_text(self, translated_body: str, opening: str | None = None, closing: str | None = None) -> str:
        """The local version: the card's opening and closing (or translated ones) around the translated body."""
        return _letter(opening or self.local_opening, translated_body, closing or self.local_closing, self.sender)

    def remarks(self) -> list[str]:
        """Things the person should know about the salutation."""
        found = [self.addressing.remark] if self.addressing.remark else []
        if self.contact is None:
            found.append(
                f"No contact person is on file for {self.recipient.name}, so the draft greets the team: "
                f'`/client edit {self.recipient.name} contact:"Ms Anna Müller"` makes it personal.'
            )
        return list(dict.fromkeys(found))


def _letter(opening: str, text: str, closing: str, sender: str | None) -> str:
    parts = [opening, text, closing + (f"\n{sender}" if sender else "")]
    return "\n\n".join(part for part in parts if part)


def next_business_day(
    country: str, subdivision: str | None, today: dt.date, closures: tuple[Closure, ...] = ()
) -> dt.date:
    """The first working day after ``today`` for the client: their country's weekends, holidays and
    company closures skipped, and their own closures."""
    try:
        calendar = country_calendar(country, subdivision)
    except CultureError:
        calendar = country_calendar(country)
    day = today + dt.timedelta(days=1)
    for _ in range(21 + sum((c.last - c.first).days + 1 for c in closures)):
        if calendar.day_status(day).working and not any(c.first <= day <= c.last for c in closures):
            return day
        day += dt.timedelta(days=1)
    return today + dt.timedelta(days=1)


def day_words(day: dt.date) -> str:
    """``Tuesday, 24 November`` (English; the translation puts it into their language)."""
    return f"{day:%A}, {day.day} {day:%B}"


def tips_for(kind: str, card: Card, has_contact: bool) -> list[tuple[str, str]]:
    """The card's advice that matters for this kind of message: (label, advice)."""
    scales = card.scales
    tips: list[tuple[str, str]] = []

    def scale(name: str, label: str) -> None:
        if name in scales:
            tips.append((label, scales[name].advice))

    scale("communication", "Tone")
    if kind == "apology":
        scale("feedback", "Criticism and apologies")
        tips.append(("Bad news", card.bad_news))
    elif kind == "delay":
        tips.append(("Bad news", card.bad_news))
        scale("time", "Time")
    elif kind == "followup":
        tips.append(("Reply times", card.channels.response_time))
        scale("decisions", "Decisions")
    elif kind == "thanks":
        scale("trust", "Trust")
    elif kind == "greeting":
        tips.append(("Holidays", card.holiday_customs))
        scale("trust", "Trust")
    elif kind == "intro":
        scale("formality", "Formality")
        scale("hierarchy", "Hierarchy")
    if has_contact:
        tips.append(("Address", card.address.advice))
    return tips


def compose(
    kind: str,
    recipient: Recipient,
    card: Card,
    *,
    details: str | None = None,
    sender: str | None = None,
    today: dt.date | None = None,
    occasion: Occasion | None = None,
    card_in_their_language: bool = True,
) -> Draft:
    """Compose a draft of ``kind`` for ``recipient`` by ``card`` (``today``: the client's local date).

    ``card_in_their_language`` says whether the card's email phrases are in the client's language
    (a regional default card may be in another one); :mod:`handlers.draft.localize` finds out.
    """
    tone = Tone.from_card(card)
    deadline = "the end of your next business day"
    if today is not None:
        deadline = day_words(next_business_day(recipient.country, recipient.subdivision, today, recipient.closures))
    paragraphs = body(kind, tone, details, sender=sender, deadline=deadline, occasion=occasion)
    return Draft(
        kind=kind,
        recipient=recipient,
        card=card,
        tone=tone,
        addressing=address(card, recipient.contact),
        english_opening=english_opening(card, recipient.contact, recipient.name),
        paragraphs=paragraphs,
        english_closing=english_closing(tone),
        sender=sender,
        card_in_their_language=card_in_their_language,
        tips=tips_for(kind, card, bool(recipient.contact and recipient.contact.strip())),
        occasion=occasion,
    )
