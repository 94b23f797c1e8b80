"""Reference codes a person can read out on the phone, like WW-7K3M-Q9: five random characters and a check.

The alphabet leaves out characters that look alike (0/O, 1/I/L, 5/S, 8/B, 2/Z, 6/G, U/V, Y/V), so it has
23 characters. 23 is prime, so the weighted check character catches every single typo and every swap of two
neighbours.
"""

from __future__ import annotations

import re
import secrets
from typing import Callable, Optional

ALPHABET = "ACDEFHJKMNPQRTVWX234679"
PREFIX = "WW"
RANDOM_LENGTH = 5
_MODULUS = len(ALPHABET)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_INVERSE_OF_LAST_WEIGHT = pow(RANDOM_LENGTH + 1, -1, _MODULUS)


def check_character(body: str) -> str:
    """The character that makes Σ position × value a multiple of 23 (positions 1–6, the check being 6)."""
    total = sum((i + 1) * _VALUE[c] for i, c in enumerate(body))
    return ALPHABET[(-total * _INVERSE_OF_LAST_WEIGHT) % _MODULUS]


def _format(body: str, check: str) -> str:
    return f"{PREFIX}-{body[:4]}-{body[4:]}{check}"


def new_code() -> str:
    """A fresh random code (not yet checked against the database: see `unique_code`)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _format(body, check_character(body))


def unique_code(exists: Callable[[str], bool], attempts: int = 20) -> str:
    """A new code for which `exists(code)` is False; 6.4 million codes make a second try already rare."""
    for _ in range(attempts):
        code = new_code()
        if not exists(code):
            return code
    raise RuntimeError(f"geen vrije referentiecode gevonden na {attempts} pogingen")


def normalise_code(text: str) -> Optional[str]:
    """ "ww 7k3m q9", "7K3MQ9" or "WW-7K3M-Q9" → "WW-7K3M-Q9"; None when it cannot be a code (check not tested)."""
    compact = re.sub(r"[\s\-._/]", "", (text or "")[:40]).upper()
    if compact.startswith(PREFIX) and len(compact) == len(PREFIX) + RANDOM_LENGTH + 1:
        compact = compact[len(PREFIX) :]
    if len(compact) != RANDOM_LENGTH + 1 or any(c not in _VALUE for c in compact):
        return None
    return _format(compact[:-1], compact[-1])


def is_valid_code(text: str) -> bool:
    """True when `text` is a well-formed code whose check character matches."""
    code = normalise_code(text)
    if code is None:
        return False
    compact = code.replace("-", "")[len(PREFIX) :]
    return check_character(compact[:-1]) == compact[-1]
