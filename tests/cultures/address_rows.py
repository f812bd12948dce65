"""Print address-table rows for country cards, to review by hand and paste into a table.

    python -m tests.cultures.address_rows LU MT >> tests/cultures/address_tables/<name>.yaml

Five people per card: no gender, a man (the card's courtesy word), a titled woman, a title
alone and a family-name-first name. Read every line against the card and its language before
committing it: the table is the reviewed record of what Rapport says (tests assert each row).
"""

from __future__ import annotations

import sys

import yaml

from cultures.address import address
from cultures.cards import card_for


def rows(code: str) -> list[dict[str, str]]:
    card = card_for(code)
    courtesy = card.address.courtesy or {}
    man, woman = courtesy.get("m", "Mr"), courtesy.get("f", "Ms")
    people = ["Alex Morgan", f"{man} Alex Morgan", f"{woman} Dr. Sam Lee", "Prof. Alex Morgan", "Lee, Sam"]
    out = []
    for typed in people:
        forms = address(card, typed)
        out.append(
            {
                "address them as": forms.form,
                "closing": forms.closing.text,
                "contact": typed,
                "meaning": forms.opening.meaning,
                "opening": forms.opening.text,
            }
        )
    return out


def main(codes: list[str]) -> None:
    table = {code.upper(): rows(code.upper()) for code in codes}
    sys.stdout.write(yaml.safe_dump(table, allow_unicode=True, sort_keys=True, width=200))


if __name__ == "__main__":
    main(sys.argv[1:])
