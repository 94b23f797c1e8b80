"""The person's situation as they told it (why no benefit, beperking, work history), for the consulent's summary.

Picked from the person's own messages with the patterns in knowledge/handoff/situation.yml; nothing is asked.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from bot.common import content
from bot.common.privacy import scrub


def _patterns() -> Dict[str, Any]:
    return content.load("handoff/situation.yml")


def _labels(kind: str, text: str) -> List[str]:
    return [entry["text"] for entry in _patterns()[kind] if any(re.search(p, text) for p in entry["patterns"])]


def _work_history(text: str) -> List[str]:
    found = []
    for pattern in _patterns()["work_history"]:
        for match in re.finditer(pattern, text):
            found.append(match.group(0).strip())
    return found


def told_age(text: str) -> Optional[int]:
    """The age the person gave for themselves or the person they ask for ("ik ben 47", "mijn zoon van 19",
    "ik ben een vrouw van 52"), or None. Only ages from 14 to 99; "ik ben 20 uur per week" is no age."""
    lowered = (text or "").lower()
    for pattern in _patterns()["age"]:
        match = re.search(pattern, lowered)
        if match and 14 <= int(match.group("age")) <= 99:
            return int(match.group("age"))
    return None


def told_wish(text: str) -> Optional[str]:
    """What the person said she wants ("ik wil graag weer een paar uur per week werken" gives "weer een paar uur
    per week werken"), scrubbed, or None."""
    for pattern in _patterns()["wish"]:
        match = re.search(pattern, (text or "").lower())
        if match:
            return scrub(match.group("wish")).strip()
    return None


def situation(messages: Iterable[str]) -> Dict[str, str]:
    """`answers` entries for build_summary from what the person wrote; keys only for what was told."""
    text = " ".join(m.lower() for m in messages if m and not m.startswith("/"))
    age = told_age(text)
    parts = {
        "why_no_benefit": _labels("why_no_benefit", text),
        "beperking": _labels("beperking", text),
        "work_history": [scrub(w) for w in _work_history(text)],
        "age": [f"{age} jaar"] if age else [],
    }
    return {key: "; ".join(dict.fromkeys(values)) for key, values in parts.items() if values}
