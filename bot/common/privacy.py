"""Find and remove what the assistant must never keep (BSN, IBAN, street address, postcode, a full date such as a
birth date), and mask contact details for display.

The assistant never asks for these, but people type them anyway; everything that is stored passes `scrub` first.
Names are not removed: no detector finds them reliably in short Dutch chat messages (docs/measures/pii.md), and
the handoff asks for a first name on purpose; the privacy answer says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple

import phonenumbers

BSN_REPLACEMENT = "[BSN verwijderd]"
IBAN_REPLACEMENT = "[IBAN verwijderd]"
ADDRESS_REPLACEMENT = "[adres verwijderd]"
POSTCODE_REPLACEMENT = "[postcode verwijderd]"
DATE_REPLACEMENT = "[datum verwijderd]"
NUMBER_KINDS = frozenset({"bsn", "iban"})
DETAIL_KINDS = frozenset({"address", "postcode", "date"})

# Between the groups of a typed number: up to three spaces, dots, slashes, underscores or dashes
# ("123  456  708", "123/456/721", "123_456_733", "NL64-ABNA-0417-1643-01").
_SEPARATOR = r"[\s./_\-]{1,3}"
_DIGIT_RUN = re.compile(rf"(?<![\d])\d+(?:{_SEPARATOR}\d+)*(?![\d])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})")

# IBAN length per country (SWIFT IBAN registry). A country that is missing here is tried with every length.
IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NL": 18,
    "NO": 15,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "SA": 24,
    "SC": 31,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
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
    """Every 9-digit number in `text` (in one block or in groups, see _SEPARATOR; also after a "+") that passes the
    11-proef.

    A longer run is searched for groups that add up to exactly 9 digits, so "BSN 123456782 06 12345678" still finds
    the BSN; a run that is a valid phone number as a whole ("+31 6 1234 5678", "06-12345678") is left alone.
    """
    found: List[Finding] = []
    for run in _DIGIT_RUN.finditer(text or ""):
        plus = run.start() > 0 and text[run.start() - 1] == "+"
        if sum(c.isdigit() for c in run.group()) == 9:
            parts = [(run.start(), run.end())]
        elif _is_phone_number(("+" if plus else "") + run.group()):
            continue
        else:
            parts = _nine_digit_parts(run.group(), run.start())
        for start, end in parts:
            digits = re.sub(r"\D", "", text[start:end])
            if is_valid_bsn(digits) and not (plus and _is_phone_number("+" + digits)):
                found.append(Finding("bsn", start - (1 if plus and start == run.start() else 0), end, digits))
    return found


def _is_phone_number(candidate: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(candidate, "NL"))
    except phonenumbers.NumberParseException:
        return False


def _nine_digit_parts(run: str, offset: int) -> List[Tuple[int, int]]:
    """Consecutive groups of `run` with 9 digits together (groups are split at any separator)."""
    groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run)]
    parts = []
    for i in range(len(groups)):
        digits = 0
        for j in range(i, len(groups)):
            digits += groups[j][1] - groups[j][0]
            if digits == 9:
                parts.append((offset + groups[i][0], offset + groups[j][1]))
            if digits >= 9:
                break
    return parts


def is_valid_iban(text: str) -> bool:
    """Country code, two check digits and the mod-97 check of ISO 13616; spaces are allowed."""
    iban = re.sub(r"[\s./_\-]", "", text or "").upper()
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
    country = text[start : start + 2].upper()
    lengths = [IBAN_LENGTHS[country]] if country in IBAN_LENGTHS else range(IBAN_MAX, IBAN_MIN - 1, -1)
    for length in lengths:
        end = _consume(text, start, length)
        if end is None:
            continue
        if end < len(text) and text[end].isalnum():
            continue  # the number goes on: this is not the end of an IBAN
        candidate = text[start:end]
        if is_valid_iban(candidate):
            return Finding("iban", start, end, re.sub(r"[\s./_\-]", "", candidate).upper())
    return None


def _consume(text: str, start: int, length: int) -> Optional[int]:
    """The end of `length` letters and digits from `start`, allowing one space between them, and any separator
    (_SEPARATOR) between the groups of four in which an IBAN is printed."""
    count, i = 0, start
    while count < length:
        if i < len(text) and text[i].isalnum():
            count, i = count + 1, i + 1
            continue
        gap = re.match(_SEPARATOR, text[i : i + 3]) if count >= 4 else None
        width = gap.end() if gap else 0
        if (
            gap
            and i + width < len(text)
            and text[i + width].isalnum()
            and ((width == 1 and text[i] == " ") or count % 4 == 0)
        ):
            i += width
        else:
            return None
    return i


# A Dutch postcode: four digits (not starting with 0), then two letters. "2015 in" is a year and a word: two
# lowercase letters after a space count only when they are not a common Dutch word.
_POSTCODE = re.compile(r"(?<![\w-])[1-9]\d{3}(?P<space> ?)(?P<letters>[A-Za-z]{2})(?![\w-])")
# A reference code typed with spaces, "ww 6944 hn", holds a postcode's shape after its "WW" (bot/handoff/codes.py):
# it is the person's code, which they need to be understood, not where they live.
_CODE_PREFIX_BEFORE = re.compile(r"\bWW[\s._]?$", re.IGNORECASE)
_SHORT_WORDS = frozenset(
    [
        "af",
        "al",
        "an",
        "as",
        "at",
        "bv",
        "de",
        "dm",
        "en",
        "er",
        "et",
        "ex",
        "ga",
        "gr",
        "he",
        "hm",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "jl",
        "kg",
        "km",
        "me",
        "mg",
        "ml",
        "mm",
        "na",
        "nl",
        "nu",
        "of",
        "oh",
        "ok",
        "om",
        "on",
        "op",
        "pm",
        "te",
        "to",
        "tv",
        "uw",
        "we",
        "wo",
        "xl",
        "za",
        "ze",
        "zo",
    ]
)

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
# A full date: day, month and year (a birth date, or any date precise enough to pick a person out).
_DATE = re.compile(
    r"(?<![\d\-/.])(?:"
    r"(?P<d>[0-3]?\d)(?P<sep>[-/.])(?P<m>[01]?\d)(?P=sep)(?P<y>(?:19|20)\d\d|\d\d)"
    r"|(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)"
    rf"|(?P<wd>[0-3]?\d)(?:e|ste|de)?\s+(?P<wm>{_MONTHS})\.?\s+(?P<wy>(?:19|20)\d\d)"
    r")(?![\d\-/.]?\d)",
    re.IGNORECASE,
)

# A street and house number: a street name ending in a word for a street ("Kerkstraat", "Van Speijkstraat",
# "Jan Pieterszoon Coenstraat"), or one starting with such a word ("Laan van Nieuw Oost-Indië"), then a number.
_STREET_WORDS = (
    "straat|laan|weg|plein|gracht|kade|singel|dijk|pad|hof|steeg|dreef|park|ring|baan|markt|"
    "plantsoen|wal|erf|haven|allee|boulevard|vaart|vliet|werf|promenade|passage|zijde|straatweg"
)
_NAME_WORD = r"(?:[A-Z][\w'’.\-]*|van|der|den|de|het|'t|ten|ter|op|aan|in)"
_STREET = (
    rf"(?:(?:[A-Z][\w'’.\-]*\s+)(?:{_NAME_WORD}\s+){{0,3}})?[\w'’\-]*(?i:{_STREET_WORDS})"
    rf"|(?:Laan|Plein|Hof|Kade|Weg|Dijk|Singel|Park|Dreef|Ring|Markt)(?:\s+{_NAME_WORD}){{1,4}}"
)
_HOUSE_NUMBER = r"[1-9]\d{0,4}(?:[-/ ]?(?:bis|hs|[A-Za-z](?![A-Za-z])|[IVX]{1,3}\b|\d{1,3}\b(?!\s?[A-Za-z]{2}\b)))?"
_NOT_A_HOUSE = (
    r"(?!\s*(?:uur|jaar|keer|dag|dagen|week|weken|maand|maanden|minuten|min|euro|km|kilometer|meter|"
    r"procent|%|x)\b)"
)
_ADDRESS = re.compile(rf"(?<![\w-])(?:{_STREET})\s+{_HOUSE_NUMBER}\b{_NOT_A_HOUSE}")


def find_postcode(text: str) -> List[Finding]:
    """Every Dutch postcode ("3512 AB", "3512ab"); see _POSTCODE for how years followed by a word are kept."""
    found = []
    for match in _POSTCODE.finditer(text or ""):
        letters = match.group("letters")
        if match.group("space") and letters.islower() and letters in _SHORT_WORDS:
            continue
        if letters.upper() in ("SA", "SD", "SS"):  # never used in Dutch postcodes
            continue
        if _CODE_PREFIX_BEFORE.search(text[: match.start()]):
            continue
        found.append(Finding("postcode", match.start(), match.end(), match.group().upper()))
    return found


def find_date(text: str) -> List[Finding]:
    """Every full date with day, month and year ("12-03-1985", "3 maart 1985", "1985-03-12")."""
    found = []
    for match in _DATE.finditer(text or ""):
        day = match.group("d") or match.group("id") or match.group("wd")
        month = match.group("m") or match.group("im")
        if 1 <= int(day) <= 31 and (month is None or 1 <= int(month) <= 12):
            found.append(Finding("date", match.start(), match.end(), match.group()))
    return found


def find_address(text: str) -> List[Finding]:
    """Every street with a house number ("Kerkstraat 12", "Havenweg 8-2", "Laan van Nieuw Oost-Indië 45")."""
    return [Finding("address", m.start(), m.end(), m.group()) for m in _ADDRESS.finditer(text or "")]


_FINDERS = (
    (find_iban, IBAN_REPLACEMENT),
    (find_bsn, BSN_REPLACEMENT),
    (find_date, DATE_REPLACEMENT),
    (find_postcode, POSTCODE_REPLACEMENT),
    (find_address, ADDRESS_REPLACEMENT),
)


def scrub_with_kinds(text: str) -> Tuple[str, FrozenSet[str]]:
    """`text` with every IBAN, BSN, full date, postcode and street address replaced by a marker, and the kinds
    that were found. IBANs first (they hold long digit runs), dates before postcodes and addresses."""
    kinds = set()
    for find, marker in _FINDERS:
        findings = find(text) if text else []
        if findings:
            kinds.add(findings[0].kind)
            text = _replace(text, findings, marker)
    return text, frozenset(kinds)


def scrub(text: str) -> str:
    """`text` with everything the assistant must not keep replaced by a marker (scrub_with_kinds)."""
    return scrub_with_kinds(text)[0]


def _replace(text: str, findings: List[Finding], marker: str) -> str:
    last = len(text) + 1
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        if finding.end > last:  # overlaps the one replaced after it
            continue
        text, last = text[: finding.start] + marker + text[finding.end :], finding.start
    return text


def mask_phone(phone: str) -> str:
    """ "0612345678" → "06-****5678": enough for the person to recognise their number, too little to use it."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif digits.startswith("31") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:2]}-{'*' * (len(digits) - 6)}{digits[-4:]}"


def mask_email(email: str) -> str:
    """ "naam@voorbeeld.nl" → "n***@voorbeeld.nl"."""
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
            lambda m: mask_phone(wanted) if _national_digits(m.group()) == wanted else m.group(), text
        )
    return text


PHONE_REPLACEMENT = "[telefoonnummer weg]"
EMAIL_REPLACEMENT = "[e-mail weg]"
NAME_REPLACEMENT = "[naam]"
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_MASKED_PHONE = re.compile(r"\b\d{2}-\*+\d{2,4}\b")  # as the conversation keeps a typed number (mask_phone)
_INTRODUCED = re.compile(
    r"\b(?P<lead>(?i:ik heet|mijn naam is|ik ben|groet(?:en|jes)?,?|(?:met )?vriendelijke groet,?))\s+"
    r"(?P<name>[A-Z][\w'’\-]+(?:\s+(?:(?:van|de|der|den|ter|ten|het|'t)\s+)*[A-Z][\w'’\-]+)*)"
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’\-]*")


def anonymise(text: str, known_words: FrozenSet[str] = frozenset()) -> str:
    """`text` for people who must not know who wrote it (a question the assistant could not answer, shown to the
    gemeente's editor): `scrub`, then every phone number, e-mail address and what looks like a name replaced.

    A name is a capitalised word introduced as one ("ik heet …", "groetjes …"), or a capitalised word inside a
    sentence that is not in `known_words` (lower case: the words of the assistant's own texts and training data,
    and place names). No detector finds names reliably in short Dutch messages (docs/measures/pii.md): this errs
    on the side of removing a word too many."""
    text = scrub(text or "")
    text = _EMAIL.sub(EMAIL_REPLACEMENT, text)
    matches = list(phonenumbers.PhoneNumberMatcher(text, "NL"))
    for match in reversed(matches):
        text = text[: match.start] + PHONE_REPLACEMENT + text[match.end :]
    text = _MASKED_PHONE.sub(PHONE_REPLACEMENT, text)
    text = _INTRODUCED.sub(lambda m: f"{m.group('lead')} {NAME_REPLACEMENT}", text)

    def unknown_name(match: "re.Match[str]") -> str:
        word, before = match.group(), text[: match.start()].rstrip()
        starts_sentence = not before or before[-1] in ".!?:;\n\"'(" or before.endswith(NAME_REPLACEMENT)
        if not word[0].isupper() or starts_sentence or word.lower() in known_words or word.isupper():
            return word
        return NAME_REPLACEMENT

    text = _WORD.sub(unknown_name, text)
    return re.sub(rf"(?:{re.escape(NAME_REPLACEMENT)}\s*)+", NAME_REPLACEMENT + " ", text).strip()
