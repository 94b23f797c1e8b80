"""A gemeente's handoff settings as its beheerder reads and changes them in the portal.

Only what differs from knowledge/handoff/gemeenten.yml is saved (table handoff_settings_override), and
bot.handoff.config.effective_config lays it over the file, so the promise to the person follows the edit.
Every field is checked here with a plain Dutch sentence per field, and once more by the config parser.
The webhook secret is write-only: it can be set or removed, never read back. A new webhook address must lead
to a public internet address (bot/handoff/endpoints.py, checked after DNS resolution); its old and new value go
into the audit log as `webhook_wijzigen`, which every beheerder and teamleider of the gemeente sees as a notice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from sqlalchemy.orm import Session

from bot.common.clock import to_db_time, utc_now
from bot.handoff.config import (
    MAX_ROUTE,
    MAX_URL,
    PORTAL_FIELDS,
    WEEKDAYS,
    ConfigError,
    FieldProblem,
    GemeenteConfig,
    apply_override,
    check_contact_route,
    check_email,
    check_endpoint_address,
    check_holidays,
    check_response_days,
    effective_config,
    format_ranges,
    load_config,
    opening_ranges,
)
from bot.handoff.endpoints import UnsafeEndpoint, check_endpoint, describe
from bot.handoff.models import HandoffSettingsOverride
from bot.portal.models import PortalUser
from bot.portal.service import WEBHOOK_CHANGED, audit

MIN_SECRET, MAX_SECRET = 32, 200
GENERAL = "algemeen"  # an error about the whole form rather than one field
LABELS = {  # field → how the page and the audit log name it
    "response_days": "reageren binnen",
    "contact_route": "wat iemand zelf kan doen",
    "office_hours": "openingstijden",
    "holidays": "extra dagen dicht",
    "email": "e-mailadres van het team",
    "endpoint": "webhook-adres",
    "webhook_secret": "webhook-sleutel",
}


class Problems(ValueError):
    """The form has mistakes: one plain Dutch sentence per field name."""

    def __init__(self, errors: Dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class SettingsForm:
    """The form's values as text, the way the beheerder typed them (the secret is never filled back in)."""

    response_days: str = ""
    contact_route: str = ""
    office_hours: Dict[str, str] = field(default_factory=dict)
    holidays: str = ""
    email: str = ""
    endpoint: str = ""
    new_secret: str = ""
    remove_secret: bool = False

    @classmethod
    def from_config(cls, config: GemeenteConfig, national: frozenset) -> "SettingsForm":
        own_days = sorted(config.holidays - national)
        return cls(
            response_days=str(config.response_days),
            contact_route=config.contact_route,
            office_hours={day: format_ranges(config.office_hours[i]) for i, day in enumerate(WEEKDAYS)},
            holidays="\n".join(f"{d:%d-%m-%Y}" for d in own_days),
            email=config.email or "",
            endpoint=config.endpoint or "",
        )

    @classmethod
    def from_request(cls, form: Mapping[str, str]) -> "SettingsForm":
        return cls(
            response_days=form.get("response_days", "")[:10].strip(),
            contact_route=form.get("contact_route", "")[: MAX_ROUTE * 2].strip(),
            office_hours={day: form.get(f"uren_{day}", "")[:100].strip() for day in WEEKDAYS},
            holidays=form.get("holidays", "")[:2000],
            email=form.get("email", "")[:254].strip(),
            endpoint=form.get("endpoint", "")[: MAX_URL * 2].strip(),
            new_secret=form.get("new_secret", "")[: MAX_SECRET * 2].strip(),
            remove_secret=form.get("remove_secret") == "1",
        )


@dataclass(frozen=True)
class GemeenteSettings:
    """What the settings page shows of one gemeente."""

    effective: GemeenteConfig
    from_file: GemeenteConfig
    override: Optional[HandoffSettingsOverride]
    national: frozenset

    @property
    def secret_source(self) -> str:
        """Where the webhook secret comes from (a key of SECRET_LABELS), without the secret itself."""
        if self.override is not None and self.override.webhook_secret:
            return "portal"
        if self.effective.secret_env:
            return "environment" if self.effective.secret() else "environment_missing"
        return "none"


SECRET_LABELS = {
    "portal": "ingesteld in dit portaal (de sleutel wordt nooit getoond)",
    "environment": "komt uit een instelling van de server (de sleutel wordt nooit getoond)",
    "environment_missing": "hoort uit een instelling van de server te komen, maar die is niet gezet",
    "none": "geen",
}


def opening_hours(config: GemeenteConfig) -> List[Tuple[str, str]]:
    """Per weekday its hours as text, for the page."""
    return [(day, format_ranges(config.office_hours[i])) for i, day in enumerate(WEEKDAYS)]


def settings_of(session: Session, code: str) -> GemeenteSettings:
    file_config = load_config()
    return GemeenteSettings(
        effective=effective_config(session).for_gemeente(code),
        from_file=file_config.for_gemeente(code),
        override=session.get(HandoffSettingsOverride, code),
        national=file_config.national_holidays,
    )


def _parse_date(text: str) -> Optional[date]:
    for pattern in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    return None


def _check(errors: Dict[str, str], field: str, check: Callable[..., Any], value: Any, *args: Any) -> Any:
    """The file's rule for `field` (bot/handoff/config.py); its sentence in `errors` when the value is not right."""
    try:
        return check(value, *args)
    except FieldProblem as problem:
        errors[field] = str(problem)
        return None


def _check_fields(form: SettingsForm, errors: Dict[str, str]) -> Dict[str, Any]:
    """Every field in the file's shape; a sentence in `errors` for each field that is not right."""
    values: Dict[str, Any] = {}
    typed = form.response_days
    days = _check(errors, "response_days", check_response_days, int(typed) if typed.isdigit() else typed)
    if days is not None:
        values["response_days"] = days
    values["contact_route"] = _check(errors, "contact_route", check_contact_route, form.contact_route) or ""
    hours: Dict[str, str] = {}
    for day in WEEKDAYS:
        text = form.office_hours.get(day) or "gesloten"
        try:
            hours[day] = format_ranges(opening_ranges(text))
        except ValueError:
            errors[f"uren_{day}"] = (
                "Schrijf de tijden zoals 09:00-17:00, of 09:00-12:30, 13:30-17:00. "
                "Is het kantoor dicht? Schrijf dan: gesloten."
            )
    if len(hours) == len(WEEKDAYS) and all(value == "gesloten" for value in hours.values()):
        errors["uren_maandag"] = "Het kantoor moet op minstens één dag open zijn."
    values["office_hours"] = hours
    values["holidays"] = _check_holidays(form.holidays, errors)
    values["email"] = _check(errors, "email", check_email, form.email)
    # As typed: the portal never expands ${…} (that would show an environment variable's value).
    values["endpoint"] = _check(errors, "endpoint", check_endpoint_address, form.endpoint, False) or (
        form.endpoint or None
    )
    return values


def _check_holidays(text: str, errors: Dict[str, str]) -> List[str]:
    days: List[str] = []
    for part in [p.strip() for p in re.split(r"[\n,;]+", text) if p.strip()]:
        day = _parse_date(part)
        if day is None:
            errors["holidays"] = f"‘{part[:20]}’ is geen datum. Zet elke datum op een eigen regel, zoals 24-12-2026."
            return []
        days.append(day.isoformat())
    _check(errors, "holidays", check_holidays, [date.fromisoformat(d) for d in days])
    return sorted(set(days))


def _check_target(endpoint: Optional[str], before: Optional[str], errors: Dict[str, str]) -> None:
    """A new webhook address must resolve to public internet addresses only (not this computer, not the
    internal network). An address left as it was is not checked again here: the notifier checks every
    delivery when it connects."""
    if not endpoint or endpoint == before or "endpoint" in errors:
        return
    try:
        check_endpoint(endpoint)
    except UnsafeEndpoint as problem:
        errors["endpoint"] = str(problem)


def _secret(
    form: SettingsForm,
    row: Optional[HandoffSettingsOverride],
    endpoint: Optional[str],
    from_file: GemeenteConfig,
    errors: Dict[str, str],
) -> Optional[str]:
    """The secret to store: the new one, none (removed), or the one stored before."""
    if form.new_secret:
        if not MIN_SECRET <= len(form.new_secret) <= MAX_SECRET:
            errors["new_secret"] = f"Een sleutel heeft minstens {MIN_SECRET} en hoogstens {MAX_SECRET} tekens."
        return form.new_secret
    secret = None if form.remove_secret else (row.webhook_secret if row else None)
    if endpoint and not secret and not from_file.secret_env:
        errors["new_secret"] = (
            f"Een webhook heeft een geheime sleutel nodig om de berichten te ondertekenen. "
            f"Vul een sleutel in van minstens {MIN_SECRET} tekens."
        )
    return secret


def save(session: Session, user: PortalUser, code: str, form: SettingsForm) -> List[str]:
    """Check the form and store what differs from the file; returns the labels of what changed.

    Raises Problems (and changes nothing) when a field is not right. The caller commits.
    """
    current = settings_of(session, code)
    errors: Dict[str, str] = {}
    values = _check_fields(form, errors)
    _check_target(values.get("endpoint"), current.effective.endpoint, errors)
    secret = _secret(form, current.override, values.get("endpoint"), current.from_file, errors)
    if errors:
        raise Problems(errors)
    base = current.from_file
    try:
        candidate = apply_override(base, values, current.national, secret)
    except ConfigError as error:  # the parser is stricter than the checks above: say so, change nothing
        raise Problems({GENERAL: "De instellingen kloppen niet: " + "; ".join(error.problems)}) from error
    kept = {name: values[name] for name in PORTAL_FIELDS if getattr(candidate, name) != getattr(base, name)}
    changed = [LABELS[name] for name in PORTAL_FIELDS if getattr(candidate, name) != getattr(current.effective, name)]
    if secret != (current.override.webhook_secret if current.override else None):
        changed.append(LABELS["webhook_secret"])
    if not changed:
        return []
    _store(session, code, kept, secret, user)
    # Field names only: the values may hold an address, and the secret must never reach the log.
    audit(session, user, "instellingen_wijzigen", gemeente_code=code, detail="gewijzigd: " + ", ".join(changed))
    if candidate.endpoint != current.effective.endpoint:
        # Where personal data goes: old and new address (without a query, which might hold a key), for the log
        # and for the notice every beheerder and teamleider of this gemeente sees (bot/portal/service.py).
        audit(
            session,
            user,
            WEBHOOK_CHANGED,
            gemeente_code=code,
            detail=f"{describe(current.effective.endpoint)} → {describe(candidate.endpoint)}",
        )
    session.flush()
    return changed


def _store(session: Session, code: str, kept: Dict[str, Any], secret: Optional[str], user: PortalUser) -> None:
    row = session.get(HandoffSettingsOverride, code)
    if not kept and not secret:
        if row is not None:
            session.delete(row)  # nothing differs from the file any more
        return
    if row is None:
        row = HandoffSettingsOverride(gemeente_code=code)
        session.add(row)
    row.settings = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    row.webhook_secret = secret
    row.updated_at, row.updated_by = to_db_time(utc_now()), user.username


def reset(session: Session, user: PortalUser, code: str) -> bool:
    """Back to the file's settings (the portal's secret goes too); False when there was nothing to undo."""
    row = session.get(HandoffSettingsOverride, code)
    if row is None:
        return False
    before = effective_config(session).for_gemeente(code).endpoint
    session.delete(row)
    audit(session, user, "instellingen_standaard", gemeente_code=code, detail="terug naar de standaardinstellingen")
    after = load_config().for_gemeente(code).endpoint
    if after != before:
        audit(session, user, WEBHOOK_CHANGED, gemeente_code=code, detail=f"{describe(before)} → {describe(after)}")
    session.flush()
    return True


def overview(session: Session, codes: Tuple[str, ...]) -> List[GemeenteSettings]:
    return [settings_of(session, code) for code in codes]
