"""BSN and IBAN are found and removed; phone numbers and other numbers are left alone; masks show little."""

from __future__ import annotations

import pytest

from bot.common.privacy import (
    BSN_REPLACEMENT,
    IBAN_REPLACEMENT,
    find_bsn,
    find_iban,
    is_valid_bsn,
    is_valid_iban,
    mask_email,
    mask_known_contact,
    mask_phone,
    scrub,
)

VALID_BSNS = ["111222333", "123456782", "999999990"]
INVALID_BSNS = ["123456789", "111222334", "000000000", "12345678", "1234567890"]


@pytest.mark.parametrize("bsn", VALID_BSNS)
def test_valid_bsn_passes_the_11_proef(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize("bsn", INVALID_BSNS)
def test_invalid_bsn_fails(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "written",
    [
        "123456782",
        "123.456.782",
        "1234.56.782",
        "123 456 782",
        "12 34 56 782",
        "123-456-782",
    ],
)
def test_bsn_is_found_however_it_is_written(written: str) -> None:
    found = find_bsn(f"Mijn nummer is {written}, klopt dat?")
    assert [f.value for f in found] == ["123456782"]
    assert scrub(f"Mijn nummer is {written}, klopt dat?") == f"Mijn nummer is {BSN_REPLACEMENT}, klopt dat?"


@pytest.mark.parametrize(
    "text",
    [
        "Bel me op 0612345678",
        "Bel me op 06-12345678",
        "Bel me op 06 123 456 78",
        "Bel me op +31 612345609",  # 612345609 passes the 11-proef, but this is a phone number
        "Bel me op 0031 612345609",
        "Bel me op +31 6 1234 5609",
        "Mijn nummer is 123456789",  # nine digits, fails the 11-proef
        "Ik verdien 1.234.567 per jaar",
        "Postcode 3511 AB, huisnummer 12",
        "Ordernummer 1234567820",  # ten digits
    ],
)
def test_phone_numbers_and_other_numbers_are_not_a_bsn(text: str) -> None:
    assert find_bsn(text) == []
    assert BSN_REPLACEMENT not in scrub(text)  # the postcode is taken out as a postcode (tests/test_privacy_details.py)


def test_a_bsn_next_to_a_phone_number_is_still_found() -> None:
    text = "BSN 123456782 06 12345678"
    assert scrub(text) == f"BSN {BSN_REPLACEMENT} 06 12345678"


def test_a_bsn_inside_a_longer_number_is_not_cut_out_but_one_glued_to_words_is() -> None:
    assert find_bsn("1234567821") == []
    # Letters around it do not make it safe to keep: "bsn:123456782" and "nr123456782" are still a BSN.
    assert scrub("bsn:123456782.") == f"bsn:{BSN_REPLACEMENT}."
    assert scrub("nr123456782") == f"nr{BSN_REPLACEMENT}"


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "nl91abna0417164300",
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "BE68539007547034",
        "FR1420041010050500013M02606",
        "GB82WEST12345698765432",
    ],
)
def test_valid_iban_is_found(iban: str) -> None:
    assert is_valid_iban(iban)
    text = f"Stort het op {iban} alsjeblieft."
    assert len(find_iban(text)) == 1
    assert scrub(text) == f"Stort het op {IBAN_REPLACEMENT} alsjeblieft."


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164301",  # wrong check
        "NL91ABNA041716430",  # one character short
        "DE89370400440532013001",
        "XX00ABCD1234567890",
    ],
)
def test_invalid_iban_is_left_alone(iban: str) -> None:
    assert not is_valid_iban(iban)
    assert find_iban(f"Nummer {iban} hier") == []


def test_iban_followed_by_words_is_found_without_the_words() -> None:
    text = "NL91 ABNA 0417 1643 00 en ook nog wat"
    assert scrub(text) == f"{IBAN_REPLACEMENT} en ook nog wat"


def test_text_mixing_everything() -> None:
    text = (
        "Hoi, ik ben Sam. BSN: 111.222.333, rekening NL91ABNA0417164300. Bel 06-12345678 "
        "of mail sam@voorbeeld.nl. Mijn klantnummer 123456789 weet ik niet meer."
    )
    cleaned = scrub(text)
    assert "111.222.333" not in cleaned and "NL91ABNA0417164300" not in cleaned
    assert cleaned.count(BSN_REPLACEMENT) == 1 and cleaned.count(IBAN_REPLACEMENT) == 1
    assert "06-12345678" in cleaned and "123456789" in cleaned and "sam@voorbeeld.nl" in cleaned
    assert find_bsn(text) and find_iban(text) and not find_bsn(cleaned) and not find_iban(cleaned)


def test_scrub_keeps_empty_text() -> None:
    assert scrub("") == ""


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("0612345678", "06-****5678"),
        ("06-12345678", "06-****5678"),
        ("+31612345678", "06-****5678"),
        ("0301234567", "03-****4567"),
        ("12", "**"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "email, masked",
    [
        ("naam@voorbeeld.nl", "n***@voorbeeld.nl"),
        ("a@b.nl", "a***@b.nl"),
        ("geen-adres", "***"),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


def test_the_persons_own_contact_details_are_masked_in_text() -> None:
    text = "Bel me op 06 12 34 56 78 of mail Naam@Voorbeeld.nl. Mijn moeder: 0687654321."
    masked = mask_known_contact(text, "+31612345678", "naam@voorbeeld.nl")
    assert masked == "Bel me op 06-****5678 of mail n***@voorbeeld.nl. Mijn moeder: 0687654321."
