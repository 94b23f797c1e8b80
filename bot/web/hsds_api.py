"""The HSDS 3.0 read API at /hsds/ for other systems (a regional social-map site, a gemeente's website): the
read-only endpoints of Open Referral's openapi.json, public (no sign-in: it is public information), paged,
filterable by gemeente or arbeidsmarktregio, and rate-limited per client address.

The queries live in bot/socialmap/hsds_read.py; this module reads parameters and writes JSON, with every id made
public as HSDS wants it (a UUID; bot/socialmap/hsds_ids.py).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Callable, Dict, Optional

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from bot.common import settings
from bot.common.rate_limit import RateLimiter
from bot.socialmap import hsds_schema
from bot.socialmap.hsds_ids import own_id, publish
from bot.socialmap.hsds_read import Area, BadQuery, Paging, Reader, area_of_gemeente, area_of_regio
from bot.web.database import get_db

bp = Blueprint("hsds", __name__, url_prefix="/hsds")
PROFILE = "https://docs.openreferral.org/en/latest/hsds/overview.html"
TRUE, FALSE = ("true", "1"), ("false", "0", "")


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.errorhandler(BadQuery)
def _bad_query(exc: BadQuery) -> Response:
    return _error(400, str(exc))


@bp.before_request
def _limit() -> Optional[Response]:
    limiter: RateLimiter = current_app.extensions["hsds_rate_limiter"]
    if limiter.allow(request.remote_addr or "onbekend"):
        return None
    response = _error(429, "Te veel verzoeken: probeer het over een minuut opnieuw.")
    response.headers["Retry-After"] = "60"
    return response


@bp.before_request
def _printable() -> Optional[Response]:
    # No database stores a NUL character (PostgreSQL refuses it); no id or search term has one.
    values = [*request.args.values(), *(request.view_args or {}).values()]
    if any("\x00" in str(v) for v in values):
        return _error(400, "een parameter bevat een NUL-teken")
    return None


@bp.after_request
def _public(response: Response) -> Response:
    # Public information for other sites' pages and scripts: anyone may read it (GET only, no cookies used).
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _bool(name: str) -> bool:
    text = (request.args.get(name) or "").strip().lower()
    if text not in TRUE + FALSE:
        raise BadQuery(f"{name} is true of false")
    return text in TRUE


def _int(name: str) -> Optional[int]:
    text = request.args.get(name)
    if text is None or text.strip() == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise BadQuery(f"{name} is een geheel getal") from None


def _datetime(name: str) -> Optional[dt.datetime]:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        raise BadQuery(f"{name} is een datum of tijdstip (JJJJ-MM-DD of JJJJ-MM-DDTUU:MM:SSZ)") from None
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _area() -> Optional[Area]:
    """This API's own filter (not in HSDS): gemeente (CBS code or name) or arbeidsmarktregio (AMxx)."""
    gemeente, regio = request.args.get("gemeente"), request.args.get("arbeidsmarktregio")
    if gemeente and regio:
        raise BadQuery("gebruik gemeente of arbeidsmarktregio, niet allebei")
    if gemeente:
        return area_of_gemeente(gemeente)
    return area_of_regio(regio) if regio else None


def _common() -> Dict[str, Any]:
    if (request.args.get("format") or "json") != "json":
        raise BadQuery("format: alleen json wordt ondersteund")
    for name in ("postcode", "proximity"):
        if request.args.get(name):
            raise BadQuery(f"{name} wordt niet ondersteund: gebruik gemeente of arbeidsmarktregio")
    return {"paging": Paging.of(_int("page"), _int("per_page")), "search": request.args.get("search") or None}


def _reader() -> Reader:
    return Reader(get_db(), include_demo=settings.EXAMPLE_CONTENT)


def _own(table: str, value: Optional[str]) -> Optional[str]:
    """A record's own id for the public id (a UUID) a caller gives; its own id is accepted too."""
    return own_id(get_db(), table, value) if value else None


def _id_arg(name: str, table: str) -> Optional[str]:
    return _own(table, request.args.get(name) or None)


def _one(table: str, found: Optional[Dict[str, Any]], what: str) -> Response:
    return jsonify(publish(table, found)) if found is not None else _error(404, f"{what} niet gevonden")


def _page(table: str, page: Dict[str, Any]) -> Response:
    return jsonify({**page, "contents": publish(table, page["contents"])})


def _service_filters() -> Dict[str, Any]:
    return {
        **_common(),
        "full": _bool("full"),
        "taxonomy_term_id": _id_arg("taxonomy_term_id", "taxonomy_term"),
        "taxonomy_id": _id_arg("taxonomy_id", "taxonomy"),
        "organization_id": _id_arg("organization_id", "organization"),
        "modified_after": _datetime("modified_after"),
        "area": _area(),
    }


@bp.get("/")
def meta() -> Response:
    return jsonify({"version": "3.0", "profile": PROFILE, "openapi_url": url_for(".openapi", _external=True)})


@bp.get("/openapi.json")
def openapi() -> Response:
    """Open Referral's openapi.json with this API's own title, address and filters filled in."""
    document = copy.deepcopy(hsds_schema.schema("openapi.json"))
    document["info"] = {
        "title": "Wegwijzer Werk: sociale kaart (HSDS 3.0)",
        "version": "3.0",
        "description": "De sociale kaart van Wegwijzer Werk, alleen lezen, volgens Open Referral HSDS 3.0. Extra "
        "filters: gemeente (CBS-code of naam) en arbeidsmarktregio (AMxx).",
        "license": {
            "name": "CC BY-SA 4.0 (HSDS-specificatie)",
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
        },
    }
    document["servers"] = [{"url": url_for(".meta", _external=True).rstrip("/")}]
    return jsonify(document)


@bp.get("/services")
def services() -> Response:
    return _page("service", _reader().services(minimal=_bool("minimal"), **_service_filters()))


@bp.get("/services/<path:service_id>")
def service(service_id: str) -> Response:
    return _one("service", _reader().service(_own("service", service_id) or service_id), "dienst")


@bp.get("/organizations")
def organizations() -> Response:
    common = _common()
    return _page(
        "organization",
        _reader().organizations(
            common["paging"], common["search"], full=_bool("full"), full_service=_bool("full_service")
        ),
    )


@bp.get("/organizations/<path:organization_id>")
def organization(organization_id: str) -> Response:
    found = _reader().organization(
        _own("organization", organization_id) or organization_id, full_service=_bool("full_service")
    )
    return _one("organization", found, "organisatie")


@bp.get("/taxonomies")
def taxonomies() -> Response:
    common = _common()
    return _page("taxonomy", _reader().taxonomies(common["paging"], common["search"]))


@bp.get("/taxonomies/<path:taxonomy_id>")
def taxonomy(taxonomy_id: str) -> Response:
    return _one("taxonomy", _reader().taxonomy(_own("taxonomy", taxonomy_id) or taxonomy_id), "taxonomie")


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> Response:
    common = _common()
    return _page(
        "taxonomy_term",
        _reader().taxonomy_terms(
            common["paging"],
            common["search"],
            taxonomy_id=_id_arg("taxonomy_id", "taxonomy"),
            top_only=_bool("top_only"),
            parent_id=_id_arg("parent_id", "taxonomy_term"),
        ),
    )


@bp.get("/taxonomy_terms/<path:term_id>")
def taxonomy_term(term_id: str) -> Response:
    return _one("taxonomy_term", _reader().taxonomy_term(_own("taxonomy_term", term_id) or term_id), "taxonomieterm")


@bp.get("/service_at_locations")
def service_at_locations() -> Response:
    return _page("service_at_location", _reader().service_at_locations(**_service_filters()))


@bp.get("/service_at_locations/<path:link_id>")
def service_at_location(link_id: str) -> Response:
    found = _reader().service_at_location(_own("service_at_location", link_id) or link_id)
    return _one("service_at_location", found, "dienst op locatie")


def init_app(app: Any, limiter_factory: Callable[[int], RateLimiter] = RateLimiter) -> None:
    """Register the API with one rate limiter per app (HSDS_API_PER_MINUTE from the app's config)."""
    per_minute = app.config.get("HSDS_API_PER_MINUTE", settings.HSDS_API_PER_MINUTE)
    app.extensions["hsds_rate_limiter"] = limiter_factory(per_minute)
    app.register_blueprint(bp)
