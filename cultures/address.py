"""Forms of address: a contact's name read into parts, and what the culture card says to call them.

A contact is stored as typed (``Frau Dr. Anna Müller``, ``Mr. John Smith``, ``Kim Min-jun``,
``Müller, Anna``). :func:`read_contact` splits it into courtesy word, academic title, given and
family name, in the card's name order (a comma puts the family name first whatever the card
says). :func:`address` then picks the card's forms for that person:

- the gender comes only from what was typed: a courtesy word (Mr, Frau, Sra., Mme, 先生, Bey …)
  or a gendered title (Dra., Dott.ssa). It is never guessed from a first name. Without it the
  card's ``neutral`` form is used, and a remark says which word gives the gendered form;
- a typed title (Dr., Prof., Ing. …) is kept where the card says titles are used (``{title}``);
- ``{full}`` writes the whole name in the culture's order, without a space between family and
  given name in Chinese, Japanese or Korean script; ``-san``/``-sama``/``-nim`` after a name in
  that script become さん/様/님.

Pure: no Slack, no database, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

from cultures.cards import Card, Phrase

__all__ = ["Addressing", "ContactName", "Filled", "address", "blank_address", "english_opening", "read_contact"]

Gender = Literal["m", "f"]

# Courtesy words as people type them before a name (lower case, dots removed) -> gender, or None
# for words that say nothing about it (Khun, Mx, Sayın).
_COURTESY: dict[str, Gender | None] = {
    **dict.fromkeys(
        "mr mister herr hr monsieur m señor senor sr signor signore sig senhor don pan pán pane domnul dl "
        "господин г-н κύριος κύριε bapak pak encik tuan ông meneer heer dhr 先生 السيد shri janab úr".split(),
        "m",
    ),
    **dict.fromkeys(
        "mrs ms miss frau madame mme mademoiselle mlle señora senora sra señorita srta signora sigra "
        "senhora dona doña pani paní doamna doamnă dna госпожа г-жа κυρία ibu bu puan cik hanım bà mevrouw mevr mw "
        "女士 小姐 السيدة smt mohtarma mdm asszony".split(),
        "f",
    ),
    **dict.fromkeys("mx khun sayın sayin yth".split(), None),
}
# Academic, professional and honorary titles (lower case, dots and hyphens removed) -> the gender
# they show, if any. They are kept as typed where the card uses titles (Dr., Sheikh, Chief).
_TITLES: dict[str, Gender | None] = {
    **dict.fromkeys(
        "dr doctor prof professor ing dipling mag mgr judr mudr phdr rndr doc eng engr ir drs dott avv lic cdor arch "
        "arq atty barr drmed drrernat drhc phd univprof dring chief hon".split(),
        None,
    ),
    **dict.fromkeys("dra dottssa doctora ingeniera licenciada profa sheikha alhaja hajiya hajia sayyida".split(), "f"),
    **dict.fromkeys("ingeniero licenciado sheikh alhaji hajj sayyid".split(), "m"),
}
# Name particles that belong to the family name in given-family order.
_PARTICLES = frozenset("von van de der den da di du del della le la zu ten dos das bin binti al el".split())
# Honorific suffixes people type after the name: (suffix, gender it shows).
_SUFFIXES: tuple[tuple[str, Gender | None], ...] = (
    ("-sama", None),
    ("-san", None),
    ("-sensei", None),
    ("-nim", None),
    ("-ssi", None),
    ("-ji", None),
    ("様", None),
    ("さん", None),
    ("殿", None),
    ("님", None),
    ("씨", None),
    ("先生", "m"),
    ("女士", "f"),
    ("小姐", "f"),
    (" Bey", "m"),
    (" Hanım", "f"),
    (" Sahib", "m"),
    (" úr", "m"),
    (" asszony", "f"),
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TITLE_END = "\x00"  # marks the end of a filled {title}: a space, or none before CJK text
_CJK_CHAR = "[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
_CJK_AFTER_TITLE = re.compile(f"(?<={_CJK_CHAR})\x00(?={_CJK_CHAR})")
# Latin honorific suffixes written after a name in Chinese, Japanese or Korean script.
_CJK_SUFFIX = {"sama": "様", "san": "さん", "nim": " 님", "ssi": " 씨"}  # Korean writes 김민준 님
_AFTER_CJK = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])-(sama|san|nim|ssi)\b")
_PLACEHOLDER = re.compile(r"\{(family|given|full|title|given_last)\}")


@dataclass(frozen=True)
class ContactName:
    """A contact's name in parts. ``gender`` only when a courtesy word or gendered title was typed."""

    typed: str
    given: str
    family: str
    title: str | None = None
    courtesy: str | None = None
    gender: Gender | None = None
    family_first: bool = False
    second_family: str = ""  # the second surname of Spanish names (not used in address)

    @property
    def full(self) -> str:
        """The whole name in its order, without courtesy word or title."""
        if not self.given or self.given == self.family:
            return self.family
        if self.second_family:
            return f"{self.given} {self.family} {self.second_family}"
        if self.family_first:
            joiner = "" if _CJK.search(self.family) and _CJK.search(self.given) else " "
            return f"{self.family}{joiner}{self.given}"
        return f"{self.given} {self.family}"

    @property
    def given_last(self) -> str:
        """The last word of the given name: the name Vietnamese use (Nguyễn Văn *An*)."""
        return self.given.split()[-1] if self.given.split() else self.family


def _key(word: str) -> str:
    return word if word in ("г-н", "г-жа") else word.lower().replace(".", "").replace("-", "")


_HANGUL_NAME = re.compile(r"[\uac00-\ud7af]{2,4}")
_HAN_NAME = re.compile(r"[\u3400-\u9fff]{2,3}")


def _one_char_family(word: str, card: Card | None) -> bool:
    """A Korean or Chinese name written without a space: the family name is its first character.

    Not for Japanese, whose family names are often two characters (田中宏 is Tanaka Hiroshi).
    """
    if _HANGUL_NAME.fullmatch(word):
        return True
    return bool(_HAN_NAME.fullmatch(word)) and card is not None and card.address.courtesy.get("m") == "先生"


def _either_order(words: list[str], card: Card | None) -> bool:
    """A name in Latin script for a card whose people write it either way round."""
    return card is not None and card.address.latin_order == "either" and not any(_CJK.search(w) for w in words)


def _surname_start(words: list[str], end: int) -> int:
    """Where the surname ending before ``end`` starts: its last word and the particles before it."""
    cut = end - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return cut


def read_contact(typed: str, card: Card | None = None) -> ContactName:
    """Split a contact as typed into courtesy word, title, given and family name.

    ``Müller, Anna`` puts the family name first whatever the card says; otherwise the card's
    ``name_order`` decides (``Kim Min-jun`` in Korea). One word is both given and family name.
    The card's own courtesy words (``Herr``/``Frau``) are read as such too.
    """
    name_order = card.address.name_order if card is not None else "given-family"
    courtesy_words = dict(_COURTESY)
    if card is not None:
        for card_gender, word in card.address.courtesy.items():
            # The card's courtesy words are keyed by cards.GENDERS, "m" and "f".
            courtesy_words.setdefault(_key(word), cast(Gender, card_gender))
        if card.address.courtesy.get("f") == "Frau":
            courtesy_words["fr"] = "f"  # "Fr." is Frau in German, a priest (Father) in English
    text = re.sub(r"\s*\([^)]*\)\s*$", "", typed.strip())  # "(CEO)" after the name
    gender: Gender | None = None
    courtesy: str | None = None
    for suffix, suffix_gender in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, gender = text[: -len(suffix)].strip(" -"), suffix_gender
            courtesy = suffix.strip(" -") if suffix_gender else None
            break
    titles: list[str] = []
    words = text.split()
    while len(words) > 1:  # courtesy words and titles lead: "Frau Dr. Anna Müller", "Mr Wang, Lei"
        key = _key(words[0])
        if key in courtesy_words and courtesy is None:
            courtesy = words.pop(0)
            gender = courtesy_words[key] or gender
        elif key in _TITLES:
            titles.append(words.pop(0))
            gender = gender or _TITLES[key]
        else:
            break
    comma_family: str | None = None
    rest = " ".join(words)
    if "," in rest:
        before, after = (part.strip() for part in rest.split(",", 1))
        if before and after:
            comma_family, words = before, after.split()
    second = ""
    if comma_family is not None:
        family, given = comma_family, " ".join(words)
    elif len(words) == 1 and name_order == "family-given" and _one_char_family(words[0], card):
        family, given = words[0][0], words[0][1:]  # 김민준, 王伟: the first syllable is the family name
    elif len(words) <= 1:
        family = given = words[0] if words else typed.strip()
    elif name_order == "family-given" and _either_order(words, card):
        family = given = " ".join(words)  # "Hiroshi Tanaka" or "Tanaka Hiroshi"? The whole name, then.
    elif name_order == "family-given":
        family, given = words[0], " ".join(words[1:])
    else:
        cut = _surname_start(words, len(words))
        family, given = " ".join(words[cut:]), " ".join(words[:cut])
        if card is not None and card.address.two_surnames and cut > 1:
            # Spanish names: given name(s), the father's surname (used in address), the mother's.
            first = _surname_start(words, cut)
            family, second, given = " ".join(words[first:cut]), family, " ".join(words[:first])
    return ContactName(
        typed=typed.strip(),
        given=given,
        family=family,
        second_family=second,
        title=" ".join(titles) or None,
        courtesy=courtesy,
        gender=gender,
        family_first=name_order == "family-given",
    )


@dataclass(frozen=True)
class Filled:
    """A local line filled for a contact, and what it means in English."""

    text: str
    meaning: str


@dataclass(frozen=True)
class Addressing:
    """How to address one contact by one card: the form, the email opening and closing.

    ``remark`` is set when the card has gendered forms and the contact's gender is not known:
    it names the word to add for the gendered form (``gendered``: what that would give).
    """

    contact: ContactName | None
    form: str
    opening: Filled
    closing: Filled
    remark: str | None = None
    gendered: tuple[str, ...] = ()


def _variant(variants: Mapping[str, str | Phrase], gender: Gender | None, titled: bool) -> str:
    keys = [f"{gender}_titled", "titled"] if titled and gender else ["titled"] if titled else []
    keys += [gender] if gender else []
    keys.append("neutral")
    return next(key for key in keys if key in variants)


def _text(value: str | Phrase) -> str:
    return value if isinstance(value, str) else value.text


_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿĀ-ž.]+")


def _courtesy_hint(card: Card, contact: str) -> str:
    """``adding Herr or Frau to the contact (`contact:"Herr Klaus Weber"`)``; Mr/Ms for other scripts."""
    words = card.address.courtesy
    if all(_LATIN_WORD.fullmatch(word) for word in words.values()):
        m, f, local = words["m"], words["f"], ""
    else:
        m, f, local = "Mr", "Ms", f" (or {words['m']}/{words['f']})"
    after = any(suffix.strip(" -") == m for suffix, _ in _SUFFIXES)  # Kovács Péter úr, Ahmet Bey
    example = f"{contact} {m}" if after else f"{m} {contact}"
    return f'adding {m} or {f}{local} to the contact (`contact:"{example}"`)'


def _fill(template: str, values: Mapping[str, str]) -> str:
    text = _PLACEHOLDER.sub(lambda m: values[m[1]], template)
    text = _CJK_AFTER_TITLE.sub("", text).replace(_TITLE_END, " ")
    text = _AFTER_CJK.sub(lambda m: _CJK_SUFFIX[m[1]], text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"[ \t]+([,.!:،])", r"\1", text).strip()


_ENGLISH_COURTESY = {"mr": "Mr", "mrs": "Mrs", "ms": "Ms", "miss": "Miss", "mx": "Mx", "mdm": "Mdm"}


def _typed_courtesy(card: Card, name: ContactName) -> Callable[[str], str]:
    """English cards write the Mr/Ms word typed (``Mrs Jane Smith`` stays Mrs), in the card's dot style."""
    typed = _ENGLISH_COURTESY.get(_key(name.courtesy or ""))
    default = card.address.courtesy.get(name.gender or "", "")
    if typed is None or _key(default) not in _ENGLISH_COURTESY or _key(default) == _key(typed):
        return lambda text: text
    word = typed + ("." if default.endswith(".") else "")
    pattern = re.compile(rf"(?<!\w){re.escape(default)}(?!\w)")
    return lambda text: pattern.sub(word, text, count=1)


_SHORT_TITLES = {"doctor": "Dr.", "professor": "Prof."}
# Spanish and Portuguese write a woman's doctor title in the feminine (Dra. López).
_FEMININE_TITLES = {"Dr.": "Dra.", "Dr": "Dra"}


def _local_title(name: ContactName, card: Card, gender: Gender | None) -> str:
    """The typed title as the card's language writes it: ``Dott.ssa`` (IT), ``الدكتور`` (SA), ``dr.`` (HU)."""
    if not name.title or not card.address.titles:
        return ""
    typed = name.title.split()
    if card.address.title_words:
        typed = typed[:1]  # the highest title only, as these languages say it (Prof. Dr. -> profesore)
    words = []
    for word in typed:
        word = _SHORT_TITLES.get(_key(word), word)  # "Doctor" as typed in English: Dr.
        local = card.address.title_words.get(_key(word))
        if local is not None:
            word = local.get(gender or "neutral") or local.get("neutral") or word
        elif gender == "f" and card.address.courtesy.get("f") in ("Sra.", "Senhora", "Señora"):
            word = _FEMININE_TITLES.get(word, word)
        words.append(word)
    return " ".join(w for w in words if w)


def _values(name: ContactName, card: Card, gender: Gender | None = None, english: bool = False) -> dict[str, str]:
    """Placeholder values; the title in the card's language, or as typed for the English gloss."""
    if english:
        typed = (name.title or "").split() if card.address.titles else []
        title = " ".join(typed[:1] if card.address.title_words else typed)
    else:
        title = _local_title(name, card, gender)
    # A space after the title, unless Chinese, Japanese or Korean text follows it (王博士您好).
    title = f"{title}{_TITLE_END}" if title else ""
    return {
        "family": name.family,
        "given": name.given,
        "full": name.full,
        "title": title,
        "given_last": name.given_last,
    }


def address(card: Card, contact: str | None) -> Addressing:
    """How to address ``contact`` (as typed) by ``card``; without a contact, the team opening."""
    closing = Filled(card.email.closing.text, card.email.closing.meaning)
    if not contact or not contact.strip():
        team = card.email.team_opening
        return Addressing(None, "", Filled(team.text, team.meaning), closing)
    name = read_contact(contact, card)
    values = _values(name, card, name.gender)
    titled = bool(name.title and card.address.titles)
    forms, openings = card.address.forms, card.email.openings
    swap = _typed_courtesy(card, name)
    form = swap(_fill(forms[_variant(forms, name.gender, titled)], values))
    phrase = openings[_variant(openings, name.gender, titled)]
    gloss = _fill(phrase.meaning, _values(name, card, name.gender, english=True))
    opening = Filled(swap(_fill(phrase.text, values)), swap(gloss))
    remark: str | None = None
    gendered: tuple[str, ...] = ()
    if name.gender is None and card.address.courtesy:
        source: Mapping[str, str | Phrase] = openings if "m" in openings else forms
        gendered = tuple(
            _fill(_text(source[_variant(source, gender, titled)]), _values(name, card, gender)) for gender in ("m", "f")
        )
        if len(set(gendered)) > 1:
            typed = f"{name.title} {name.full}" if name.title else name.full
            remark = (
                f"I don't guess genders: {_courtesy_hint(card, typed)} gives the gendered form "
                f"({' / '.join(gendered)})."
            )
        else:
            gendered = ()
    if name.given == name.family and " " in name.family and card.address.latin_order == "either":
        remark = (
            f"{remark + ' ' if remark else ''}I can't tell the family name in “{name.family}”: write it as "
            '“Family, Given” (`contact:"<family name>, <given name>"`) for the form with the family name.'
        )
    return Addressing(name, form, opening, closing, remark, gendered)


# Blanks shown where a name goes when no contact is known.
BLANKS = {
    "family": "[family name]",
    "given": "[given name]",
    "full": "[full name]",
    "title": "",
    "given_last": "[given name]",
}


_BLANKS_BY_CARD: dict[int, tuple[Card, dict[str, tuple[str, Filled]]]] = {}


def blank_address(card: Card) -> dict[str, tuple[str, Filled]]:
    """The card's forms with blanks for the name, by variant present (``neutral``, ``m``, ``f``).

    Computed once per card object (cards are loaded once and never change).
    """
    known = _BLANKS_BY_CARD.get(id(card))
    if known is not None and known[0] is card:
        return known[1]
    result = _blank_address(card)
    if len(_BLANKS_BY_CARD) > 1000:
        _BLANKS_BY_CARD.clear()
    _BLANKS_BY_CARD[id(card)] = (card, result)
    return result


def _blank_address(card: Card) -> dict[str, tuple[str, Filled]]:
    result: dict[str, tuple[str, Filled]] = {}
    for gender in ("neutral", "m", "f"):
        if gender in card.address.forms:
            phrase = card.email.openings.get(gender, card.email.openings["neutral"])
            result[gender] = (
                _fill(card.address.forms[gender], BLANKS),
                Filled(_fill(phrase.text, BLANKS), _fill(phrase.meaning, BLANKS)),
            )
    return result


def english_opening(card: Card, contact: str | None, client_name: str) -> str:
    """The opening of the English version of a message, as formal as the card.

    ``Dear Ms Müller,`` / ``Dear Dr. Weber,`` / ``Hi John,`` / ``Dear Tanaka-sama,`` /
    ``Dear Mr Ahmed,`` (Gulf usage: the given name) / ``Dear Klaus Weber,`` (no gender known) /
    ``Dear Acme team,`` (no contact).
    """
    if not contact or not contact.strip():
        return f"Dear {client_name} team,"
    local = address(card, contact).opening
    if local.meaning.startswith(local.text):
        return local.text  # the card writes business email in English: its own opening is the one
    name = read_contact(contact, card)
    rules = card.address
    if "{family}-san" in rules.forms["neutral"]:  # Japanese: -sama in writing, in English too
        return f"Dear {name.family}様," if _CJK.search(name.family) else f"Dear {name.family}-sama,"
    # Which name goes with Mr or a title: the one the card's English gloss puts after Mr (Gulf,
    # Malay and Vietnamese usage: Mr Ahmed); otherwise the family name (Mr Morgan).
    model = card.email.openings.get("m", card.email.openings["neutral"]).meaning
    first = re.search(r"\bMr\.? (?:\{title\})?\{(given|given_last|family|full)\}", model)
    part = {"given": name.given, "given_last": name.given_last, "full": name.full}.get(
        first[1] if first else "family", name.family
    )
    if name.title and rules.titles:
        return f"Dear {name.title} {part},"
    if name.gender is not None and rules.courtesy:
        word = _ENGLISH_COURTESY.get(_key(name.courtesy or ""))
        return f"Dear {word or ('Mr' if name.gender == 'm' else 'Ms')} {part},"
    if rules.first_names == "immediately":
        casual = "formality" in card.scales and card.scales["formality"].level == "casual"
        first_name = name.given_last if rules.name_order == "family-given" else name.given
        return f"{'Hi' if casual else 'Dear'} {first_name},"
    return f"Dear {name.full},"
