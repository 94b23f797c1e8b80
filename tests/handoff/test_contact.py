"""Contact details: Dutch phone numbers, e-mail addresses, channel and part of the day, with Dutch messages."""

from __future__ import annotations

import pytest

from bot.handoff.contact import (
    InvalidContact,
    validate_channel,
    validate_contact,
    validate_email,
    validate_phone,
    validate_preferred_time,
)


@pytest.mark.parametrize(
    "typed, e164, national",
    [
        ("0612345678", "+31612345678", "06 12345678"),
        ("06-12345678", "+31612345678", "06 12345678"),
        ("06 12 34 56 78", "+31612345678", "06 12345678"),
        ("+31 6 12345678", "+31612345678", "06 12345678"),
        ("+31 (0)6 12345678", "+31612345678", "06 12345678"),
        ("0031612345678", "+31612345678", "06 12345678"),
        ("030 123 4567", "+31301234567", "030 123 4567"),
        ("085-1234567", "+31851234567", "085 123 4567"),
    ],
)
def test_dutch_numbers_are_normalised(typed: str, e164: str, national: str) -> None:
    phone = validate_phone(typed)
    assert (phone.e164, phone.national) == (e164, national)


@pytest.mark.parametrize(
    "typed, words",
    [
        ("", "geen telefoonnummer"),
        ("bel me maar", "geen telefoonnummer"),
        ("0612", "klopt niet"),
        ("06123456789", "klopt niet"),
        ("123456782", "klopt niet"),  # a BSN is not a phone number
        ("14 030", "klopt niet"),  # a gemeente's short number, not the person's
        ("0800 1234", "servicenummer"),
        ("0900 1234567", "servicenummer"),
        ("+32 470 12 34 56", "buitenlands"),
    ],
)
def test_unusable_numbers_get_a_clear_dutch_message(typed: str, words: str) -> None:
    with pytest.raises(InvalidContact) as raised:
        validate_phone(typed)
    assert words in raised.value.message


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("naam@voorbeeld.nl", "naam@voorbeeld.nl"),
        ("  Naam.Achternaam@Voorbeeld.NL ", "Naam.Achternaam@voorbeeld.nl"),
        ("<naam+werk@sub.voorbeeld.com>", "naam+werk@sub.voorbeeld.com"),
        ("o'brien@voorbeeld.ie", "o'brien@voorbeeld.ie"),
    ],
)
def test_good_email_addresses(typed: str, expected: str) -> None:
    assert validate_email(typed) == expected


@pytest.mark.parametrize(
    "typed, words",
    [
        ("", "geen e-mailadres"),
        ("naam.voorbeeld.nl", "@"),
        ("naam @voorbeeld.nl", "spatie"),
        ("naam@voorbeeld", "Na de @ mist iets"),
        ("naam@@voorbeeld.nl", "klopt niet"),
        (".naam@voorbeeld.nl", "klopt niet"),
        ("naam@-voorbeeld.nl", "klopt niet"),
        ("a" * 65 + "@voorbeeld.nl", "te lang"),
        ("naam@" + "a" * 250 + ".nl", "te lang"),
    ],
)
def test_bad_email_addresses(typed: str, words: str) -> None:
    with pytest.raises(InvalidContact) as raised:
        validate_email(typed)
    assert words in raised.value.message


@pytest.mark.parametrize(
    "typed, channel",
    [
        ("telefoon", "telefoon"),
        ("Bel me maar", "telefoon"),
        ("liever gebeld worden", "telefoon"),
        ("e-mail", "e-mail"),
        ("mail", "e-mail"),
        ("E-mail graag", "e-mail"),
        ("chat of beeldbellen", "chat of beeldbellen"),
        ("videobellen", "chat of beeldbellen"),
    ],
)
def test_channels(typed: str, channel: str) -> None:
    assert validate_channel(typed) == channel


@pytest.mark.parametrize("typed", ["", "postduif", "bellen of mailen"])
def test_unclear_channel_asks_again(typed: str) -> None:
    with pytest.raises(InvalidContact, match="Kies: telefoon, e-mail, of chat of beeldbellen"):
        validate_channel(typed)


@pytest.mark.parametrize(
    "typed, moment",
    [
        ("ochtend", "ochtend"),
        ("'s ochtends", "ochtend"),
        ("in de morgen", None),
        ("'s morgens", "ochtend"),
        ("middag", "middag"),
        ("'s Middags", "middag"),
        ("avond", "avond"),
        ("'s avonds na het eten", "avond"),
        ("geen voorkeur", "geen voorkeur"),
        ("maakt niet uit", "geen voorkeur"),
        ("om het even", "geen voorkeur"),
        ("ochtend of middag", None),
        ("weet ik niet", None),
    ],
)
def test_preferred_time(typed: str, moment: str) -> None:
    if moment is None:
        with pytest.raises(InvalidContact, match="ochtend, middag, avond of geen voorkeur"):
            validate_preferred_time(typed)
    else:
        assert validate_preferred_time(typed) == moment


def test_the_channel_needs_its_detail() -> None:
    with pytest.raises(InvalidContact, match="telefoonnummer"):
        validate_contact("telefoon", None, "naam@voorbeeld.nl", "ochtend")
    with pytest.raises(InvalidContact, match="e-mailadres"):
        validate_contact("e-mail", "0612345678", None, "ochtend")
    with pytest.raises(InvalidContact, match="telefoonnummer of e-mailadres"):
        validate_contact("beeldbellen", None, None, None)
    details = validate_contact("chat", None, "naam@voorbeeld.nl", None)
    assert details.channel == "chat of beeldbellen" and details.preferred_time == "geen voorkeur"
    assert details.phone is None and details.email == "naam@voorbeeld.nl"
