"""Find and remove numbers the assistant must never keep (BSN, IBAN), and mask contact details for display.

The assistant never asks for a BSN, but people type one anyway; everything that is stored passes `scrub` first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

BSN_REPLACEMENT = "[BSN verwijderd]"
IBAN_REPLACEMENT = "[IBAN verwijderd]"

# A run of digits with single spaces, dots or dashes between groups ("123 456 782", "1234.56.782").
_DIGIT_RUN = re.compile(r"(?<![\d])\d+(?:[ .\-]\d+)*(?![\d])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})")

# IBAN length per country (SWIFT IBAN registry). A country that is missing here is tried with every length.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}
IBAN_MIN, IBAN_MAX = 15, 34


@dataclass(frozen=True)
class Finding:
    """One number found in a text: where it is and its digits or characters without separators."""

    kind: str  # "bsn" | "iban"
    start: int
    end: int
    value: str


def is_valid_bsn(digits: str) -> bool:
    """The 11-proef: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11 (and not all zeros)."""
    if not re.fullmatch(r"\d{9}", digits) or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    return total % 11 == 0


def find_bsn(text: str) -> List[Finding]:
    """Every 9-digit number in `text` (with or without dots, spaces or dashes) that passes the 11-proef.

    A longer run is split at its spaces, so "BSN 123456782 06 12345678" still finds the BSN, while the groups of
    a phone number ("+31 6 1234 5678", "06-12345678") never add up to a 9-digit number on their own.
    """
    found: List[Finding] = []
    for run in _DIGIT_RUN.finditer(text or ""):
        if _is_international_phone(text, run):
            continue
        for start, end in _nine_digit_parts(run.group(), run.start()):
            digits = re.sub(r"\D", "", text[start:end])
            if is_valid_bsn(digits):
                found.append(Finding("bsn", start, end, digits))
    return found


def _is_international_phone(text: str, run: "re.Match[str]") -> bool:
    # "+31 612345678" and "0031 612345678" hold a 9-digit group that may pass the 11-proef by chance.
    return (run.start() > 0 and text[run.start() - 1] == "+") or run.group().startswith("00")


def _nine_digit_parts(run: str, offset: int) -> List[tuple]:
    if sum(c.isdigit() for c in run) == 9:
        return [(offset, offset + len(run))]
    parts = []
    for chunk in re.finditer(r"[^ ]+", run):
        if sum(c.isdigit() for c in chunk.group()) == 9:
            parts.append((offset + chunk.start(), offset + chunk.end()))
    return parts


def is_valid_iban(text: str) -> bool:
    """Country code, two check digits and the mod-97 check of ISO 13616; spaces are allowed."""
    iban = re.sub(r"\s", "", text or "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def find_iban(text: str) -> List[Finding]:
    """Every IBAN in `text`, in any country's format, written in one block or in groups of four."""
    text = text or ""
    found: List[Finding] = []
    position = 0
    while True:
        match = _IBAN_START.search(text, position)
        if not match:
            return found
        finding = _iban_at(text, match.start())
        if finding:
            found.append(finding)
            position = finding.end
        else:
            position = match.start() + 1


def _iban_at(text: str, start: int) -> Optional[Finding]:
    country = text[start:start + 2].upper()
    lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else range(IBAN_MAX, IBAN_MIN - 1, -1)
    for length in lengths:
        end = _consume(text, start, length)
        if end is None:
            continue
        if end < len(text) and text[end].isalnum():
            continue  # the number goes on: this is not the end of an IBAN
        candidate = text[start:end]
        if is_valid_iban(candidate):
            return Finding("iban", start, end, re.sub(r"\s", "", candidate).upper())
    return None


def _consume(text: str, start: int, length: int) -> Optional[int]:
    """The end of `length` letters and digits from `start`, allowing one space between them."""
    count, i = 0, start
    while count < length:
        if i < len(text) and text[i].isalnum():
            count, i = count + 1, i + 1
        elif i + 1 < len(text) and text[i] == " " and text[i + 1].isalnum() and count >= 4:
            i += 1
        else:
            return None
    return i


def scrub(text: str) -> str:
    """`text` with every IBAN and BSN replaced by a marker; IBANs first, because they contain long digit runs."""
    if not text:
        return text
    text = _replace(text, find_iban(text), IBAN_REPLACEMENT)
    return _replace(text, find_bsn(text), BSN_REPLACEMENT)


def _replace(text: str, findings: List[Finding], marker: str) -> str:
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[:finding.start] + marker + text[finding.end:]
    return text


def contains_sensitive_number(text: str) -> bool:
    """True when `text` holds a BSN or an IBAN: the assistant can then warn the person not to share it."""
    return bool(find_iban(text or "") or find_bsn(text or ""))


def mask_phone(phone: str) -> str:
    """"0612345678" → "06-****5678": enough for the person to recognise their number, too little to use it."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif digits.startswith("31") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:2]}-{'*' * (len(digits) - 6)}{digits[-4:]}"


def mask_email(email: str) -> str:
    """"naam@voorbeeld.nl" → "n***@voorbeeld.nl"."""
    local, at, domain = (email or "").strip().partition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


_PHONE_RUN = re.compile(r"(?<![\w+])\+?\d[\d .\-()]*\d(?!\d)")


def _national_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0031"):
        return "0" + digits[4:]
    if digits.startswith("31") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


def mask_known_contact(text: str, phone: Optional[str] = None, email: Optional[str] = None) -> str:
    """`text` with this person's own phone number and e-mail address masked.

    Contact details are kept in one place only (the handoff's contact fields); the transcript, where the person
    typed them, keeps a masked copy so the conversation still reads naturally.
    """
    if not text:
        return text
    if email:
        text = re.sub(re.escape(email.strip()), mask_email(email), text, flags=re.IGNORECASE)
    wanted = _national_digits(phone or "")
    if len(wanted) >= 7:
        text = _PHONE_RUN.sub(
            lambda m: mask_phone(wanted) if _national_digits(m.group()) == wanted else m.group(), text)
    return text
