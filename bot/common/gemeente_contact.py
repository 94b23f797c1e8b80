"""How to reach a gemeente itself: its general phone number and website, so that "bel het algemene nummer" always
comes with the number.

Read from knowledge/regions/gemeenten-2026.csv (Register van Overheidsorganisaties, April 2026; see
knowledge/regions/SOURCES.md). The csv module, because names such as "Nuenen, Gerwen en Nederwetten" are quoted.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

import phonenumbers

from bot.common import settings

# A route that sends people to the general number ("bel het algemene nummer van de gemeente").
_GENERAL_NUMBER = re.compile(r"algemene\s+(telefoon)?nummer", re.IGNORECASE)
_A_NUMBER = re.compile(r"\d{2,}")


@dataclass(frozen=True)
class GemeenteContact:
    code: str
    name: str  # as the gemeente calls itself ("Den Haag", not "'s-Gravenhage")
    phone: str  # as people dial it: "0599 631 631", "14 030"
    website: str  # "https://www.houten.nl"
    phone_as_registered: str = ""  # the register's own value, kept beside the normalised one

    @property
    def website_label(self) -> str:
        return self.website.split("//", 1)[-1].rstrip("/")

    @property
    def website_link(self) -> str:
        return f"[{self.website_label}]({self.website})"


def phone_for_people(raw: str) -> str:
    """The register's number as people dial it, normalised with `phonenumbers` (the library the handoff already
    uses for phone numbers): "(0599) 63 16 31" → "0599 631 631", and the 14-numbers the register writes as
    "(014) 030" or "0140529" → "14 030", "14 0529". A value it cannot read stays as the register writes it."""
    try:
        number = phonenumbers.parse(raw, "NL")
    except phonenumbers.NumberParseException:
        return " ".join(raw.split())
    if not phonenumbers.is_valid_number(number):
        return " ".join(raw.split())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@lru_cache(maxsize=None)
def _contacts(path: str) -> Dict[str, GemeenteContact]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: GemeenteContact(
                row["code"], row["naam_roo"], phone_for_people(row["telefoon"]), row["website"], row["telefoon"]
            )
            for row in csv.DictReader(handle)
        }


def contact(code: Optional[str]) -> Optional[GemeenteContact]:
    """The general phone number and website of the gemeente with CBS code `code`, or None when it is unknown."""
    return _contacts(str(settings.KNOWLEDGE_DIR / "regions" / "gemeenten-2026.csv")).get((code or "").upper())


def contact_sentence(code: Optional[str]) -> str:
    """One sentence with the gemeente's general number and website, for anywhere the assistant points to it."""
    found = contact(code)
    if found is None:
        return "Het algemene nummer staat op de website van je gemeente."
    return f"Het algemene nummer van de gemeente {found.name} is {found.phone}. De website is {found.website_link}."


def with_number(route: str, code: Optional[str]) -> str:
    """A contact route that says "bel het algemene nummer" without the number gets the number (and website)."""
    if not _GENERAL_NUMBER.search(route) or _A_NUMBER.search(route):
        return route
    return f"{route} {contact_sentence(code)}"
