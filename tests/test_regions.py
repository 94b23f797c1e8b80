"""Gemeenten, their arbeidsmarktregio and gemeente resolution (bot/common/regions.py, knowledge/regions/)."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import pytest

from bot.common import regions, settings
from bot.common.regions import find_gemeente_in_text, resolve_gemeente

SHARED = Path("/work/shared/data")
REGION_DIR = settings.KNOWLEDGE_DIR / "regions"


def _names(resolution: regions.Resolution) -> list:
    return [g.name for g in resolution.candidates]


@pytest.mark.skipif(not SHARED.exists(), reason="shared snapshots not on this machine")
@pytest.mark.parametrize(
    "name", ["gemeenten-2026.csv", "arbeidsmarktregios-2026.csv", "merges-2021-2026.csv", "gemeenten-2020.csv"]
)
def test_snapshots_are_unchanged_copies(name: str) -> None:
    assert filecmp.cmp(SHARED / name, REGION_DIR / name, shallow=False), name


def test_the_342_gemeenten_of_2026_each_with_a_region_of_2026() -> None:
    data = regions.load()
    assert len(data.gemeenten) == 342
    assert all(code.startswith("GM") and len(code) == 6 for code in data.gemeenten)
    assert len(data.regios) == 35 and {"AM04", "AM16", "AM31"}.isdisjoint(data.regios)
    assert all(g.arbeidsmarktregio is not None for g in data.gemeenten.values())
    assert sum(len(regions.gemeenten_in_regio(code)) for code in data.regios) == 342
    assert regions.get_gemeente("GM0344").name == "Utrecht"
    assert regions.get_gemeente("gm0344").arbeidsmarktregio.code == "AM13"
    assert regions.region_report() == []


@pytest.mark.parametrize(
    "code, region",
    [
        ("GM1980", "AM15"),  # Dijk en Waard: Noord-Holland Noord
        ("GM1991", "AM27"),  # Maashorst: Noordoost-Brabant
        ("GM1992", "AM22"),  # Voorne aan Zee: Rijnmond
        ("GM1961", "AM35"),  # Vijfheerenlanden: Gorinchem (had no region with the 2015 table)
        ("GM1706", "AM33"),  # Cranendonck moved to Midden-Limburg
        ("GM0450", "AM15"),  # Uitgeest moved to Noord-Holland Noord
    ],
)
def test_regions_are_those_of_cbs_2026(code: str, region: str) -> None:
    assert regions.get_gemeente(code).arbeidsmarktregio.code == region


def test_every_gemeente_is_recognised_by_its_name_its_register_name_and_its_code() -> None:
    recognised = 0
    for g in regions.load().gemeenten.values():
        ways = [
            resolve_gemeente(g.name),
            resolve_gemeente(g.roo_name),
            resolve_gemeente(g.code),
            find_gemeente_in_text(f"ik woon in {g.roo_name} en zoek werk"),
            find_gemeente_in_text(f"Is er in {g.name} een jobcoach?"),
        ]
        recognised += all(r.found and r.gemeente.code == g.code for r in ways)
    print(f"gemeenten herkend: {recognised} van 342")
    assert recognised == 342


def test_old_region_codes_lead_to_the_region_of_2026() -> None:
    assert regions.current_regio_code("AR14") == "AM13"  # Midden-Utrecht: 14 in the Besluit, AM13 at CBS
    assert regions.current_regio_code("AR05") == "AM36"  # IJsselvechtstreek is Regio Zwolle
    assert regions.current_regio_code("AM13") == "AM13" and regions.current_regio_code("AR99") is None
    assert regions.get_arbeidsmarktregio("AR14") is None
    assert [g.code for g in regions.gemeenten_in_regio("AR14")] == [g.code for g in regions.gemeenten_in_regio("AM13")]


def test_merges_file_rows_are_complete() -> None:
    with (REGION_DIR / "merges.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows and all(r["reason"] and r["kind"] in {"spelling", "rename", "merge", "split"} for r in rows)


def test_midden_utrecht_has_its_14_gemeenten() -> None:
    names = [g.name for g in regions.gemeenten_in_regio("AM13")]
    assert "Houten" in names and "Utrecht" in names and len(names) == 14


@pytest.mark.parametrize(
    "text, expected",
    [
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
    ],
)
def test_resolve_names_and_synonyms(text: str, expected: str) -> None:
    resolution = resolve_gemeente(text)
    assert resolution.found, text
    assert resolution.gemeente.name == expected


@pytest.mark.parametrize(
    "text, expected",
    [("Utrect", "Utrecht"), ("Amsterdm", "Amsterdam"), ("Nieuwegijn", "Nieuwegein"), ("Den Bosh", "'s-Hertogenbosch")],
)
def test_resolve_typos(text: str, expected: str) -> None:
    resolution = resolve_gemeente(text)
    assert resolution.found and resolution.gemeente.name == expected and resolution.how == "typfout"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Bergen", ["Bergen (L.)", "Bergen (NH.)"]),
        ("Alphen", ["Alphen aan den Rijn", "Alphen-Chaam"]),
    ],
)
def test_ambiguous_names_give_candidates(text: str, expected: list) -> None:
    resolution = resolve_gemeente(text)
    assert not resolution.found and resolution.ambiguous
    assert _names(resolution) == expected


def test_old_names_and_villages_point_at_the_current_gemeente() -> None:
    vianen = resolve_gemeente("Vianen")
    assert vianen.gemeente.name == "Vijfheerenlanden" and vianen.how == "voormalige gemeente"
    assert vianen.former.name == "Vianen" and vianen.former.year == 2019
    assert (
        resolve_gemeente("Maarssen").gemeente.name == "Stichtse Vecht" and resolve_gemeente("Maarssen").former is None
    )
    haren = resolve_gemeente("Haren")  # went into Groningen in 2019: an older name, followed to today
    assert haren.gemeente.name == "Groningen" and haren.former.year == 2019


def _changes() -> list:
    with (REGION_DIR / "merges-2021-2026.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", [r for r in _changes() if r["old_code"] != "GM0788"], ids=lambda r: r["old_name"])
def test_every_gemeente_changed_since_2020_leads_to_today_by_name_and_code(row: dict) -> None:
    for found in (
        resolve_gemeente(row["old_name"]),
        resolve_gemeente(row["old_code"]),
        find_gemeente_in_text(f"ik woon in {row['old_name']} en zoek hulp bij werk"),
    ):
        assert found.found and found.gemeente.code == row["new_code"], row["old_name"]
        assert found.former.name == row["old_name"] and found.former.year == int(row["date"][:4])
    assert regions.current_code(row["old_code"]) == row["new_code"]
    assert regions.get_gemeente(row["old_code"]) is None


def test_haaren_was_split_and_is_a_question() -> None:
    for found in (resolve_gemeente("Haaren"), resolve_gemeente("GM0788"), find_gemeente_in_text("ik woon in Haaren")):
        assert found.ambiguous and _names(found) == ["Boxtel", "Oisterwijk", "Tilburg", "Vught"]
        assert found.former.split and found.former.year == 2021
    assert regions.current_code("GM0788") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("is er in Maashorst iemand die mij kan helpen met werk zoeken", "Maashorst"),
        ("ik woon in voorne aan zee", "Voorne aan Zee"),
        ("Werk zoeken in Land van Cuijk", "Land van Cuijk"),
        ("ik kom uit Dijk en Waard", "Dijk en Waard"),
        ("ik woon in Eemsdelta", "Eemsdelta"),
        ("ik woon in Den Haag", "'s-Gravenhage"),
    ],
)
def test_new_gemeenten_are_found_in_free_text(text: str, expected: str) -> None:
    found = find_gemeente_in_text(text)
    assert found.found and found.gemeente.name == expected and found.former is None


@pytest.mark.parametrize("text", ["", "xyz", "provincie Utrecht", "Edd", "1234 AB"])
def test_unknown_input_finds_nothing(text: str) -> None:
    resolution = resolve_gemeente(text)
    assert not resolution.found and not resolution.candidates


def test_long_input_is_cut() -> None:
    assert not resolve_gemeente("a" * 100_000).found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("is er in Houten een jobcoach?", "Houten"),
        ("Ik woon in Den Bosch en zoek werk", "'s-Hertogenbosch"),
        ("ik woon in leiden", "Leiden"),
        ("Ik kom uit 's-Hertogenbosch", "'s-Hertogenbosch"),
        ("ik woon in de gemeente Stichtse Vecht", "Stichtse Vecht"),
        ("ik woon in Hoten", "Houten"),
        ("Houten", "Houten"),
    ],
)
def test_find_gemeente_in_a_sentence(text: str, expected: str) -> None:
    resolution = find_gemeente_in_text(text)
    assert resolution.found and resolution.gemeente.name == expected


@pytest.mark.parametrize(
    "text",
    [
        "een houten stoel",
        "dat kan leiden tot problemen",
        "mijn buren helpen",
        "wat is het best",
        "ik zoek werk in de provincie Utrecht",
        "ik heb geen uitkering",
    ],
)
def test_ordinary_words_are_not_gemeenten(text: str) -> None:
    resolution = find_gemeente_in_text(text)
    assert not resolution.found and not resolution.candidates


def test_two_gemeenten_in_one_sentence_are_candidates() -> None:
    resolution = find_gemeente_in_text("verhuisd van Zeist naar Utrecht")
    assert resolution.ambiguous and _names(resolution) == ["Utrecht", "Zeist"]


def test_region_report_command_prints_and_succeeds(capsys: pytest.CaptureFixture) -> None:
    assert regions.main([]) == 0
    out = capsys.readouterr().out
    assert "342 gemeenten, 342 met een arbeidsmarktregio, 35 regio's" in out and "18 codes" in out
