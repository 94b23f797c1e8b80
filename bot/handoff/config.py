"""Per-gemeente handoff settings (knowledge/handoff/gemeenten.yml): where to send, how fast, and when they are open.

The file is content that a functional administrator edits; `python -m bot handoff check-config` checks it.
A gemeente's beheerder can change some fields in the portal; those are stored in the database
(handoff_settings_override) and `effective_config` lays them over the file, so what the person is promised
follows the portal.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple
from urllib.parse import urlparse

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.common import clock, regions, settings
from bot.handoff.holidays import closed_days
from bot.handoff.models import HandoffSettingsOverride

DEFAULT = "default"
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
CLOSED = "gesloten"
REQUIRED = ("contact_route", "response_days", "office_hours")
KNOWN_FIELDS = {*REQUIRED, "name", "example", "endpoint", "secret_env", "email", "holidays"}
# What a beheerder may change in the portal. Not the name, the example flag or secret_env: the name comes from
# the CBS list, and the portal never decides which environment variable is read (that would expose it).
PORTAL_FIELDS = ("contact_route", "response_days", "office_hours", "holidays", "endpoint", "email")
MAX_RESPONSE_DAYS = 30
MAX_ROUTE = 600  # characters of contact_route
MAX_URL = 500
MAX_HOLIDAYS = 60  # a gemeente's own closing days
HOLIDAY_YEARS_AHEAD = 10  # a deadline is weeks away at most; ten years of holidays cost nothing
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_ENV_REFERENCE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

OfficeHours = Tuple[Tuple[Tuple[time, time], ...], ...]  # per weekday (0 = maandag): opening ranges


@dataclass(frozen=True)
class GemeenteConfig:
    """How one gemeente takes handoffs; gemeenten without their own entry get the `default` entry's values."""

    code: str  # CBS code GMxxxx, or "default"
    name: str
    contact_route: str  # what the person can do meanwhile, in plain Dutch
    response_days: int  # "binnen N werkdagen"
    office_hours: OfficeHours
    holidays: FrozenSet[date]
    endpoint: Optional[str] = None  # None: no webhook, the handoff waits in the portal
    secret_env: Optional[str] = None
    email: Optional[str] = None
    example: bool = False
    own_entry: bool = True
    # Set in the portal (write-only there); wins over secret_env. Kept out of repr so it never reaches a log.
    webhook_secret: Optional[str] = field(default=None, repr=False, compare=False)

    def secret(self) -> Optional[str]:
        """The webhook secret: the one set in the portal, else read from the environment when it is needed."""
        if self.webhook_secret:
            return self.webhook_secret
        if not self.secret_env:
            return None
        return os.environ.get(self.secret_env) or None

    def is_working_day(self, day: date) -> bool:
        return bool(self.office_hours[day.weekday()]) and day not in self.holidays


@dataclass
class HandoffConfig:
    entries: Dict[str, GemeenteConfig]
    default: GemeenteConfig
    warnings: List[str] = field(default_factory=list)
    national_holidays: FrozenSet[date] = frozenset()

    def for_gemeente(self, code: str) -> GemeenteConfig:
        """The entry for `code`, or the default entry with the gemeente's own code and name."""
        code = (code or "").strip().upper()
        if code in self.entries:
            return self.entries[code]
        gemeente = regions.get_gemeente(code)
        name = gemeente.roo_name if gemeente else "je gemeente"
        return replace(self.default, code=code, name=name, own_entry=False)


class ConfigError(ValueError):
    """The handoff configuration has problems; `problems` lists every one of them."""

    def __init__(self, path: Path, problems: List[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def load_config(path: Optional[Path] = None) -> HandoffConfig:
    """The configuration at `path` (default: settings.HANDOFF_CONFIG); read again when the file changes."""
    path = Path(path or settings.HANDOFF_CONFIG)
    return _load(path, path.stat().st_mtime_ns if path.exists() else 0, _env_fingerprint())


def _env_fingerprint() -> Tuple[Tuple[str, str], ...]:
    # Endpoints may refer to environment variables, so a changed variable must give a fresh configuration.
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("WW_")))


@lru_cache(maxsize=8)
def _load(path: Path, _mtime: int, _env: Tuple[Tuple[str, str], ...]) -> HandoffConfig:
    if not path.exists():
        raise ConfigError(path, ["bestand bestaat niet"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(path, [f"geen geldige YAML: {error}"]) from error
    return parse_config(raw, path)


def parse_config(raw: Any, path: Path = Path("<config>")) -> HandoffConfig:
    """Check and convert the loaded YAML; raises ConfigError with every problem at once."""
    problems: List[str] = []
    warnings: List[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("gemeenten"), dict):
        raise ConfigError(path, ["de sleutel 'gemeenten' ontbreekt of is geen lijst van gemeenten"])
    # Computed for every year (bot/handoff/holidays.py), plus any extra national closing days listed.
    this_year = clock.today().year
    national = closed_days(range(this_year - 1, this_year + HOLIDAY_YEARS_AHEAD + 1)) | _dates(
        raw.get("national_holidays") or [], "national_holidays", problems
    )
    entries: Dict[str, GemeenteConfig] = {}
    for key, value in raw["gemeenten"].items():
        entry = _entry(str(key), value, national, problems)
        if entry:
            entries[entry.code] = entry
    default = entries.pop(DEFAULT, None)
    if DEFAULT not in {str(k) for k in raw["gemeenten"]}:
        problems.append("de vermelding 'default' ontbreekt (nodig voor gemeenten zonder eigen vermelding)")
    _check_secrets(entries.values(), warnings)
    if problems or default is None:
        raise ConfigError(path, problems or ["de vermelding 'default' is ongeldig"])
    return HandoffConfig(entries=entries, default=default, warnings=warnings, national_holidays=national)


def _entry(key: str, value: Any, national: FrozenSet[date], problems: List[str]) -> Optional[GemeenteConfig]:
    code = key.strip().upper() if key != DEFAULT else DEFAULT
    where = key
    before = len(problems)
    if not isinstance(value, dict):
        problems.append(f"{where}: verwacht een lijst met velden")
        return None
    gemeente = None
    if code != DEFAULT:
        gemeente = regions.get_gemeente(code)
        if gemeente is None:
            problems.append(f"{where}: onbekende gemeentecode (verwacht een CBS-code zoals GM0344)")
    for missing in [f for f in REQUIRED if value.get(f) in (None, "")]:
        problems.append(f"{where}: verplicht veld '{missing}' ontbreekt")
    for unknown in sorted(set(value) - KNOWN_FIELDS):
        problems.append(f"{where}: onbekend veld '{unknown}'")
    present = [f for f in ("contact_route", "response_days") if value.get(f) not in (None, "")]
    route = (
        _field(check_contact_route, value.get("contact_route"), where, "contact_route", problems)
        if ("contact_route" in present)
        else None
    )
    days = (
        _field(check_response_days, value.get("response_days"), where, "response_days", problems)
        if ("response_days" in present)
        else 0
    )
    hours = _office_hours(value.get("office_hours"), where, problems)
    endpoint = _field(check_endpoint_address, value.get("endpoint"), where, "endpoint", problems)
    secret_env = _secret_env(value.get("secret_env"), endpoint, where, problems)
    email = _field(check_email, value.get("email"), where, "email", problems)
    own = _field(
        check_holidays, _dates(value.get("holidays") or [], f"{where}.holidays", problems), where, "holidays", problems
    )
    if len(problems) > before:
        return None
    name = str(value.get("name") or (gemeente.roo_name if gemeente else "je gemeente"))
    return GemeenteConfig(
        code=code,
        name=name,
        contact_route=route or "",
        response_days=days,
        office_hours=hours,
        holidays=national | (own or frozenset()),
        endpoint=endpoint,
        secret_env=secret_env,
        email=email,
        example=bool(value.get("example", False)),
    )


class FieldProblem(ValueError):
    """One field of a gemeente's settings is not right; the message is the sentence a beheerder reads."""


# The rules for each field, one home for the file (parse_config: "GM0321: email: …") and for the portal
# (bot/portal/handoff_settings.py shows the sentence under the field, and saves through apply_override).
def check_response_days(value: Any) -> int:
    """A whole number of working days (the portal turns the typed digits into one first)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_RESPONSE_DAYS:
        raise FieldProblem(f"Vul een heel getal in van 1 tot en met {MAX_RESPONSE_DAYS}.")
    return value


def check_contact_route(value: Any) -> str:
    route = " ".join(str(value or "").split())
    if not route:
        raise FieldProblem("Vul in wat iemand zelf kan doen terwijl die wacht.")
    if len(route) > MAX_ROUTE:
        raise FieldProblem(f"Gebruik hoogstens {MAX_ROUTE} tekens. Nu zijn het er {len(route)}.")
    return route


def check_email(value: Any) -> Optional[str]:
    text = str(value or "").strip()
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", text):
        raise FieldProblem("Dit e-mailadres klopt niet. Schrijf het zoals team@gemeente.nl.")
    return text or None


def check_endpoint_address(value: Any, expand: bool = True) -> Optional[str]:
    """A webhook address: https (http only to this computer, for the demo), no user or password in it. The file
    may name environment variables (${WW_…}); the portal may not, or its form would show their values."""
    text = str(value or "").strip()
    if not text:
        return None
    if "${" in text and not expand:
        raise FieldProblem(f"{_HTTPS} Een ${{…}} mag er niet in staan.")
    try:
        url = expand_env(text).strip() if expand else text
    except KeyError as error:
        raise FieldProblem(f"Het adres gebruikt omgevingsvariabele {error.args[0]}, maar die is niet gezet.") from error
    if not url:  # "${WW_HOOK:-}" with the variable empty: no webhook
        return None
    parsed = urlparse(url)
    local = parsed.scheme == "http" and parsed.hostname in LOCAL_HOSTS
    if len(url) > MAX_URL or not parsed.hostname or not (parsed.scheme == "https" or local):
        raise FieldProblem(_HTTPS)
    if parsed.username or parsed.password:
        raise FieldProblem(
            "Zet geen gebruikersnaam of wachtwoord in het adres. Het geheim om te ondertekenen gaat apart."
        )
    return url or None


def check_holidays(days: Iterable[date]) -> FrozenSet[date]:
    found = frozenset(days)
    if len(found) > MAX_HOLIDAYS:
        raise FieldProblem(f"Vul hoogstens {MAX_HOLIDAYS} dagen in.")
    return found


_HTTPS = (
    "Dit adres klopt niet. Het moet beginnen met https:// (http:// mag alleen naar deze computer zelf, voor de demo)."
)


def _field(check: Callable[..., Any], value: Any, where: str, field: str, problems: List[str], *args: Any) -> Any:
    """`check(value)` for the file: a problem is listed as "where: field: sentence", the value is then None."""
    try:
        return check(value, *args)
    except FieldProblem as problem:
        problems.append(f"{where}: {field}: {problem}")
        return None


def _office_hours(value: Any, where: str, problems: List[str]) -> OfficeHours:
    if value is None:
        return tuple(() for _ in WEEKDAYS)
    if not isinstance(value, dict):
        problems.append(f"{where}: office_hours moet per weekdag een tijd geven")
        return tuple(() for _ in WEEKDAYS)
    for unknown in sorted(set(map(str, value)) - set(WEEKDAYS)):
        problems.append(f"{where}: office_hours: '{unknown}' is geen weekdag (maandag … zondag)")
    week = tuple(_day_ranges(value.get(day), f"{where}: office_hours.{day}", problems) for day in WEEKDAYS)
    if not any(week):
        problems.append(f"{where}: office_hours: het kantoor is op geen enkele dag open")
    return week


def _day_ranges(value: Any, where: str, problems: List[str]) -> Tuple[Tuple[time, time], ...]:
    if value is None or str(value).strip().lower() == CLOSED:
        return ()
    ranges: List[Tuple[time, time]] = []
    for part in str(value).split(","):
        match = _RANGE.match(part)
        if not match:
            problems.append(f"{where}: '{part.strip()}' is geen tijd; schrijf 09:00-17:00 of '{CLOSED}'")
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            problems.append(f"{where}: '{part.strip()}' bevat een tijd die niet bestaat")
            continue
        opens, closes = time(h1, m1), time(h2, m2)
        if opens >= closes:
            problems.append(f"{where}: '{part.strip()}': de sluitingstijd moet na de openingstijd liggen")
            continue
        if ranges and opens < ranges[-1][1]:
            problems.append(f"{where}: '{part.strip()}' overlapt met of ligt vóór de vorige tijd")
            continue
        ranges.append((opens, closes))
    return tuple(ranges)


def opening_ranges(text: str) -> Tuple[Tuple[time, time], ...]:
    """One weekday's hours ("09:00-12:30, 13:30-17:00", or "gesloten": none); ValueError when they do not parse."""
    problems: List[str] = []
    ranges = _day_ranges(text, "openingstijden", problems)
    if problems:
        raise ValueError("; ".join(problems))
    return ranges


def format_ranges(ranges: Iterable[Tuple[time, time]]) -> str:
    """The opposite of `opening_ranges`: "09:00-12:30, 13:30-17:00", or "gesloten"."""
    return ", ".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in ranges) or CLOSED


def expand_env(text: str) -> str:
    """`${NAME}` and `${NAME:-default}` replaced by the environment; KeyError for an unset name without default."""

    def value(match: "re.Match[str]") -> str:
        name, fallback = match.group(1), match.group(2)
        found = os.environ.get(name)
        if found:
            return found
        if fallback is None:
            raise KeyError(name)
        return fallback

    return _ENV_REFERENCE.sub(value, text)


def _secret_env(value: Any, endpoint: Optional[str], where: str, problems: List[str]) -> Optional[str]:
    if value in (None, ""):
        if endpoint:
            problems.append(f"{where}: secret_env ontbreekt; een endpoint heeft een geheim nodig om te ondertekenen")
        return None
    name = str(value)
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
        problems.append(
            f"{where}: secret_env moet de NAAM van een omgevingsvariabele zijn, zoals "
            "WW_HANDOFF_SECRET_GM0344 (zet nooit het geheim zelf in dit bestand)"
        )
        return None
    return name


def _dates(values: Any, where: str, problems: List[str]) -> FrozenSet[date]:
    if not isinstance(values, list):
        problems.append(f"{where}: verwacht een lijst met datums (JJJJ-MM-DD)")
        return frozenset()
    found = set()
    for value in values:
        if isinstance(value, date):
            found.add(value)
            continue
        try:
            found.add(date.fromisoformat(str(value)))
        except ValueError:
            problems.append(f"{where}: '{value}' is geen datum (schrijf JJJJ-MM-DD)")
    return frozenset(found)


def _check_secrets(entries: Iterable[GemeenteConfig], warnings: List[str]) -> None:
    # Only a warning: the handoffs are still stored, and are sent once the variable is set.
    unset: Dict[str, List[str]] = {}
    for entry in entries:
        if entry.endpoint and entry.secret_env and not os.environ.get(entry.secret_env):
            unset.setdefault(entry.secret_env, []).append(entry.code)
    for name, codes in sorted(unset.items()):
        warnings.append(
            f"omgevingsvariabele {name} is niet gezet; versturen naar {', '.join(codes)} lukt pas als die er is"
        )


def apply_override(
    base: GemeenteConfig, override: Mapping[str, Any], national: FrozenSet[date], webhook_secret: Optional[str] = None
) -> GemeenteConfig:
    """`base` with the portal's changed fields (PORTAL_FIELDS, in the file's shapes); ConfigError lists problems.

    The same checks as the file, except that an endpoint is taken literally (no environment variables).
    """
    where = base.code
    problems: List[str] = []
    changes: Dict[str, Any] = {}
    for unknown in sorted(set(override) - set(PORTAL_FIELDS)):
        problems.append(f"{where}: veld '{unknown}' kan niet in het portaal worden gewijzigd")
    if "contact_route" in override:
        changes["contact_route"] = _field(
            check_contact_route, override["contact_route"], where, "contact_route", problems
        )
    if "response_days" in override:
        changes["response_days"] = _field(
            check_response_days, override["response_days"], where, "response_days", problems
        )
    if "office_hours" in override:
        changes["office_hours"] = _office_hours(override["office_hours"] or {}, where, problems)
    if "holidays" in override:
        own = _field(
            check_holidays,
            _dates(override["holidays"] or [], f"{where}.holidays", problems),
            where,
            "holidays",
            problems,
        )
        changes["holidays"] = national | (own or frozenset())
    if "endpoint" in override:
        changes["endpoint"] = _field(check_endpoint_address, override["endpoint"], where, "endpoint", problems, False)
    if "email" in override:
        changes["email"] = _field(check_email, override["email"], where, "email", problems)
    secret = webhook_secret or base.webhook_secret
    if changes.get("endpoint", base.endpoint) and not (secret or base.secret_env):
        problems.append(f"{where}: een endpoint heeft een geheim nodig om te ondertekenen")
    if problems:
        raise ConfigError(Path(f"portaal:{where}"), problems)
    return replace(base, **changes, webhook_secret=secret, own_entry=True)


def effective_config(session: Session, path: Optional[Path] = None) -> HandoffConfig:
    """The file (load_config) with every gemeente's portal changes on top: what the handoff service uses.

    An override that no longer passes the checks (say, after the file changed) is skipped with a warning in
    the log and in `warnings`, so that a handoff is still stored with the file's settings.
    """
    config = load_config(path)
    rows = session.execute(select(HandoffSettingsOverride)).scalars().all()
    if not rows:
        return config
    entries = dict(config.entries)
    warnings = list(config.warnings)
    for row in rows:
        try:
            override = json.loads(row.settings or "{}")
            if not isinstance(override, dict):
                raise ValueError("geen lijst van velden")
            entries[row.gemeente_code] = apply_override(
                config.for_gemeente(row.gemeente_code), override, config.national_holidays, row.webhook_secret
            )
        except ValueError as error:  # a ConfigError, or JSON that does not parse
            warning = f"{row.gemeente_code}: instellingen uit het portaal niet gebruikt: {error}"
            logging.getLogger(__name__).warning(warning)
            warnings.append(warning)
    return replace(config, entries=entries, warnings=warnings)
