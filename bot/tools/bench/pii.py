"""How well a detector finds personal details in Dutch chat messages: `python -m bot.tools.bench.pii`
(docs/measures/pii.md).

Runs our patterns (bot/common/privacy.py) and, when it is installed, the `deduce` library over
bot/tools/bench/pii_sentences.yml: per kind, how many details were removed completely, and how many sentences
without any were changed anyway.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Tuple, cast

import yaml

SENTENCES = Path(__file__).with_name("pii_sentences.yml")
KINDS = ("name", "address", "postcode", "date")
Spans = List[Tuple[int, int, str]]
Detector = Callable[[str], Spans]


def ours(text: str) -> Spans:
    from bot.common import privacy

    found = [
        *privacy.find_iban(text),
        *privacy.find_bsn(text),
        *privacy.find_date(text),
        *privacy.find_postcode(text),
        *privacy.find_address(text),
    ]
    return [(f.start, f.end, f.kind) for f in found]


def deduce_detector() -> Detector:
    from deduce import Deduce

    model = Deduce()
    return lambda text: [(a.start_char, a.end_char, a.tag) for a in model.deidentify(text).annotations]


def measure(detect: Detector) -> Dict[str, object]:
    """Per kind: details found completely / all details; false positives: sentences without details that got a span."""
    sentences = yaml.safe_load(SENTENCES.read_text(encoding="utf-8"))
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_positives: List[str] = []
    started = time.perf_counter()
    for sentence in sentences:
        text, spans = sentence["text"], detect(sentence["text"])
        if sentence.get("none"):
            if spans:
                false_positives.append(f"{text} → {', '.join(f'{text[s:e]} ({k})' for s, e, k in spans)}")
            continue
        for kind in KINDS:
            for detail in sentence.get(kind, []):
                start = text.index(detail)
                total[kind] += 1
                covered = {i for s, e, _ in spans for i in range(s, e)}
                found[kind] += all(i in covered for i in range(start, start + len(detail)) if not text[i].isspace())
    clean = sum(1 for s in sentences if s.get("none"))
    return {
        "found": found,
        "total": total,
        "false_positives": false_positives,
        "clean": clean,
        "ms_per_sentence": 1000 * (time.perf_counter() - started) / len(sentences),
    }


def table(results: Dict[str, Dict[str, object]]) -> str:
    lines = [
        "| detector | " + " | ".join(KINDS) + " | false positives | ms per sentence |",
        "|---" * (len(KINDS) + 3) + "|",
    ]
    for name, r in results.items():
        cells = [f"{r['found'][k]}/{r['total'][k]}" for k in KINDS]  # type: ignore[index]
        fp = f"{len(r['false_positives'])}/{r['clean']}"  # type: ignore[arg-type]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {fp} | {r['ms_per_sentence']:.1f} |")
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    results = {"bot/common/privacy.py patterns": measure(ours)}
    try:
        results["deduce"] = measure(deduce_detector())
    except ImportError:
        print("deduce is not installed: only our patterns are measured", file=sys.stderr)
    print(table(results))
    for name, r in results.items():
        for line in cast(List[str], r["false_positives"]):
            print(f"- {name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
