"""`python -m bot content report`: what a content editor must review (general-knowledge facts, check dates)."""

from __future__ import annotations

import sys
from typing import List

from bot.conversation.knowledge import Library, library


def report(lib: Library) -> List[str]:
    lines = []
    articles = list(lib.articles.values()) + [a for local in lib.local.values() for a in local.values()]
    for article in articles:
        for fact in article.general_knowledge:
            lines.append(f"{article.path}\t{article.checked}\t{fact}")
    return lines


def main(argv: List[str]) -> int:
    if argv not in ([], ["report"]):
        print("Gebruik: python -m bot content report", file=sys.stderr)
        return 2
    lines = report(library())
    print("Feiten die niet in het onderzoek staan (algemene kennis), ter controle:")
    print("bestand\tgecontroleerd op\tfeit")
    print("\n".join(lines))
    print(f"\n{len(lines)} feiten in {len(library().articles)} artikelen.")
    return 0
