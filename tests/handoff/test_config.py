"""The per-gemeente configuration: the shipped file is valid and complete; mistakes are reported clearly."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot.common import settings
from bot.common.regions import gemeenten_in_regio
from bot.handoff.config import ConfigError, load_config, parse_config
from bot.ops.cli.handoff import main
from tests.handoff.conftest import HOUTEN, SECRET_ENV, config_dict, write_config

SHIPPED = settings.KNOWLEDGE_DIR / "handoff" / "gemeenten.yml"


def problems(data: Dict[str, Any]) -> List[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(data)
    return raised.value.problems


def test_shipped_config_covers_midden_utrecht_as_examples() -> None:
    config = load_config(SHIPPED)
    expected = {g.code for g in gemeenten_in_regio("AR14")}
    assert len(expected) == 14 and set(config.entries) == expected
    for entry in config.entries.values():
        assert entry.example and entry.endpoint and entry.secret_env and entry.response_days > 0
        assert "algemene nummer" in entry.contact_route  # never an invented phone number
    assert config.default.endpoint is None
    assert config.entries["GM0344"].name == "Utrecht"
    assert date(2026, 12, 25) in config.entries["GM0344"].holidays


def test_shipped_texts_contain_no_phone_numbers() -> None:
    import re

    text = SHIPPED.read_text(encoding="utf-8")
    assert not re.search(r"\b0\d{2}[- ]?\d{3}", text) and "14 0" not in text


def test_gemeente_without_entry_gets_the_default_with_its_own_name() -> None:
    config = parse_config(config_dict("https://gemeente.example/webhook"))
    zeist = config.for_gemeente("gm0355")
    assert (zeist.code, zeist.name, zeist.own_entry, zeist.endpoint) == ("GM0355", "Zeist", False, None)
    houten = config.for_gemeente(HOUTEN)
    assert houten.own_entry and houten.endpoint == "https://gemeente.example/webhook"
    assert houten.office_hours[0] == ((time(9), time(17)),) and houten.office_hours[5] == ()


def test_office_hours_with_a_lunch_break() -> None:
    config = parse_config(config_dict(None, office_hours={"maandag": "09:00-12:30, 13:30-17:00"}))
    assert config.for_gemeente(HOUTEN).office_hours[0] == ((time(9), time(12, 30)), (time(13, 30), time(17)))


@pytest.mark.parametrize(
    "hours, words",
    [
        ({"maandag": "25:00-26:00"}, "niet bestaat"),
        ({"maandag": "09:60-17:00"}, "niet bestaat"),
        ({"maandag": "17:00-09:00"}, "na de openingstijd"),
        ({"maandag": "9-5"}, "geen tijd"),
        ({"maandag": "09:00-12:00, 11:00-17:00"}, "overlapt"),
        ({"maandg": "09:00-17:00"}, "geen weekdag"),
        ({"maandag": "gesloten"}, "op geen enkele dag open"),
    ],
)
def test_bad_office_hours(hours: Dict[str, str], words: str) -> None:
    assert any(words in p for p in problems(config_dict(None, office_hours=hours)))


def test_unknown_gemeente_code_and_unknown_field() -> None:
    data = config_dict(None)
    data["gemeenten"]["GM9999"] = data["gemeenten"].pop(HOUTEN)
    data["gemeenten"]["GM9999"]["telefoon"] = "0301234567"
    found = problems(data)
    assert any("GM9999: onbekende gemeentecode" in p for p in found)
    assert any("onbekend veld 'telefoon'" in p for p in found)


@pytest.mark.parametrize("field", ["contact_route", "response_days", "office_hours"])
def test_missing_required_field(field: str) -> None:
    data = config_dict(None)
    del data["gemeenten"][HOUTEN][field]
    assert f"{HOUTEN}: verplicht veld '{field}' ontbreekt" in problems(data)


def test_missing_default_and_bad_values_are_all_reported_at_once() -> None:
    data = config_dict("http://gemeente.example/webhook", response_days=0, email="geen-adres")
    data["gemeenten"][HOUTEN]["secret_env"] = "dit-is-het-geheim-zelf"
    data["gemeenten"][HOUTEN]["holidays"] = ["25-12-2026"]
    del data["gemeenten"]["default"]
    found = problems(data)
    assert any("'default' ontbreekt" in p for p in found)
    assert any("response_days" in p for p in found)
    assert any("endpoint: Dit adres klopt niet. Het moet beginnen met https://" in p for p in found)
    assert any("NAAM van een omgevingsvariabele" in p for p in found)
    assert any("email: Dit e-mailadres klopt niet" in p for p in found)
    assert any("'25-12-2026' is geen datum" in p for p in found)


def test_endpoint_needs_a_secret_env_and_env_references_must_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    data = config_dict("https://gemeente.example/webhook")
    data["gemeenten"][HOUTEN]["secret_env"] = None
    assert any("secret_env ontbreekt" in p for p in problems(data))
    monkeypatch.delenv("WW_TEST_UNSET_URL", raising=False)
    data = config_dict("${WW_TEST_UNSET_URL}")
    assert any("WW_TEST_UNSET_URL, maar die is niet gezet" in p for p in problems(data))
    monkeypatch.setenv("WW_TEST_UNSET_URL", "https://elders.example/hook")
    assert parse_config(data).for_gemeente(HOUTEN).endpoint == "https://elders.example/hook"


def test_unset_secret_is_a_warning_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    config = parse_config(config_dict("https://gemeente.example/webhook"))
    assert any(SECRET_ENV in w for w in config.warnings)
    assert config.for_gemeente(HOUTEN).secret() is None
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    assert config.for_gemeente(HOUTEN).secret() == "s3cret"


def test_yaml_errors_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "kapot.yml"
    broken.write_text("gemeenten: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="geen geldige YAML"):
        load_config(broken)
    with pytest.raises(ConfigError, match="bestaat niet"):
        load_config(tmp_path / "nergens.yml")
    with pytest.raises(ConfigError, match="'gemeenten' ontbreekt"):
        parse_config({"national_holidays": []})


def test_check_config_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["check-config"]) == 0
    assert "in orde. 14 gemeenten" in capsys.readouterr().out
    bad = write_config(tmp_path, config_dict(None, office_hours={"maandag": "17:00-09:00"}))
    assert main(["check-config", "--path", str(bad)]) == 1
    assert "na de openingstijd" in capsys.readouterr().out


# One rule per field for the file and the portal (#19): the same value gets the same sentence in both.
@pytest.mark.parametrize(
    "field, file_value, portal_value",
    [
        ("response_days", 31, "31"),
        ("contact_route", "x" * 601, "x" * 601),
        ("email", "team-at-houten", "team-at-houten"),
        ("endpoint", "http://houten.example/hook", "http://houten.example/hook"),
        ("endpoint", "https://user:pw@houten.example/hook", "https://user:pw@houten.example/hook"),
        (
            "holidays",
            [f"2027-01-{d:02d}" for d in range(1, 32)] + [f"2027-03-{d:02d}" for d in range(1, 31)],
            "\n".join([f"{d:02d}-01-2027" for d in range(1, 32)] + [f"{d:02d}-03-2027" for d in range(1, 31)]),
        ),
    ],
)
def test_the_file_and_the_portal_check_a_field_with_the_same_rule(
    field: str, file_value: Any, portal_value: str
) -> None:
    from bot.portal.handoff_settings import SettingsForm, _check_fields

    data = config_dict("https://houten.example/hook" if field != "endpoint" else None)
    data["gemeenten"][HOUTEN][field] = file_value
    if field == "endpoint":
        data["gemeenten"][HOUTEN]["secret_env"] = SECRET_ENV
    errors: Dict[str, str] = {}
    form = {"response_days": "5", "contact_route": "Bel 14 030.", "uren_maandag": "09:00-17:00", field: portal_value}
    _check_fields(SettingsForm.from_request(form), errors)
    assert errors[field], f"the portal accepts {field} = {portal_value!r}"
    assert f"{HOUTEN}: {field}: {errors[field]}" in problems(data)


def test_an_endpoint_that_expands_to_nothing_means_no_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WW_TEST_NO_HOOK", raising=False)
    data = config_dict("${WW_TEST_NO_HOOK:-}")
    config = parse_config(data)
    assert config.for_gemeente(HOUTEN).endpoint is None
