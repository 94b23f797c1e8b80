"""Finds a handoff's reference code anywhere in a message: "wat is de status van ww-7k3m-q9", "WW7K3MQ9",
"ww 7k3m q9", or the bare code — so a person who comes back with their code is understood in any conversation.
Whether the code is right (its check character) is for the status answer to say, with help when it is mistyped.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.handoff.codes import ALPHABET, PREFIX, is_valid_code, normalise_code

_SEP = r"[\s\-._]?"
# "WW", four characters, two characters, with or without a dash or space between; letters of any case.
_WITH_PREFIX = re.compile(rf"\b{PREFIX}{_SEP}([A-Z0-9]{{4}}){_SEP}([A-Z0-9]{{2}})\b", re.IGNORECASE)
# A code that is not quite right ("WW-7K3M-Q", "ww-7k0m-qn"): "WW", then characters with at least one digit.
_MISTYPED = re.compile(rf"\b{PREFIX}[\-._]?(?=[A-Z]*\d)([A-Z0-9]{{2,5}}(?:[\-._ ][A-Z0-9]{{1,4}})?)\b", re.IGNORECASE)
# Without "WW" only in its own shape: "7k3m-qn" inside a sentence, or the six characters alone.
_DASHED = re.compile(rf"\b([{ALPHABET}]{{4}})-([{ALPHABET}]{{2}})\b", re.IGNORECASE)
_BARE = re.compile(rf"^\s*([{ALPHABET}]{{4}})[\s\-]?([{ALPHABET}]{{2}})\s*[.!?]?\s*$", re.IGNORECASE)


def find_code(text: str) -> Optional[str]:
    """The code in the message (normalised when well-formed, else as typed in capitals), or None."""
    text = text or ""
    for match in _WITH_PREFIX.finditer(text):
        raw = f"{PREFIX}{match.group(1)}{match.group(2)}"
        if _mixed(raw[len(PREFIX) :]):
            return normalise_code(raw) or _compact(raw)  # with a digit: a code, right or mistyped
        if is_valid_code(raw) or match.group(0).count("-") == 2:
            # letters only ("de WW is op en …" is no code): a right one, or one written as WW-XXXX-XX
            return normalise_code(raw) or _compact(raw)
    mistyped = _MISTYPED.search(text)
    if mistyped:
        return _compact(f"{PREFIX}-{mistyped.group(1)}")
    for bare in (_BARE.match(text), _DASHED.search(text)):
        if bare and _mixed(bare.group(1) + bare.group(2)):
            return normalise_code(bare.group(1) + bare.group(2))
    return None


def _mixed(chars: str) -> bool:
    return any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars)


def _compact(raw: str) -> str:
    """A code as typed, in capitals, in the usual shape when it has the usual length."""
    chars = re.sub(r"[\s\-._]", "", raw).upper()[len(PREFIX) :]
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}" if len(chars) == 6 else f"{PREFIX}-{chars}"
