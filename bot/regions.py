"""Gemeenten, their arbeidsmarktregio, and finding a gemeente in what people type.

Data: knowledge/regions/ (CBS 2020 gemeenten, the 2015 region table, merges.csv, synonyms.yml; see SOURCES.md).
Run `python -m bot.regions` (or `python -m bot socialmap regions-report`) to list gemeenten without a region.
"""
from __future__ import annotations

import csv
import difflib
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

from bot import settings

MAX_INPUT_LENGTH = 500
FUZZY_CUTOFF = 0.8
# Two fuzzy matches this close to each other are equally likely: ask instead of choosing.
FUZZY_TIE = 0.03
MIN_FUZZY_LENGTH = 4
LANDELIJK = "NL"


@dataclass(frozen=True)
class Arbeidsmarktregio:
    code: str  # AR01–AR35: the number in Bijlage 3 of the 2015 Besluit werkgebieden UWV
    number: int
    name: str


@dataclass(frozen=True)
class Gemeente:
    code: str  # CBS code, GMxxxx
    name: str  # the name people know: CBS name without "(gemeente)"
    cbs_name: str
    province: str
    arbeidsmarktregio: Optional[Arbeidsmarktregio]


@dataclass(frozen=True)
class RegionProblem:
    """A gemeente without a region, a note on a merge, or a data error in merges.csv."""

    severity: str  # "geen regio" | "let op" | "datafout"
    subject: str
    detail: str


@dataclass(frozen=True)
class Resolution:
    """What a piece of text says about the gemeente: one gemeente, a few candidates, or nothing."""

    gemeente: Optional[Gemeente] = None
    candidates: Tuple[Gemeente, ...] = ()
    matched: str = ""  # the words in the input that matched
    how: str = ""  # naam | synoniem | voormalige gemeente | kern | typfout

    @property
    def found(self) -> bool:
        return self.gemeente is not None

    @property
    def ambiguous(self) -> bool:
        return self.gemeente is None and len(self.candidates) > 1


@dataclass
class RegionData:
    gemeenten: Dict[str, Gemeente]
    regios: Dict[str, Arbeidsmarktregio]
    problems: List[RegionProblem]
    index: Dict[str, Set[str]] = field(default_factory=dict)  # normalised name → CBS codes
    longest_name: int = 1  # in words, so a sentence is only cut into pieces that could be a name
    how: Dict[str, str] = field(default_factory=dict)  # normalised name → how it is known
    config: Dict[str, List[str]] = field(default_factory=dict)


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, every other non-letter a single space."""
    text = unicodedata.normalize("NFKD", text[:MAX_INPUT_LENGTH])
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’‘`´]", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _read_csv(path: Path, delimiter: str = ";") -> List[Dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _display_name(cbs_name: str) -> str:
    return cbs_name.replace(" (gemeente)", "")


def _base_name(cbs_name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", cbs_name)


def _build_regions(folder: Path) -> Tuple[Dict[str, Gemeente], Dict[str, Arbeidsmarktregio], List[RegionProblem]]:
    cbs = [r for r in _read_csv(folder / "gemeenten-2020.csv") if (r.get("municipalityCode") or "").startswith("GM")]
    code_by_name = {r["municipalityName"]: r["municipalityCode"] for r in cbs}
    regios: Dict[str, Arbeidsmarktregio] = {}
    regio_of_2015: Dict[str, Arbeidsmarktregio] = {}
    for row in _read_csv(folder / "arbeidsmarktregios-2015.csv"):
        number = int(row["regio_nummer"])
        regio = Arbeidsmarktregio(code=f"AR{number:02d}", number=number, name=row["regio_naam"])
        regios[regio.code] = regio
        for name in row["gemeenten"].split("|"):
            regio_of_2015[name.strip()] = regio

    problems: List[RegionProblem] = []
    continuing: Dict[str, List[str]] = {}  # 2020 name → 2015 names of the same gemeente
    absorbed: Dict[str, List[str]] = {}  # 2020 name → 2015 names that went into it
    for row in _read_csv(folder / "merges.csv"):
        old, new = row["old_name"], row["new_name"]
        if old not in regio_of_2015:
            problems.append(RegionProblem("datafout", old, "merges.csv: oude naam staat niet in de tabel van 2015"))
        if new not in code_by_name:
            problems.append(RegionProblem("datafout", new, "merges.csv: nieuwe naam staat niet in de CBS-lijst 2020"))
        target = continuing if row["kind"] in ("spelling", "rename") else absorbed
        target.setdefault(new, []).append(old)
    accounted = {old for olds in list(continuing.values()) + list(absorbed.values()) for old in olds}
    for old in sorted(set(regio_of_2015) - set(code_by_name) - accounted):
        problems.append(RegionProblem("datafout", old, "naam uit 2015 komt niet voor in 2020 en niet in merges.csv"))

    gemeenten: Dict[str, Gemeente] = {}
    for row in cbs:
        name = row["municipalityName"]
        regio = _region_for(name, regio_of_2015, continuing.get(name, []), absorbed.get(name, []), problems)
        gemeente = Gemeente(row["municipalityCode"], _display_name(name), name, row["provinceName"], regio)
        gemeenten[gemeente.code] = gemeente
    return gemeenten, regios, problems


def _region_for(
    name: str,
    regio_of_2015: Dict[str, Arbeidsmarktregio],
    continuing: Sequence[str],
    absorbed: Sequence[str],
    problems: List[RegionProblem],
) -> Optional[Arbeidsmarktregio]:
    """The region by the rules in knowledge/regions/SOURCES.md; anything unsure goes into `problems`."""
    own = {regio_of_2015[n] for n in [name, *continuing] if n in regio_of_2015}
    parts = {n: regio_of_2015[n] for n in absorbed if n in regio_of_2015}
    if len(own) == 1:
        regio = next(iter(own))
        others = sorted(f"{n} ({r.name})" for n, r in parts.items() if r != regio)
        if others:
            problems.append(RegionProblem(
                "let op", name, f"eigen regio {regio.name} gebruikt; opgegaan uit een andere regio: {', '.join(others)}"
            ))
        return regio
    if len(own) > 1:
        problems.append(RegionProblem("geen regio", name, "meer dan één regio voor dezelfde gemeente in 2015"))
        return None
    if not parts:
        problems.append(RegionProblem("geen regio", name, "staat niet in de tabel van 2015 en niet in merges.csv"))
        return None
    if len(set(parts.values())) == 1:
        return next(iter(parts.values()))
    listed = ", ".join(sorted(f"{n} → {r.name}" for n, r in parts.items()))
    problems.append(RegionProblem("geen regio", name, f"samengevoegd uit verschillende regio's: {listed}"))
    return None


def _strip_ignored(key: str, config: Dict[str, List[str]]) -> str:
    """Drop words around a name that do not change it, as often as they occur ("in de gemeente Utrecht")."""
    words = key.split()
    changed = True
    while changed:
        changed = False
        for before in config["ignore_before"]:
            size = len(before.split())
            if len(words) > size and " ".join(words[:size]) == before:
                words, changed = words[size:], True
        for after in config["ignore_after"]:
            size = len(after.split())
            if len(words) > size and " ".join(words[-size:]) == after:
                words, changed = words[:-size], True
    return " ".join(words)


def _add(data: RegionData, name: str, codes: Iterable[str], how: str) -> None:
    key = _strip_ignored(normalise(name), data.config)
    if not key:
        return
    if key not in data.index:
        data.how[key] = how
    data.index.setdefault(key, set()).update(codes)


def _build_index(data: RegionData, folder: Path) -> None:
    synonyms = yaml.safe_load((folder / "synonyms.yml").read_text(encoding="utf-8"))
    data.config = {k: [normalise(str(w)) for w in synonyms.get(k, [])] for k in (
        "ignore_before", "ignore_after", "needs_context", "location_words", "not_after")}
    by_cbs_name = {g.cbs_name: g.code for g in data.gemeenten.values()}
    for g in data.gemeenten.values():
        _add(data, g.cbs_name, [g.code], "naam")
        _add(data, g.name, [g.code], "naam")
    # Base names ("Bergen" for "Bergen (NH.)") may point at several gemeenten: that is the ambiguity we want.
    for g in data.gemeenten.values():
        _add(data, _base_name(g.cbs_name), [g.code], "naam")
    for name, codes in (synonyms.get("names") or {}).items():
        _add(data, str(name), [codes] if isinstance(codes, str) else codes, "synoniem")
    for row in _read_csv(folder / "merges.csv"):
        if row["new_name"] in by_cbs_name:
            how = "naam" if row["kind"] == "spelling" else "voormalige gemeente"
            _add(data, row["old_name"], [by_cbs_name[row["new_name"]]], how)
    for code, names in (synonyms.get("kernen") or {}).items():
        for name in names:
            _add(data, str(name), [code], "kern")


@lru_cache(maxsize=4)
def load(folder: Optional[Path] = None) -> RegionData:
    """All region data, read once per folder (default: KNOWLEDGE_DIR/regions)."""
    folder = folder or settings.KNOWLEDGE_DIR / "regions"
    gemeenten, regios, problems = _build_regions(folder)
    data = RegionData(gemeenten=gemeenten, regios=regios, problems=problems)
    _build_index(data, folder)
    data.longest_name = max(len(k.split()) for k in data.index)
    return data


def get_gemeente(code: str) -> Optional[Gemeente]:
    return load().gemeenten.get((code or "").strip().upper())


def get_arbeidsmarktregio(code: str) -> Optional[Arbeidsmarktregio]:
    return load().regios.get((code or "").strip().upper())


def gemeenten_in_regio(regio_code: str) -> List[Gemeente]:
    """The 2020 gemeenten whose region is `regio_code`, by name."""
    found = [g for g in load().gemeenten.values() if g.arbeidsmarktregio and g.arbeidsmarktregio.code == regio_code]
    return sorted(found, key=lambda g: g.name)


def region_report() -> List[RegionProblem]:
    """Every gemeente without a region, every merge note, every data error in the region files."""
    return list(load().problems)


def _resolution(data: RegionData, codes: Iterable[str], matched: str, how: str) -> Resolution:
    found = sorted((data.gemeenten[c] for c in set(codes)), key=lambda g: g.name)
    if len(found) == 1:
        return Resolution(gemeente=found[0], candidates=tuple(found), matched=matched, how=how)
    return Resolution(candidates=tuple(found), matched=matched, how=how)


def _fuzzy(data: RegionData, key: str) -> Resolution:
    if len(key) < MIN_FUZZY_LENGTH:
        return Resolution()
    scored = sorted(
        ((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in
         difflib.get_close_matches(key, data.index.keys(), n=8, cutoff=FUZZY_CUTOFF)),
        reverse=True,
    )
    if not scored:
        return Resolution()
    best = scored[0][0]
    codes = {c for score, k in scored if best - score <= FUZZY_TIE for c in data.index[k]}
    return _resolution(data, codes, key, "typfout")


def resolve_gemeente(text: str) -> Resolution:
    """The gemeente `text` names ("Den Bosch", "gemeente Utrecht", "Utrect"), or candidates when unsure."""
    data = load()
    code = (text or "").strip().upper()
    if re.fullmatch(r"GM\d{4}", code) and code in data.gemeenten:
        return _resolution(data, [code], code, "code")
    key = _strip_ignored(normalise(text or ""), data.config)
    if not key:
        return Resolution()
    if key in data.index:
        return _resolution(data, data.index[key], key, data.how[key])
    return _fuzzy(data, key)


def _capitalised_in(original: str, words: str) -> bool:
    """True when `words` appears with a capital letter and not at the start of a sentence."""
    pattern = r"\b" + r"\W+".join(re.escape(w) for w in words.split()) + r"\b"
    for match in re.finditer(pattern, original, flags=re.IGNORECASE):
        before = original[: match.start()].rstrip()
        if original[match.start()].isupper() and before and before[-1] not in ".!?":
            return True
    return False


def find_gemeente_in_text(text: str) -> Resolution:
    """A gemeente named somewhere in a sentence ("is er in Houten een jobcoach?"); longest names first."""
    data = load()
    original = (text or "")[:MAX_INPUT_LENGTH]
    tokens = normalise(original).split()
    location_words = set(data.config["location_words"])
    not_after = set(data.config["not_after"])
    needs_context = set(data.config["needs_context"])
    taken: Set[int] = set()
    hits: List[Tuple[str, FrozenSet[str]]] = []
    for size in range(min(data.longest_name, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            span = set(range(start, start + size))
            key = " ".join(tokens[start:start + size])
            if span & taken or key not in data.index:
                continue
            before = tokens[start - 1] if start else ""
            if before in not_after:
                continue
            alone = size == len(tokens)
            if key in needs_context and not alone and before not in location_words \
                    and not _capitalised_in(original, key):
                continue
            taken |= span
            hits.append((key, frozenset(data.index[key])))
    if hits:
        codes = set().union(*(codes for _, codes in hits))
        how = data.how[hits[0][0]] if len(hits) == 1 else "naam"
        return _resolution(data, codes, " / ".join(k for k, _ in hits), how)
    return _fuzzy_in_sentence(data, tokens, location_words)


def _fuzzy_in_sentence(data: RegionData, tokens: List[str], location_words: Set[str]) -> Resolution:
    """Typos are only tried right after a place word ("in Hoten"): elsewhere every word would look like a town."""
    for i, token in enumerate(tokens[:-1]):
        if token not in location_words:
            continue
        for size in (3, 2, 1):
            words = tokens[i + 1:i + 1 + size]
            if len(words) == size:
                result = _fuzzy(data, " ".join(words))
                if result.candidates:
                    return result
    return Resolution()


def main(argv: Optional[List[str]] = None) -> int:
    """Print the region report; exit code 1 when a region file has a data error."""
    problems = region_report()
    data = load()
    with_region = sum(1 for g in data.gemeenten.values() if g.arbeidsmarktregio)
    print(f"{len(data.gemeenten)} gemeenten, {with_region} met een arbeidsmarktregio, {len(data.regios)} regio's.")
    for problem in problems:
        print(f"- [{problem.severity}] {problem.subject}: {problem.detail}")
    return 1 if any(p.severity == "datafout" for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
