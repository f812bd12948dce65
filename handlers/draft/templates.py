"""The English drafts, written for Rapport in our own words, in three tones.

The tone comes from the culture card's scales (:meth:`Tone.from_card`): indirect, high-context
or softened-feedback cultures get cushioned wording and relationship phrases; direct, low-context
ones get to the point. The person's ``details`` are woven in verbatim — Slack markup, mentions and
links intact — so the draft is about their case, not a form letter. Where only the person knows
something (the fix, the cause, the new date) the draft leaves a ``[bracketed]`` gap to fill.

Apologies follow the complaint-handling practice in shared/cultures/README.md: acknowledge,
apologise sincerely, then a concrete next step with an expected time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from cultures.cards import Card

KINDS = ("followup", "apology", "thanks", "delay", "greeting", "intro")
KIND_ALIASES = {
    "follow-up": "followup",
    "follow_up": "followup",
    "follow": "followup",
    "apologise": "apology",
    "apologize": "apology",
    "sorry": "apology",
    "thank": "thanks",
    "thank-you": "thanks",
    "thankyou": "thanks",
    "late": "delay",
    "delayed": "delay",
    "greetings": "greeting",
    "hello": "greeting",
    "introduction": "intro",
    "introduce": "intro",
}
KIND_WORDS = {
    "followup": "follow-up",
    "apology": "apology",
    "thanks": "thank-you note",
    "delay": "delay notice",
    "greeting": "greeting",
    "intro": "introduction",
}
_ENDS_SENTENCE = re.compile(r"(?:[.!?…。！？)]|:[a-z0-9_+-]+:)\s*$")


def kind_of(word: str) -> str | None:
    """The draft kind a word names (``follow-up`` → ``followup``), or None."""
    key = word.strip().lower().rstrip(":,.")
    if key in KINDS:
        return key
    return KIND_ALIASES.get(key)


@dataclass(frozen=True)
class Tone:
    """How a draft should sound, read from the card's scales."""

    soft: bool
    direct: bool
    formal: bool
    casual: bool
    relationship: bool
    strict_time: bool

    @classmethod
    def from_card(cls, card: Card) -> Tone:
        level = {name: scale.level for name, scale in card.scales.items()}
        soft = (
            level.get("communication") == "indirect"
            or level.get("context") == "high"
            or level.get("feedback") == "softened"
        )
        direct = not soft and level.get("communication") == "direct"
        return cls(
            soft=soft,
            direct=direct,
            formal=level.get("formality") == "formal" or level.get("hierarchy") == "status-conscious",
            casual=level.get("formality") == "casual",
            relationship=level.get("trust") == "relationship-first",
            strict_time=level.get("time") == "strict",
        )

    def describe(self) -> str:
        """A few words for the answer: ``indirect, formal, relationship-first``."""
        words = ["indirect and softened" if self.soft else "direct" if self.direct else "balanced"]
        words.append("formal" if self.formal else "casual" if self.casual else "polite")
        if self.relationship:
            words.append("relationship-first")
        if self.strict_time:
            words.append("strict on time")
        return ", ".join(words)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a draft. ``courtesy`` marks a relationship line the local opening may already say."""

    text: str
    courtesy: bool = False


@dataclass(frozen=True)
class Occasion:
    """What a greeting is for: a holiday (``name``, with an English ``wish``) or a birthday."""

    name: str
    wish: str
    birthday: bool = False


def sentence(text: str) -> str:
    """``text`` as typed, with a full stop added only when it does not end a sentence already."""
    text = text.strip()
    return text if _ENDS_SENTENCE.search(text) else f"{text}."


def _about(details: str | None, fallback: str) -> str:
    return details.strip() if details and details.strip() else fallback


_THANKS = re.compile(r"^(?:many\s+)?(?:thanks|thank\s+you)(?:\s+(?:so|very)\s+much|\s+a\s+lot)?\b\s*", re.IGNORECASE)
_WORD = re.compile(r"\S+")


def weave(lead: str, details: str) -> str:
    """``lead`` followed by the person's ``details``, without saying the same words twice.

    ``Thank you for`` + ``thanks for the order`` gives ``Thank you for the order``; ``I am following
    up on`` + ``following up on the quote`` gives ``I am following up on the quote``. Only words at
    the start of ``details`` that repeat the end of ``lead`` are dropped; the rest stays as typed.
    """
    details = details.strip()
    if lead.lower().startswith("thank you") and _THANKS.match(details):
        details = _THANKS.sub("", details, count=1) or details
    lead_words = [w.lower().strip(".,:;!") for w in lead.split()]
    spans = list(_WORD.finditer(details))
    typed = [m[0].lower().strip(".,:;!") for m in spans]
    for size in range(min(len(lead_words), len(typed) - 1), 0, -1):
        if lead_words[-size:] == typed[:size]:
            details = details[spans[size].start() :]
            break
    return f"{lead} {details}"


class _Writer(Protocol):
    """One kind's paragraphs; each writer takes the keywords it needs and ignores the rest."""

    def __call__(
        self, tone: Tone, details: str | None, *, sender: str | None, deadline: str, occasion: Occasion | None
    ) -> list[Paragraph]: ...


def body(
    kind: str,
    tone: Tone,
    details: str | None = None,
    *,
    sender: str | None = None,
    deadline: str = "the end of your next business day",
    occasion: Occasion | None = None,
) -> list[Paragraph]:
    """The English paragraphs of a draft of ``kind`` (between salutation and closing)."""
    writers: dict[str, _Writer] = {
        "followup": _followup,
        "apology": _apology,
        "thanks": _thanks,
        "delay": _delay,
        "greeting": _greeting,
        "intro": _intro,
    }
    return writers[kind](tone, details, sender=sender, deadline=deadline, occasion=occasion)


def _courtesy(tone: Tone) -> Paragraph:
    if tone.relationship:
        return Paragraph("I hope you and your team are doing well, and thank you, as always, for your support.", True)
    return Paragraph("I hope you are doing well.", True)


def _followup(tone: Tone, details: str | None, **_: object) -> list[Paragraph]:
    topic = _about(details, "our recent conversation")
    if tone.soft:
        paragraphs = [
            _courtesy(tone),
            Paragraph(sentence(weave("I am writing to kindly follow up on", topic))),
            Paragraph(
                "Whenever it is convenient for you, I would be grateful to hear how things stand on your side. "
                "If there is anything we can prepare or explain to make the next step easier, please let me know."
            ),
        ]
    else:
        paragraphs = [] if tone.direct else [_courtesy(tone)]
        paragraphs += [
            Paragraph(sentence(weave("I am following up on", topic))),
            Paragraph(
                "Could you let me know where things stand, or what you still need from us? "
                "If a short call is quicker, I am happy to set one up."
            ),
        ]
    if tone.relationship:
        paragraphs.append(Paragraph("We greatly value our cooperation and look forward to continuing it."))
    return paragraphs


def _apology(tone: Tone, details: str | None, *, deadline: str, **_: object) -> list[Paragraph]:
    what = _about(details, "the problem you ran into")
    acknowledge = sentence(weave("Thank you for letting us know about", what))
    if tone.soft:
        acknowledge += " I fully understand the inconvenience this has caused you and your team."
        apologise = (
            "Please accept our sincere apologies. This is not the standard of service you should expect "
            "from us, and we take full responsibility."
        )
    else:
        acknowledge += " I understand how frustrating this is, and you were right to raise it."
        apologise = "I am sorry: this should not have happened, and we take full responsibility for it."
    next_step = (
        "Here is what happens next: [describe the fix and who handles it]. "
        f"I will update you personally by {deadline} at the latest, and sooner if it is resolved before then. "
        "We are also looking into the cause, so that it does not happen again."
    )
    paragraphs = [Paragraph(acknowledge), Paragraph(apologise), Paragraph(next_step)]
    if tone.soft or tone.relationship:
        paragraphs.append(Paragraph("Thank you for your patience and for your continued trust in us."))
    return paragraphs


def _thanks(tone: Tone, details: str | None, **_: object) -> list[Paragraph]:
    what = _about(details, "your time and the trust you place in us")
    paragraphs = [Paragraph(sentence(weave("Thank you for", what)))]
    if tone.soft or tone.relationship:
        paragraphs.append(
            Paragraph("It means a great deal to us, and we are grateful for the care you and your team always take.")
        )
        paragraphs.append(Paragraph("We look forward to continuing our good cooperation."))
    else:
        paragraphs.append(
            Paragraph(
                "It really helps us, and we appreciate it. If there is anything we can do for you, just let me know."
            )
        )
    return paragraphs


def _delay(tone: Tone, details: str | None, **_: object) -> list[Paragraph]:
    news = _about(details, "part of our work for you will take longer than we planned")
    early = "I wanted to let you know as early as possible, so that you can plan around it."
    if tone.soft:
        paragraphs = [
            _courtesy(tone),
            Paragraph(sentence(weave("I am writing to share an update that I had hoped would be different:", news))),
            Paragraph(
                "We are very sorry for the inconvenience this may cause you and your team. "
                "The reason is [explain the cause in one sentence], and our new expected date is [new date]. "
                "We are doing everything we can to keep the impact small, and I will keep you informed at every step."
            ),
        ]
        if tone.strict_time:
            paragraphs.append(Paragraph(early))
        paragraphs.append(
            Paragraph(
                "If it would help to talk it through, I would be glad to arrange a call at a time that suits you."
            ),
        )
        return paragraphs
    paragraphs = [
        Paragraph(sentence(weave("I need to let you know about a delay:", news))),
        Paragraph(
            "The reason is [explain the cause in one sentence]. Our new date is [new date], "
            "and I will confirm each step as we go."
        ),
    ]
    if tone.strict_time:
        paragraphs.append(Paragraph(early))
    paragraphs.append(
        Paragraph(
            "I am sorry for the inconvenience. If you would like to discuss the options, I am available for a call."
        ),
    )
    return paragraphs


def _greeting(tone: Tone, details: str | None, *, occasion: Occasion | None, **_: object) -> list[Paragraph]:
    if occasion is not None and occasion.birthday:
        paragraphs = [Paragraph("Happy birthday! I wish you a wonderful day and every success in the year ahead.")]
    elif occasion is not None:
        paragraphs = [Paragraph(f"I would like to wish you, your family and your team {occasion.wish}.")]
    elif tone.soft or tone.relationship:
        paragraphs = [
            _courtesy(tone),
            Paragraph("I wanted to send you a short note to say hello and to thank you for our good cooperation."),
        ]
    else:
        paragraphs = [Paragraph("I wanted to send you a short note to say hello and to thank you for working with us.")]
    if details and details.strip():
        paragraphs.append(Paragraph(sentence(details)))
    if occasion is not None and not occasion.birthday:
        paragraphs.append(
            Paragraph("Thank you for your trust and the good cooperation. All the best for the time ahead.")
        )
    elif tone.soft or tone.relationship:
        paragraphs.append(
            Paragraph("It is always a pleasure to work with you. I look forward to continuing our cooperation.")
        )
    else:
        paragraphs.append(Paragraph("I look forward to working together again soon."))
    return paragraphs


def _intro(tone: Tone, details: str | None, *, sender: str | None, **_: object) -> list[Paragraph]:
    first = f"Allow me to introduce myself: my name is {sender}." if sender else "Allow me to introduce myself."
    paragraphs = [Paragraph(first)]
    if details and details.strip():
        paragraphs.append(Paragraph(sentence(details)))
    paragraphs.append(
        Paragraph(
            "From now on I will be your contact for anything you need from us. I look forward to working with you."
        ),
    )
    if tone.soft or tone.relationship:
        paragraphs.append(
            Paragraph(
                "It would be a pleasure to get to know you and your team. If it is convenient for you, "
                "I would welcome a short call to introduce myself properly."
            )
        )
    else:
        paragraphs.append(Paragraph("You can reach me directly at any time, and I am happy to set up a short call."))
    return paragraphs


def english_closing(tone: Tone) -> str:
    """The English sign-off line."""
    if tone.casual and not tone.formal:
        return "Best regards,"
    if tone.relationship and tone.formal:
        return "With best regards,"
    return "Kind regards,"
