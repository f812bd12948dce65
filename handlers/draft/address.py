"""Forms of address: the contact's name read into parts, and salutations built from the card.

A contact is stored as typed (``Frau Dr. Anna Müller``, ``Mr. John Smith``, ``Tanaka Hiroshi``,
``Müller, Anna``). :func:`read_contact` splits it into courtesy word (which gives the gender, if
any was typed), academic title, given and family name — in the card's name order. The salutations:

- :func:`english_salutation` — the English opening line, as formal as the card says
  (``Dear Ms Dr. Müller`` never happens: a title replaces Mr/Ms, as in English usage).
- :func:`local_salutation` — the card's own opening (``Sehr geehrte Frau {family},``) with the
  placeholders filled and its gendered words turned to the contact's gender. Gender is never
  guessed from a first name: when it is unknown and the card's opening is gendered, the line
  falls back to the card's greeting with the full name (``Guten Tag Anna Müller,``), which is
  the usual neutral form, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from cultures.cards import Card

Gender = Literal["m", "f"]

# Courtesy words as people type them before a name (lower case, dots removed) -> gender.
_COURTESY: dict[str, Gender] = {
    **dict.fromkeys(
        "mr mister sir herr hr monsieur m señor senor sr signor signore sig senhor sr don pan pán domnul dl "
        "господин г-н κύριος κύριε bapak pak encik tuan ông meneer heer dhr 先生 السيد sheikh shri janab".split(),
        "m",
    ),
    **dict.fromkeys(
        "mrs ms miss madam frau fr madame mme mademoiselle mlle señora senora sra señorita srta signora sig.ra "
        "senhora dona doña pani paní doamna doamnă dna госпожа г-жа κυρία ibu bu puan cik hanım bà mevrouw mevr mw "
        "女士 小姐 السيدة sheikha smt mohtarma".split(),
        "f",
    ),
}
# Academic and professional titles (lower case, dots and hyphens removed).
_TITLES = frozenset(
    "dr prof professor ing dipling mag eng engr ir drs dott dottssa lic arch atty drmed drrernat drhc phd".split()
)
# Name particles that belong to the family name in given-family order.
_PARTICLES = frozenset("von van de der den da di du del della le la zu ten dos das bin binti al el".split())
# Honorific suffixes people sometimes type with the name (Tanaka-san, 田中様, 김민수 님).
_SUFFIXES = ("-sama", "-san", "-sensei", "-nim", "-ssi", "-ji", "様", "さん", "殿", "님", "씨")

# Gendered words in card openings: (masculine, feminine). Our own list of plain grammar facts.
_PAIRS: tuple[tuple[str, str], ...] = (
    ("Herr", "Frau"),
    ("geehrter", "geehrte"),
    ("Monsieur", "Madame"),
    ("Señor", "Señora"),
    ("señor", "señora"),
    ("Sr.", "Sra."),
    ("Estimado", "Estimada"),
    ("Prezado", "Prezada"),
    ("Exmo.", "Exma."),
    ("Senhor", "Senhora"),
    ("Signor", "Signora"),
    ("pane", "paní"),
    ("Vážený", "Vážená"),
    ("pán", "pani"),
    ("Szanowny", "Szanowna"),
    ("Panie", "Pani"),
    ("Stimate", "Stimată"),
    ("domnule", "doamnă"),
    ("Уважаемый", "Уважаемая"),
    ("господин", "госпожа"),
    ("Шановний", "Шановна"),
    ("пане", "пані"),
    ("Αγαπητέ", "Αγαπητή"),
    ("κύριε", "κυρία"),
    ("Bapak", "Ibu"),
    ("Encik", "Puan"),
    ("Bey", "Hanım"),
    ("anh", "chị"),
    ("Ông", "Bà"),
    ("heer", "mevrouw"),
    ("meneer", "mevrouw"),
    ("先生", "女士"),
    ("السيد", "السيدة"),
    ("الأستاذ", "الأستاذة"),
    ("المحترم", "المحترمة"),
)
_GENDER_OF_WORD: dict[str, Gender] = {}
for _m, _f in _PAIRS:
    _GENDER_OF_WORD.setdefault(_m, "m")
    _GENDER_OF_WORD.setdefault(_f, "f")
_SWAP: dict[Gender, dict[str, str]] = {
    "m": {f: m for m, f in _PAIRS},
    "f": {m: f for m, f in _PAIRS},
}
# "Estimado/a", "Estimado(a)", "Уважаемый(-ая)": masculine word with the feminine ending.
_ENDING_CHOICE = re.compile(r"(?P<word>[^\W\d_]+)(?:/(?P<slash>[^\W\d_]{1,3})\b|\((?:-)?(?P<paren>[^\W\d_]{1,3})\))")
# "heer/mevrouw", "先生/女士", "先生/小姐": two whole words, one per gender.
_WORD_CHOICE = re.compile(r"(?P<a>[^\s/,:;]+)/(?P<b>[^\s/,:;]+)")
_PLACEHOLDER = re.compile(r"\{(family|given|honorific)\}")
_ENDS = (",", ":", "!", "،", "。", "：", "，")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class ContactName:
    """A contact's name in parts. ``gender`` only when a courtesy word was typed."""

    typed: str
    given: str
    family: str
    title: str | None = None
    courtesy: str | None = None
    gender: Gender | None = None
    family_first: bool = False


def _key(word: str) -> str:
    return word.lower().replace(".", "").replace("-", "") if word not in ("г-н", "г-жа") else word


def read_contact(typed: str, name_order: str = "given-family") -> ContactName:
    """Split a contact as typed into courtesy word, title, given and family name.

    ``Müller, Anna`` puts the family name first whatever the card says; otherwise the card's
    ``name_order`` decides (``Tanaka Hiroshi`` in Japan). One word is both given and family name.
    """
    text = re.sub(r"\s*\([^)]*\)\s*$", "", typed.strip())  # "(CEO)" after the name
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)].strip()
            break
    courtesy: str | None = None
    gender: Gender | None = None
    titles: list[str] = []
    comma_family: str | None = None
    if "," in text:
        before, after = (part.strip() for part in text.split(",", 1))
        if before and after:
            comma_family, text = before, after
    words = text.split()
    while words:
        key = _key(words[0])
        if key in _COURTESY and courtesy is None and len(words) > 1:
            courtesy, gender = words.pop(0), _COURTESY[key]
        elif key in _TITLES and len(words) > 1:
            titles.append(words.pop(0))
        else:
            break
    if comma_family is not None:
        family, given = comma_family, " ".join(words)
    elif len(words) <= 1:
        family = given = words[0] if words else typed.strip()
    elif name_order == "family-given":
        family, given = words[0], " ".join(words[1:])
    else:
        cut = len(words) - 1
        while cut > 1 and words[cut - 1].lower() in _PARTICLES:
            cut -= 1
        family, given = " ".join(words[cut:]), " ".join(words[:cut])
    return ContactName(
        typed=typed.strip(),
        given=given,
        family=family,
        title=" ".join(titles) or None,
        courtesy=courtesy,
        gender=gender,
        family_first=comma_family is not None or name_order == "family-given",
    )


def full_name(name: ContactName) -> str:
    """The name as one would write it in full, without courtesy word or title."""
    if name.given == name.family or not name.given:
        return name.family
    if name.family_first:
        return f"{name.family}{'' if _CJK.search(name.family) else ' '}{name.given}"
    return f"{name.given} {name.family}"


@dataclass(frozen=True)
class Salutation:
    """An opening line, and a remark when it had to fall back to a neutral form."""

    text: str
    remark: str | None = None


def english_salutation(name: ContactName | None, card: Card, client_name: str) -> Salutation:
    """The English opening, as formal as the card: ``Dear Ms Smith,``, ``Dear Tanaka-sama,``, ``Hi Anna,``."""
    if name is None:
        return Salutation(f"Dear {client_name} team,")
    rules = card.address
    formality = card.scales["formality"].level if "formality" in card.scales else "balanced"
    if rules.first_names == "immediately" and formality == "casual":
        return Salutation(f"Hi {name.given},")
    if rules.first_names == "immediately":
        return Salutation(f"Dear {name.given},")
    if rules.suffix == "-san":  # in writing, Japanese use -sama
        return Salutation(f"Dear {name.family}様," if _CJK.search(name.family) else f"Dear {name.family}-sama,")
    dotted = any(h.endswith(".") for h in rules.honorifics)
    if name.title:
        return Salutation(f"Dear {name.title} {name.family},")
    if name.courtesy and _key(name.courtesy) in ("mr", "mrs", "ms", "miss"):
        return Salutation(f"Dear {name.courtesy} {name.family},")
    if name.gender is not None:
        word = ("Mr" if name.gender == "m" else "Ms") + ("." if dotted else "")
        return Salutation(f"Dear {word} {name.family},")
    if _CJK.search(name.family) or name.given == name.family:
        return Salutation(f"Dear {name.family},")
    return Salutation(
        f"Dear {full_name(name)},",
        "I used the full name because the contact has no Mr/Ms (or local equivalent).",
    )


def _gendered_words(template: str) -> set[Gender]:
    found: set[Gender] = set()
    for token in re.findall(r"[^\s{},:;!]+", template):
        gender = _GENDER_OF_WORD.get(token.rstrip("،,"))
        if gender is not None:
            found.add(gender)
    if _ENDING_CHOICE.search(template) or _WORD_CHOICE.search(_PLACEHOLDER.sub("", template)):
        found.update(("m", "f"))
    return found


def _choose_gender(template: str, gender: Gender) -> str:
    """Resolve "Estimado/a", "heer/mevrouw" and fixed gendered words for ``gender``."""

    def ending(match: re.Match[str]) -> str:
        word = match["word"]
        if gender == "m":
            return word
        suffix = match["slash"] or match["paren"] or ""
        return word[: -len(suffix)] + suffix if len(word) > len(suffix) else word + suffix

    def either(match: re.Match[str]) -> str:
        a, b = match["a"], match["b"]
        ga, gb = _GENDER_OF_WORD.get(a), _GENDER_OF_WORD.get(b)
        if ga is not None or gb is not None:
            if gender == "m":
                return a if ga == "m" or gb == "f" else b
            return b if gb == "f" or ga == "m" else a
        return match[0]

    text = _ENDING_CHOICE.sub(ending, template)
    text = _WORD_CHOICE.sub(either, text)
    swap = _SWAP[gender]
    return re.sub(r"[^\s{},:;!]+", lambda m: swap.get(m[0], m[0]), text)


def _local_honorific(card: Card, gender: Gender | None) -> str | None:
    for honorific in card.address.honorifics:
        word = honorific.split(" (")[0].strip()
        if gender is not None and (_COURTESY.get(_key(word)) == gender or _GENDER_OF_WORD.get(word) == gender):
            return word
    return None


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text)
    return re.sub(r"\s+([,.!:،])", r"\1", text).strip()


def local_salutation(name: ContactName | None, card: Card) -> Salutation:
    """The card's opening filled for the contact (gender, title, name order), or a neutral form."""
    template = card.email.opening.text
    greeting = card.greetings[0].text if card.greetings else ""
    end = template.rstrip()[-1:] if template.rstrip()[-1:] in _ENDS else ","
    if name is None:
        plain = _PLACEHOLDER.sub("", template)
        if _PLACEHOLDER.search(template) or _gendered_words(plain):
            return Salutation(_tidy(f"{greeting}{end}") if greeting else _tidy(plain))
        return Salutation(_tidy(plain))
    uses = set(_PLACEHOLDER.findall(template))
    gendered = _gendered_words(_PLACEHOLDER.sub("", template))
    title = name.title if card.address.titles and name.title else None
    honorific = None
    if "honorific" in uses:
        honorific = _local_honorific(card, name.gender)
        if title:
            honorific = f"{honorific} {title}" if honorific and gendered and name.gender else title
    needs_gender = bool(gendered) or ("honorific" in uses and honorific is None)
    if needs_gender and name.gender is None:
        written = f"{title} {full_name(name)}" if title else full_name(name)
        if _CJK.search(written) and _CJK.search(greeting):
            neutral = f"{written}{greeting}{end}"  # 王伟您好：
        else:
            neutral = f"{greeting} {written}{end}" if greeting else f"{written}{end}"
        return Salutation(
            _tidy(neutral),
            "The card's formal opening depends on the contact's gender, which I don't know: add Mr/Ms "
            '(or the local word) to the contact, e.g. `contact:"Ms Anna Müller"`, for the full form.',
        )
    text = _choose_gender(template, name.gender) if name.gender is not None and gendered else template
    family = name.family
    if title and "honorific" not in uses and "family" in uses and not _CJK.search(text):
        family = f"{title} {family}"
    if not _CJK.search(family + name.given):
        text = text.replace("{family}{given}", "{family} {given}")  # Korean writes 김민수 without a space
    filled = text.format(family=family, given=name.given, honorific=honorific or "")
    return Salutation(_tidy(filled))
