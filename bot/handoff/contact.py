"""Check the contact details a person gives for the handoff, with Dutch messages they can act on.

A Rasa form validator calls one function per slot and, on `InvalidContact`, shows `error.message` and asks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

MAX_INPUT = 200
MAX_EMAIL = 254  # RFC 5321 path limit
MAX_LOCAL_PART = 64

TELEFOON, EMAIL, CHAT = "telefoon", "e-mail", "chat of beeldbellen"
OCHTEND, MIDDAG, AVOND, GEEN_VOORKEUR = "ochtend", "middag", "avond", "geen voorkeur"

# Numbers a consulent cannot or should not call back: they cost the person money or are not personal.
_NOT_PERSONAL = {
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.PAGER,
    PhoneNumberType.VOICEMAIL,
}
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)

_CHANNEL_WORDS = {
    TELEFOON: ("telefoon", "telefonisch", "bellen", "bel", "gebeld", "opbellen", "mobiel", "telefoneren"),
    EMAIL: ("e-mail", "email", "mail", "mailen", "gemaild", "e mail"),
    CHAT: ("chat", "chatten", "beeldbellen", "videobellen", "video", "beeld", "teams", "videogesprek"),
}
_TIME_WORDS = {
    OCHTEND: ("ochtend", "ochtends", "morgens", "voormiddag", "vroeg"),
    MIDDAG: ("middag", "middags", "namiddag"),
    AVOND: ("avond", "avonds", "na het eten", "na werktijd"),
    GEEN_VOORKEUR: (
        "geen voorkeur",
        "maakt niet uit",
        "maakt me niet uit",
        "maakt mij niet uit",
        "maakt niks uit",
        "om het even",
        "altijd",
        "wanneer jullie willen",
        "wanneer het uitkomt",
        "hele dag",
    ),
}


class InvalidContact(ValueError):
    """A contact detail that cannot be used; `message` says so in plain Dutch."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Phone:
    e164: str  # "+31612345678": stored and sent to the gemeente
    national: str  # "06 12345678": shown to the person and the consulent


@dataclass(frozen=True)
class ContactDetails:
    """Everything the consulent needs to reach the person, already checked."""

    channel: str
    phone: Optional[Phone]
    email: Optional[str]
    preferred_time: str


def validate_phone(text: str) -> Phone:
    """A Dutch phone number in any common notation ("06-12345678", "+31 6 12345678", "030 123 4567")."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidContact("Ik zie geen telefoonnummer. Typ je nummer, bijvoorbeeld 06 12345678.")
    if len(raw) > 30 or re.search(r"[A-Za-z]{2,}", raw):
        raise InvalidContact("Dat lijkt geen telefoonnummer. Typ alleen de cijfers, bijvoorbeeld 06 12345678.")
    try:
        number = phonenumbers.parse(raw, "NL")
    except phonenumbers.NumberParseException as error:
        raise InvalidContact(
            "Dat lijkt geen telefoonnummer. Typ alleen de cijfers, bijvoorbeeld 06 12345678."
        ) from error
    if phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) != "NL":
        raise InvalidContact(
            "Dit is een buitenlands nummer. De gemeente belt alleen naar Nederlandse nummers. "
            "Heb je een Nederlands nummer? Of wil je liever contact per e-mail?"
        )
    if phonenumbers.number_type(number) in _NOT_PERSONAL:
        raise InvalidContact(
            "Dit is een servicenummer (zoals 0800 of 0900). Typ het nummer waarop je zelf bereikbaar bent."
        )
    if not phonenumbers.is_valid_number(number) or len(str(number.national_number)) < 9:
        raise InvalidContact(
            "Dit telefoonnummer klopt niet. Een Nederlands nummer heeft 10 cijfers, "
            "bijvoorbeeld 06 12345678 of 030 1234567. Wil je het nog eens proberen?"
        )
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
    )


def validate_email(text: str) -> str:
    """An e-mail address that looks deliverable (no DNS lookup: the assistant does not contact other servers)."""
    # Brackets around it and a full stop after it are punctuation, not part of the address.
    address = (text or "").strip().strip("<>").rstrip(".,;").strip()
    if not address:
        raise InvalidContact("Ik zie geen e-mailadres. Typ je e-mailadres, bijvoorbeeld naam@voorbeeld.nl.")
    if "@" not in address:
        raise InvalidContact(
            "Een e-mailadres heeft een @ erin, bijvoorbeeld naam@voorbeeld.nl. Wil je het nog eens typen?"
        )
    if " " in address:
        raise InvalidContact(
            "Er staat een spatie in het e-mailadres. Typ het zonder spaties, bijvoorbeeld naam@voorbeeld.nl."
        )
    local, _, domain = address.rpartition("@")
    if len(address) > MAX_EMAIL or len(local) > MAX_LOCAL_PART:
        raise InvalidContact("Dit e-mailadres is te lang. Klopt het wel? Typ het nog eens.")
    if not _EMAIL.fullmatch(address):
        if "." not in domain:
            raise InvalidContact("Na de @ mist iets, bijvoorbeeld .nl of .com. Wil je het nog eens typen?")
        raise InvalidContact(
            "Dit e-mailadres klopt niet. Typ het zoals je het gebruikt, bijvoorbeeld naam@voorbeeld.nl."
        )
    # The part before @ may be case-sensitive in theory; the domain never is.
    return f"{local}@{domain.lower()}"


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9\- ]+", " ", (text or "").lower().replace("'", "")).split()) + " "


def _match(text: str, table: dict) -> Optional[str]:
    said = _words(text)
    hits = [key for key, words in table.items() if any(f" {w} " in said for w in words)]
    return hits[0] if len(hits) == 1 else None


def validate_channel(text: str) -> str:
    """How the person wants to be contacted: telefoon, e-mail or chat of beeldbellen."""
    channel = _match(text, _CHANNEL_WORDS)
    if channel is None:
        raise InvalidContact("Hoe wil je contact? Kies: telefoon, e-mail, of chat of beeldbellen.")
    return channel


def validate_preferred_time(text: str) -> str:
    """The part of the day that suits the person best: ochtend, middag, avond or geen voorkeur."""
    said = _words(text)
    if " geen voorkeur " in said or " maakt niet uit " in said:
        return GEEN_VOORKEUR
    moment = _match(text, _TIME_WORDS)
    if moment is None:
        raise InvalidContact("Welk deel van de dag past het best? Kies: ochtend, middag, avond of geen voorkeur.")
    return moment


def validate_contact(
    channel: str, phone: Optional[str], email: Optional[str], preferred_time: Optional[str]
) -> ContactDetails:
    """The whole set: the chosen channel needs its detail; chat or beeldbellen is arranged by phone or e-mail."""
    chosen = validate_channel(channel)
    checked_phone = validate_phone(phone) if phone else None
    checked_email = validate_email(email) if email else None
    if chosen == TELEFOON and not checked_phone:
        raise InvalidContact("Je wilt gebeld worden. Op welk telefoonnummer?")
    if chosen == EMAIL and not checked_email:
        raise InvalidContact("Je wilt contact per e-mail. Op welk e-mailadres?")
    if chosen == CHAT and not (checked_phone or checked_email):
        raise InvalidContact(
            "Om een chat of beeldgesprek af te spreken, heeft de gemeente je telefoonnummer "
            "of e-mailadres nodig. Welke wil je geven?"
        )
    moment = validate_preferred_time(preferred_time) if preferred_time else GEEN_VOORKEUR
    return ContactDetails(channel=chosen, phone=checked_phone, email=checked_email, preferred_time=moment)
