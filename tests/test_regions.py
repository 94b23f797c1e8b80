"""Gemeenten, their arbeidsmarktregio and gemeente resolution (bot/regions.py, knowledge/regions/)."""
from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import pytest

from bot import regions, settings
from bot.regions import find_gemeente_in_text, resolve_gemeente

SHARED = Path("/work/shared/data")
REGION_DIR = settings.KNOWLEDGE_DIR / "regions"


def _names(resolution: regions.Resolution) -> list:
    return [g.name for g in resolution.candidates]


@pytest.mark.skipif(not SHARED.exists(), reason="shared snapshots not on this machine")
def test_snapshots_are_unchanged_copies() -> None:
    for name in ("gemeenten-2020.csv", "arbeidsmarktregios-2015.csv"):
        assert filecmp.cmp(SHARED / name, REGION_DIR / name, shallow=False), name


def test_all_gemeenten_loaded_with_cbs_codes() -> None:
    data = regions.load()
    assert len(data.gemeenten) == 355
    assert all(code.startswith("GM") and len(code) == 6 for code in data.gemeenten)
    assert len(data.regios) == 35
    assert regions.get_gemeente("GM0344").name == "Utrecht"
    assert regions.get_gemeente("gm0344").arbeidsmarktregio.name == "Midden-Utrecht"


def test_every_gemeente_has_a_region_or_is_reported() -> None:
    report = regions.region_report()
    reported = {p.subject for p in report if p.severity == "geen regio"}
    for gemeente in regions.load().gemeenten.values():
        assert (gemeente.arbeidsmarktregio is not None) != (gemeente.cbs_name in reported), gemeente.name
    assert not [p for p in report if p.severity == "datafout"]


def test_merges_with_regions_that_disagree_get_no_region() -> None:
    reported = {p.subject: p.detail for p in regions.region_report() if p.severity == "geen regio"}
    assert "Vijfheerenlanden" in reported and "Vianen → Midden-Utrecht" in reported["Vijfheerenlanden"]
    assert "West Betuwe" in reported
    assert regions.get_gemeente("GM1961").arbeidsmarktregio is None


def test_merged_gemeenten_get_the_region_of_their_parts() -> None:
    assert regions.get_gemeente("GM1948").arbeidsmarktregio.name == "Noordoost-Brabant"  # Meierijstad, 2017
    assert regions.get_gemeente("GM1942").arbeidsmarktregio.name == "Gooi- en Vechtstreek"  # Gooise Meren
    assert regions.get_gemeente("GM0518").arbeidsmarktregio.name == "Haaglanden"  # 's-Gravenhage (’ in 2015)


def test_merges_file_names_exist_in_the_snapshots() -> None:
    with (REGION_DIR / "merges.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows and all(r["reason"] and r["kind"] in {"spelling", "rename", "merge", "split"} for r in rows)


def test_midden_utrecht_has_the_gemeenten_of_the_2015_table_minus_vianen() -> None:
    names = [g.name for g in regions.gemeenten_in_regio("AR14")]
    assert "Houten" in names and "Utrecht" in names and len(names) == 14


@pytest.mark.parametrize("text, expected", [
    ("Den Bosch", "'s-Hertogenbosch"),
    ("'s-Hertogenbosch", "'s-Hertogenbosch"),
    ("s hertogenbosch", "'s-Hertogenbosch"),
    ("’s-Hertogenbosch", "'s-Hertogenbosch"),
    ("Utrecht stad", "Utrecht"),
    ("gemeente Utrecht", "Utrecht"),
    ("in de gemeente Utrecht", "Utrecht"),
    ("UTRECHT", "Utrecht"),
    ("Den Haag", "'s-Gravenhage"),
    ("'s-Gravenhage", "'s-Gravenhage"),
    ("Bergen (NH)", "Bergen (NH.)"),
    ("Bergen (L.)", "Bergen (L.)"),
    ("bergen l", "Bergen (L.)"),
    ("Sudwest Fryslan", "Súdwest-Fryslân"),
    ("wijk-bij-duurstede", "Wijk bij Duurstede"),
    ("Nuenen", "Nuenen, Gerwen en Nederwetten"),
    ("GM0321", "Houten"),
])
def test_resolve_names_and_synonyms(text: str, expected: str) -> None:
    resolution = resolve_gemeente(text)
    assert resolution.found, text
    assert resolution.gemeente.name == expected


@pytest.mark.parametrize("text, expected", [("Utrect", "Utrecht"), ("Amsterdm", "Amsterdam"),
                                            ("Nieuwegijn", "Nieuwegein"), ("Den Bosh", "'s-Hertogenbosch")])
def test_resolve_typos(text: str, expected: str) -> None:
    resolution = resolve_gemeente(text)
    assert resolution.found and resolution.gemeente.name == expected and resolution.how == "typfout"


@pytest.mark.parametrize("text, expected", [
    ("Bergen", ["Bergen (L.)", "Bergen (NH.)"]),
    ("Alphen", ["Alphen aan den Rijn", "Alphen-Chaam"]),
])
def test_ambiguous_names_give_candidates(text: str, expected: list) -> None:
    resolution = resolve_gemeente(text)
    assert not resolution.found and resolution.ambiguous
    assert _names(resolution) == expected


def test_old_names_and_villages_point_at_the_current_gemeente() -> None:
    vianen = resolve_gemeente("Vianen")
    assert vianen.gemeente.name == "Vijfheerenlanden" and vianen.how == "voormalige gemeente"
    assert resolve_gemeente("Maarssen").gemeente.name == "Stichtse Vecht"


@pytest.mark.parametrize("text", ["", "xyz", "provincie Utrecht", "Edd", "1234 AB"])
def test_unknown_input_finds_nothing(text: str) -> None:
    resolution = resolve_gemeente(text)
    assert not resolution.found and not resolution.candidates


def test_long_input_is_cut() -> None:
    assert not resolve_gemeente("a" * 100_000).found


@pytest.mark.parametrize("text, expected", [
    ("is er in Houten een jobcoach?", "Houten"),
    ("Ik woon in Den Bosch en zoek werk", "'s-Hertogenbosch"),
    ("ik woon in leiden", "Leiden"),
    ("Ik kom uit 's-Hertogenbosch", "'s-Hertogenbosch"),
    ("ik woon in de gemeente Stichtse Vecht", "Stichtse Vecht"),
    ("ik woon in Hoten", "Houten"),
    ("Houten", "Houten"),
])
def test_find_gemeente_in_a_sentence(text: str, expected: str) -> None:
    resolution = find_gemeente_in_text(text)
    assert resolution.found and resolution.gemeente.name == expected


@pytest.mark.parametrize("text", ["een houten stoel", "dat kan leiden tot problemen", "mijn buren helpen",
                                  "wat is het best", "ik zoek werk in de provincie Utrecht", "ik heb geen uitkering"])
def test_ordinary_words_are_not_gemeenten(text: str) -> None:
    resolution = find_gemeente_in_text(text)
    assert not resolution.found and not resolution.candidates


def test_two_gemeenten_in_one_sentence_are_candidates() -> None:
    resolution = find_gemeente_in_text("verhuisd van Zeist naar Utrecht")
    assert resolution.ambiguous and _names(resolution) == ["Utrecht", "Zeist"]


def test_region_report_command_prints_and_succeeds(capsys: pytest.CaptureFixture) -> None:
    assert regions.main([]) == 0
    out = capsys.readouterr().out
    assert "355 gemeenten" in out and "Vijfheerenlanden" in out
