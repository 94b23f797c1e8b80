"""Gemeenten of 2026, their arbeidsmarktregio (CBS 2026, AMxx), and finding a gemeente in what people type.

Data: knowledge/regions/ (see SOURCES.md): the 342 gemeenten of 2026, the 35 arbeidsmarktregio's of 2026, the
changes since 2020 (merges-2021-2026.csv) and older names (merges.csv, gemeenten-2020.csv), so that an old
name or code still leads to today's gemeente, with a note for the person. `python -m bot.common.regions` checks it.
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
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from bot.common import content, settings

MAX_INPUT_LENGTH = 500
FUZZY_CUTOFF = 0.8
# Two fuzzy matches this close to each other are equally likely: ask instead of choosing.
FUZZY_TIE = 0.03
MIN_FUZZY_LENGTH = 4
LANDELIJK = "NL"
GEMEENTEN_FILE = "gemeenten-2026.csv"
REGIOS_FILE = "arbeidsmarktregios-2026.csv"
CHANGES_FILE = "merges-2021-2026.csv"


@dataclass(frozen=True)
class Arbeidsmarktregio:
    code: str  # AM01–AM38 (CBS 2026; AM04, AM16 and AM31 do not exist)
    name: str
    besluit_2015: int  # the region of the 2015 Besluit werkgebieden UWV it continues (old code AR<nn>)

    @property
    def old_code(self) -> str:
        return f"AR{self.besluit_2015:02d}"


@dataclass(frozen=True)
class Gemeente:
    code: str  # CBS code, GMxxxx
    name: str  # CBS name of 2026: "Bergen (NH.)", "'s-Gravenhage"
    roo_name: str  # as the gemeente calls itself (Register van Overheidsorganisaties): "Den Haag"
    province: str
    arbeidsmarktregio: Optional[Arbeidsmarktregio]


@dataclass(frozen=True)
class Former:
    """A gemeente that no longer exists: its name, the year it ended, and where it went (one, or several parts)."""

    name: str
    year: int
    codes: Tuple[str, ...]

    @property
    def split(self) -> bool:
        return len(self.codes) > 1


@dataclass(frozen=True)
class RegionProblem:
    """A data error in the region files (`python -m bot socialmap regions-report`)."""

    severity: str  # "datafout"
    subject: str
    detail: str


@dataclass(frozen=True)
class Resolution:
    """What a piece of text says about the gemeente: one gemeente, a few candidates, or nothing."""

    gemeente: Optional[Gemeente] = None
    candidates: Tuple[Gemeente, ...] = ()
    matched: str = ""  # the words in the input that matched
    how: str = ""  # code | naam | synoniem | voormalige gemeente | kern | typfout
    former: Optional[Former] = None  # set when an old name or code led here: the person gets a short note

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
    former_codes: Dict[str, Former] = field(default_factory=dict)  # old CBS code → where it went
    index: Dict[str, Set[str]] = field(default_factory=dict)  # normalised name → CBS codes
    longest_name: int = 1  # in words, so a sentence is only cut into pieces that could be a name
    how: Dict[str, str] = field(default_factory=dict)  # normalised name → how it is known
    formers: Dict[str, Former] = field(default_factory=dict)  # normalised old name → the old gemeente
    config: Dict[str, List[str]] = field(default_factory=dict)


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, every other non-letter a single space."""
    text = unicodedata.normalize("NFKD", text[:MAX_INPUT_LENGTH])
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’‘`´]", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _read_csv(path: Path, delimiter: str = ",") -> List[Dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _base_name(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", name)


def _build_regions(folder: Path) -> Tuple[Dict[str, Gemeente], Dict[str, Arbeidsmarktregio], List[RegionProblem]]:
    problems: List[RegionProblem] = []
    regios: Dict[str, Arbeidsmarktregio] = {}
    members: Dict[str, Set[str]] = {}
    for row in _read_csv(folder / REGIOS_FILE):
        regio = Arbeidsmarktregio(row["code"], row["naam"], int(row["besluit_2015_nummer"]))
        regios[regio.code] = regio
        members[regio.code] = set(row["gemeente_codes"].split("|"))
    gemeenten: Dict[str, Gemeente] = {}
    for row in _read_csv(folder / GEMEENTEN_FILE):
        named = regios.get(row["arbeidsmarktregio_code"])
        if named is None or row["code"] not in members[named.code]:
            detail = f"arbeidsmarktregio {row['arbeidsmarktregio_code']} klopt niet met {REGIOS_FILE}"
            problems.append(RegionProblem("datafout", row["name"], detail))
        if named is None:  # reported above; without its regio the gemeente cannot be offered
            continue
        gemeenten[row["code"]] = Gemeente(row["code"], row["name"], row["naam_roo"], row["provincie"], named)
    for code, codes in members.items():
        for unknown in sorted(codes - set(gemeenten)):
            problems.append(RegionProblem("datafout", unknown, f"{REGIOS_FILE}: lid van {code}, maar geen gemeente"))
    return gemeenten, regios, problems


def _build_former_codes(
    folder: Path, gemeenten: Dict[str, Gemeente], problems: List[RegionProblem]
) -> Dict[str, Former]:
    """Every CBS code that disappeared since 2020, with the gemeente(n) it went into."""
    parts: Dict[str, List[Dict[str, str]]] = {}
    for row in _read_csv(folder / CHANGES_FILE):
        if row["new_code"] not in gemeenten:
            detail = f"{CHANGES_FILE}: {row['new_code']} bestaat niet"
            problems.append(RegionProblem("datafout", row["old_name"], detail))
            continue
        parts.setdefault(row["old_code"], []).append(row)
    return {
        old: Former(rows[0]["old_name"], int(rows[0]["date"][:4]), tuple(sorted(r["new_code"] for r in rows)))
        for old, rows in parts.items()
    }


def current_codes(data: "RegionData", code: str) -> Tuple[str, ...]:
    """Today's gemeente(n) for a CBS code of 2020 or later: itself, where it went, or nothing."""
    code = (code or "").strip().upper()
    if code in data.gemeenten:
        return (code,)
    former = data.former_codes.get(code)
    return former.codes if former else ()


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


def _add(data: RegionData, name: str, codes: Iterable[str], how: str, former: Optional[Former] = None) -> None:
    key = _strip_ignored(normalise(name), data.config)
    codes = list(codes)
    if not key or not codes:
        return
    if key not in data.index:
        data.how[key] = how
        if former:
            data.formers[key] = former
    data.index.setdefault(key, set()).update(codes)


def _older_names(data: RegionData, folder: Path) -> None:
    """Names of 2015–2019 (merges.csv) through the 2020 list to today's gemeente, also when it changed again."""
    code_2020 = {
        r["municipalityName"]: r["municipalityCode"]
        for r in _read_csv(folder / "gemeenten-2020.csv", ";")
        if (r.get("municipalityCode") or "").startswith("GM")
    }
    merged: Dict[str, Tuple[int, Set[str]]] = {}
    for row in _read_csv(folder / "merges.csv", ";"):
        codes = current_codes(data, code_2020.get(row["new_name"], ""))
        if not codes:
            data.problems.append(
                RegionProblem(
                    "datafout", row["old_name"], f"merges.csv: {row['new_name']} staat niet in de lijst van 2020"
                )
            )
        elif row["kind"] == "spelling":
            _add(data, row["old_name"], codes, "naam")
        else:
            year, known = merged.setdefault(row["old_name"], (int(row["year"]), set()))
            known.update(codes)
    for name, (year, into) in merged.items():
        _add(data, name, into, "voormalige gemeente", Former(name, year, tuple(sorted(into))))


def _build_index(data: RegionData, folder: Path) -> None:
    synonyms = content.load_file(folder / "synonyms.yml")
    data.config = {
        k: [normalise(str(w)) for w in synonyms.get(k, [])]
        for k in ("ignore_before", "ignore_after", "needs_context", "location_words", "not_after")
    }
    for g in data.gemeenten.values():
        _add(data, g.name, [g.code], "naam")
        _add(data, g.roo_name, [g.code], "naam")
    # Base names ("Bergen" for "Bergen (NH.)") may point at several gemeenten: that is the ambiguity we want.
    for g in data.gemeenten.values():
        _add(data, _base_name(g.name), [g.code], "naam")
    for name, codes in (synonyms.get("names") or {}).items():
        _add(data, str(name), [codes] if isinstance(codes, str) else codes, "synoniem")
    for former in data.former_codes.values():
        _add(data, former.name, former.codes, "voormalige gemeente", former)
    _older_names(data, folder)
    for code, names in (synonyms.get("kernen") or {}).items():
        for name in names:
            _add(data, str(name), [code], "kern")
    for key, codes in data.index.items():
        for unknown in sorted(set(codes) - set(data.gemeenten)):
            data.problems.append(RegionProblem("datafout", key, f"verwijst naar onbekende gemeentecode {unknown}"))


@lru_cache(maxsize=4)
def load(folder: Optional[Path] = None) -> RegionData:
    """All region data, read once per folder (default: KNOWLEDGE_DIR/regions)."""
    folder = folder or settings.KNOWLEDGE_DIR / "regions"
    gemeenten, regios, problems = _build_regions(folder)
    data = RegionData(gemeenten=gemeenten, regios=regios, problems=problems)
    data.former_codes = _build_former_codes(folder, gemeenten, problems)
    _build_index(data, folder)
    data.longest_name = max(len(k.split()) for k in data.index)
    return data


def get_gemeente(code: str) -> Optional[Gemeente]:
    """The gemeente of 2026 with this CBS code; None for an unknown or old code (see `current_code`)."""
    return load().gemeenten.get((code or "").strip().upper())


def current_code(code: str) -> Optional[str]:
    """Today's CBS code for a code of 2020 or later ("GM0457" Weesp → "GM0363" Amsterdam); None when the code is
    unknown or its gemeente was split (Haaren), because then only the person can say which part."""
    codes = current_codes(load(), code)
    return codes[0] if len(codes) == 1 else None


def get_arbeidsmarktregio(code: str) -> Optional[Arbeidsmarktregio]:
    """The arbeidsmarktregio with CBS code AMxx; None otherwise (see `current_regio_code` for the old ARxx)."""
    return load().regios.get((code or "").strip().upper())


def current_regio_code(code: str) -> Optional[str]:
    """AMxx for a code of 2026 (itself) or of the 2015 Besluit ("AR14" → "AM13"), else None."""
    code = (code or "").strip().upper()
    data = load()
    if code in data.regios:
        return code
    return next((r.code for r in data.regios.values() if r.old_code == code), None)


def gemeenten_in_regio(regio_code: str) -> List[Gemeente]:
    """The gemeenten of an arbeidsmarktregio (AMxx, or the old ARxx), by name."""
    code = current_regio_code(regio_code)
    found = [g for g in load().gemeenten.values() if g.arbeidsmarktregio and g.arbeidsmarktregio.code == code]
    return sorted(found, key=lambda g: g.name)


def region_report() -> List[RegionProblem]:
    """Every data error in the region files; an empty list when they agree."""
    return list(load().problems)


def _resolution(
    data: RegionData, codes: Iterable[str], matched: str, how: str, former: Optional[Former] = None
) -> Resolution:
    found = sorted((data.gemeenten[c] for c in set(codes) if c in data.gemeenten), key=lambda g: g.name)
    if len(found) == 1:
        return Resolution(gemeente=found[0], candidates=tuple(found), matched=matched, how=how, former=former)
    return Resolution(candidates=tuple(found), matched=matched, how=how, former=former)


def _fuzzy(data: RegionData, key: str) -> Resolution:
    if len(key) < MIN_FUZZY_LENGTH:
        return Resolution()
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, key, k).ratio(), k)
            for k in difflib.get_close_matches(key, data.index.keys(), n=8, cutoff=FUZZY_CUTOFF)
        ),
        reverse=True,
    )
    if not scored:
        return Resolution()
    best = scored[0][0]
    keys = [k for score, k in scored if best - score <= FUZZY_TIE]
    codes = {c for k in keys for c in data.index[k]}
    formers = {data.formers.get(k) for k in keys}
    return _resolution(data, codes, key, "typfout", formers.pop() if len(formers) == 1 else None)


def resolve_gemeente(text: str) -> Resolution:
    """The gemeente `text` names ("Den Bosch", "gemeente Utrecht", "Utrect", "Weesp", "GM0457"), or candidates
    when unsure (Haaren: its four parts). An old name or code sets `former`, for the note to the person."""
    data = load()
    code = (text or "").strip().upper()
    if re.fullmatch(r"GM\d{4}", code):
        if code in data.gemeenten:
            return _resolution(data, [code], code, "code")
        if code in data.former_codes:
            former = data.former_codes[code]
            return _resolution(data, former.codes, code, "voormalige gemeente", former)
    key = _strip_ignored(normalise(text or ""), data.config)
    if not key:
        return Resolution()
    if key in data.index:
        return _resolution(data, data.index[key], key, data.how[key], data.formers.get(key))
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
            key = " ".join(tokens[start : start + size])
            if span & taken or key not in data.index:
                continue
            before = tokens[start - 1] if start else ""
            if before in not_after:
                continue
            alone = size == len(tokens)
            if (
                key in needs_context
                and not alone
                and before not in location_words
                and not _capitalised_in(original, key)
            ):
                continue
            taken |= span
            hits.append((key, frozenset(data.index[key])))
    if hits:
        codes = set().union(*(codes for _, codes in hits))
        single = len(hits) == 1
        how = data.how[hits[0][0]] if single else "naam"
        return _resolution(
            data, codes, " / ".join(k for k, _ in hits), how, data.formers.get(hits[0][0]) if single else None
        )
    return _fuzzy_in_sentence(data, tokens, location_words)


def _fuzzy_in_sentence(data: RegionData, tokens: List[str], location_words: Set[str]) -> Resolution:
    """Typos are only tried right after a place word ("in Hoten"): elsewhere every word would look like a town."""
    for i, token in enumerate(tokens[:-1]):
        if token not in location_words:
            continue
        for size in (3, 2, 1):
            words = tokens[i + 1 : i + 1 + size]
            if len(words) == size:
                result = _fuzzy(data, " ".join(words))
                if result.candidates:
                    return result
    return Resolution()


def main(argv: Optional[List[str]] = None) -> int:
    """Print what the region files hold and every data error; exit code 1 when there is one."""
    data = load()
    with_region = sum(1 for g in data.gemeenten.values() if g.arbeidsmarktregio)
    split = sum(1 for f in data.former_codes.values() if f.split)
    print(
        f"{len(data.gemeenten)} gemeenten, {with_region} met een arbeidsmarktregio, {len(data.regios)} regio's; "
        f"{len(data.former_codes)} codes van voor 2026 wijzen naar een gemeente van nu ({split} verdeeld)."
    )
    for problem in data.problems:
        print(f"- [{problem.severity}] {problem.subject}: {problem.detail}")
    return 1 if data.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
